"""Collectors and ``wait_for`` on the client's ``events``.

The operators machinery (:mod:`fluxer_rx.operators`) is imported by the first collector
or wait, not with the client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    from fluxer_rx.models import MessageCreate, MessageReactionAdd
    from fluxer_rx.operators import Collector
    from fluxer_rx.operators.event_time import LateEvent
    from fluxer_rx.pipeline import EventPipeline

__all__ = ["CollectorFactory"]

E = TypeVar("E")


class CollectorFactory:
    """Starts collectors and one-shot waits on the client's events; reports what
    event-time operators find late."""

    _pipeline: EventPipeline

    def report_late(self, late: LateEvent) -> None:
        """Report a late event on ``diagnostics`` (kind ``late_event``): pass it as the
        ``on_late=`` of the event-time operators, e.g. ``window_by_event_time(60,
        on_late=client.report_late)``, so no late event goes unseen."""
        self._pipeline.reporter.late_event(late)

    def _guild_of(self, channel_id: str | int) -> str | None:
        channel = self._pipeline.cache.channels.get(str(channel_id))
        return channel.guild_id if channel is not None else None

    def create_message_collector(
        self,
        channel_id: str | int,
        *,
        filter: Callable[[MessageCreate], bool] | None = None,
        max: int | None = None,
        max_processed: int | None = None,
        time: float | None = None,
        idle: float | None = None,
        dispose: bool = False,
        guild_id: str | int | None = None,
    ) -> Collector[MessageCreate]:
        """A :func:`~fluxer_rx.operators.message_collector` on ``events``, started now
        (timers on the running loop). It ends on the deletion of the channel's guild:
        ``guild_id``, or else the guild of the cached channel."""
        from fluxer_rx.operators.collectors import message_collector

        return message_collector(
            self._pipeline.events,
            channel_id,
            guild_id=guild_id if guild_id is not None else self._guild_of(channel_id),
            filter=filter,
            max=max,
            max_processed=max_processed,
            time=time,
            idle=idle,
            dispose=dispose,
        )

    def create_reaction_collector(
        self,
        channel_id: str | int,
        message_id: str | int,
        *,
        filter: Callable[[MessageReactionAdd], bool] | None = None,
        max: int | None = None,
        max_users: int | None = None,
        max_emojis: int | None = None,
        max_processed: int | None = None,
        time: float | None = None,
        idle: float | None = None,
        dispose: bool = False,
        guild_id: str | int | None = None,
    ) -> Collector[MessageReactionAdd]:
        """A :func:`~fluxer_rx.operators.reaction_collector` on ``events``, started now
        (timers on the running loop). It ends on the deletion of the channel's guild:
        ``guild_id``, or else the guild of the cached channel."""
        from fluxer_rx.operators.collectors import reaction_collector

        return reaction_collector(
            self._pipeline.events,
            channel_id,
            message_id,
            guild_id=guild_id if guild_id is not None else self._guild_of(channel_id),
            filter=filter,
            max=max,
            max_users=max_users,
            max_emojis=max_emojis,
            max_processed=max_processed,
            time=time,
            idle=idle,
            dispose=dispose,
        )

    @overload
    async def wait_for(
        self,
        event_type: type[E],
        check: Callable[[E], bool] | None = None,
        timeout: float | None = None,
    ) -> E: ...
    @overload
    async def wait_for(
        self,
        event_type: str,
        check: Callable[[Any], bool] | None = None,
        timeout: float | None = None,
    ) -> Any: ...

    async def wait_for(
        self,
        event_type: type[Any] | str,
        check: Callable[[Any], bool] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """The next event of ``event_type`` passing ``check`` (typed by the class: ``await
        client.wait_for(MessageCreate, check)`` is a ``MessageCreate``); see
        :func:`fluxer_rx.operators.wait_for` (``TimeoutError``, ``StreamClosed``)."""
        from fluxer_rx.operators.waiting import wait_for

        return await wait_for(self._pipeline.events, event_type, check, timeout)
