"""The demo's analytics over ``client.events``: rates, types, busy channels, active users.

:class:`Activity` subscribes to a client's typed event stream and keeps, in bounded
memory: the events per second (for the sparkline), the total per event type (wire names,
``MESSAGE_CREATE``...), and over a sliding window the events per channel and the messages
per author. Channel names are looked up in the client's cache when shown, so a channel
renamed during the run shows its current name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Final

from reactivex.abc import DisposableBase

from fluxer_rx.client import Client
from fluxer_rx.demo.windows import RateHistory, SlidingCounter
from fluxer_rx.models import EVENT_TYPES, MessageCreate
from fluxer_rx.routing import channel_key

__all__ = ["Activity"]

WIRE_NAMES: Final[dict[type, str]] = {cls: name for name, cls in EVENT_TYPES.items()}


def wire_name(event: object) -> str:
    """The gateway's name of a typed event (``MESSAGE_CREATE``), else its class name."""
    return WIRE_NAMES.get(type(event), type(event).__name__)


class Activity:
    """Live counts of one client's events; :meth:`close` unsubscribes.

    ``window`` is the sliding window, in seconds, of :meth:`top_channels` and
    :meth:`top_users`; ``clock`` gives the time (the loop's clock in the demo).
    """

    def __init__(self, client: Client, clock: Callable[[], float], *, window: float = 10.0):
        self.window = window
        self.by_type: Counter[str] = Counter()
        self.rates = RateHistory(clock)
        self.channels: SlidingCounter[str] = SlidingCounter(window, clock)
        self.users: SlidingCounter[str] = SlidingCounter(window, clock)
        self._client = client
        self._clock = clock
        self._subscription: DisposableBase = client.events.subscribe(self._count)

    def restart_rates(self) -> None:
        """Count events per second from now on (e.g. from the start of the traffic)."""
        self.rates = RateHistory(self._clock)

    def _count(self, event: object) -> None:
        self.by_type[wire_name(event)] += 1
        self.rates.add()
        channel_id = channel_key(event)
        if channel_id is not None:
            self.channels.add(channel_id)
        if isinstance(event, MessageCreate):
            author = event.author
            self.users.add(author.global_name or author.username or author.id)

    def channel_label(self, channel_id: str) -> str:
        """``#name`` and its guild's initials from the cache (``#general CH1`` for
        #general in "Cloud Harbor 1"); ``#<id>`` for a channel no longer cached."""
        channel = self._client.channels.get(channel_id)
        if channel is None:
            return f"#{channel_id}"
        guild = self._client.guilds.get(channel.guild_id) if channel.guild_id else None
        initials = "".join(word[0] for word in (guild.name or "").split()) if guild else ""
        return f"#{channel.name or channel_id} {initials}".rstrip()

    def top_channels(self, n: int) -> list[tuple[str, int]]:
        """The ``n`` channels with the most events in the window, as ``(label, count)``."""
        return [(self.channel_label(c), k) for c, k in self.channels.most_common(n)]

    def top_users(self, n: int) -> list[tuple[str, int]]:
        """The ``n`` authors of the most messages in the window, as ``(name, count)``."""
        return self.users.most_common(n)

    def close(self) -> None:
        """Stop counting."""
        self._subscription.dispose()
