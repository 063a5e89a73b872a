"""Wire builders: the sandbox world's state as Fluxer's JSON shapes.

Each ``*_wire`` method of :class:`WorldWire` returns a fresh, JSON-ready dict in the shape
Fluxer sends (``../shared/PROTOCOL.md`` §2.2 and §3; the digest
``tests/data/fluxer-api-digest.json``) for REST responses and gateway dispatches. They read
the state and never change it; callers may mutate what they get back.
"""

from __future__ import annotations

from fluxer_rx.sandbox.snowflakes import iso_timestamp, snowflake_ms
from fluxer_rx.sandbox.world_entities import (
    Ban,
    Channel,
    Emoji,
    Guild,
    Json,
    Member,
    Message,
    Role,
    User,
)
from fluxer_rx.sandbox.world_state import WorldState

__all__ = ["WorldWire"]


class WorldWire(WorldState):
    """The world's state plus its wire builders (see the module docstring)."""

    def user_wire(self, user: User | str) -> Json:
        """Partial user object (``UserPartialResponse``)."""
        u = user if isinstance(user, User) else self.get_user(user)
        d: Json = {
            "id": u.id,
            "username": u.username,
            "discriminator": u.discriminator,
            "global_name": u.global_name,
            "avatar": u.avatar,
            "avatar_color": u.avatar_color,
            "flags": u.flags,
        }
        if u.bot:
            d["bot"] = True
        return d

    def private_user_wire(self, user: User | str) -> Json:
        """Full private user object (``UserPrivateResponse``): READY ``user``, ``/users/@me``."""
        d = self.user_wire(user)
        d.update(
            {
                "is_staff": False,
                "acls": [],
                "traits": [],
                "email": None,
                "has_verified_phone": False,
                "bio": None,
                "pronouns": None,
                "accent_color": None,
                "banner": None,
                "banner_color": None,
                "mfa_enabled": False,
                "verified": True,
                "premium_type": None,
                "premium_since": None,
                "premium_until": None,
                "premium_will_cancel": False,
                "premium_billing_cycle": None,
                "premium_lifetime_sequence": None,
                "premium_grace_ends_at": None,
                "premium_discriminator": False,
                "premium_badge_hidden": False,
                "premium_badge_masked": False,
                "premium_badge_timestamp_hidden": False,
                "premium_badge_sequence_hidden": False,
                "premium_purchase_disabled": False,
                "premium_enabled_override": False,
                "premium_perks_disabled": False,
                "password_last_changed_at": None,
                "last_voice_activity_sharing_change_at": None,
                "required_actions": [],
                "nsfw_allowed": False,
                "has_dismissed_premium_onboarding": False,
                "has_ever_purchased": False,
                "has_unread_gift_inventory": False,
                "unread_gift_inventory_count": 0,
                "pending_bulk_message_deletion": None,
                "terms_agreed_at": None,
                "privacy_agreed_at": None,
            }
        )
        return d

    def role_wire(self, role: Role) -> Json:
        """Role object (``GuildRoleResponse``); ``permissions`` as a decimal string."""
        return {
            "id": role.id,
            "name": role.name,
            "color": role.color,
            "position": role.position,
            "hoist_position": None,
            "permissions": str(role.permissions),
            "hoist": role.hoist,
            "mentionable": role.mentionable,
        }

    def emoji_wire(self, emoji: Emoji) -> Json:
        """Guild emoji object (``GuildEmojiResponse``)."""
        return {"id": emoji.id, "name": emoji.name, "animated": emoji.animated, "nsfw": False}

    def channel_wire(self, channel: Channel | str) -> Json:
        """Channel object (``ChannelResponse``), as in CHANNEL_CREATE/UPDATE/DELETE."""
        c = channel if isinstance(channel, Channel) else self.get_channel(channel)
        return {
            "id": c.id,
            "guild_id": c.guild_id,
            "name": c.name,
            "topic": c.topic,
            "type": c.type,
            "position": c.position,
            "parent_id": c.parent_id,
            "nsfw": c.nsfw,
            "rate_limit_per_user": c.rate_limit_per_user,
            "last_message_id": c.last_message_id,
            "last_pin_timestamp": c.last_pin_timestamp,
            "permission_overwrites": [
                {"id": o.id, "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
                for o in c.overwrites.values()
            ],
        }

    def member_wire(
        self, member: Member, *, with_user: bool = True, user_id_only: bool = False
    ) -> Json:
        """Guild member (``GuildMemberResponse``).

        ``with_user=False`` drops ``user`` (the ``member`` key of message dispatches);
        ``user_id_only`` reduces ``user`` to ``{id}`` (GUILD_CREATE's own member).
        """
        d: Json = {}
        if with_user:
            d["user"] = {"id": member.user_id} if user_id_only else self.user_wire(member.user_id)
        d.update(
            {
                "nick": member.nick,
                "avatar": None,
                "banner": None,
                "accent_color": None,
                "roles": list(member.roles),
                "joined_at": iso_timestamp(member.joined_at_ms),
                "join_source_type": 0,
                "source_invite_code": None,
                "inviter_id": None,
                "mute": member.mute,
                "deaf": member.deaf,
                "communication_disabled_until": member.communication_disabled_until,
                "profile_flags": 0,
            }
        )
        return d

    def guild_wire(self, guild: Guild | str) -> Json:
        """Flat guild object (``GuildResponse``): ``GET /guilds/{id}``, GUILD_UPDATE."""
        g = guild if isinstance(guild, Guild) else self.get_guild(guild)
        return {
            "id": g.id,
            "name": g.name,
            "icon": g.icon,
            "banner": None,
            "splash": None,
            "splash_card_alignment": 0,
            "embed_splash": None,
            "vanity_url_code": None,
            "owner_id": g.owner_id,
            "system_channel_id": g.system_channel_id,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "features": [],
            "verification_level": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "nsfw": False,
            "content_warning_level": 0,
            "explicit_content_filter": 0,
            "default_message_notifications": 0,
            "disabled_operations": 0,
            "member_count": len(g.members),
        }

    def guild_create_wire(self, guild: Guild | str, viewer_id: str) -> Json:
        """GUILD_CREATE ``d`` for ``viewer_id``: the guild nested under ``properties``.

        Holds every role, channel and emoji, ``stickers`` and ``presences``/``voice_states``
        empty, and ``members`` with only the viewer's own member, its ``user`` reduced to
        ``{id}`` (as in a bot's post-READY burst).
        """
        g = guild if isinstance(guild, Guild) else self.get_guild(guild)
        own = g.members.get(viewer_id)
        online = sum(1 for uid in g.members if self.users[uid].status != "offline")
        return {
            "id": g.id,
            "properties": self.guild_wire(g),
            "roles": [self.role_wire(r) for r in g.roles.values()],
            "channels": [self.channel_wire(self.channels[c]) for c in g.channel_ids],
            "emojis": [self.emoji_wire(e) for e in g.emojis.values()],
            "stickers": [],
            "members": [self.member_wire(own, user_id_only=True)] if own else [],
            "member_count": len(g.members),
            "online_count": online,
            "presences": [],
            "voice_states": [],
            "joined_at": iso_timestamp(own.joined_at_ms) if own else None,
        }

    def message_wire(self, message: Message, *, viewer_id: str | None = None) -> Json:
        """Message object (``MessageResponseSchema``) as REST returns it.

        ``reactions[].me`` is relative to ``viewer_id`` (default: the bot). The
        ``reactions``, ``message_reference`` and ``nonce`` keys appear only when set.
        """
        viewer = viewer_id if viewer_id is not None else self.bot.id
        d: Json = {
            "id": message.id,
            "channel_id": message.channel_id,
            "author": self.user_wire(message.author_id),
            "type": message.type,
            "flags": message.flags,
            "content": message.content,
            "timestamp": iso_timestamp(snowflake_ms(message.id)),
            "edited_timestamp": (
                iso_timestamp(message.edited_ms) if message.edited_ms is not None else None
            ),
            "pinned": message.pinned,
            "mention_everyone": message.mention_everyone,
            "tts": message.tts,
            "mentions": [self.user_wire(u) for u in message.mentions if u in self.users],
            "mention_roles": list(message.mention_roles),
            "embeds": list(message.embeds),
            "attachments": list(message.attachments),
            "stickers": [],
        }
        if message.reactions:
            d["reactions"] = [
                {"emoji": dict(r.emoji), "count": len(r.user_ids), "me": viewer in r.user_ids}
                for r in message.reactions.values()
            ]
        if message.message_reference is not None:
            d["message_reference"] = dict(message.message_reference)
        if message.nonce is not None:
            d["nonce"] = message.nonce
        return d

    def message_dispatch_wire(self, message: Message, event: str = "MESSAGE_CREATE") -> Json:
        """MESSAGE_CREATE/UPDATE ``d``: the message plus ``guild_id`` and the author's
        ``member`` (without ``user``); MESSAGE_CREATE also has ``channel_type``."""
        d = self.message_wire(message)
        if event == "MESSAGE_CREATE":
            d["channel_type"] = self.channels[message.channel_id].type
        d["guild_id"] = message.guild_id
        member = self.guilds[message.guild_id].members.get(message.author_id)
        if member is not None:
            d["member"] = self.member_wire(member, with_user=False)
        return d

    def presence_wire(self, user: User, guild_id: str | None = None) -> Json:
        """PRESENCE_UPDATE ``d``: partial user, status, mobile, afk, custom_status."""
        d: Json = {
            "user": self.user_wire(user),
            "status": user.status,
            "mobile": False,
            "afk": False,
            "custom_status": None,
        }
        if guild_id is not None:
            d["guild_id"] = guild_id
        return d

    def ban_wire(self, ban: Ban) -> Json:
        """Ban object (``GuildBanResponse``)."""
        return {
            "user": self.user_wire(ban.user_id),
            "reason": ban.reason,
            "moderator_id": ban.moderator_id,
            "banned_at": iso_timestamp(ban.banned_at_ms),
        }
