"""Every dispatch payload the sandbox produces validates against the API digest.

The objects inside dispatches (users, members, guilds, channels, roles, emojis, messages,
reactions) are checked against the digest's schemas; dispatch-only envelopes (deletes,
pins, removals) against the field lists of PROTOCOL.md §2.2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp

from fluxer_rx.sandbox import Sandbox
from tests.sandbox.digest_validate import assert_valid, problems
from tests.sandbox.gateway_client import RawGateway

Json = dict[str, Any]


def member_without_user(member: Json) -> None:
    """Dispatch members carry no ``user`` (or ``{id}`` only): check every other field."""
    found = [
        p
        for p in problems({"user": {}, **member}, "GuildMemberResponse")
        if not p.startswith("$.user")
    ]
    assert not found, found
    if "user" in member:
        assert isinstance(member["user"]["id"], str)


def string_ids(*keys: str) -> Callable[[Json], None]:
    def check(d: Json) -> None:
        for key in keys:
            assert isinstance(d[key], str) and d[key].isdigit(), (key, d)

    return check


def check_message(d: Json) -> None:
    assert_valid(d, "MessageResponseSchema")
    assert isinstance(d["guild_id"], str)
    if "member" in d:
        member_without_user(d["member"])


def check_reaction(d: Json) -> None:
    string_ids("channel_id", "message_id", "user_id", "guild_id")(d)
    assert_valid(d["emoji"], "MessageReactionResponseEmoji")
    assert_valid(d["member"], "GuildMemberResponse")


def check_guild_create(d: Json) -> None:
    assert isinstance(d["id"], str)
    assert_valid(d["properties"], "GuildResponse")
    for role in d["roles"]:
        assert_valid(role, "GuildRoleResponse")
    for channel in d["channels"]:
        assert_valid(channel, "ChannelResponse")
    for emoji in d["emojis"]:
        assert_valid(emoji, "GuildEmojiResponse")
    for member in d["members"]:
        member_without_user(member)
    assert isinstance(d["member_count"], int) and isinstance(d["online_count"], int)
    assert d["presences"] == [] and d["voice_states"] == [] and d["stickers"] == []


def check_typing(d: Json) -> None:
    string_ids("channel_id", "user_id", "guild_id")(d)
    assert isinstance(d["timestamp"], int) and d["timestamp"] > 10**11  # ms, as [S] sends
    assert_valid(d["member"], "GuildMemberResponse")


def check_member(d: Json) -> None:
    assert_valid(d, "GuildMemberResponse")
    string_ids("guild_id")(d)


def check_presence(d: Json) -> None:
    assert_valid(d["user"], "UserPartialResponse")
    assert d["status"] in {"online", "idle", "dnd", "offline"}
    assert isinstance(d["mobile"], bool) and isinstance(d["afk"], bool)


def check_chunk(d: Json) -> None:
    string_ids("guild_id")(d)
    for member in d["members"]:
        assert_valid(member, "GuildMemberResponse")
    assert 0 <= d["chunk_index"] < d["chunk_count"]


def check_member_remove(d: Json) -> None:
    string_ids("guild_id")(d)
    assert set(d["user"]) == {"id"}


def check_bulk(d: Json) -> None:
    string_ids("channel_id", "guild_id")(d)
    assert all(isinstance(i, str) for i in d["ids"])


def check_pins(d: Json) -> None:
    string_ids("channel_id", "guild_id")(d)
    assert d["last_pin_timestamp"] is None or isinstance(d["last_pin_timestamp"], str)


def check_guild_update(d: Json) -> None:
    assert_valid(d, "GuildResponse")
    assert d["guild_id"] == d["id"]


CHECKS: dict[str, Callable[[Json], None]] = {
    "READY": lambda d: assert_valid(d["user"], "UserPrivateResponse"),
    "GUILD_CREATE": check_guild_create,
    "GUILD_UPDATE": check_guild_update,
    "MESSAGE_CREATE": check_message,
    "MESSAGE_UPDATE": check_message,
    "MESSAGE_DELETE": string_ids("id", "channel_id", "guild_id", "author_id"),
    "MESSAGE_DELETE_BULK": check_bulk,
    "MESSAGE_REACTION_ADD": check_reaction,
    "MESSAGE_REACTION_REMOVE": check_reaction,
    "MESSAGE_REACTION_REMOVE_ALL": string_ids("channel_id", "message_id", "guild_id"),
    "MESSAGE_REACTION_REMOVE_EMOJI": lambda d: assert_valid(
        d["emoji"], "MessageReactionResponseEmoji"
    ),
    "CHANNEL_PINS_UPDATE": check_pins,
    "TYPING_START": check_typing,
    "CHANNEL_CREATE": lambda d: assert_valid(d, "ChannelResponse"),
    "CHANNEL_UPDATE": lambda d: assert_valid(d, "ChannelResponse"),
    "CHANNEL_DELETE": lambda d: assert_valid(d, "ChannelResponse"),
    "GUILD_MEMBER_ADD": check_member,
    "GUILD_MEMBER_UPDATE": check_member,
    "GUILD_MEMBER_REMOVE": check_member_remove,
    "GUILD_MEMBERS_CHUNK": check_chunk,
    "GUILD_ROLE_CREATE": lambda d: assert_valid(d["role"], "GuildRoleResponse"),
    "GUILD_ROLE_DELETE": string_ids("guild_id", "role_id"),
    "PRESENCE_UPDATE": check_presence,
}


async def test_every_dispatch_the_sandbox_sends_validates() -> None:
    async with (
        Sandbox(seed=3, guilds=2, members_per_guild=6) as sb,
        aiohttp.ClientSession() as http,
    ):
        gw = RawGateway(sb, http)
        await gw.connect()
        await gw.identify()
        w = sb.world
        channel, guild = sb.channel_ids[0], sb.guild_ids[0]
        custom = next(iter(w.guilds[guild].emojis.values()))
        message = await sb.post_message(channel, "hello")
        mid = message["id"]
        await sb.add_reaction(channel, mid, "👍")
        await sb.add_reaction(channel, mid, f"{custom.name}:{custom.id}", sb.bot_id)
        w.remove_reaction(
            channel, mid, "👍", next(u for u in w.guilds[guild].members if u != sb.bot_id)
        )
        w.remove_emoji_reactions(channel, mid, f"{custom.name}:{custom.id}")
        w.remove_all_reactions(channel, mid)
        w.pin_message(channel, mid)
        w.unpin_message(channel, mid)
        await sb.edit_message(channel, mid, "edited")
        other = await sb.post_message(channel, "second")
        w.bulk_delete_messages(channel, [other["id"]])
        await sb.delete_message(channel, mid)
        role = w.create_role(guild, "Temp", permissions=1 << 11)
        user_id = await sb.add_member(guild)
        await sb.update_member(guild, user_id, nick="newbie")
        w.update_member(guild, user_id, roles=[role["id"]])
        w.delete_role(guild, role["id"])
        await sb.set_presence(user_id, "dnd")
        await sb.remove_member(guild, user_id)
        created = await sb.create_channel(guild, "fresh")
        w.update_channel(created["id"], topic="new topic")
        await sb.delete_channel(created["id"])
        w.update_guild(guild, name="Renamed")
        await sb.generate(300)
        await gw.send(8, {"guild_id": guild, "query": "", "limit": 0})
        while not any(r.t == "GUILD_MEMBERS_CHUNK" for r in sb.dispatch_log):
            await gw.dispatch()
        await gw.close()

    seen: set[str] = set()
    for record in sb.dispatch_log:
        check = CHECKS.get(record.t)
        assert check is not None, f"no digest check for {record.t}"
        try:
            check(record.d)
        except AssertionError as exc:
            raise AssertionError(f"{record.t} s={record.seq}: {exc}") from exc
        seen.add(record.t)
    assert seen == set(CHECKS), set(CHECKS) - seen
