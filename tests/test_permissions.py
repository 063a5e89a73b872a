"""Permissions: the flags, the computation on hand-built cases, and against the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fluxer_rx import Client
from fluxer_rx.cache import Cache
from fluxer_rx.models import GuildCreate, Member, PartialUser, PermissionOverwrite, Role
from fluxer_rx.models.channel import Channel
from fluxer_rx.permissions import (
    ALL_PERMISSIONS,
    DEFAULT_PERMISSIONS,
    KNOWN_PERMISSIONS,
    Permissions,
    PermissionsUnknown,
    apply_overwrites,
    compute_permissions,
    parse_permissions,
    permissions_for,
)
from fluxer_rx.sandbox import Sandbox
from tests.util import logged_in_client, wait_until

P = Permissions
G = "100"  # guild id = @everyone role id
OWNER = "1"
USER = "2"
MOD = "200"
MUTED = "201"
HELPER = "202"


def role(role_id: str, perms: int) -> Role:
    return Role(id=role_id, permissions=str(perms))


ROLES = {
    G: role(G, P.VIEW_CHANNEL | P.SEND_MESSAGES | P.ADD_REACTIONS),
    MOD: role(MOD, P.KICK_MEMBERS | P.MANAGE_MESSAGES),
    MUTED: role(MUTED, 0),
    HELPER: role(HELPER, P.EMBED_LINKS),
}


def ow(target: str, kind: int, allow: int = 0, deny: int = 0) -> PermissionOverwrite:
    return PermissionOverwrite(id=target, type=kind, allow=str(allow), deny=str(deny))


def perms(
    member_roles: tuple[str, ...],
    overwrites: list[PermissionOverwrite] | None = None,
    user: str = USER,
    roles: dict[str, Role] = ROLES,
) -> Permissions:
    return compute_permissions(
        guild_id=G,
        owner_id=OWNER,
        roles=roles,
        user_id=user,
        member_roles=member_roles,
        overwrites=overwrites,
    )


# -- flags -----------------------------------------------------------------------------


def test_flag_bits_are_fluxers() -> None:
    # spot checks against fluxer_api/src/constants/Channel.ts (PROTOCOL §5)
    assert (int(P.ADMINISTRATOR), int(P.KICK_MEMBERS), int(P.BAN_MEMBERS)) == (8, 2, 4)
    assert P.VIEW_CHANNEL == 1 << 10 and P.SEND_MESSAGES == 1 << 11
    assert P.MANAGE_ROLES == 1 << 28 and P.MANAGE_EXPRESSIONS == 1 << 30
    assert P.MODERATE_MEMBERS == 1 << 40 and P.PIN_MESSAGES == 1 << 51
    assert P.UPDATE_RTC_REGION == 1 << 53 and P.VIEW_CHANNEL_MEMBERS == 1 << 54
    assert len(KNOWN_PERMISSIONS.names) == 37
    assert int(DEFAULT_PERMISSIONS) == 8933636165185  # Fluxer's DEFAULT_PERMISSIONS


def test_wire_form_round_trips_and_bad_input_reads_as_none() -> None:
    assert parse_permissions("2050") == P.KICK_MEMBERS | P.SEND_MESSAGES
    assert parse_permissions(" 8 ") == P.ADMINISTRATOR
    assert parse_permissions(str(1 << 63)).to_wire() == str(1 << 63)  # unsigned 64-bit
    assert parse_permissions(str(1 << 64 | 2)) == P.KICK_MEMBERS  # masked to 64 bits
    for bad in (None, "", "x1", "-8", "\uff11\uff12", -8):  # fullwidth digits are not ASCII
        assert parse_permissions(bad) == 0
    assert ALL_PERMISSIONS.to_wire() == str((1 << 64) - 1)
    assert P(1 << 60).names == [] and P(1 << 60) == 1 << 60  # future bits are kept
    have = P.SEND_MESSAGES | P.VIEW_CHANNEL
    assert have.missing(P.KICK_MEMBERS | P.SEND_MESSAGES) == P.KICK_MEMBERS
    assert have.missing(P.SEND_MESSAGES) == 0


# -- computation -------------------------------------------------------------------------


def test_owner_has_every_bit_whatever_the_overwrites() -> None:
    deny_all = [ow(G, 0, deny=int(KNOWN_PERMISSIONS)), ow(OWNER, 1, deny=int(KNOWN_PERMISSIONS))]
    assert perms((), deny_all, user=OWNER) == ALL_PERMISSIONS
    assert perms((), None, user=OWNER, roles={}) == ALL_PERMISSIONS


def test_base_is_everyone_or_member_roles_and_unknown_roles_are_skipped() -> None:
    assert perms(()) == P.VIEW_CHANNEL | P.SEND_MESSAGES | P.ADD_REACTIONS
    assert perms((MOD, "999")) == (
        P.VIEW_CHANNEL | P.SEND_MESSAGES | P.ADD_REACTIONS | P.KICK_MEMBERS | P.MANAGE_MESSAGES
    )
    no_everyone = {MOD: ROLES[MOD]}
    assert perms((MOD,), roles=no_everyone) == P.KICK_MEMBERS | P.MANAGE_MESSAGES


def test_administrator_short_circuits_before_overwrites() -> None:
    roles = {**ROLES, "300": role("300", P.ADMINISTRATOR)}
    denied = [ow(G, 0, deny=int(KNOWN_PERMISSIONS)), ow(USER, 1, deny=int(KNOWN_PERMISSIONS))]
    assert perms(("300",), denied, roles=roles) == ALL_PERMISSIONS
    # administrator granted by an overwrite is not administrator (only role bits count)
    allowed = [ow(USER, 1, allow=P.ADMINISTRATOR)]
    got = perms((), allowed)
    assert P.ADMINISTRATOR in got and P.KICK_MEMBERS not in got


def test_overwrites_apply_everyone_then_roles_then_member() -> None:
    base = P.VIEW_CHANNEL | P.SEND_MESSAGES | P.ADD_REACTIONS
    # @everyone deny
    assert perms((), [ow(G, 0, deny=P.SEND_MESSAGES)]) == P.VIEW_CHANNEL | P.ADD_REACTIONS
    # a role allow beats the @everyone deny
    rows = [ow(G, 0, deny=P.SEND_MESSAGES), ow(HELPER, 0, allow=P.SEND_MESSAGES)]
    assert P.SEND_MESSAGES in perms((HELPER,), rows)
    assert P.SEND_MESSAGES not in perms((), rows)  # only for members with the role
    # role overwrites are combined: an allow on one role beats a deny on another
    rows = [ow(MUTED, 0, deny=P.SEND_MESSAGES), ow(HELPER, 0, allow=P.SEND_MESSAGES)]
    assert P.SEND_MESSAGES in perms((MUTED, HELPER), rows)
    assert P.SEND_MESSAGES not in perms((MUTED,), rows)
    # the member's own overwrite comes last: deny beats a role allow, allow beats a role deny
    rows = [ow(HELPER, 0, allow=P.SEND_MESSAGES), ow(USER, 1, deny=P.SEND_MESSAGES)]
    assert P.SEND_MESSAGES not in perms((HELPER,), rows)
    rows = [ow(MUTED, 0, deny=P.SEND_MESSAGES | P.VIEW_CHANNEL), ow(USER, 1, allow=P.SEND_MESSAGES)]
    assert perms((MUTED,), rows) == P.SEND_MESSAGES | P.ADD_REACTIONS
    # an overwrite for someone else, or a member overwrite with a role's id, does nothing
    rows = [ow("3", 1, deny=int(base)), ow(G, 1, deny=int(base)), ow(USER, 0, deny=int(base))]
    assert perms((), rows) == base
    # no VIEW_CHANNEL does not clear the other bits (Fluxer has no such rule)
    assert perms((), [ow(G, 0, deny=P.VIEW_CHANNEL)]) == P.SEND_MESSAGES | P.ADD_REACTIONS


def test_channel_without_overwrites_is_the_guild_value() -> None:
    assert perms((MOD,), []) == perms((MOD,), None)
    assert apply_overwrites(ALL_PERMISSIONS, [ow(G, 0, deny=8)], G, USER, ()) == ALL_PERMISSIONS


# -- from a cache ------------------------------------------------------------------------


def cache_with_guild(overwrites: tuple[PermissionOverwrite, ...] = ()) -> Cache:
    cache = Cache()
    cache.apply(
        GuildCreate(
            id=G,
            owner_id=OWNER,
            roles=tuple(ROLES.values()),
            channels=(Channel(id="500", guild_id=G, permission_overwrites=overwrites),),
            members=(Member(user=None, roles=()),),
        )
    )
    cache.store_member(G, Member(user=PartialUser(id=USER), roles=(MOD,)))
    return cache


def test_permissions_for_reads_guild_roles_channel_and_member_from_the_cache() -> None:
    cache = cache_with_guild((ow(MOD, 0, deny=P.KICK_MEMBERS),))
    assert G in cache.guilds and "500" in cache.channels and USER in cache.members[G]
    in_guild = permissions_for(cache, USER, guild_id=G)
    assert P.KICK_MEMBERS in in_guild
    assert P.KICK_MEMBERS not in permissions_for(cache, USER, channel_id="500")
    member = cache.members[G][USER]
    assert permissions_for(cache, member) == in_guild
    # roles= replaces the cached roles (a message's member)
    assert P.KICK_MEMBERS not in permissions_for(cache, USER, guild_id=G, roles=())
    assert permissions_for(cache, OWNER, channel_id="500") == ALL_PERMISSIONS


def test_permissions_for_refuses_to_guess() -> None:
    cache = cache_with_guild()
    with pytest.raises(PermissionsUnknown, match="member 3"):
        permissions_for(cache, "3", guild_id=G)
    assert permissions_for(cache, "3", guild_id=G, roles=()) == parse_permissions(
        ROLES[G].permissions
    )
    with pytest.raises(PermissionsUnknown, match="channel 9"):
        permissions_for(cache, USER, channel_id="9")
    with pytest.raises(PermissionsUnknown, match="guild 7"):
        permissions_for(cache, USER, guild_id="7")
    with pytest.raises(ValueError, match="not 7"):
        permissions_for(cache, USER, channel_id="500", guild_id="7")
    with pytest.raises(ValueError, match="channel_id or a guild_id"):
        permissions_for(cache, USER)


# -- against the sandbox -----------------------------------------------------------------


@pytest.fixture
async def logged_in() -> AsyncIterator[tuple[Sandbox, Client]]:
    async with Sandbox(guilds=1, members_per_guild=5) as sb, logged_in_client(sb) as client:
        await wait_until(lambda: sb.guild_ids[0] in client.guilds)
        yield sb, client


async def test_sandbox_roles_and_overwrites_reach_the_computation(
    logged_in: tuple[Sandbox, Client],
) -> None:
    sb, client = logged_in
    world = sb.world
    guild_id, channel_id = sb.guild_ids[0], sb.channel_ids[0]
    guild = world.guilds[guild_id]
    user_id = next(u for u in guild.members if u != sb.bot_id)
    moderator = next(r for r in guild.roles.values() if r.name == "Moderator")
    world.update_member(guild_id, user_id, roles=[moderator.id])
    await wait_until(lambda: client.members.get(guild_id, {}).get(user_id) is not None)

    # the bot owns the seeded guilds
    assert client.permissions_for(sb.bot_id, channel_id=channel_id) == ALL_PERMISSIONS
    start = client.permissions_for(user_id, channel_id=channel_id)
    assert int(start) == guild.roles[guild_id].permissions | moderator.permissions
    assert P.KICK_MEMBERS in start and P.SEND_MESSAGES in start

    world.set_permission_overwrite(channel_id, guild_id, type=0, deny=P.SEND_MESSAGES)
    world.set_permission_overwrite(channel_id, moderator.id, type=0, deny=P.KICK_MEMBERS)
    world.set_permission_overwrite(channel_id, user_id, type=1, allow=P.MANAGE_CHANNELS)
    await wait_until(lambda: len(client.channels[channel_id].permission_overwrites) == 3)
    got = client.permissions_for(user_id, channel_id=channel_id)
    assert got == (start & ~(P.SEND_MESSAGES | P.KICK_MEMBERS)) | P.MANAGE_CHANNELS
    # guild-wide value ignores the channel's overwrites; other channels are untouched
    assert client.permissions_for(user_id, guild_id=guild_id) == start
    assert client.permissions_for(user_id, channel_id=sb.channel_ids[1]) == start

    world.delete_permission_overwrite(channel_id, moderator.id)
    await wait_until(lambda: len(client.channels[channel_id].permission_overwrites) == 2)
    got = client.permissions_for(client.members[guild_id][user_id], channel_id=channel_id)
    assert P.KICK_MEMBERS in got and P.SEND_MESSAGES not in got
