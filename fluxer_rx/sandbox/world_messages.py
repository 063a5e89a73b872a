"""Message mutations of the sandbox world: post, edit, delete, bulk delete, reactions,
pins and typing.

Each mutation of :class:`MessageMutations` checks its input first (raising
:class:`WorldError` and changing nothing), then updates the state, emits the dispatch
Fluxer sends through :meth:`WorldState.emit`, and returns a wire dict.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from fluxer_rx.sandbox.snowflakes import iso_timestamp
from fluxer_rx.sandbox.world_entities import (
    UNSET,
    Channel,
    Json,
    Message,
    Reaction,
    WorldError,
    _Unset,
)
from fluxer_rx.sandbox.world_wire import WorldWire

__all__ = ["MessageMutations"]


class MessageMutations(WorldWire):
    """The world's message mutations (see the module docstring)."""

    def create_message(
        self,
        channel_id: str,
        author_id: str,
        content: str = "",
        *,
        nonce: str | None = None,
        tts: bool = False,
        flags: int = 0,
        embeds: list[Json] | None = None,
        attachments: list[Json] | None = None,
        message_reference: Json | None = None,
        mentions: list[str] | None = None,
    ) -> Json:
        """Post a message as ``author_id``; emit MESSAGE_CREATE; return the message wire.

        Raises ``CANNOT_SEND_EMPTY_MESSAGE`` (400) when there is no content, embed or
        attachment, ``UNKNOWN_CHANNEL``/``UNKNOWN_USER`` for unknown ids. A
        ``message_reference`` to a message of the same channel makes the type 19 (reply).
        Attachments are stored as given (the caller builds their wire dicts).
        """
        channel = self.get_channel(channel_id)
        self.get_user(author_id)
        if not content and not embeds and not attachments:
            raise WorldError("CANNOT_SEND_EMPTY_MESSAGE", "Cannot send an empty message", 400)
        message = Message(
            id=self.new_id(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author_id=str(author_id),
            content=content,
            tts=tts,
            flags=flags,
            nonce=nonce,
            embeds=list(embeds or []),
            attachments=list(attachments or []),
            mentions=[str(m) for m in mentions or []],
        )
        if message_reference is not None:
            message.message_reference = {
                "channel_id": str(message_reference.get("channel_id", channel.id)),
                "message_id": str(message_reference["message_id"]),
                "guild_id": channel.guild_id,
                "type": 0,
            }
            message.type = 19
        self.store_message(message)
        self.emit(
            "MESSAGE_CREATE",
            self.message_dispatch_wire(message, "MESSAGE_CREATE"),
            guild_id=channel.guild_id,
        )
        return self.message_wire(message)

    def store_message(self, message: Message) -> None:
        """Hold ``message`` as its channel's newest, without emitting anything (the caller
        sends the dispatch: ``create_message``, or a fault that garbles it)."""
        channel = self.get_channel(message.channel_id)
        channel.messages[message.id] = message
        channel.last_message_id = message.id

    def edit_message(
        self,
        channel_id: str,
        message_id: str,
        *,
        content: str | _Unset = UNSET,
        flags: int | _Unset = UNSET,
        embeds: list[Json] | _Unset = UNSET,
    ) -> Json:
        """Edit a message; set ``edited_timestamp``; emit MESSAGE_UPDATE; return the wire."""
        message = self.get_message(channel_id, message_id)
        if not isinstance(content, _Unset):
            message.content = content
        if not isinstance(flags, _Unset):
            message.flags = flags
        if not isinstance(embeds, _Unset):
            message.embeds = list(embeds)
        message.edited_ms = self.now_ms()
        self.emit(
            "MESSAGE_UPDATE",
            self.message_dispatch_wire(message, "MESSAGE_UPDATE"),
            guild_id=message.guild_id,
        )
        return self.message_wire(message)

    def delete_message(self, channel_id: str, message_id: str) -> Json:
        """Delete a message (and its pin); emit MESSAGE_DELETE; return its ``d``."""
        message = self.get_message(channel_id, message_id)
        channel = self.channels[message.channel_id]
        del channel.messages[message.id]
        channel.pins.pop(message.id, None)
        d: Json = {
            "id": message.id,
            "channel_id": message.channel_id,
            "content": message.content,
            "author_id": message.author_id,
            "guild_id": message.guild_id,
        }
        self.emit("MESSAGE_DELETE", d, guild_id=message.guild_id)
        return d

    def forget_history(self, channel_id: str, keep: int) -> int:
        """Forget all but the newest ``keep`` messages of a channel, emitting nothing (old
        history out of reach, as for a long-running traffic source); return how many."""
        if keep < 0:
            raise ValueError("keep must be >= 0")
        channel = self.get_channel(channel_id)
        messages = channel.messages
        excess = len(messages) - keep
        for message_id in list(itertools.islice(messages, max(0, excess))):
            del messages[message_id]
            channel.pins.pop(message_id, None)
        return max(0, excess)

    def bulk_delete_messages(self, channel_id: str, message_ids: Iterable[str]) -> Json:
        """Delete several messages; emit one MESSAGE_DELETE_BULK; return its ``d``.

        Unknown ids are skipped (as the real server does); raises ``UNKNOWN_CHANNEL``.
        """
        channel = self.get_channel(channel_id)
        deleted = []
        for mid in message_ids:
            if channel.messages.pop(str(mid), None) is not None:
                channel.pins.pop(str(mid), None)
                deleted.append(str(mid))
        d: Json = {"ids": deleted, "channel_id": channel.id, "guild_id": channel.guild_id}
        self.emit("MESSAGE_DELETE_BULK", d, guild_id=channel.guild_id)
        return d

    def add_reaction(self, channel_id: str, message_id: str, emoji: str, user_id: str) -> Json:
        """Add ``user_id``'s reaction; emit MESSAGE_REACTION_ADD; return its ``d``.

        Idempotent: reacting twice with the same emoji changes nothing and emits nothing
        (the returned ``d`` is the same shape).
        """
        message = self.get_message(channel_id, message_id)
        self.get_user(user_id)
        parsed = self.parse_emoji(emoji)
        key = self.emoji_key(parsed)
        reaction = message.reactions.setdefault(key, Reaction(emoji=parsed))
        d = self._reaction_d(message, parsed, str(user_id))
        if str(user_id) not in reaction.user_ids:
            reaction.user_ids.append(str(user_id))
            self.emit("MESSAGE_REACTION_ADD", d, guild_id=message.guild_id)
        return d

    def remove_reaction(self, channel_id: str, message_id: str, emoji: str, user_id: str) -> Json:
        """Remove one user's reaction; emit MESSAGE_REACTION_REMOVE if it existed."""
        message = self.get_message(channel_id, message_id)
        parsed = self.parse_emoji(emoji)
        key = self.emoji_key(parsed)
        d = self._reaction_d(message, parsed, str(user_id))
        reaction = message.reactions.get(key)
        if reaction is not None and str(user_id) in reaction.user_ids:
            reaction.user_ids.remove(str(user_id))
            if not reaction.user_ids:
                del message.reactions[key]
            self.emit("MESSAGE_REACTION_REMOVE", d, guild_id=message.guild_id)
        return d

    def remove_all_reactions(self, channel_id: str, message_id: str) -> Json:
        """Clear every reaction; emit MESSAGE_REACTION_REMOVE_ALL; return its ``d``."""
        message = self.get_message(channel_id, message_id)
        message.reactions.clear()
        d: Json = {
            "channel_id": message.channel_id,
            "message_id": message.id,
            "guild_id": message.guild_id,
        }
        self.emit("MESSAGE_REACTION_REMOVE_ALL", d, guild_id=message.guild_id)
        return d

    def remove_emoji_reactions(self, channel_id: str, message_id: str, emoji: str) -> Json:
        """Clear one emoji's reactions; emit MESSAGE_REACTION_REMOVE_EMOJI; return ``d``."""
        message = self.get_message(channel_id, message_id)
        parsed = self.parse_emoji(emoji)
        message.reactions.pop(self.emoji_key(parsed), None)
        d: Json = {
            "channel_id": message.channel_id,
            "message_id": message.id,
            "guild_id": message.guild_id,
            "emoji": parsed,
        }
        self.emit("MESSAGE_REACTION_REMOVE_EMOJI", d, guild_id=message.guild_id)
        return d

    def _reaction_d(self, message: Message, emoji: Json, user_id: str) -> Json:
        d: Json = {
            "channel_id": message.channel_id,
            "message_id": message.id,
            "user_id": user_id,
            "emoji": dict(emoji),
            "guild_id": message.guild_id,
        }
        member = self.guilds[message.guild_id].members.get(user_id)
        if member is not None:
            d["member"] = self.member_wire(member)
        return d

    def pin_message(self, channel_id: str, message_id: str) -> Json:
        """Pin a message; emit MESSAGE_UPDATE and CHANNEL_PINS_UPDATE; return the latter's
        ``d`` ``{channel_id, guild_id, last_pin_timestamp}``. Pinning twice is a no-op."""
        message = self.get_message(channel_id, message_id)
        channel = self.channels[message.channel_id]
        if message.id not in channel.pins:
            channel.pins[message.id] = self.now_ms()
            message.pinned = True
            channel.last_pin_timestamp = iso_timestamp(self.now_ms())
            self.emit(
                "MESSAGE_UPDATE",
                self.message_dispatch_wire(message, "MESSAGE_UPDATE"),
                guild_id=message.guild_id,
            )
            self.emit("CHANNEL_PINS_UPDATE", self._pins_d(channel), guild_id=channel.guild_id)
        return self._pins_d(channel)

    def unpin_message(self, channel_id: str, message_id: str) -> Json:
        """Unpin a message; emit MESSAGE_UPDATE and CHANNEL_PINS_UPDATE (if it was pinned)."""
        message = self.get_message(channel_id, message_id)
        channel = self.channels[message.channel_id]
        if channel.pins.pop(message.id, None) is not None:
            message.pinned = False
            self.emit(
                "MESSAGE_UPDATE",
                self.message_dispatch_wire(message, "MESSAGE_UPDATE"),
                guild_id=message.guild_id,
            )
            self.emit("CHANNEL_PINS_UPDATE", self._pins_d(channel), guild_id=channel.guild_id)
        return self._pins_d(channel)

    @staticmethod
    def _pins_d(channel: Channel) -> Json:
        return {
            "channel_id": channel.id,
            "guild_id": channel.guild_id,
            "last_pin_timestamp": channel.last_pin_timestamp,
        }

    def trigger_typing(self, channel_id: str, user_id: str) -> Json:
        """Emit TYPING_START (``timestamp`` in Unix **ms**, as [S] sends); return its ``d``."""
        channel = self.get_channel(channel_id)
        self.get_user(user_id)
        d: Json = {
            "channel_id": channel.id,
            "user_id": str(user_id),
            "timestamp": self.now_ms(),
            "guild_id": channel.guild_id,
        }
        member = self.guilds[channel.guild_id].members.get(str(user_id))
        if member is not None:
            d["member"] = self.member_wire(member)
        self.emit("TYPING_START", d, guild_id=channel.guild_id)
        return d
