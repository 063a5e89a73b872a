"""The :class:`Context` a command receives: the message, who sent it where, and replies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fluxer_rx.models import Member, Message, MessageCreate, PartialUser

if TYPE_CHECKING:
    from fluxer_rx.client import Client
    from fluxer_rx.commands.command import Command

__all__ = ["Context"]


class Context:
    """One invocation of a command.

    ``message`` is the MESSAGE_CREATE that invoked it, ``client`` the client that received
    it, ``command`` the command, ``prefix`` and ``invoked_with`` (the name or alias used)
    what matched, ``text`` the argument text after the name, ``owner_ids`` the bot's
    owners (``Commands(owner_ids=...)``). ``args`` / ``kwargs`` hold
    the converted arguments once they are parsed (empty before).
    """

    __slots__ = (
        "args",
        "client",
        "command",
        "invoked_with",
        "kwargs",
        "message",
        "owner_ids",
        "prefix",
        "text",
    )

    def __init__(
        self,
        client: Client,
        message: MessageCreate,
        command: Command,
        *,
        prefix: str,
        invoked_with: str,
        text: str,
        owner_ids: frozenset[str] = frozenset(),
    ) -> None:
        self.client = client
        self.message = message
        self.command = command
        self.prefix = prefix
        self.invoked_with = invoked_with
        self.text = text
        self.owner_ids = owner_ids
        self.args: list[Any] = []
        self.kwargs: dict[str, Any] = {}

    def __repr__(self) -> str:
        return (
            f"<Context {self.prefix}{self.invoked_with} by {self.author_id} in {self.channel_id}>"
        )

    @property
    def author(self) -> PartialUser:
        """Who sent the message."""
        return self.message.author

    @property
    def author_id(self) -> str:
        """The sender's user id."""
        return self.message.author.id

    @property
    def channel_id(self) -> str:
        """The channel the message was sent in."""
        return self.message.channel_id

    @property
    def guild_id(self) -> str | None:
        """The guild of the channel (``None`` in a DM)."""
        return self.message.guild_id

    @property
    def member(self) -> Member | None:
        """The sender's guild member as the message carried it (roles included, no
        ``user``); ``None`` in a DM."""
        return self.message.member

    async def send(self, content: str | Mapping[str, Any]) -> Message:
        """Post ``content`` (text, or a full message body) in the invoking channel."""
        return await self.client.channels.send(self.channel_id, content)

    async def reply(self, content: str | Mapping[str, Any]) -> Message:
        """Post ``content`` as a reply to the invoking message (``message_reference``),
        without pinging anyone (``allowed_mentions`` parses nothing)."""
        body: dict[str, Any] = {"content": content} if isinstance(content, str) else dict(content)
        body.setdefault(
            "message_reference",
            {"message_id": self.message.id, "channel_id": self.channel_id},
        )
        body.setdefault("allowed_mentions", {"parse": [], "replied_user": False})
        return await self.client.channels.send(self.channel_id, body)
