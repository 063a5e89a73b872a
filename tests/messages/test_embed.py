"""The embed builder: the wire dict it produces and the schema's limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fluxer_rx import Embed


def test_an_empty_embed_sends_nothing_unset() -> None:
    assert Embed().to_dict() == {}


def test_every_field_of_the_schema() -> None:
    embed = (
        Embed(
            title="Poll",
            description="Pizza tonight?",
            url="https://fluxer.app",
            color=0x3498DB,
            timestamp=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        )
        .add_field("👍", "2", inline=True)
        .add_field("👎", "1")
        .set_footer("closes soon", icon_url="https://x/f.png")
        .set_author("bot", url="https://x", icon_url="https://x/a.png")
        .set_image("https://x/i.png", description="alt")
        .set_thumbnail("https://x/t.png")
    )
    assert embed.to_dict() == {
        "title": "Poll",
        "description": "Pizza tonight?",
        "url": "https://fluxer.app",
        "color": 0x3498DB,
        "timestamp": "2026-01-02T03:04:05+00:00",
        "fields": [{"name": "👍", "value": "2", "inline": True}, {"name": "👎", "value": "1"}],
        "footer": {"text": "closes soon", "icon_url": "https://x/f.png"},
        "author": {"name": "bot", "url": "https://x", "icon_url": "https://x/a.png"},
        "image": {"url": "https://x/i.png", "description": "alt"},
        "thumbnail": {"url": "https://x/t.png"},
    }


def test_to_dict_is_a_fresh_copy_and_equality_is_by_value() -> None:
    embed = Embed(title="a").set_footer("f").add_field("n", "v")
    wire = embed.to_dict()
    wire["footer"]["text"] = "changed"
    wire["fields"][0]["value"] = "changed"
    assert embed.to_dict()["footer"] == {"text": "f"}
    assert embed.fields == [{"name": "n", "value": "v"}]
    assert embed == Embed(title="a").set_footer("f").add_field("n", "v")
    assert embed != Embed(title="b")


def test_limits_are_checked_when_set() -> None:
    with pytest.raises(ValueError, match="title is 257 characters"):
        Embed(title="x" * 257)
    with pytest.raises(ValueError, match="description"):
        Embed(description="x" * 4097)
    with pytest.raises(ValueError, match="field value"):
        Embed().add_field("n", "x" * 1025)
    embed = Embed()
    for i in range(25):
        embed.add_field(str(i), "v")
    with pytest.raises(ValueError, match="at most 25 fields"):
        embed.add_field("26", "v")
    for color in (-1, 0x1000000, True):
        with pytest.raises(ValueError, match="24-bit"):
            Embed(color=color)


def test_timestamps_must_be_aware_or_iso_strings() -> None:
    assert Embed(timestamp="2026-01-02T03:04:05Z").to_dict() == {
        "timestamp": "2026-01-02T03:04:05Z"
    }
    with pytest.raises(ValueError, match="timezone-aware"):
        Embed(timestamp=datetime(2026, 1, 2))
    with pytest.raises(ValueError):
        Embed(timestamp="yesterday")
