"""Guild mutations of the sandbox world: channels and their overwrites, the guild itself,
bans, members, presence and roles.

Each mutation of :class:`GuildMutations` checks its input first (raising
:class:`WorldError` and changing nothing), then updates the state, emits the dispatch
Fluxer sends through :meth:`WorldState.emit`, and returns a wire dict.
"""

from __future__ import annotations

from fluxer_rx.sandbox.world_entities import (
    UNSET,
    Ban,
    Channel,
    Json,
    Member,
    Overwrite,
    Role,
    WorldError,
    _Unset,
)
from fluxer_rx.sandbox.world_seeding import STATUSES
from fluxer_rx.sandbox.world_wire import WorldWire

__all__ = ["GuildMutations"]


class GuildMutations(WorldWire):
    """The world's guild, channel, member, presence and role mutations."""

    def create_channel(
        self, guild_id: str, name: str, *, type: int = 0, topic: str | None = None
    ) -> Json:
        """Create a channel at the end of the guild; emit CHANNEL_CREATE; return its wire."""
        guild = self.get_guild(guild_id)
        if not name or len(name) > 100:
            raise WorldError("INVALID_FORM_BODY", "Invalid channel name", 400)
        channel = Channel(
            id=self.new_id(),
            guild_id=guild.id,
            name=name,
            type=type,
            position=len(guild.channel_ids),
            topic=topic,
        )
        self.channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
        d = self.channel_wire(channel)
        self.emit("CHANNEL_CREATE", d, guild_id=guild.id)
        return d

    def update_channel(
        self,
        channel_id: str,
        *,
        name: str | _Unset = UNSET,
        topic: str | _Unset | None = UNSET,
        nsfw: bool | _Unset = UNSET,
        rate_limit_per_user: int | _Unset = UNSET,
        position: int | _Unset = UNSET,
    ) -> Json:
        """Change channel fields; emit CHANNEL_UPDATE; return the channel wire."""
        channel = self.get_channel(channel_id)
        if not isinstance(name, _Unset):
            if not name or len(name) > 100:
                raise WorldError("INVALID_FORM_BODY", "Invalid channel name", 400)
            channel.name = name
        if not isinstance(topic, _Unset):
            channel.topic = topic
        if not isinstance(nsfw, _Unset):
            channel.nsfw = nsfw
        if not isinstance(rate_limit_per_user, _Unset):
            channel.rate_limit_per_user = rate_limit_per_user
        if not isinstance(position, _Unset):
            channel.position = position
        d = self.channel_wire(channel)
        self.emit("CHANNEL_UPDATE", d, guild_id=channel.guild_id)
        return d

    def set_permission_overwrite(
        self, channel_id: str, target_id: str, *, type: int, allow: int = 0, deny: int = 0
    ) -> Json:
        """Create or replace the overwrite of role (``type`` 0) or member (``type`` 1)
        ``target_id`` on a channel; emit CHANNEL_UPDATE; return the channel wire.

        Raises ``INVALID_FORM_BODY`` (400) for another ``type`` or a negative mask,
        ``UNKNOWN_ROLE`` / ``UNKNOWN_MEMBER`` for a target the guild does not have.
        """
        channel = self.get_channel(channel_id)
        guild = self.guilds[channel.guild_id]
        target = str(target_id)
        if type not in (0, 1) or allow < 0 or deny < 0:
            raise WorldError("INVALID_FORM_BODY", "Invalid permission overwrite", 400)
        if type == 0 and target not in guild.roles:
            raise WorldError("UNKNOWN_ROLE", "Unknown role")
        if type == 1 and target not in guild.members:
            raise WorldError("UNKNOWN_MEMBER", "Unknown member")
        channel.overwrites[target] = Overwrite(id=target, type=type, allow=allow, deny=deny)
        d = self.channel_wire(channel)
        self.emit("CHANNEL_UPDATE", d, guild_id=channel.guild_id)
        return d

    def delete_permission_overwrite(self, channel_id: str, target_id: str) -> Json:
        """Remove a channel's overwrite for ``target_id`` (none: nothing changes, as in
        Fluxer); emit CHANNEL_UPDATE; return the channel wire."""
        channel = self.get_channel(channel_id)
        channel.overwrites.pop(str(target_id), None)
        d = self.channel_wire(channel)
        self.emit("CHANNEL_UPDATE", d, guild_id=channel.guild_id)
        return d

    def delete_channel(self, channel_id: str) -> Json:
        """Delete a channel and its messages; emit CHANNEL_DELETE (the channel as it was)."""
        channel = self.get_channel(channel_id)
        d = self.channel_wire(channel)
        del self.channels[channel.id]
        guild = self.guilds[channel.guild_id]
        guild.channel_ids.remove(channel.id)
        if guild.system_channel_id == channel.id:
            guild.system_channel_id = None
        self.emit("CHANNEL_DELETE", d, guild_id=channel.guild_id)
        return d

    # -- mutations: guilds, members, presence ------------------------------------------

    def update_guild(self, guild_id: str, *, name: str | _Unset = UNSET) -> Json:
        """Rename a guild; emit GUILD_UPDATE (the flat guild plus ``guild_id``)."""
        guild = self.get_guild(guild_id)
        if not isinstance(name, _Unset):
            if not name or len(name) > 100:
                raise WorldError("INVALID_FORM_BODY", "Invalid guild name", 400)
            guild.name = name
        d = self.guild_wire(guild)
        d["guild_id"] = guild.id
        self.emit("GUILD_UPDATE", d, guild_id=guild.id)
        return self.guild_wire(guild)

    def ban_member(
        self, guild_id: str, user_id: str, moderator_id: str, *, reason: str | None = None
    ) -> Json:
        """Ban a user (removing their membership first, with GUILD_MEMBER_REMOVE); emit
        GUILD_BAN_ADD ``{guild_id, user: {id}}``; return the ban wire. Banning twice
        updates the reason only and emits nothing."""
        guild = self.get_guild(guild_id)
        user = self.get_user(user_id)
        existing = guild.bans.get(user.id)
        if existing is not None:
            existing.reason = reason
            return self.ban_wire(existing)
        if user.id in guild.members:
            self.remove_member(guild.id, user.id)
        ban = Ban(user.id, str(moderator_id), self.now_ms(), reason)
        guild.bans[user.id] = ban
        self.emit(
            "GUILD_BAN_ADD", {"guild_id": guild.id, "user": {"id": user.id}}, guild_id=guild.id
        )
        return self.ban_wire(ban)

    def unban_member(self, guild_id: str, user_id: str) -> Json:
        """Lift a ban; emit GUILD_BAN_REMOVE ``{guild_id, user: {id}}``; return it.

        Raises ``WorldError('NOT_FOUND')`` (404) when the user is not banned.
        """
        guild = self.get_guild(guild_id)
        if guild.bans.pop(str(user_id), None) is None:
            raise WorldError("NOT_FOUND", "Unknown ban")
        d: Json = {"guild_id": guild.id, "user": {"id": str(user_id)}}
        self.emit("GUILD_BAN_REMOVE", d, guild_id=guild.id)
        return d

    def leave_guild(self, guild_id: str, user_id: str) -> Json:
        """``user_id`` leaves the guild: GUILD_MEMBER_REMOVE to the guild, then
        GUILD_DELETE ``{id}`` to that user's sessions only (on the guild's shard);
        return the latter's ``d``."""
        guild = self.get_guild(guild_id)
        self.remove_member(guild.id, user_id)
        d: Json = {"id": guild.id}
        self.emit("GUILD_DELETE", d, guild_id=guild.id, user_ids=[str(user_id)])
        return d

    def add_member(self, guild_id: str, user_id: str | None = None) -> Json:
        """Add a member (a new user when ``user_id`` is None); emit GUILD_MEMBER_ADD.

        Returns the member wire (with ``user``) plus ``guild_id``. Adding an existing
        member raises ``WorldError('INVALID_FORM_BODY', status=400)``.
        """
        guild = self.get_guild(guild_id)
        user = self.create_user() if user_id is None else self.get_user(user_id)
        if user.id in guild.members:
            raise WorldError("INVALID_FORM_BODY", "User is already a member", 400)
        member = Member(user_id=user.id, guild_id=guild.id, joined_at_ms=self.now_ms())
        guild.members[user.id] = member
        d = self.member_wire(member)
        d["guild_id"] = guild.id
        self.emit("GUILD_MEMBER_ADD", d, guild_id=guild.id)
        return d

    def update_member(
        self,
        guild_id: str,
        user_id: str,
        *,
        nick: str | _Unset | None = UNSET,
        roles: list[str] | _Unset = UNSET,
    ) -> Json:
        """Change nick/roles; emit GUILD_MEMBER_UPDATE; return the member wire + guild_id.

        Raises ``UNKNOWN_ROLE`` (400) for a role id the guild does not have.
        """
        guild = self.get_guild(guild_id)
        member = self.get_member(guild_id, user_id)
        if not isinstance(roles, _Unset):
            unknown = [r for r in roles if str(r) not in guild.roles]
            if unknown:
                raise WorldError("UNKNOWN_ROLE", "Unknown role", 400)
            member.roles = [str(r) for r in roles]
        if not isinstance(nick, _Unset):
            member.nick = nick
        d = self.member_wire(member)
        d["guild_id"] = guild.id
        self.emit("GUILD_MEMBER_UPDATE", d, guild_id=guild.id)
        return d

    def remove_member(self, guild_id: str, user_id: str) -> Json:
        """Remove a member; emit GUILD_MEMBER_REMOVE ``{guild_id, user: {id}}``; return it.

        The dispatch is routed before the member is dropped, so the removed user's own
        sessions see it too. (:meth:`leave_guild` adds the GUILD_DELETE the leaver gets.)
        """
        guild = self.get_guild(guild_id)
        self.get_member(guild_id, user_id)
        d: Json = {"guild_id": guild.id, "user": {"id": str(user_id)}}
        self.emit("GUILD_MEMBER_REMOVE", d, guild_id=guild.id)
        del guild.members[str(user_id)]
        return d

    def set_presence(self, user_id: str, status: str) -> list[Json]:
        """Set a user's status; emit one PRESENCE_UPDATE per guild they are in.

        Returns the emitted ``d`` dicts. ``status`` must be online/idle/dnd/offline
        (``invisible`` is published as offline).
        """
        user = self.get_user(user_id)
        if status == "invisible":
            status = "offline"
        if status not in STATUSES:
            raise WorldError("INVALID_FORM_BODY", f"Invalid status {status!r}", 400)
        user.status = status
        out = []
        for guild in self.guilds_of(user.id):
            d = self.presence_wire(user, guild.id)
            self.emit("PRESENCE_UPDATE", d, guild_id=guild.id)
            out.append(d)
        return out

    def create_role(
        self, guild_id: str, name: str, *, permissions: int = 0, color: int = 0
    ) -> Json:
        """Create a role; emit GUILD_ROLE_CREATE ``{guild_id, role}``; return the role wire."""
        guild = self.get_guild(guild_id)
        role = Role(
            id=self.new_id(),
            name=name,
            color=color,
            position=len(guild.roles),
            permissions=permissions,
        )
        guild.roles[role.id] = role
        self.emit(
            "GUILD_ROLE_CREATE",
            {"guild_id": guild.id, "role": self.role_wire(role)},
            guild_id=guild.id,
        )
        return self.role_wire(role)

    def delete_role(self, guild_id: str, role_id: str) -> Json:
        """Delete a role (not @everyone); strip it from members; emit GUILD_ROLE_DELETE."""
        guild = self.get_guild(guild_id)
        if str(role_id) not in guild.roles or str(role_id) == guild.id:
            raise WorldError("UNKNOWN_ROLE", "Unknown role")
        del guild.roles[str(role_id)]
        for member in guild.members.values():
            if str(role_id) in member.roles:
                member.roles.remove(str(role_id))
        d: Json = {"guild_id": guild.id, "role_id": str(role_id)}
        self.emit("GUILD_ROLE_DELETE", d, guild_id=guild.id)
        return d
