"""RoutedEventSubject: routing by class and id, isolation, lifecycle."""

from __future__ import annotations

from typing import Any

import pytest
from reactivex import abc
from reactivex import operators as ops

from fluxer_rx.models import (
    ChannelDelete,
    GuildCreate,
    GuildDelete,
    GuildSync,
    MessageCreate,
    MessageDelete,
    MessageReactionAdd,
    PartialEmoji,
    PartialUser,
    TypingStart,
)
from fluxer_rx.routing import RoutedEventSubject, channel_key, guild_key, message_key, user_key


def msg(mid: str, channel: str = "c1", user: str = "u1", guild: str | None = "g1") -> MessageCreate:
    return MessageCreate(
        id=mid, channel_id=channel, guild_id=guild, author=PartialUser(id=user), content=mid
    )


def react(message: str, user: str = "u1", channel: str = "c1") -> MessageReactionAdd:
    return MessageReactionAdd(
        channel_id=channel, message_id=message, user_id=user, emoji=PartialEmoji(name="x")
    )


def collect(observable: Any) -> list[Any]:
    out: list[Any] = []
    observable.subscribe(out.append)
    return out


def test_plain_subscribers_see_everything_routed_only_their_types() -> None:
    subject = RoutedEventSubject()
    everything = collect(subject)
    messages = collect(subject.stream(MessageCreate))
    typing = collect(subject.stream(TypingStart, MessageCreate))
    events = [msg("1"), TypingStart(channel_id="c1", user_id="u1"), react("1")]
    for event in events:
        subject.on_next(event)
    assert everything == events
    assert messages == [events[0]]
    assert typing == events[:2]


def test_subclasses_are_routed_like_isinstance() -> None:
    subject = RoutedEventSubject()
    created = collect(subject.stream(GuildCreate))
    synced = collect(subject.stream(GuildSync))
    sync = GuildSync(id="g1")
    create = GuildCreate(id="g2")
    subject.on_next(sync)
    subject.on_next(create)
    assert created == [sync, create]
    assert synced == [sync]


def test_no_classes_means_every_class() -> None:
    subject = RoutedEventSubject()
    in_c1 = collect(subject.stream(channel_id="c1"))
    a, b, c = msg("1", "c1"), msg("2", "c2"), ChannelDelete(id="c1")
    for event in (a, b, c):
        subject.on_next(event)
    assert in_c1 == [a, c]


def test_id_conditions_route_and_combine() -> None:
    subject = RoutedEventSubject()
    c1 = collect(subject.stream(MessageCreate, channel_id="c1"))
    c1_u2 = collect(subject.stream(MessageCreate, channel_id="c1", user_id="u2"))
    g1_int = collect(subject.stream(MessageCreate, guild_id=1))
    events = [msg("1", "c1", "u1"), msg("2", "c1", "u2"), msg("3", "c2", "u2", "1")]
    for event in events:
        subject.on_next(event)
    assert c1 == events[:2]
    assert c1_u2 == [events[1]]
    assert g1_int == [events[2]]


def test_contradicting_conditions_match_nothing() -> None:
    subject = RoutedEventSubject()
    stream = subject.stream(MessageCreate, channel_id="c1").narrowed(where={"channel_id": "c2"})
    out = collect(stream)
    subject.on_next(msg("1", "c1"))
    subject.on_next(msg("2", "c2"))
    assert out == []


def test_narrowing_intersects_classes() -> None:
    subject = RoutedEventSubject()
    out = collect(subject.stream(GuildCreate, MessageCreate).narrowed(types=[GuildSync]))
    sync, create = GuildSync(id="g"), GuildCreate(id="g")
    for event in (sync, create, msg("1")):
        subject.on_next(event)
    assert out == [sync]


def test_dispose_removes_the_routed_subscriber() -> None:
    subject = RoutedEventSubject()
    out: list[Any] = []
    subscription = subject.stream(MessageCreate, channel_id="c1").subscribe(out.append)
    subject.on_next(msg("1"))
    assert subject.routed_count == 1
    subscription.dispose()
    subject.on_next(msg("2"))
    assert [m.id for m in out] == ["1"]
    assert subject.routed_count == 0
    subscription.dispose()  # idempotent


def test_take_completes_and_unregisters() -> None:
    subject = RoutedEventSubject()
    out = collect(subject.stream(MessageCreate).pipe(ops.take(1)))
    subject.on_next(msg("1"))
    subject.on_next(msg("2"))
    assert [m.id for m in out] == ["1"]
    assert subject.routed_count == 0


def test_subscriber_errors_are_isolated() -> None:
    errors: list[Exception] = []
    subject = RoutedEventSubject(errors.append)

    def boom(_: object) -> None:
        raise RuntimeError("boom")

    subject.stream(MessageCreate).subscribe(boom)
    subject.stream(MessageCreate, channel_id="c1").subscribe(boom)
    after = collect(subject.stream(MessageCreate, channel_id="c1"))
    subject.on_next(msg("1"))
    subject.on_next(msg("2"))
    assert len(errors) == 4
    assert len(after) == 2


