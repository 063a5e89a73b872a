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
    UserUpdate,
    WebhooksUpdate,
)
from fluxer_rx.rest import Rest, Route
from fluxer_rx.rest.request_bodies import (
    ChannelPosition,
    CurrentUserEdit,
    GuildEdit,
    InviteOptions,
    MemberEdit,
    NewChannel,
    NewEmoji,
    NewRole,
    NewSticker,
    NewWebhook,
    OverwriteEdit,
    RoleEdit,
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


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: r.kick_member("x", 1), "guild_id"),
        (lambda r: r.add_member_role(1, 2, 0), "role_id"),
        (lambda r: r.get_invite(""), "invite code"),
        (lambda r: r.create_role(1, 5), "request body"),
        (lambda r: r.get_current_user_guilds(limit=500), "limit"),
    ],
)
async def test_bad_arguments_fail_before_any_request(
    call: Callable[[Rest], Any], message: str
) -> None:
    async with Rest("1.x", RestOptions(api_url="http://127.0.0.1:9")) as rest:
        with pytest.raises((ValueError, TypeError), match=message):
            await call(rest)
