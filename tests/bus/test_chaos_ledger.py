"""The chaos test's ledger finds what it must (pure, no processes): a lost, duplicated or
reordered dispatch, a missing one without a gap, a gap over a replayable dispatch; and a
successor's repeat of the dead holder's uncommitted tail is not a duplicate."""

from __future__ import annotations

from typing import Any

from fluxer_rx.sandbox.gateway import DispatchRecord
from tests.bus.chaos_ledger import ShardLedger, check_shard, expected_by_shard

LOG = [
    DispatchRecord("A", 1, "READY", {"shard": [3, 16]}),
    DispatchRecord("A", 2, "GUILD_CREATE", {}),
    DispatchRecord("A", 3, "MESSAGE_CREATE", {}),
    DispatchRecord("A", 4, "MESSAGE_REACTION_ADD", {}),
    DispatchRecord("A", 3, "RESUMED", None),
    DispatchRecord("A", 5, "MESSAGE_CREATE", {}),
]
EXPECTED = expected_by_shard(LOG)[3]


def frames(*rows: tuple[int, str]) -> list[dict[str, Any]]:
    return [{"seq": s, "name": t, "session": "A" if t == "READY" else None} for s, t in rows]


def ledger(*rows: tuple[int, str], gaps: tuple[tuple[int, int], ...] = ()) -> ShardLedger:
    out = ShardLedger(3)
    out.add_holder(frames(*rows))
    out.gaps = [{"shard": 3, "session": "A", "after": a, "before": b} for a, b in gaps]
    return out


ALL = ((1, "READY"), (2, "GUILD_CREATE"), (3, "MESSAGE_CREATE"), (4, "MESSAGE_REACTION_ADD"))


def test_a_complete_ledger_passes_and_resumed_is_not_expected() -> None:
    assert [k for k, _ in EXPECTED] == [("A", s) for s in (1, 2, 3, 4, 5)]
    assert check_shard(ledger(*ALL, (5, "MESSAGE_CREATE")), EXPECTED) == []


def test_an_unreplayable_dispatch_may_be_missing_only_under_a_reported_gap() -> None:
    rows = (*ALL[:3], (5, "MESSAGE_CREATE"))
    assert check_shard(ledger(*rows, gaps=((3, 5),)), EXPECTED) == []
    assert check_shard(ledger(*rows), EXPECTED) == [
        "lost without a gap reported: ('A', 4) MESSAGE_REACTION_ADD"
    ]


def test_lost_duplicated_reordered_and_unjustified_gaps_are_reported() -> None:
    lost = check_shard(ledger(*ALL[:2], ALL[3], (5, "MESSAGE_CREATE"), gaps=((2, 4),)), EXPECTED)
    assert any(p.startswith("lost (the server could replay it): ('A', 3)") for p in lost)
    assert any(p.startswith("gap over a replayable dispatch: ('A', 3)") for p in lost)
    twice = check_shard(ledger(*ALL, (3, "MESSAGE_CREATE"), (5, "MESSAGE_CREATE")), EXPECTED)
    assert any(p.startswith("duplicated") for p in twice)
    swapped = check_shard(ledger(*ALL[:2], ALL[3], ALL[2], (5, "MESSAGE_CREATE")), EXPECTED)
    assert "reordered" in swapped


def test_a_successors_repeat_of_the_uncommitted_tail_is_cut_once() -> None:
    led = ShardLedger(3)
    led.add_holder(frames(*ALL))
    led.add_holder(frames(ALL[2], ALL[3], (5, "MESSAGE_CREATE")))
    assert led.reapplied == 2
    assert check_shard(led, EXPECTED) == []
