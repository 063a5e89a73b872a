"""Every typed endpoint of ``Rest`` against the sandbox over 127.0.0.1, in both header styles."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fluxer_rx.errors import ApiError
from fluxer_rx.models import Channel, GatewayBot, Guild, Member, Message, PartialUser, Role
from fluxer_rx.options import RestOptions
from fluxer_rx.rest import Ban, File, Instance, Rest, UserProfile
from fluxer_rx.sandbox import Sandbox


@pytest.fixture(params=["N", "S"])
async def env(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Sandbox, Rest]]:
    async with (
        Sandbox(seed=5, guilds=1, members_per_guild=7, rate_limit_headers=request.param) as sb,
        Rest(sb.token, RestOptions(api_url=sb.api_url)) as rest,
    ):
        yield sb, rest


async def test_users_guilds_and_gateway(env: tuple[Sandbox, Rest]) -> None:
    sb, rest = env
    me = await rest.get_current_user()
    assert me.id == sb.bot_id and me.bot
    guild_id = sb.guild_ids[0]
    guild = await rest.get_guild(guild_id)
    assert isinstance(guild, Guild) and guild.id == guild_id
    channels = await rest.get_guild_channels(int(guild_id))
    assert all(isinstance(c, Channel) for c in channels)
    assert set(sb.channel_ids) <= {c.id for c in channels}
    roles = await rest.get_guild_roles(guild_id)
    assert guild_id in {r.id for r in roles} and all(isinstance(r, Role) for r in roles)
    members = await rest.get_guild_members(guild_id)
    assert len(members) == len(sb.world.get_guild(guild_id).members)
    paged = [m async for m in rest.iter_guild_members(guild_id, page_size=3)]
    assert [m.user.id for m in paged if m.user] == [m.user.id for m in members if m.user]
    other = next(m.user.id for m in members if m.user and m.user.id != sb.bot_id)
    member = await rest.get_guild_member(guild_id, other)
    assert isinstance(member, Member) and member.user and member.user.id == other
    assert (await rest.get_guild_member(guild_id, "@me")).user.id == sb.bot_id  # type: ignore[union-attr]
    user = await rest.get_user(other)
    assert isinstance(user, PartialUser) and user.id == other
    profile = await rest.get_user_profile(other, guild_id=guild_id)
    assert isinstance(profile, UserProfile) and profile.user.id == other
    assert profile.guild_member is not None
    gateway = await rest.get_gateway_bot()
    assert isinstance(gateway, GatewayBot) and gateway.url == sb.gateway_url
    instance = await rest.fetch_instance()
    assert isinstance(instance, Instance) and instance.endpoints.api == sb.api_url


async def test_bans_and_leave(env: tuple[Sandbox, Rest]) -> None:
    sb, rest = env
    guild_id = sb.guild_ids[0]
    target = next(u for u in sb.world.get_guild(guild_id).members if u != sb.bot_id)
    await rest.ban_member(guild_id, target, reason="spam")
    bans = await rest.get_guild_bans(guild_id)
    assert [(b.user.id, b.reason) for b in bans] == [(target, "spam")]
    assert all(isinstance(b, Ban) for b in bans)
    await rest.unban_member(guild_id, target)
    assert await rest.get_guild_bans(guild_id) == []
    await rest.leave_guild(guild_id)
    with pytest.raises(ApiError):
        await rest.get_guild(guild_id)


async def test_channels_and_messages(env: tuple[Sandbox, Rest]) -> None:
    sb, rest = env
    channel_id = sb.channel_ids[0]
    channel = await rest.get_channel(channel_id)
    assert channel.id == channel_id
    edited = await rest.edit_channel(channel_id, {"name": "renamed"})
    assert edited.name == "renamed"
    history = await rest.get_messages(channel_id, limit=100)
    assert all(isinstance(m, Message) for m in history)
    sent = await rest.create_message(channel_id, "hello")
    assert sent.content == "hello" and sent.channel_id == channel_id
    reply = await rest.create_message(
        channel_id, {"content": "re", "message_reference": {"message_id": sent.id}}
    )
    assert reply.message_reference is not None
    assert reply.message_reference.message_id == sent.id
    newest = await rest.get_messages(channel_id, limit=2)
    assert [m.id for m in newest] == [reply.id, sent.id]
    assert [m.id for m in await rest.get_messages(channel_id, after=sent.id)] == [reply.id]
    assert sent.id in {m.id for m in await rest.get_messages(channel_id, around=sent.id)}
    assert reply.id not in {m.id for m in await rest.get_messages(channel_id, before=reply.id)}
    with pytest.raises(ValueError):
        await rest.get_messages(channel_id, before=sent.id, after=sent.id)
    with pytest.raises(ValueError):
        await rest.get_messages(channel_id, limit=101)
    assert (await rest.get_message(channel_id, sent.id)).content == "hello"
    assert (await rest.edit_message(channel_id, sent.id, "bye")).content == "bye"
    await rest.delete_message(channel_id, reply.id)
    with pytest.raises(ApiError) as gone:
        await rest.get_message(channel_id, reply.id)
    assert gone.value.code == "UNKNOWN_MESSAGE" and gone.value.status == 404
    extra = [await rest.create_message(channel_id, f"m{i}") for i in range(3)]
    await rest.bulk_delete_messages(channel_id, [m.id for m in extra])
    left = {m.id for m in await rest.get_messages(channel_id, limit=100)}
    assert not left & {m.id for m in extra}
    await rest.trigger_typing(channel_id)
    await rest.delete_channel(channel_id)
    with pytest.raises(ApiError) as unknown:
        await rest.get_channel(channel_id)
    assert unknown.value.code == "UNKNOWN_CHANNEL"


async def test_multipart_upload(env: tuple[Sandbox, Rest]) -> None:
    sb, rest = env
    files = [File("a.txt", b"alpha"), File("b.png", b"\x89PNG....", description="pic")]
    message = await rest.create_message(sb.channel_ids[0], "with files", files=files)
    assert message.content == "with files"
    assert [(a.filename, a.size) for a in message.attachments] == [("a.txt", 5), ("b.png", 8)]


async def test_reactions_and_pins(env: tuple[Sandbox, Rest]) -> None:
    sb, rest = env
    channel_id = sb.channel_ids[0]
    message = await rest.create_message(channel_id, "react here")
    other = next(u for u in sb.world.get_guild(sb.guild_ids[0]).members if u != sb.bot_id)
    await rest.add_reaction(channel_id, message.id, "👍")
    await sb.add_reaction(channel_id, message.id, "👍", user_id=other)
    users = await rest.get_reactions(channel_id, message.id, "👍")
    assert {u.id for u in users} == {sb.bot_id, other}
    assert len(await rest.get_reactions(channel_id, message.id, "👍", limit=1)) == 1
    await rest.remove_own_reaction(channel_id, message.id, "👍")
    await rest.remove_user_reaction(channel_id, message.id, "👍", other)
    assert await rest.get_reactions(channel_id, message.id, "👍") == []
    await rest.add_reaction(channel_id, message.id, "🔥")
    await rest.clear_reactions(channel_id, message.id, "🔥")
    await rest.add_reaction(channel_id, message.id, "🔥")
    await rest.clear_reactions(channel_id, message.id)
    assert (await rest.get_message(channel_id, message.id)).reactions in ([], None)
    seeded = [m.id for m in await rest.get_pinned_messages(channel_id)]
    await rest.pin_message(channel_id, message.id)
    assert [m.id for m in await rest.get_pinned_messages(channel_id)] == [message.id, *seeded]
    await rest.unpin_message(channel_id, message.id)
    assert [m.id for m in await rest.get_pinned_messages(channel_id)] == seeded


async def test_bad_ids_fail_before_any_request(env: tuple[Sandbox, Rest]) -> None:
    sb, rest = env
    sent_before = rest.stats.requests
    for bad in ("abc", "-1", "", 0, "1" * 30, True, 1.5):
        with pytest.raises(ValueError):
            await rest.get_channel(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await rest.bulk_delete_messages(sb.channel_ids[0], ["1"])
    with pytest.raises(TypeError):
        await rest.create_message(sb.channel_ids[0], 42)  # type: ignore[arg-type]
    assert rest.stats.requests == sent_before
