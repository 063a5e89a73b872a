"""The bot-administration endpoints of ``Rest`` end to end: over 127.0.0.1 against the
sandbox, each call's result, the dispatch a logged-in client sees and its cache."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.models import (
    ChannelCreate,
    ChannelUpdate,
    ChannelUpdateBulk,
    GuildEmojisUpdate,
    GuildMemberRemove,
    GuildMemberUpdate,
    GuildRoleCreate,
    GuildRoleDelete,
    GuildRoleUpdate,
    GuildRoleUpdateBulk,
    GuildStickersUpdate,
    GuildUpdate,
    InviteCreate,
    InviteDelete,
    MessageCreate,
    MessageUpdate,
    UserUpdate,
    WebhooksUpdate,
)
from fluxer_rx.rest import File, Rest, Route
from fluxer_rx.rest.request_bodies import (
    ChannelPosition,
    CurrentMemberEdit,
    CurrentUserEdit,
    GuildEdit,
    InviteOptions,
    MemberEdit,
    MemberSearchQuery,
    NewChannel,
    NewEmoji,
    NewRole,
    NewSticker,
    NewWebhook,
    OverwriteEdit,
    RoleEdit,
    RoleHoistPosition,
    StickerEdit,
    WebhookEdit,
)
from fluxer_rx.sandbox import Sandbox
from tests.sandbox.digest_validate import assert_valid, response_type
from tests.util import wait_until

PNG = "data:image/png;base64,iVBORw0KGgo="


class Env:
    """A sandbox, a logged-in client watching it, and a separate ``Rest``."""

    def __init__(self, sb: Sandbox, client: Client, rest: Rest) -> None:
        self.sb, self.client, self.rest = sb, client, rest
        self.guild_id = sb.guild_ids[0]
        self.channel_id = sb.channel_ids[0]
        self.seen: list[object] = []

    def watch(self, *types: type) -> None:
        for t in types:
            self.client.events.stream(t).subscribe(self.seen.append)

    async def saw(self, kind: type, match: Callable[[Any], bool] = lambda e: True) -> Any:
        await wait_until(lambda: any(isinstance(e, kind) and match(e) for e in self.seen))
        return next(e for e in self.seen if isinstance(e, kind) and match(e))

    def other_member(self) -> str:
        members = self.sb.world.get_guild(self.guild_id).members
        return next(uid for uid in members if uid != self.sb.bot_id)

    async def valid(self, method: str, template: str, path: str) -> None:
        """The sandbox's raw answer on ``path`` matches the digest's response type."""
        body = await self.rest.request(Route(method, path))
        expected = response_type(method, template)
        assert expected is not None
        assert_valid(body, expected)


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    async with Sandbox(seed=3, members_per_guild=5, messages_per_channel=7) as sb:
        client = Client(ClientOptions(rest=RestOptions(api_url=sb.api_url, max_retries=0)))
        task = asyncio.create_task(client.login(sb.token))
        await client.wait_until_ready(timeout=10)
        await wait_until(lambda: len(client.guilds) == 2)
        try:
            async with Rest(sb.token, RestOptions(api_url=sb.api_url)) as rest:
                yield Env(sb, client, rest)
        finally:
            await client.destroy()
            await task


async def test_dm_edit_member_roles_and_kick(env: Env) -> None:
    env.watch(ChannelCreate, GuildMemberUpdate, GuildMemberRemove)
    g, target = env.guild_id, env.other_member()
    dm = await env.rest.open_dm(target)
    assert dm.type == 1 and [u.id for u in dm.recipients or ()] == [target]
    assert (await env.rest.open_dm(target)).id == dm.id
    await env.saw(ChannelCreate, lambda e: e.id == dm.id)

    until = datetime.now(UTC) + timedelta(minutes=5)
    edited = await env.rest.edit_member(g, target, MemberEdit(nick="quiet"), reason="tidy")
    assert edited.nick == "quiet"
    timed = await env.rest.timeout_member(g, target, until)
    assert timed.communication_disabled_until == until.isoformat()
    await env.saw(GuildMemberUpdate, lambda e: e.communication_disabled_until is not None)
    await wait_until(lambda: env.client.members[g][target].nick == "quiet")

    role = await env.rest.create_role(g, NewRole(name="helpers"))
    await env.rest.add_member_role(g, target, role.id)
    await wait_until(lambda: role.id in env.client.members[g][target].roles)
    await env.rest.remove_member_role(g, target, int(role.id))
    await wait_until(lambda: role.id not in env.client.members[g][target].roles)

    await env.rest.kick_member(g, target, reason="bye")
    await env.saw(GuildMemberRemove, lambda e: e.user.id == target)
    await wait_until(lambda: target not in env.client.members[g])
    assert target not in env.sb.world.get_guild(g).members


async def test_roles_create_edit_reorder_delete(env: Env) -> None:
    env.watch(GuildRoleCreate, GuildRoleUpdate, GuildRoleUpdateBulk, GuildRoleDelete)
    g = env.guild_id
    role = await env.rest.create_role(g, NewRole(name="mods", permissions="8", color=5))
    assert (role.name, role.permissions, role.color) == ("mods", "8", 5)
    await env.saw(GuildRoleCreate, lambda e: e.role.id == role.id)
    await wait_until(lambda: role.id in env.client.guilds[g].roles)
    edited = await env.rest.edit_role(g, role.id, RoleEdit(name="admins", hoist=True))
    assert edited.name == "admins" and edited.hoist
    await wait_until(lambda: env.client.guilds[g].roles[role.id].name == "admins")
    await env.rest.edit_role_positions(g, {role.id: 7})
    bulk = await env.saw(GuildRoleUpdateBulk)
    assert [(r.id, r.position) for r in bulk.roles] == [(role.id, 7)]
    await env.rest.delete_role(g, role.id)
    await env.saw(GuildRoleDelete, lambda e: e.role_id == role.id)
    await wait_until(lambda: role.id not in env.client.guilds[g].roles)


async def test_guild_channels_positions_and_overwrites(env: Env) -> None:
    env.watch(ChannelCreate, ChannelUpdateBulk, ChannelUpdate)
    g = env.guild_id
    channel = await env.rest.create_guild_channel(g, NewChannel(name="news", topic="hi"))
    assert channel.name == "news" and channel.guild_id == g and channel.type == 0
    await wait_until(lambda: channel.id in env.client.channels)
    await env.rest.edit_channel_positions(g, [ChannelPosition(id=channel.id, position=0)])
    bulk = await env.saw(ChannelUpdateBulk)
    assert [(c.id, c.position) for c in bulk.channels] == [(channel.id, 0)]
    await wait_until(lambda: env.client.channels[channel.id].position == 0)

    await env.rest.set_permission_overwrite(
        channel.id, g, OverwriteEdit(type=0, deny=str(1 << 11)), reason="read only"
    )
    await wait_until(lambda: len(env.client.channels[channel.id].permission_overwrites) == 1)
    overwrite = env.client.channels[channel.id].permission_overwrites[0]
    assert (overwrite.id, overwrite.type, overwrite.deny) == (g, 0, str(1 << 11))
    await env.rest.delete_permission_overwrite(channel.id, g)
    await wait_until(lambda: env.client.channels[channel.id].permission_overwrites == ())


async def test_guild_account_and_application(env: Env) -> None:
    env.watch(GuildUpdate, UserUpdate)
    g = env.guild_id
    guild = await env.rest.edit_guild(g, GuildEdit(name="Renamed"), reason="rebrand")
    assert guild.name == "Renamed"
    await wait_until(lambda: env.client.guilds[g].name == "Renamed")
    mine = await env.rest.get_current_user_guilds()
    assert [x.id for x in mine] == sorted(env.sb.guild_ids, key=int)
    first = await env.rest.get_current_user_guilds(limit=1)
    rest_of = await env.rest.get_current_user_guilds(after=first[0].id)
    assert [x.id for x in first + rest_of] == [x.id for x in mine]
    await env.valid("GET", "/users/@me/guilds", "/users/@me/guilds")
    app = await env.rest.get_current_application()
    assert app.id == env.sb.bot_id and app.bot is not None and app.bot.id == env.sb.bot_id
    await env.valid("GET", "/applications/@me", "/applications/@me")
    me = await env.rest.edit_current_user(CurrentUserEdit(username="renamed-bot"))
    assert me.username == "renamed-bot"
    await env.saw(UserUpdate, lambda e: e.username == "renamed-bot")


async def test_history_pages_across_boundaries(env: Env) -> None:
    c = env.channel_id
    for i in range(6):
        await env.rest.create_message(c, f"more {i}")
    everything = await env.rest.get_messages(c, limit=100)
    assert len(everything) == 13
    newest_first = [m.id for m in everything]
    walked = [m.id async for m in env.rest.iter_messages(c, page_size=5)]
    assert walked == newest_first
    assert [m.id async for m in env.rest.iter_messages(c, page_size=4, limit=6)] == walked[:6]
    older = [m.id async for m in env.rest.iter_messages(c, before=walked[3], page_size=3)]
    assert older == walked[4:]
    forwards = [m.id async for m in env.rest.iter_messages(c, after=walked[-1], page_size=5)]
    assert forwards == list(reversed(walked[:-1]))
    assert [m async for m in env.rest.iter_messages(c, limit=0)] == []
    with pytest.raises(ValueError):
        [m async for m in env.rest.iter_messages(c, before=1, after=2)]


async def test_invites(env: Env) -> None:
    env.watch(InviteCreate, InviteDelete)
    g, c = env.guild_id, env.channel_id
    invite = await env.rest.create_invite(c, InviteOptions(max_age=3600, max_uses=2))
    assert invite.channel is not None and invite.channel.id == c
    assert invite.guild is not None and invite.guild.id == g
    assert (invite.max_age, invite.max_uses, invite.uses) == (3600, 2, 0)
    await env.saw(InviteCreate, lambda e: e.code == invite.code and e.channel_id == c)
    fetched = await env.rest.get_invite(f"https://fluxer.gg/{invite.code}")
    assert fetched.code == invite.code and fetched.uses is None
    assert [i.code for i in await env.rest.get_channel_invites(c)] == [invite.code]
    assert [i.code for i in await env.rest.get_guild_invites(g)] == [invite.code]
    await env.valid("GET", "/guilds/{guild_id}/invites", f"/guilds/{g}/invites")
    await env.valid("GET", "/invites/{invite_code}", f"/invites/{invite.code}")
    await env.rest.delete_invite(invite.code)
    await env.saw(InviteDelete, lambda e: e.code == invite.code)
    assert await env.rest.get_guild_invites(g) == []


async def test_webhooks(env: Env) -> None:
    env.watch(WebhooksUpdate, MessageCreate)
    g, c = env.guild_id, env.channel_id
    hook = await env.rest.create_webhook(c, NewWebhook(name="alerts"))
    assert hook.channel_id == c and hook.token and hook.user and hook.user.id == env.sb.bot_id
    await env.saw(WebhooksUpdate, lambda e: e.channel_id == c)
    assert [w.id for w in await env.rest.get_channel_webhooks(c)] == [hook.id]
    assert [w.id for w in await env.rest.get_guild_webhooks(g)] == [hook.id]
    await env.valid("GET", "/guilds/{guild_id}/webhooks", f"/guilds/{g}/webhooks")
    assert (await env.rest.get_webhook(hook.id)).name == "alerts"
    token = hook.token
    by_token = await env.rest.get_webhook(hook.id, token)
    assert by_token.id == hook.id and by_token.user is None
    renamed = await env.rest.edit_webhook(hook.id, WebhookEdit(name="pager"))
    assert renamed.name == "pager"
    assert (await env.rest.edit_webhook(hook.id, {"name": "p2"}, token=token)).name == "p2"

    assert await env.rest.execute_webhook(hook.id, token, "fire and forget") is None
    sent = await env.rest.execute_webhook(hook.id, token, {"content": "ack"}, wait=True)
    assert sent is not None and sent.author.id == hook.id and sent.content == "ack"
    await env.saw(MessageCreate, lambda e: e.id == sent.id)
    assert (await env.rest.get_webhook_message(hook.id, token, sent.id)).content == "ack"
    edited = await env.rest.edit_webhook_message(hook.id, token, sent.id, "acked")
    assert edited.content == "acked"
    await env.rest.delete_webhook_message(hook.id, token, sent.id)
    await env.rest.delete_webhook(hook.id, token=token)
    assert await env.rest.get_guild_webhooks(g) == []
    with pytest.raises(ValueError):
        await env.rest.get_webhook(hook.id, "a/b")


async def test_emojis_and_stickers(env: Env) -> None:
    env.watch(GuildEmojisUpdate, GuildStickersUpdate)
    g = env.guild_id
    emoji = await env.rest.create_guild_emoji(g, NewEmoji(name="party", image=PNG))
    assert emoji.name == "party" and not emoji.animated
    await wait_until(lambda: emoji.id in env.client.guilds[g].emojis)
    assert (await env.rest.edit_guild_emoji(g, emoji.id, "fiesta")).name == "fiesta"
    await wait_until(lambda: env.client.guilds[g].emojis[emoji.id].name == "fiesta")
    assert emoji.id in [e.id for e in await env.rest.get_guild_emojis(g)]
    await env.valid("GET", "/guilds/{guild_id}/emojis", f"/guilds/{g}/emojis")
    await env.rest.delete_guild_emoji(g, emoji.id, purge=True)
    await wait_until(lambda: emoji.id not in env.client.guilds[g].emojis)

    sticker = await env.rest.create_guild_sticker(
        g, NewSticker(name="wave", image=PNG, tags=("hi",))
    )
    assert sticker.tags == ("hi",)
    await wait_until(lambda: sticker.id in env.client.guilds[g].stickers)
    changed = await env.rest.edit_guild_sticker(g, sticker.id, StickerEdit(name="bye"))
    assert changed.name == "bye"
    assert [s.name for s in await env.rest.get_guild_stickers(g)] == ["bye"]
    await env.valid("GET", "/guilds/{guild_id}/stickers", f"/guilds/{g}/stickers")
    await env.rest.delete_guild_sticker(g, sticker.id)
    await env.saw(GuildStickersUpdate, lambda e: e.stickers == ())
    await wait_until(lambda: sticker.id not in env.client.guilds[g].stickers)


async def test_audit_log_records_the_writes(env: Env) -> None:
    g = env.guild_id
    role = await env.rest.create_role(g, NewRole(name="a"), reason="setup")
    await env.rest.edit_role(g, role.id, RoleEdit(name="b"))
    await env.rest.kick_member(g, env.other_member(), reason="spam")
    log = await env.rest.get_audit_log(g)
    assert [e.action_type for e in log.audit_log_entries] == [20, 31, 30]
    assert log.audit_log_entries[-1].reason == "setup"
    assert [u.id for u in log.users] == [env.sb.bot_id]
    kicks = await env.rest.get_audit_log(g, action_type=20, user_id=env.sb.bot_id)
    assert [e.reason for e in kicks.audit_log_entries] == ["spam"]
    newest = log.audit_log_entries[0].id
    older = await env.rest.get_audit_log(g, before=newest, limit=1)
    assert [e.action_type for e in older.audit_log_entries] == [31]
    await env.valid("GET", "/guilds/{guild_id}/audit-logs", f"/guilds/{g}/audit-logs")


async def test_own_nick_member_search_and_dm_list(env: Env) -> None:
    env.watch(GuildMemberUpdate)
    g, me, target = env.guild_id, env.sb.bot_id, env.other_member()
    mine = await env.rest.edit_current_member(g, CurrentMemberEdit(nick="robo"))
    assert mine.nick == "robo" and mine.user is not None and mine.user.id == me
    await env.saw(GuildMemberUpdate, lambda e: e.user.id == me and e.nick == "robo")
    await wait_until(lambda: env.client.members[g][me].nick == "robo")

    n = len(env.sb.world.get_guild(g).members)
    everyone = await env.rest.search_guild_members(g)
    assert everyone.total_result_count == n == everyone.page_result_count
    found = await env.rest.search_guild_members(g, MemberSearchQuery(query="ROBO"))
    assert [(r.user_id, r.nickname) for r in found.members] == [(me, "robo")]
    page = await env.rest.search_guild_members(
        g, MemberSearchQuery(limit=2, offset=n - 1, sort_by="joinedAt")
    )
    assert (page.page_result_count, page.total_result_count) == (1, n)

    assert await env.rest.get_private_channels() == []
    dm = await env.rest.open_dm(target)
    assert [c.id for c in await env.rest.get_private_channels()] == [dm.id]
    await env.valid("GET", "/users/@me/channels", "/users/@me/channels")


async def test_reaction_users_page_by_page(env: Env) -> None:
    c = env.channel_id
    message = await env.rest.create_message(c, "vote")
    members = sorted(env.sb.world.get_guild(env.guild_id).members, key=int)
    for user_id in members:
        env.sb.world.add_reaction(c, message.id, "👍", user_id)
    users = [u.id async for u in env.rest.iter_reaction_users(c, message.id, "👍", page_size=2)]
    assert users == members
    first = await env.rest.get_reaction_users_page(c, message.id, "👍", limit=2)
    assert first.has_more and first.next_after == members[1]
    two = [u.id async for u in env.rest.iter_reaction_users(c, message.id, "👍", limit=3)]
    assert two == members[:3]
    path = f"/channels/{c}/messages/{message.id}/reactions/%F0%9F%91%8D/users"
    await env.valid(
        "GET", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/users", path
    )


async def test_attachment_removal_slowmode_and_rtc_regions(env: Env) -> None:
    env.watch(MessageUpdate)
    c = env.channel_id
    files = [File("a.txt", b"a"), File("b.txt", b"b")]
    message = await env.rest.create_message(c, "two files", files=files)
    first, second = (a.id for a in message.attachments)
    await env.rest.delete_message_attachment(c, message.id, first)
    await env.saw(MessageUpdate, lambda e: [a.id for a in e.attachments] == [second])
    kept = await env.rest.get_message(c, message.id)
    assert [a.id for a in kept.attachments] == [second] and kept.content == "two files"

    state = await env.rest.get_slowmode_state(c)
    assert (state.rate_limit_per_user, state.retry_after_ms) == (0, 0)
    await env.rest.edit_channel(c, {"rate_limit_per_user": 30})
    await env.rest.create_message(c, "now wait")
    state = await env.rest.get_slowmode_state(c)
    assert state.rate_limit_per_user == 30
    assert state.can_bypass == (env.sb.world.get_guild(env.guild_id).owner_id == env.sb.bot_id)
    assert state.can_bypass or 0 < state.retry_after_ms <= 30_000
    await env.valid("GET", "/channels/{channel_id}/slowmode", f"/channels/{c}/slowmode")

    regions = await env.rest.get_rtc_regions(c)
    assert regions and all(r.name and r.emoji for r in regions)
    await env.valid("GET", "/channels/{channel_id}/rtc-regions", f"/channels/{c}/rtc-regions")


async def test_vanity_url_and_role_hoist_positions(env: Env) -> None:
    env.watch(GuildUpdate, GuildRoleUpdateBulk)
    g = env.guild_id
    assert (await env.rest.get_vanity_url(g)).code is None
    assert (await env.rest.edit_vanity_url(g, "bots-r-us")).code == "bots-r-us"
    await env.saw(GuildUpdate, lambda e: e.vanity_url_code == "bots-r-us")
    assert (await env.rest.get_vanity_url(g)).code == "bots-r-us"
    await env.valid("GET", "/guilds/{guild_id}/vanity-url", f"/guilds/{g}/vanity-url")
    assert (await env.rest.edit_vanity_url(g, None)).code is None
    await env.saw(GuildUpdate, lambda e: e.vanity_url_code is None)

    a = await env.rest.create_role(g, NewRole(name="a"))
    b = await env.rest.create_role(g, NewRole(name="b"))
    await env.rest.edit_role_hoist_positions(g, {a.id: 2, b.id: 1})
    bulk = await env.saw(GuildRoleUpdateBulk, lambda e: len(e.roles) == 2)
    assert {r.id: r.hoist_position for r in bulk.roles} == {a.id: 2, b.id: 1}
    await env.rest.edit_role_hoist_positions(g, [RoleHoistPosition(id=a.id, hoist_position=0)])
    await env.rest.reset_role_hoist_positions(g)
    await env.saw(GuildRoleUpdateBulk, lambda e: {r.hoist_position for r in e.roles} == {None})


async def test_emoji_and_sticker_bulk_clone_and_metadata(env: Env) -> None:
    env.watch(GuildEmojisUpdate, GuildStickersUpdate)
    g, other = env.sb.guild_ids[:2]
    made = await env.rest.create_guild_emojis(
        g, [NewEmoji(name="one", image=PNG), NewEmoji(name="bad", image="nope")]
    )
    assert [e.name for e in made.success] == ["one"]
    assert [f.name for f in made.failed] == ["bad"]
    one = made.success[0]
    await wait_until(lambda: one.id in env.client.guilds[g].emojis)
    meta = await env.rest.get_emoji_metadata(one.id)
    assert (meta.guild_id, meta.name, meta.allow_cloning) == (g, "one", True)
    await env.valid("GET", "/emojis/{emoji_id}/metadata", f"/emojis/{one.id}/metadata")
    clone = await env.rest.clone_guild_emoji(other, one.id)
    assert clone.name == "one" and clone.id != one.id
    await wait_until(lambda: clone.id in env.client.guilds[other].emojis)

    stickers = await env.rest.create_guild_stickers(
        g, [NewSticker(name="s1", image=PNG), NewSticker(name="s2", image=PNG, tags=("x",))]
    )
    assert [s.name for s in stickers.success] == ["s1", "s2"] and stickers.failed == ()
    await env.saw(GuildStickersUpdate, lambda e: len(e.stickers) == 2)
    s2 = stickers.success[1]
    sticker_meta = await env.rest.get_sticker_metadata(s2.id)
    assert (sticker_meta.guild_id, sticker_meta.name) == (g, "s2")
    await env.valid("GET", "/stickers/{sticker_id}/metadata", f"/stickers/{s2.id}/metadata")
    copied = await env.rest.clone_guild_sticker(other, s2.id)
    assert (copied.name, copied.tags) == ("s2", ("x",))
    await wait_until(lambda: copied.id in env.client.guilds[other].stickers)


async def test_ban_with_message_deletion_and_duration(env: Env) -> None:
    g, target = env.guild_id, env.other_member()
    await env.rest.ban_member(
        g, target, reason="spam", delete_message_days=1, ban_duration_seconds=3600
    )
    assert [(b.user.id, b.reason) for b in await env.rest.get_guild_bans(g)] == [(target, "spam")]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: r.kick_member("x", 1), "guild_id"),
        (lambda r: r.add_member_role(1, 2, 0), "role_id"),
        (lambda r: r.get_invite(""), "invite code"),
        (lambda r: r.create_role(1, 5), "request body"),
        (lambda r: r.get_current_user_guilds(limit=500), "limit"),
        (lambda r: r.ban_member(1, 2, delete_message_days=8), "delete_message_days"),
        (lambda r: r.delete_message_attachment(1, 2, "x"), "attachment_id"),
        (lambda r: r.get_reaction_users_page(1, 2, "", limit=5), "emoji"),
    ],
)
async def test_bad_arguments_fail_before_any_request(
    call: Callable[[Rest], Any], message: str
) -> None:
    async with Rest("1.x", RestOptions(api_url="http://127.0.0.1:9")) as rest:
        with pytest.raises((ValueError, TypeError), match=message):
            await call(rest)
