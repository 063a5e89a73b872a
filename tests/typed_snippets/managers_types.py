"""The managers' and the cache view's public types (checked by tests/test_managers.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import assert_type

from fluxer_rx import Client
from fluxer_rx.cache import (
    Cache,
    CacheCounts,
    CachedChannel,
    CachedGuild,
    CachedMember,
    CachedUser,
    CacheView,
)
from fluxer_rx.managers import ChannelManager, GuildManager, MemberManager, UserManager
from fluxer_rx.models import Channel, Guild, Member, Message, PartialUser
from fluxer_rx.rest import Rest


async def through_a_client(client: Client) -> None:
    assert_type(client.guilds.get("1"), CachedGuild | None)
    assert_type(client.guilds.get("1", None), CachedGuild | None)
    assert_type(client.guilds.get("1", "absent"), CachedGuild | str)
    assert_type(client.guilds["1"], CachedGuild)
    assert_type(await client.guilds.fetch("1"), Guild)
    assert_type(await client.guilds.resolve("1"), CachedGuild | Guild)
    assert_type(client.channels.get("2"), CachedChannel | None)
    assert_type(await client.channels.fetch("2"), Channel)
    assert_type(await client.channels.resolve("2"), CachedChannel | Channel)
    assert_type(await client.channels.send("2", "hi"), Message)
    assert_type(client.users.get("3"), CachedUser | None)
    assert_type(await client.users.fetch("3"), PartialUser)
    assert_type(await client.users.resolve("3"), CachedUser | PartialUser)
    assert_type(client.members.get("1"), Mapping[str, CachedMember] | None)
    assert_type(client.members.get_member("1", "3"), CachedMember | None)
    assert_type(await client.members.fetch("1", "3"), Member)
    assert_type(await client.members.resolve("1", "3"), CachedMember | Member)
    _ = client.guilds["1"].no_such  # type: ignore[attr-defined]
    await client.guilds.fetch("1", "2")  # type: ignore[call-arg]


def over_a_view(cache: Cache, rest: Rest) -> None:
    view = cache.view
    assert_type(view, CacheView)
    assert_type(view.get_member("1", "3"), CachedMember | None)
    assert_type(view.members["1"]["3"], CachedMember)
    assert_type(view.counts(), CacheCounts)
    view.apply(object())  # type: ignore[attr-defined]
    _ = view.state  # type: ignore[attr-defined]
    guilds = GuildManager(view, lambda: rest, cache)
    assert_type(guilds.get("1"), CachedGuild | None)
    assert_type(ChannelManager(view, lambda: rest).get("2"), CachedChannel | None)
    assert_type(UserManager(view, lambda: rest, cache).get("3"), CachedUser | None)
    assert_type(MemberManager(view, lambda: rest, cache).get_member("1", "3"), CachedMember | None)
