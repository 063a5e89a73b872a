"""What the cache keeps and how much of it: :class:`CacheOptions`, :class:`CachedResource`,
:class:`CacheSizeLimits`.

These are the cache layer's own options; :class:`~fluxer_rx.ClientOptions` composes them
as its ``cache`` field, and the cache never sees ``ClientOptions``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["CacheOptions", "CacheSizeLimits", "CachedResource"]


class CachedResource(enum.Flag):
    """The stores of the cache that can be switched on or off.

    Guilds and channels are always cached (readiness, permissions and member requests
    depend on them); these are the rest. Combine with ``|``, remove with ``& ~``:
    ``CachedResource.DEFAULT | CachedResource.PRESENCES``.
    """

    USERS = enum.auto()
    """Users by id (message authors, members' users, REST results). Without it the cache
    still knows the bot user (``self_user``)."""
    MEMBERS = enum.auto()
    """Guild members, by guild then user id."""
    PRESENCES = enum.auto()
    """Presences of users who are not offline."""
    VOICE_STATES = enum.auto()
    """Voice states of users in a voice channel."""
    MESSAGES = enum.auto()
    """Recent messages per channel, up to :attr:`CacheOptions.message_cache_size` (0, the
    default size, keeps none)."""

    DEFAULT = USERS | MEMBERS | MESSAGES
    """Users, members and (when ``message_cache_size`` > 0) messages: what a bot needs to
    answer commands, without the traffic-heavy presences and voice states."""
    ALL = USERS | MEMBERS | PRESENCES | VOICE_STATES | MESSAGES
    """Every store."""


@dataclass(frozen=True, slots=True)
class CacheSizeLimits:
    """Per-entity upper bounds of the cache; ``None`` means unbounded.

    A bound holds after every event: the write that passes it evicts, at once, exactly
    as many entries as it takes to be back at the bound, never the entry being written.
    Eviction is *second chance* (CLOCK), an approximation of least-recently-used that
    costs about 8 bytes per entry where exact LRU costs over 100: entries are considered
    in the order they were stored; one used since the sweep last passed it (read with a
    ``get_*`` / ``touch_*`` method, or written by an event, such as a message's author and
    member) goes to the back of the line instead, and the first one not used is evicted.
    So the entries used since the sweep last passed them outlive all the others. Evicting
    a guild takes its channels, members, voice states and messages with it; an evicted
    user or member is gone from every index. ``members`` counts members across all
    guilds, in one order.
    """

    guilds: int | None = None
    channels: int | None = None
    users: int | None = None
    members: int | None = None

    def __post_init__(self) -> None:
        for name in ("guilds", "channels", "users", "members"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"a cache limit must be >= 0 or None, not {name}={value}")


@dataclass(frozen=True, slots=True)
class CacheOptions:
    """What the cache keeps (``resources``), how many of each (``limits``) and how many
    recent messages per channel (``message_cache_size``, used when ``resources`` has
    ``MESSAGES``).

    Raises ``ValueError`` for a negative size or limit, so a mistake fails where the
    options are written rather than at login.
    """

    resources: CachedResource = CachedResource.DEFAULT
    limits: CacheSizeLimits = field(default_factory=CacheSizeLimits)
    message_cache_size: int = 0

    def __post_init__(self) -> None:
        if self.message_cache_size < 0:
            raise ValueError(f"message_cache_size must be >= 0, not {self.message_cache_size}")

    def keeps(self, resource: CachedResource) -> bool:
        """Whether every store in ``resource`` is switched on (messages: also
        ``message_cache_size`` > 0)."""
        if CachedResource.MESSAGES in resource and not self.message_cache_size:
            return False
        return resource in self.resources