def test_changes_during_delivery_apply_from_the_next_event() -> None:
    subject = RoutedEventSubject()
    late: list[Any] = []

    def subscribe_more(_: object) -> None:
        if not late:
            late.append("armed")
            subject.stream(MessageCreate, user_id="u1").subscribe(late.append)

    subject.stream(MessageCreate, channel_id="c1").subscribe(subscribe_more)
    first, second = msg("1"), msg("2")
    subject.on_next(first)
    subject.on_next(second)
    assert late == ["armed", second]


def test_completion_and_error_reach_routed_subscribers() -> None:
    subject = RoutedEventSubject()
    done: list[str] = []
    subject.stream(MessageCreate).subscribe(on_completed=lambda: done.append("a"))
    subject.stream(MessageCreate, channel_id="c").subscribe(on_completed=lambda: done.append("b"))
    subject.on_completed()
    assert done == ["a", "b"]
    subject.stream(MessageCreate).subscribe(on_completed=lambda: done.append("late"))
    assert done[-1] == "late"
    assert subject.routed_count == 0

    failing = RoutedEventSubject()
    errors: list[Exception] = []
    failing.stream(MessageCreate).subscribe(on_error=errors.append)
    failing.on_error(ValueError("x"))
    failing.stream(MessageCreate).subscribe(on_error=errors.append)
    assert [str(e) for e in errors] == ["x", "x"]


def test_bad_arguments_are_typed_errors() -> None:
    subject = RoutedEventSubject()
    with pytest.raises(TypeError):
        subject.stream("MESSAGE_CREATE")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="unknown id kind"):
        subject.stream(MessageCreate, room_id="1")
    with pytest.raises(TypeError):
        subject.stream(MessageCreate, channel_id=None)  # type: ignore[arg-type]


def test_key_functions() -> None:
    message = msg("m1", "c1", "u1", "g1")
    assert (channel_key(message), guild_key(message), user_key(message)) == ("c1", "g1", "u1")
    assert message_key(message) == "m1"
    assert message_key(MessageDelete(id="m2", channel_id="c")) == "m2"
    assert message_key(react("m3")) == "m3"
    assert user_key(react("m3", user="u9")) == "u9"
    assert channel_key(ChannelDelete(id="c7")) == "c7"
    assert guild_key(GuildDelete(id="g7")) == "g7"
    assert guild_key(GuildCreate(id="g8")) == "g8"
    assert channel_key(GuildCreate(id="g8")) is None
    assert user_key(GuildCreate(id="g8")) is None


def test_subscribing_during_delivery_on_an_existing_key_kind_waits_for_the_next_event() -> None:
    subject = RoutedEventSubject()
    late: list[Any] = []
    subject.stream(MessageCreate, user_id="someone").subscribe(lambda _: None)

    def subscribe_more(event: object) -> None:
        if not late:
            late.append("armed")
            subject.stream(MessageCreate, user_id="u1").subscribe(late.append)
            subject.stream(MessageCreate, channel_id="c1").subscribe(late.append)
            subject.stream(MessageCreate).subscribe(late.append)

    subject.subscribe(subscribe_more)  # a plain subscriber, delivered first
    first, second = msg("1"), msg("2")
    subject.on_next(first)
    subject.on_next(second)
    assert late == ["armed", second, second, second]


def test_a_subscription_disposed_during_delivery_gets_nothing_more() -> None:
    subject = RoutedEventSubject()
    got: list[Any] = []
    subscriptions: list[Any] = []

    def drop_other(_: object) -> None:
        for subscription in subscriptions:
            subscription.dispose()

    subject.stream(MessageCreate, channel_id="c1").subscribe(drop_other)
    subscriptions.append(subject.stream(MessageCreate, user_id="u1").subscribe(got.append))
    subject.on_next(msg("1"))  # disposed before its turn: the Rx contract says no value
    subject.on_next(msg("2"))
    assert got == []
    assert subject.routed_count == 1


# ---------------------------------------------------------------------- route(): plain callables


def test_route_delivers_the_stream_events_in_order_through_plain_callables() -> None:
    subject = RoutedEventSubject()
    got: list[Any] = []
    narrow: list[Any] = []
    subject.stream(MessageCreate, channel_id="c1").route(got.append)
    subject.stream(MessageCreate, channel_id="c1", user_id="u2").route(narrow.append)
    events = [msg("1"), msg("2", channel="c2"), react("3"), msg("4", user="u2"), msg("5")]
    for event in events:
        subject.on_next(event)
    assert [m.id for m in got] == ["1", "4", "5"]
    assert [m.id for m in narrow] == ["4"]
    assert subject.routed_count == 2


