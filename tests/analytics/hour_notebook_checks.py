"""What ``notebooks/03_an_hour_in_ten_seconds.ipynb`` must have computed, checked against
the generator's ground truth (the ``SimulationTruth`` the notebook's ``simulate_recording``
returned), not against the notebook's own comparison table.

Used by ``tests/test_notebooks.py`` (its ``CHECKS``) and
``tests/analytics/test_hour_notebook.py``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from fluxer_rx.sandbox.simulate import SimulationTruth

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FIGURES = {"activity", "raid", "users_polls"}


def check_an_hour_in_ten_seconds(ns: dict[str, Any]) -> None:
    truth: SimulationTruth = ns["truth"]
    start = truth.started_at.timestamp()
    minutes = len(truth.messages_per_minute)
    assert minutes == 60 and sum(truth.messages_per_minute) > 1000
    assert ns["late"] == []  # nothing was late, so nothing was left out of a window

    # count_by's windows, by channel id and minute of event time, equal the generator's
    counted: dict[int, dict[str | None, int]] = {}
    for window in ns["per_minute"]:
        assert (window.end - window.start).total_seconds() == 60
        counted[round((window.start.timestamp() - start) / 60)] = window.counts
    assert set(counted) <= set(range(minutes))
    for channel, counts in truth.messages_by_channel_minute.items():
        assert [counted.get(m, {}).get(channel, 0) for m in range(minutes)] == counts
    assert [sum(counted.get(m, {}).values()) for m in range(minutes)] == truth.messages_per_minute

    # the table the plot draws: a row per minute, a column per channel (named)
    activity, channel_name = ns["activity"], ns["channel_name"]
    assert len(activity) == minutes and activity.index[0].timestamp() == start
    assert activity.sum(axis=1).tolist() == truth.messages_per_minute
    for channel, counts in truth.messages_by_channel_minute.items():
        assert activity[channel_name(channel)].tolist() == counts

    # the DataFrame: every message once, with its author; the per-minute counts again
    posts = ns["posts"]
    assert str(posts["time"].dtype) == "datetime64[ns, UTC]"
    assert str(posts["user_id"].dtype) == "string" and str(posts["type"].dtype) == "category"
    assert posts["message_id"].is_unique and len(posts) == sum(truth.messages_per_minute)
    seconds = (posts["time"] - truth.started_at).dt.total_seconds()
    assert Counter((seconds // 60).astype(int)) == {
        m: n for m, n in enumerate(truth.messages_per_minute) if n
    }
    assert Counter(posts["user_id"]) == truth.messages_by_user
    top = ns["top_users"]
    assert top["messages"].tolist() == [n for _, n in truth.messages_by_user.most_common(10)]

    members = ns["member_counts"]
    assert len(members) == minutes
    assert (members["joins"].sum(), members["leaves"].sum()) == (truth.joins, truth.leaves)

    # the raid: the sliding window's peak is in the raid's channel and overlaps its span;
    # its new accounts include every raider
    raid = truth.raid
    assert raid is not None and ns["raid_channel"] == raid.channel_id
    found_start, found_end = ns["raid_start"].timestamp(), ns["raid_end"].timestamp()
    assert found_start <= start + raid.end and found_end >= start + raid.start
    assert set(raid.raiders) <= set(ns["new_accounts"])

    # the polls: each poll message found, with the generator's final votes
    results = ns["poll_results"]
    found = {
        row["message_id"]: {vote: int(row[vote]) for vote in ns["VOTES"]}
        for row in results.to_dict("records")
    }
    assert found == {poll.message_id: poll.votes for poll in truth.polls}
    assert len(found) == 3 and sum(sum(v.values()) for v in found.values()) > 0

    figures: dict[str, bytes] = ns["figures"]
    assert set(figures) == FIGURES
    assert all(png.startswith(PNG_MAGIC) and len(png) > 10_000 for png in figures.values())
