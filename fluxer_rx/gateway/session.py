"""A gateway session as a value: what another process needs to RESUME it.

A :class:`Session` is immutable and never holds the token: the token is given to the
:class:`~fluxer_rx.gateway.protocol.GatewayProtocol` that resumes it, which may live in
another process. :meth:`Session.to_bytes` / :meth:`Session.from_bytes` are the wire form
(compact JSON with a ``version`` field), so a session can be kept in Redis, a file or a
message and resumed elsewhere::

    blob = protocol.session.to_bytes()            # after READY, in process A
    GatewayProtocol(token, session=Session.from_bytes(blob))   # in process B: RESUMEs

A session is resumable only while the server keeps it (Fluxer: 10 s to 60 s after its
socket dropped, PROTOCOL §1.6); a stale one gets op 9 and the protocol IDENTIFYs.
"""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

__all__ = ["SESSION_VERSION", "Session"]

SESSION_VERSION = 1
"""The :meth:`Session.to_bytes` format written by this version of fluxer_rx."""


class Session(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One gateway session: ``session_id`` from READY, ``seq`` the last sequence number
    delivered in it, ``resume_url`` READY's ``resume_gateway_url`` (``None``: resume on
    the normal gateway URL), and ``shard`` the ``(shard_id, shard_count)`` it was
    identified with (``None``: unsharded).

    Construction checks the fields (``ValueError``); equal sessions compare equal.
    """

    VERSION: ClassVar[int] = SESSION_VERSION

    version: int = SESSION_VERSION
    session_id: str
    seq: int
    resume_url: str | None = None
    shard: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if self.version != SESSION_VERSION:
            raise ValueError(
                f"session format version {self.version} is not supported "
                f"(this fluxer_rx reads version {SESSION_VERSION})"
            )
        if not self.session_id:
            raise ValueError("session_id must not be empty")
        if self.seq < 0:
            raise ValueError(f"seq must be >= 0, got {self.seq}")
        if self.resume_url is not None and not self.resume_url:
            raise ValueError("resume_url must be None or a URL")
        if self.shard is not None:
            shard_id, shard_count = self.shard
            if shard_count < 1 or not 0 <= shard_id < shard_count:
                raise ValueError(f"invalid shard {self.shard!r}: need 0 <= id < count")

    def to_bytes(self) -> bytes:
        """The session as compact JSON: ``{"version":1,"session_id":...,"seq":...,
        "resume_url":...,"shard":[id,count]|null}``."""
        return _encode(self)

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview | str) -> Session:
        """The session that :meth:`to_bytes` wrote. ``ValueError`` when ``data`` is not
        such a session (bad JSON, a missing or mistyped field, an unknown field, or a
        version this fluxer_rx cannot read)."""
        try:
            version = _peek_version(data)
        except msgspec.DecodeError as exc:
            raise ValueError(f"not a serialised Session: {exc}") from None
        if version != SESSION_VERSION:
            raise ValueError(
                f"session format version {version!r} is not supported "
                f"(this fluxer_rx reads version {SESSION_VERSION})"
            )
        try:
            return _decode(data)
        except msgspec.ValidationError as exc:
            raise ValueError(f"not a valid Session: {exc}") from None
        except msgspec.DecodeError as exc:
            raise ValueError(f"not a serialised Session: {exc}") from None


class _Versioned(msgspec.Struct):
    version: Any = None


_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(Session).decode
_decode_version = msgspec.json.Decoder(_Versioned).decode


def _peek_version(data: bytes | bytearray | memoryview | str) -> Any:
    """The ``version`` field alone, so a newer format is refused by its version rather
    than by whichever of its fields this reader does not know."""
    return _decode_version(data).version
