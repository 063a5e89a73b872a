"""``allowed_mentions``: which mentions in a message's content may notify someone.

:class:`AllowedMentions` is the typed form of Fluxer's ``AllowedMentionsRequest``
(``parse``, ``users``, ``roles``, ``replied_user``). Build one with :meth:`~AllowedMentions.none`,
:meth:`~AllowedMentions.all`, :meth:`~AllowedMentions.users` or :meth:`~AllowedMentions.roles`,
or directly; :meth:`~AllowedMentions.to_dict` gives the wire object.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal

__all__ = ["MAX_IDS", "AllowedMentions", "MentionKind"]

MentionKind = Literal["users", "roles", "everyone"]
_KINDS: Final[tuple[MentionKind, ...]] = ("users", "roles", "everyone")
MAX_IDS: Final = 100
"""At most 100 user ids and 100 role ids (Fluxer's schema)."""


@dataclass(frozen=True, slots=True)
class AllowedMentions:
    """``parse``: the kinds of mention parsed from the content; ``user_ids`` / ``role_ids``:
    only these may be notified (a kind cannot be both parsed and listed: the API refuses
    it); ``replied_user``: whether a reply notifies the author of the message it answers
    (``None``: not sent, the server's default)."""

    parse: tuple[MentionKind, ...] = ()
    user_ids: tuple[str, ...] = ()
    role_ids: tuple[str, ...] = ()
    replied_user: bool | None = None

    def __post_init__(self) -> None:
        for kind in self.parse:
            if kind not in _KINDS:
                raise ValueError(f"parse takes {_KINDS}, not {kind!r}")
        for kind, ids in (("users", self.user_ids), ("roles", self.role_ids)):
            if len(ids) > MAX_IDS:
                raise ValueError(f"at most {MAX_IDS} {kind} ids, not {len(ids)}")
            if ids and kind in self.parse:
                raise ValueError(f"{kind!r} is both parsed and listed; choose one")

    @classmethod
    def none(cls) -> AllowedMentions:
        """Nobody is notified, the replied-to author included."""
        return cls(replied_user=False)

    @classmethod
    def all(cls, *, replied_user: bool = True) -> AllowedMentions:
        """Every mention in the content notifies (users, roles, ``@everyone``)."""
        return cls(parse=_KINDS, replied_user=replied_user)

    @classmethod
    def users(cls, *user_ids: str | int, replied_user: bool = False) -> AllowedMentions:
        """Only these users (if mentioned) are notified; no roles, no ``@everyone``."""
        return cls(user_ids=_ids(user_ids), replied_user=replied_user)

    @classmethod
    def roles(cls, *role_ids: str | int, replied_user: bool = False) -> AllowedMentions:
        """Only these roles (if mentioned) are notified; no users, no ``@everyone``."""
        return cls(role_ids=_ids(role_ids), replied_user=replied_user)

    def to_dict(self) -> dict[str, Any]:
        """The ``AllowedMentionsRequest`` JSON object; ``parse`` is always sent, since its
        absence would mean "parse everything"."""
        data: dict[str, Any] = {"parse": list(self.parse)}
        if self.user_ids:
            data["users"] = list(self.user_ids)
        if self.role_ids:
            data["roles"] = list(self.role_ids)
        if self.replied_user is not None:
            data["replied_user"] = self.replied_user
        return data


def _ids(ids: Iterable[str | int]) -> tuple[str, ...]:
    return tuple(str(i) for i in ids)
