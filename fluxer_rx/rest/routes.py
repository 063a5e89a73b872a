"""Routes: an HTTP method, a path template and the values of its parameters.

A :class:`Route` knows three things the rate limiter needs without talking to the server:

* ``key``: ``"METHOD /template"``, the identity of the route family before the server has
  told us its bucket (``X-RateLimit-Bucket``, [N] servers only);
* ``major``: the values of the *major* parameters (``channel_id``, ``guild_id``,
  ``webhook_id`` with its token), because Fluxer keys every bucket by route family *and*
  major resource;
* ``path``: the concrete, percent-encoded path to request.

``display`` is the path with secret parameters (webhook tokens) masked; it is what errors and
logs show. A Route never holds the bot token.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Final
from urllib.parse import quote

__all__ = ["MAJOR_PARAMETERS", "SECRET_PARAMETERS", "Route"]

MAJOR_PARAMETERS: Final = ("channel_id", "guild_id", "webhook_id", "webhook_token")
"""Parameters whose values split a route family into separate buckets."""

SECRET_PARAMETERS: Final = frozenset({"webhook_token"})
"""Parameters never shown in errors or logs (they authenticate the request)."""

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class Route:
    """One request target: ``Route("GET", "/channels/{channel_id}", channel_id=123)``.

    Every ``{name}`` in ``template`` must be given as a keyword and no other keyword is
    accepted (``ValueError`` otherwise). Values are converted with ``str`` and
    percent-encoded (``:`` stays literal so custom emoji ``name:id`` keep their shape).
    """

    __slots__ = ("display", "key", "major", "method", "path", "template")

    def __init__(self, method: str, template: str, **params: object) -> None:
        names = _PLACEHOLDER.findall(template)
        missing = [n for n in names if n not in params]
        extra = [n for n in params if n not in names]
        if missing or extra:
            raise ValueError(
                f"route {method} {template}: missing parameters {missing}, unexpected {extra}"
            )
        values: Mapping[str, str] = {n: str(v) for n, v in params.items()}
        for name, value in values.items():
            if value == "":
                raise ValueError(f"route {method} {template}: parameter {name!r} is empty")
        self.method: str = method.upper()
        self.template: str = template
        self.key: str = f"{self.method} {template}"
        self.path: str = _PLACEHOLDER.sub(lambda m: quote(values[m.group(1)], safe=":@"), template)
        self.display: str = _PLACEHOLDER.sub(
            lambda m: (
                "{" + m.group(1) + "}"
                if m.group(1) in SECRET_PARAMETERS
                else quote(values[m.group(1)], safe=":@")
            ),
            template,
        )
        self.major: str = _major_of(values)

    def __repr__(self) -> str:
        return f"<Route {self.method} {self.display}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Route):
            return NotImplemented
        return (self.method, self.path) == (other.method, other.path)

    def __hash__(self) -> int:
        return hash((self.method, self.path))


def _major_of(values: Mapping[str, str]) -> str:
    parts: list[str] = []
    for name in MAJOR_PARAMETERS:
        value = values.get(name)
        if value is None:
            continue
        if name in SECRET_PARAMETERS:
            # Keep buckets per webhook token apart without keeping the token itself.
            value = hashlib.sha256(value.encode()).hexdigest()[:16]
        parts.append(f"{name}={value}")
    return "&".join(parts)
