"""RoutedEventSubject: delivery to routes with no id condition (the class-only fast path
that ``of_type`` streams and the event-time operators take)."""

from __future__ import annotations

from typing import Any

from fluxer_rx.models import MessageCreate, PartialUser, TypingStart
from fluxer_rx.routing import RoutedEventSubject


def msg(mid: str) -> MessageCreate:
    return MessageCreate(id=mid, channel_id="c1", author=PartialUser(id="u1"), content=mid)


def test_plain_then_routed_in_subscription_order_each_event_once() -> None:
    subject = RoutedEventSubject()
    seen: list[tuple[str, str]] = []
    subject.stream(MessageCreate).route(lambda e: seen.append(("a", e.id)))
    subject.subscribe(lambda e: seen.append(("plain", getattr(e, "id", "typing"))))
    subject.stream(MessageCreate).subscribe(lambda e: seen.append(("b", e.id)))
    subject.on_next(msg("1"))
    subject.on_next(TypingStart(channel_id="c1", user_id="u1", timestamp=1))
    subject.on_next(msg("2"))
    assert seen == [
        ("plain", "1"), ("a", "1"), ("b", "1"),
        ("plain", "typing"),  # not a MessageCreate: the plain subscriber only
        ("plain", "2"), ("a", "2"), ("b", "2"),
    ]  # fmt: skip


def test_a_route_added_by_a_plain_subscriber_starts_with_the_next_event() -> None:
    subject = RoutedEventSubject()
    got: list[str] = []
    subject.stream(MessageCreate).route(lambda e: got.append("first " + e.id))

    def add_route(event: Any) -> None:
        if event.id == "1":  # the plain subscriber runs before the routed ones
            subject.stream(MessageCreate).route(lambda e: got.append("late " + e.id))

    subject.subscribe(add_route)
    subject.on_next(msg("1"))
    subject.on_next(msg("2"))
    assert got == ["first 1", "first 2", "late 2"]


def test_a_route_disposed_during_delivery_gets_nothing_more_others_go_on() -> None:
    subject = RoutedEventSubject()
    got: list[str] = []
    later: list[Any] = []
    subject.stream(MessageCreate).route(lambda _e: later[0].dispose())
    later.append(subject.stream(MessageCreate).route(lambda e: got.append("gone " + e.id)))
    subject.stream(MessageCreate).route(lambda e: got.append("kept " + e.id))
    subject.on_next(msg("1"))
    subject.on_next(msg("2"))
    assert got == ["kept 1", "kept 2"]
    assert subject.routed_count == 2


def test_errors_of_plain_and_routed_subscribers_go_to_the_sink_and_delivery_goes_on() -> None:
    errors: list[Exception] = []
    subject = RoutedEventSubject(errors.append)
    got: list[str] = []

    def boom(event: Any) -> None:
        raise RuntimeError("boom " + event.id)

    subject.subscribe(boom)
    subject.stream(MessageCreate).route(boom)
    subject.stream(MessageCreate).route(lambda e: got.append(e.id))
    subject.on_next(msg("1"))
    subject.on_next(msg("2"))
    assert got == ["1", "2"]
    assert [str(e) for e in errors] == ["boom 1", "boom 1", "boom 2", "boom 2"]
