"""Cooldown windows on a fake clock."""

from __future__ import annotations

from typing import Any, cast

import pytest

from fluxer_rx.commands import BucketType, Command, Context, Cooldown, OnCooldown
from fluxer_rx.commands.cooldowns import CooldownTable
from fluxer_rx.models import MessageCreate, PartialUser


async def noop(ctx: Context) -> None: ...


def ctx(user: str = "1", channel: str = "10", guild: str | None = "100") -> Context:
    message = MessageCreate(
        id="5", channel_id=channel, guild_id=guild, author=PartialUser(id=user), content=""
    )
    return Context(
        cast(Any, None), message, Command(noop), prefix="!", invoked_with="noop", text=""
    )


def test_rate_per_window_and_first_refusal_only() -> None:
    now = [0.0]
    table = CooldownTable(Cooldown(2, 5.0, BucketType.USER), lambda: now[0])
    table.hit(ctx())
    table.hit(ctx())
    with pytest.raises(OnCooldown) as first:
        table.hit(ctx())
    assert first.value.first and first.value.retry_after == 5.0
    now[0] = 4.0
    with pytest.raises(OnCooldown) as again:
        table.hit(ctx())
    assert not again.value.first and again.value.retry_after == pytest.approx(1.0)
    table.hit(ctx(user="2"))  # another user, another window
    now[0] = 5.0
    table.hit(ctx())  # the window has passed


def test_buckets_key_by_what_they_say() -> None:
    a, b = ctx("1", "10"), ctx("2", "10")
    assert BucketType.CHANNEL.key(a) == BucketType.CHANNEL.key(b)
    assert BucketType.USER.key(a) != BucketType.USER.key(b)
    assert BucketType.MEMBER.key(ctx("1", guild="100")) != BucketType.MEMBER.key(
        ctx("1", guild="200")
    )
    assert BucketType.GUILD.key(ctx(guild=None, channel="7")) == "7"
    assert BucketType.GLOBAL.key(a) == BucketType.GLOBAL.key(ctx("9", "99", "999"))


def test_expired_windows_are_swept() -> None:
    now = [0.0]
    table = CooldownTable(Cooldown(1, 1.0), lambda: now[0])
    for i in range(1000):
        table.hit(ctx(user=str(i)))
    now[0] = 2.0
    for i in range(1000, 1100):
        table.hit(ctx(user=str(i)))
    assert len(table) <= 100
    with pytest.raises(ValueError):
        Cooldown(0, 1.0)
