"""Token normalisation shared by the gateway and the REST client.

A user may hand us a token bare (``"123.abc"``) or with the scheme of an
``Authorization`` header (``"Bot 123.abc"``, ``"bearer xyz"``, any case). Both layers
must agree on what the bare token is, so both use :func:`split_token`. Nothing here
ever puts the token into an exception message.
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = ["TokenScheme", "bare_token", "split_token"]

TokenScheme = Literal["Bot", "Bearer"]

_SCHEMES: Final[tuple[TokenScheme, ...]] = ("Bot", "Bearer")


def split_token(token: str) -> tuple[TokenScheme | None, str]:
    """``(scheme, bare)``: one leading ``Bot `` or ``Bearer `` (any case) split off.

    ``scheme`` is spelled canonically (``"Bot"``/``"Bearer"``) or ``None`` when the token
    had no prefix; ``bare`` has no surrounding whitespace. Raises ``TypeError`` for a
    non-``str`` and ``ValueError`` when no token is left.
    """
    if not isinstance(token, str):
        raise TypeError("token must be a string")
    bare = token.strip()
    lowered = bare.lower()
    found: TokenScheme | None = None
    for scheme in _SCHEMES:
        prefix = scheme.lower()
        if lowered == prefix or lowered.startswith(prefix + " "):
            bare = bare[len(prefix) :].strip()
            found = scheme
            break
    if not bare:
        raise ValueError("token must be a non-empty string")
    return found, bare


def bare_token(token: str) -> str:
    """The bare token: a leading ``Bot `` or ``Bearer `` (any case) is removed."""
    return split_token(token)[1]
