"""The sandbox world's administration state: DMs, invites, webhooks, stickers, audit log,
vanity codes and role hoist positions; member search and slowmode state.

:class:`WorldAdmin` sits beside one :class:`~fluxer_rx.sandbox.world.World` and holds what
the world itself does not (DM channels, invites, webhooks, stickers, audit-log entries).
Its mutations follow the world's contract: they change state, emit the dispatch Fluxer
would send (through :meth:`World.emit`, or a world mutation that emits it), append an
audit-log entry where Fluxer records one, and return wire dicts built here or by the
world's ``*_wire`` builders. Bad input raises :class:`WorldError`; nothing changes then.
Like the world, it never imports the client's models.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from fluxer_rx.sandbox.world import (
    Emoji,
    Guild,
    Json,
    World,
    WorldError,
    iso_timestamp,
    snowflake_ms,
)

__all__ = ["RTC_REGIONS", "AuditAction", "Invite", "Webhook", "WorldAdmin"]

RTC_REGIONS: Final[tuple[Json, ...]] = (
    {"id": "eu-central", "name": "Europe Central", "emoji": "\N{EURO SIGN}"},
    {"id": "us-east", "name": "US East", "emoji": "\N{DOLLAR SIGN}"},
)
"""``GET /channels/{id}/rtc-regions`` (``RtcRegionResponse`` items), the same for every
channel."""

_VANITY: Final = re.compile(r"[a-z0-9-]{2,32}")


class AuditAction:
    """Audit-log action types (``AuditLogActionType`` in the digest)."""

    GUILD_UPDATE: Final = 1
    CHANNEL_CREATE: Final = 10
    CHANNEL_UPDATE: Final = 11
    OVERWRITE_UPDATE: Final = 14
    OVERWRITE_DELETE: Final = 15
    MEMBER_KICK: Final = 20
    MEMBER_UPDATE: Final = 24
    MEMBER_ROLE_UPDATE: Final = 25
    ROLE_CREATE: Final = 30
    ROLE_UPDATE: Final = 31
    ROLE_DELETE: Final = 32
    INVITE_CREATE: Final = 40
    INVITE_DELETE: Final = 42
    WEBHOOK_CREATE: Final = 50
    WEBHOOK_UPDATE: Final = 51
    WEBHOOK_DELETE: Final = 52
    EMOJI_CREATE: Final = 60
    EMOJI_UPDATE: Final = 61
    EMOJI_DELETE: Final = 62
    STICKER_CREATE: Final = 90
    STICKER_UPDATE: Final = 91
    STICKER_DELETE: Final = 92


@dataclass(slots=True)
class Invite:
    """A guild invite."""

    code: str
    guild_id: str
    channel_id: str
    inviter_id: str
    created_ms: int
    max_age: int = 86400
    max_uses: int = 0
    temporary: bool = False
    uses: int = 0


@dataclass(slots=True)
class Webhook:
    """An incoming webhook; its id is also the id of the user its messages come from."""

    id: str
    guild_id: str
    channel_id: str
    name: str
    token: str
    creator_id: str
    avatar: str | None = None


@dataclass(slots=True)
class WorldAdmin:
    """The administration state of ``world``; see the module docstring."""

    world: World
    dms: dict[str, Json] = field(default_factory=dict)
    invites: dict[str, Invite] = field(default_factory=dict)
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    stickers: dict[str, dict[str, Json]] = field(default_factory=dict)
    audit_log: dict[str, list[Json]] = field(default_factory=dict)
    vanity_codes: dict[str, str] = field(default_factory=dict)
    """Vanity invite code by guild id."""
    hoist_positions: dict[str, dict[str, int]] = field(default_factory=dict)
    """Role hoist position by role id, by guild id (absent: ``null`` on the wire)."""

    # -- audit log ---------------------------------------------------------------------

    def record(
        self,
        guild_id: str,
        action_type: int,
        user_id: str,
        target_id: str | None,
        reason: str | None = None,
        changes: Mapping[str, Any] | None = None,
    ) -> None:
        """Append an audit-log entry (``GuildAuditLogEntryResponse``) to the guild's log."""
        entry: Json = {
            "id": self.world.new_id(),
            "action_type": action_type,
            "user_id": user_id,
            "target_id": target_id,
            "reason": reason,
            "changes": [{"key": k, "new_value": v} for k, v in (changes or {}).items()],
        }
        self.audit_log.setdefault(guild_id, []).append(entry)

    def audit_log_wire(
        self,
        guild_id: str,
        *,
        limit: int,
        before: str | None,
        after: str | None,
        user_id: str | None,
        action_type: int | None,
    ) -> Json:
        """``GuildAuditLogListResponse``: matching entries newest first, with their users."""
        entries = [
            e
            for e in reversed(self.audit_log.get(guild_id, []))
            if (before is None or int(e["id"]) < int(before))
            and (after is None or int(e["id"]) > int(after))
            and (user_id is None or e["user_id"] == user_id)
            and (action_type is None or e["action_type"] == action_type)
        ][:limit]
        user_ids = dict.fromkeys(e["user_id"] for e in entries)
        return {
            "audit_log_entries": entries,
            "users": [self.world.user_wire(uid) for uid in user_ids],
            "webhooks": [],
        }

    # -- the bot's account -------------------------------------------------------------

    def open_dm(self, user_id: str, recipient_id: str) -> Json:
        """The DM channel of ``user_id`` with ``recipient_id``; a new one emits
        CHANNEL_CREATE to ``user_id``'s sessions only."""
        recipient = self.world.get_user(recipient_id)
        existing = self.dms.get(recipient.id)
        if existing is not None:
            return existing
        channel: Json = {
            "id": self.world.new_id(),
            "type": 1,
            "last_message_id": None,
            "recipients": [self.world.user_wire(recipient)],
        }
        self.dms[recipient.id] = channel
        self.world.emit("CHANNEL_CREATE", channel, user_ids=[user_id])
        return channel

    def private_channels(self) -> list[Json]:
        """The DM channels opened so far (``ChannelResponse`` items), oldest first."""
        return list(self.dms.values())

    def edit_user(self, user_id: str, changes: Mapping[str, Any]) -> Json:
        """Change ``username`` / ``global_name`` / ``avatar``; emit USER_UPDATE to the
        user's sessions; return the private user wire."""
        user = self.world.get_user(user_id)
        for key in ("username", "global_name", "avatar"):
            if key in changes:
                setattr(user, key, changes[key])
        d = self.world.private_user_wire(user)
        self.world.emit("USER_UPDATE", d, user_ids=[user.id])
        return d

    # -- guild, roles, members, channels -----------------------------------------------

    def edit_guild(
        self, guild: Guild, actor: str, changes: Mapping[str, Any], reason: str | None
    ) -> Json:
        """Change the guild's ``name`` / ``icon`` / ``system_channel_id``; GUILD_UPDATE."""
        for key in ("icon", "system_channel_id"):
            if key in changes:
                setattr(guild, key, changes[key])
        d = self.world.update_guild(
            guild.id, **({"name": changes["name"]} if "name" in changes else {})
        )
        self.record(guild.id, AuditAction.GUILD_UPDATE, actor, guild.id, reason, changes)
        return d

    def edit_role(
        self, guild: Guild, role_id: str, actor: str, changes: Mapping[str, Any], reason: str | None
    ) -> Json:
        """Change a role's fields; emit GUILD_ROLE_UPDATE ``{guild_id, role}``."""
        role = guild.roles.get(role_id)
        if role is None:
            raise WorldError("UNKNOWN_ROLE", "Unknown role")
        for key, value in changes.items():
            setattr(role, key, int(value) if key == "permissions" else value)
        d = self.world.role_wire(role)
        self.world.emit("GUILD_ROLE_UPDATE", {"guild_id": guild.id, "role": d}, guild_id=guild.id)
        self.record(guild.id, AuditAction.ROLE_UPDATE, actor, role.id, reason, changes)
        return d

    def move_roles(self, guild: Guild, positions: Mapping[str, int]) -> None:
        """Set role positions; emit GUILD_ROLE_UPDATE_BULK with the moved roles."""
        roles = [guild.roles.get(rid) for rid in positions]
        if any(r is None for r in roles):
            raise WorldError("UNKNOWN_ROLE", "Unknown role", 400)
        moved = []
        for role_id, position in positions.items():
            guild.roles[role_id].position = position
            moved.append(self.world.role_wire(guild.roles[role_id]))
        self.world.emit(
            "GUILD_ROLE_UPDATE_BULK", {"guild_id": guild.id, "roles": moved}, guild_id=guild.id
        )

    def vanity_wire(self, guild: Guild) -> Json:
        """``GuildVanityUrlResponse``: the code (or ``null``); the sandbox counts no uses."""
        return {"code": self.vanity_codes.get(guild.id), "uses": 0}

    def set_vanity(self, guild: Guild, actor: str, code: str | None, reason: str | None) -> Json:
        """Set (or with ``None`` remove) the guild's vanity code; emit GUILD_UPDATE with
        ``vanity_url_code``. A code another guild holds is refused."""
        if code is not None and not _VANITY.fullmatch(code):
            raise WorldError("INVALID_FORM_BODY", "code must be 2-32 of a-z, 0-9 and -", 400)
        if code is not None and any(
            c == code and g != guild.id for g, c in self.vanity_codes.items()
        ):
            raise WorldError("VANITY_URL_CODE_ALREADY_TAKEN", "Vanity URL code taken", 400)
        if code is None:
            self.vanity_codes.pop(guild.id, None)
        else:
            self.vanity_codes[guild.id] = code
        d = dict(self.world.guild_wire(guild), vanity_url_code=code, guild_id=guild.id)
        self.world.emit("GUILD_UPDATE", d, guild_id=guild.id)
        self.record(
            guild.id, AuditAction.GUILD_UPDATE, actor, guild.id, reason, {"vanity_url_code": code}
        )
        return {"code": code}

    def set_hoist_positions(self, guild: Guild, positions: Mapping[str, int] | None) -> None:
        """Set role hoist positions (``None``: clear them all); emit GUILD_ROLE_UPDATE_BULK
        with the affected roles, ``hoist_position`` filled in."""
        if positions is not None and any(rid not in guild.roles for rid in positions):
            raise WorldError("UNKNOWN_ROLE", "Unknown role", 400)
        current = self.hoist_positions.setdefault(guild.id, {})
        affected = list(current) if positions is None else list(positions)
        if positions is None:
            current.clear()
        else:
            current.update(positions)
        roles = [
            dict(self.world.role_wire(guild.roles[rid]), hoist_position=current.get(rid))
            for rid in affected
        ]
        self.world.emit(
            "GUILD_ROLE_UPDATE_BULK", {"guild_id": guild.id, "roles": roles}, guild_id=guild.id
        )

    def search_members(self, guild: Guild, query: Mapping[str, Any]) -> Json:
        """``GuildMemberSearchResponse`` for the ``GuildMemberSearchRequest`` fields
        ``query`` (case-insensitive substring of username, global name or nick),
        ``role_ids`` (all held), ``is_bot``, ``sort_by`` / ``sort_order``, ``limit``,
        ``offset``."""
        text = str(query.get("query", "")).lower()
        wanted = set(query.get("role_ids", ()))
        found = []
        for member in guild.members.values():
            user = self.world.get_user(member.user_id)
            names = (user.username, user.global_name or "", member.nick or "")
            if text and not any(text in n.lower() for n in names):
                continue
            if not wanted <= set(member.roles):
                continue
            if "is_bot" in query and user.bot != query["is_bot"]:
                continue
            found.append((member, user))
        by_join = query.get("sort_by") == "joinedAt"
        found.sort(
            key=lambda mu: (mu[0].joined_at_ms if by_join else 0, int(mu[1].id)),
            reverse=query.get("sort_order") == "desc",
        )
        offset, limit = query.get("offset", 0), query.get("limit", 25)
        page = found[offset : offset + limit]
        members = [
            {
                "id": user.id,
                "guild_id": guild.id,
                "user_id": user.id,
                "username": user.username,
                "discriminator": user.discriminator,
                "global_name": user.global_name,
                "nickname": member.nick,
                "role_ids": list(member.roles),
                "joined_at": member.joined_at_ms // 1000,
                "supplemental": {"source_invite_code": None, "inviter_id": None},
                "is_bot": user.bot,
            }
            for member, user in page
        ]
        return {
            "guild_id": guild.id,
            "members": members,
            "page_result_count": len(members),
            "total_result_count": len(found),
            "indexing": False,
        }

    def slowmode_state(self, channel_id: str, user_id: str) -> Json:
        """``ChannelSlowmodeStateResponse`` of ``user_id`` in the channel: the interval runs
        from the user's newest message there; the guild owner bypasses it."""
        channel = self.world.get_channel(channel_id)
        bypass = self.world.get_guild(channel.guild_id).owner_id == user_id
        own = [int(m.id) for m in channel.messages.values() if m.author_id == user_id]
        next_ms = snowflake_ms(max(own)) + channel.rate_limit_per_user * 1000 if own else 0
        wait = 0 if bypass else max(0, next_ms - self.world.now_ms())
        return {
            "rate_limit_per_user": channel.rate_limit_per_user,
            "retry_after_ms": wait,
            "next_send_allowed_at": iso_timestamp(next_ms) if wait else None,
            "can_bypass": bypass,
        }

    def remove_attachment(self, channel_id: str, message_id: str, attachment_id: str) -> None:
        """Drop one attachment from a message; MESSAGE_UPDATE (through the world's edit)."""
        message = self.world.get_message(channel_id, message_id)
        kept = [a for a in message.attachments if str(a.get("id")) != attachment_id]
        if len(kept) == len(message.attachments):
            raise WorldError("UNKNOWN_ATTACHMENT", "Unknown attachment")
        message.attachments = kept
        self.world.edit_message(channel_id, message_id)

    def move_channels(self, guild: Guild, positions: Mapping[str, tuple[int | None, Any]]) -> None:
        """Set channel positions (and ``parent_id`` when given); emit CHANNEL_UPDATE_BULK."""
        if any(cid not in guild.channel_ids for cid in positions):
            raise WorldError("UNKNOWN_CHANNEL", "Unknown channel", 400)
        moved = []
        for channel_id, (position, parent) in positions.items():
            channel = self.world.channels[channel_id]
            if position is not None:
                channel.position = position
            if parent is not False:
                channel.parent_id = parent
            moved.append(self.world.channel_wire(channel))
        self.world.emit(
            "CHANNEL_UPDATE_BULK", {"guild_id": guild.id, "channels": moved}, guild_id=guild.id
        )

    # -- invites -----------------------------------------------------------------------

    def invite_wire(self, invite: Invite) -> Json:
        """``InviteMetadataResponseSchema`` (guild variant)."""
        guild = self.world.get_guild(invite.guild_id)
        channel = self.world.get_channel(invite.channel_id)
        online = sum(1 for uid in guild.members if self.world.users[uid].status != "offline")
        expires = invite.created_ms + invite.max_age * 1000 if invite.max_age else None
        return {
            "code": invite.code,
            "type": 0,
            "guild": {
                "id": guild.id,
                "name": guild.name,
                "icon": guild.icon,
                "banner": None,
                "splash": None,
                "splash_card_alignment": 0,
                "embed_splash": None,
                "features": [],
            },
            "channel": {"id": channel.id, "name": channel.name, "type": channel.type},
            "inviter": self.world.user_wire(invite.inviter_id),
            "member_count": len(guild.members),
            "presence_count": online,
            "expires_at": iso_timestamp(expires) if expires is not None else None,
            "temporary": invite.temporary,
            "created_at": iso_timestamp(invite.created_ms),
            "uses": invite.uses,
            "max_uses": invite.max_uses,
            "max_age": invite.max_age,
        }

    def create_invite(
        self, channel_id: str, actor: str, options: Mapping[str, Any], reason: str | None
    ) -> Json:
        """Create an invite; emit INVITE_CREATE; return its wire."""
        channel = self.world.get_channel(channel_id)
        seed = self.world.new_id()
        code = hashlib.sha256(f"invite:{seed}".encode()).hexdigest()[:8]
        invite = Invite(code, channel.guild_id, channel.id, actor, self.world.now_ms(), **options)
        self.invites[code] = invite
        wire = self.invite_wire(invite)
        d = {
            k: wire[k]
            for k in (
                "code",
                "created_at",
                "expires_at",
                "inviter",
                "max_age",
                "max_uses",
                "temporary",
                "type",
                "uses",
            )
        }
        d.update(channel_id=channel.id, guild_id=channel.guild_id)
        self.world.emit("INVITE_CREATE", d, guild_id=channel.guild_id)
        self.record(channel.guild_id, AuditAction.INVITE_CREATE, actor, code, reason)
        return wire

    def get_invite(self, code: str) -> Invite:
        """The invite or ``WorldError('UNKNOWN_INVITE')``."""
        invite = self.invites.get(code)
        if invite is None:
            raise WorldError("UNKNOWN_INVITE", "Unknown invite")
        return invite

    def delete_invite(self, code: str, actor: str, reason: str | None) -> None:
        """Delete an invite; emit INVITE_DELETE ``{channel_id, code, guild_id}``."""
        invite = self.invites.pop(self.get_invite(code).code)
        d = {"channel_id": invite.channel_id, "code": code, "guild_id": invite.guild_id}
        self.world.emit("INVITE_DELETE", d, guild_id=invite.guild_id)
        self.record(invite.guild_id, AuditAction.INVITE_DELETE, actor, code, reason)

    def invites_of(
        self, *, guild_id: str | None = None, channel_id: str | None = None
    ) -> list[Json]:
        """The invites of a guild or of a channel, as wires."""
        return [
            self.invite_wire(i)
            for i in self.invites.values()
            if (guild_id is None or i.guild_id == guild_id)
            and (channel_id is None or i.channel_id == channel_id)
        ]

    # -- webhooks ----------------------------------------------------------------------

    def webhook_wire(self, webhook: Webhook, *, with_user: bool = True) -> Json:
        """``WebhookResponse`` (``with_user=False``: ``WebhookTokenResponse``)."""
        d: Json = {
            "id": webhook.id,
            "guild_id": webhook.guild_id,
            "channel_id": webhook.channel_id,
            "name": webhook.name,
            "avatar": webhook.avatar,
            "token": webhook.token,
        }
        if with_user:
            d["user"] = self.world.user_wire(webhook.creator_id)
        return d

    def _webhooks_update(
        self, webhook: Webhook, action: int, actor: str, reason: str | None
    ) -> None:
        d = {"guild_id": webhook.guild_id, "channel_id": webhook.channel_id}
        self.world.emit("WEBHOOKS_UPDATE", d, guild_id=webhook.guild_id)
        self.record(webhook.guild_id, action, actor, webhook.id, reason)

    def create_webhook(
        self, channel_id: str, actor: str, name: str, avatar: str | None, reason: str | None
    ) -> Json:
        """Create a webhook (and the bot user its messages come from); WEBHOOKS_UPDATE."""
        channel = self.world.get_channel(channel_id)
        author = self.world.create_user(name, bot=True)
        token = hashlib.sha256(f"webhook:{author.id}:{self.world.seed}".encode()).hexdigest()
        webhook = Webhook(author.id, channel.guild_id, channel.id, name, token, actor, avatar)
        self.webhooks[webhook.id] = webhook
        self._webhooks_update(webhook, AuditAction.WEBHOOK_CREATE, actor, reason)
        return self.webhook_wire(webhook)

    def get_webhook(self, webhook_id: str, token: str | None = None) -> Webhook:
        """The webhook (its token must match when given) or ``UNKNOWN_WEBHOOK``."""
        webhook = self.webhooks.get(webhook_id)
        if webhook is None or (token is not None and token != webhook.token):
            raise WorldError("UNKNOWN_WEBHOOK", "Unknown webhook")
        return webhook

    def edit_webhook(
        self, webhook: Webhook, actor: str, changes: Mapping[str, Any], reason: str | None
    ) -> None:
        """Change ``name`` / ``avatar`` / ``channel_id``; WEBHOOKS_UPDATE."""
        if "channel_id" in changes:
            channel = self.world.get_channel(changes["channel_id"])
            if channel.guild_id != webhook.guild_id:
                raise WorldError("UNKNOWN_CHANNEL", "Unknown channel", 400)
            webhook.channel_id = channel.id
        webhook.name = changes.get("name", webhook.name)
        webhook.avatar = changes.get("avatar", webhook.avatar)
        self._webhooks_update(webhook, AuditAction.WEBHOOK_UPDATE, actor, reason)

    def delete_webhook(self, webhook: Webhook, actor: str, reason: str | None) -> None:
        """Delete a webhook; WEBHOOKS_UPDATE."""
        del self.webhooks[webhook.id]
        self._webhooks_update(webhook, AuditAction.WEBHOOK_DELETE, actor, reason)

    def webhooks_of(
        self, *, guild_id: str | None = None, channel_id: str | None = None
    ) -> list[Json]:
        """The webhooks of a guild or of a channel, as wires."""
        return [
            self.webhook_wire(w)
            for w in self.webhooks.values()
            if (guild_id is None or w.guild_id == guild_id)
            and (channel_id is None or w.channel_id == channel_id)
        ]

    # -- emojis and stickers -----------------------------------------------------------

    def emojis_wire(self, guild: Guild) -> list[Json]:
        """``GuildEmojiWithUserResponse`` items (the bot as uploader)."""
        return [
            dict(self.world.emoji_wire(e), user=self.world.user_wire(guild.owner_id))
            for e in guild.emojis.values()
        ]

    def _emojis_update(
        self, guild: Guild, action: int, actor: str, target: str, reason: str | None
    ) -> None:
        d = {
            "guild_id": guild.id,
            "emojis": [self.world.emoji_wire(e) for e in guild.emojis.values()],
        }
        self.world.emit("GUILD_EMOJIS_UPDATE", d, guild_id=guild.id)
        self.record(guild.id, action, actor, target, reason)

    def create_emoji(
        self, guild: Guild, actor: str, name: str, animated: bool, reason: str | None
    ) -> Json:
        """Add an emoji; GUILD_EMOJIS_UPDATE with the whole collection."""
        return self.create_emojis(guild, actor, [(name, animated)], reason)[0]

    def create_emojis(
        self,
        guild: Guild,
        actor: str,
        items: Sequence[tuple[str, bool]],
        reason: str | None,
    ) -> list[Json]:
        """Add ``(name, animated)`` emojis; one GUILD_EMOJIS_UPDATE, an audit entry each."""
        made = []
        for name, animated in items:
            emoji = Emoji(id=self.world.new_id(), name=name, animated=animated)
            guild.emojis[emoji.id] = emoji
            made.append(emoji)
        d = {
            "guild_id": guild.id,
            "emojis": [self.world.emoji_wire(e) for e in guild.emojis.values()],
        }
        self.world.emit("GUILD_EMOJIS_UPDATE", d, guild_id=guild.id)
        for emoji in made:
            self.record(guild.id, AuditAction.EMOJI_CREATE, actor, emoji.id, reason)
        return [dict(self.world.emoji_wire(e), user=self.world.user_wire(actor)) for e in made]

    def find_emoji(self, emoji_id: str) -> tuple[Guild, Emoji]:
        """The guild holding a custom emoji and the emoji, in any guild."""
        for guild in self.world.guilds.values():
            if emoji_id in guild.emojis:
                return guild, guild.emojis[emoji_id]
        raise WorldError("UNKNOWN_EMOJI", "Unknown emoji")

    def emoji_metadata(self, emoji_id: str) -> Json:
        """``GuildEmojiMetadataResponse`` (every sandbox guild allows cloning)."""
        guild, emoji = self.find_emoji(emoji_id)
        return {
            "id": emoji.id,
            "guild_id": guild.id,
            "name": emoji.name,
            "animated": emoji.animated,
            "allow_cloning": True,
        }

    def edit_emoji(
        self, guild: Guild, emoji_id: str, actor: str, name: str, reason: str | None
    ) -> Json:
        """Rename an emoji; GUILD_EMOJIS_UPDATE."""
        emoji = self._emoji(guild, emoji_id)
        emoji.name = name
        self._emojis_update(guild, AuditAction.EMOJI_UPDATE, actor, emoji.id, reason)
        return self.world.emoji_wire(emoji)

    def delete_emoji(self, guild: Guild, emoji_id: str, actor: str, reason: str | None) -> None:
        """Remove an emoji; GUILD_EMOJIS_UPDATE."""
        del guild.emojis[self._emoji(guild, emoji_id).id]
        self._emojis_update(guild, AuditAction.EMOJI_DELETE, actor, emoji_id, reason)

    @staticmethod
    def _emoji(guild: Guild, emoji_id: str) -> Emoji:
        emoji = guild.emojis.get(emoji_id)
        if emoji is None:
            raise WorldError("UNKNOWN_EMOJI", "Unknown emoji")
        return emoji

    def stickers_wire(self, guild_id: str) -> list[Json]:
        """The guild's stickers (``GuildStickerWithUserResponse``)."""
        return list(self.stickers.get(guild_id, {}).values())

    def _stickers_update(
        self, guild_id: str, action: int, actor: str, target: str, reason: str | None
    ) -> None:
        d = {"guild_id": guild_id, "stickers": self.stickers_wire(guild_id)}
        self.world.emit("GUILD_STICKERS_UPDATE", d, guild_id=guild_id)
        self.record(guild_id, action, actor, target, reason)

    def create_sticker(
        self, guild_id: str, actor: str, fields: Mapping[str, Any], reason: str | None
    ) -> Json:
        """Add a sticker; GUILD_STICKERS_UPDATE with the whole collection."""
        return self.create_stickers(guild_id, actor, [fields], reason)[0]

    def create_stickers(
        self,
        guild_id: str,
        actor: str,
        items: Sequence[Mapping[str, Any]],
        reason: str | None,
    ) -> list[Json]:
        """Add stickers (``name``, ``description``, ``tags``, ``animated``); one
        GUILD_STICKERS_UPDATE, an audit entry each."""
        made: list[Json] = []
        for fields in items:
            sticker: Json = {
                "id": self.world.new_id(),
                "name": fields["name"],
                "description": fields.get("description") or "",
                "tags": list(fields.get("tags", [])),
                "animated": bool(fields.get("animated", False)),
                "nsfw": False,
                "user": self.world.user_wire(actor),
            }
            self.stickers.setdefault(guild_id, {})[sticker["id"]] = sticker
            made.append(sticker)
        d = {"guild_id": guild_id, "stickers": self.stickers_wire(guild_id)}
        self.world.emit("GUILD_STICKERS_UPDATE", d, guild_id=guild_id)
        for sticker in made:
            self.record(guild_id, AuditAction.STICKER_CREATE, actor, sticker["id"], reason)
        return made

    def find_sticker(self, sticker_id: str) -> tuple[str, Json]:
        """The guild id holding a sticker and the sticker, in any guild."""
        for guild_id, stickers in self.stickers.items():
            if sticker_id in stickers:
                return guild_id, stickers[sticker_id]
        raise WorldError("UNKNOWN_STICKER", "Unknown sticker")

    def sticker_metadata(self, sticker_id: str) -> Json:
        """``GuildStickerMetadataResponse`` (every sandbox guild allows cloning)."""
        guild_id, sticker = self.find_sticker(sticker_id)
        keys = ("id", "name", "animated")
        return dict({k: sticker[k] for k in keys}, guild_id=guild_id, allow_cloning=True)

    def edit_sticker(
        self,
        guild_id: str,
        sticker_id: str,
        actor: str,
        fields: Mapping[str, Any],
        reason: str | None,
    ) -> Json:
        """Change a sticker's name / description / tags; GUILD_STICKERS_UPDATE."""
        sticker = self._sticker(guild_id, sticker_id)
        sticker.update({k: v for k, v in fields.items() if k in ("name", "description", "tags")})
        self._stickers_update(guild_id, AuditAction.STICKER_UPDATE, actor, sticker_id, reason)
        return sticker

    def delete_sticker(
        self, guild_id: str, sticker_id: str, actor: str, reason: str | None
    ) -> None:
        """Remove a sticker; GUILD_STICKERS_UPDATE."""
        self._sticker(guild_id, sticker_id)
        del self.stickers[guild_id][sticker_id]
        self._stickers_update(guild_id, AuditAction.STICKER_DELETE, actor, sticker_id, reason)

    def _sticker(self, guild_id: str, sticker_id: str) -> Json:
        sticker = self.stickers.get(guild_id, {}).get(sticker_id)
        if sticker is None:
            raise WorldError("UNKNOWN_STICKER", "Unknown sticker")
        return sticker


def page_of(
    items: Iterable[Json], *, limit: int, before: str | None, after: str | None
) -> list[Json]:
    """``items`` (ascending ids) between ``after`` and ``before``, at most ``limit``."""
    kept = [
        i
        for i in items
        if (before is None or int(i["id"]) < int(before))
        and (after is None or int(i["id"]) > int(after))
    ]
    return kept[:limit]