def test_route_on_several_id_kinds_of_one_class() -> None:
    subject = RoutedEventSubject()
    got: list[str] = []
    subject.stream(MessageCreate, channel_id="c1").route(lambda m: got.append("channel"))
    subject.stream(MessageCreate, user_id="u1").route(lambda m: got.append("user"))
    subject.stream(MessageCreate, guild_id="g1").route(lambda m: got.append("guild"))
    subject.stream(MessageCreate).route(lambda m: got.append("any"))
    subject.on_next(msg("1"))
    assert got == ["any", "channel", "user", "guild"]
    got.clear()
    subject.on_next(msg("2", channel="c2", user="u9", guild="g1"))
    assert got == ["any", "guild"]


def test_route_errors_go_to_the_sink_and_the_route_stays() -> None:
    errors: list[Exception] = []
    subject = RoutedEventSubject(errors.append)
    after: list[Any] = []

    def boom(_: object) -> None:
        raise RuntimeError("boom")

    subject.stream(MessageCreate, channel_id="c1").route(boom)
    subject.stream(MessageCreate, channel_id="c1").route(after.append)
    subject.on_next(msg("1"))
    subject.on_next(msg("2"))
    assert [str(e) for e in errors] == ["boom", "boom"]
    assert [m.id for m in after] == ["1", "2"]


def test_a_route_disposed_during_delivery_gets_nothing_more() -> None:
    subject = RoutedEventSubject()
    got: list[Any] = []
    routes: list[Any] = []

    def drop_others(_: object) -> None:
        for route in routes:
            route.dispose()

    subject.stream(MessageCreate).route(drop_others)  # no id: delivered before keyed routes
    routes.append(subject.stream(MessageCreate).route(got.append))
    routes.append(subject.stream(MessageCreate, channel_id="c1").route(got.append))
    routes.append(subject.stream(MessageCreate, user_id="u1").route(got.append))
    subject.on_next(msg("1"))  # looked up before the first call, disposed before its turn
    subject.on_next(msg("2"))
    assert got == []
    assert subject.routed_count == 1
    routes[0].dispose()  # twice: harmless
    assert subject.routed_count == 1


def test_a_route_added_during_delivery_starts_with_the_next_event() -> None:
    subject = RoutedEventSubject()
    late: list[Any] = []

    def add_routes(_: object) -> None:
        if not late:
            late.append("armed")
            subject.stream(MessageCreate, channel_id="c1").route(late.append)
            subject.stream(MessageCreate, guild_id="g1").route(late.append)

    subject.stream(MessageCreate, channel_id="c1").route(add_routes)
    first, second = msg("1"), msg("2")
    subject.on_next(first)
    subject.on_next(second)
    assert late == ["armed", second, second]


def test_route_completion_and_error_once_then_gone() -> None:
    subject = RoutedEventSubject()
    done: list[str] = []
    subject.stream(MessageCreate).route(done.append, on_completed=lambda: done.append("a|"))
    subject.stream(MessageCreate, channel_id="c").route(
        done.append, on_completed=lambda: done.append("b|")
    )
    subject.stream(MessageCreate).route(done.append)  # not told
    subject.on_completed()
    subject.on_completed()
    assert done == ["a|", "b|"]
    assert subject.routed_count == 0
    subject.stream(MessageCreate).route(done.append, on_completed=lambda: done.append("late|"))
    assert done == ["a|", "b|", "late|"]
    subject.on_next(msg("1"))
    assert done == ["a|", "b|", "late|"]

    failing = RoutedEventSubject()
    errors: list[str] = []
    failing.stream(MessageCreate).route(done.append, on_error=lambda e: errors.append(str(e)))
    failing.on_error(ValueError("x"))
    failing.stream(MessageCreate).route(done.append, on_error=lambda e: errors.append(str(e)))
    assert errors == ["x", "x"]


def test_a_route_disposed_by_another_one_s_completion_is_not_told() -> None:
    subject = RoutedEventSubject()
    done: list[str] = []
    second: list[Any] = []
    subject.stream(MessageCreate).route(
        done.append, on_completed=lambda: [d.dispose() for d in second]
    )
    second.append(
        subject.stream(MessageCreate).route(done.append, on_completed=lambda: done.append("|"))
    )
    subject.on_completed()
    assert done == []


def test_a_route_is_a_disposable_and_a_context_manager() -> None:
    subject = RoutedEventSubject()
    got: list[Any] = []
    with subject.stream(MessageCreate, channel_id="c1").route(got.append) as route:
        assert isinstance(route, abc.DisposableBase)
        subject.on_next(msg("1"))
    subject.on_next(msg("2"))
    assert [m.id for m in got] == ["1"]
    assert subject.routed_count == 0
