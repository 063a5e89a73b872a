"""Fluxer filtering operators and ``collect``: same values routed or filtered; virtual time."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import reactivex
from reactivex import Observable
from reactivex import operators as ops
from reactivex.subject import Subject
from reactivex.testing import ReactiveTest, TestScheduler

from fluxer_rx.models import (
    ChannelDelete,
    Events,
    GuildCreate,
    GuildDelete,
    GuildSync,
    MessageCreate,
    MessageDelete,
    MessageReactionAdd,
    MessageReactionRemove,
    PartialEmoji,
    PartialUser,
    RawEvent,
    TypingStart,
)
from fluxer_rx.operators import (
    collect,
    content_matches,
    for_message,
    from_user,
    in_channel,
    in_guild,
    of_type,
    reaction_on,
)
from fluxer_rx.routing import RoutedEventSubject, RoutedStream

on_next = ReactiveTest.on_next
on_completed = ReactiveTest.on_completed
on_error = ReactiveTest.on_error


def msg(mid: str, channel: str = "c1", user: str = "u1", guild: str | None = "g1", text: str = ""):
    return MessageCreate(
        id=mid, channel_id=channel, guild_id=guild, author=PartialUser(id=user), content=text
    )


def react(message: str, user: str = "u1", emoji: str = "x", channel: str = "c1"):
    return MessageReactionAdd(
        channel_id=channel, message_id=message, user_id=user, emoji=PartialEmoji(name=emoji)
    )


EVENTS: list[Any] = [
    msg("m1", "c1", "u1", "g1", "hello there"),
    TypingStart(channel_id="c1", user_id="u2"),
    msg("m2", "c2", "u2", "g1", "ping"),
    react("m1", "u2"),
    GuildSync(id="g1"),
    GuildCreate(id="g2"),
    msg("m3", "c3", "u1", None, "oh hello"),
    MessageReactionRemove(
        channel_id="c1", message_id="m1", user_id="u2", emoji=PartialEmoji(name="x")
    ),
    react("m2", "u1"),
    MessageDelete(id="m1", channel_id="c1", guild_id="g1"),
    ChannelDelete(id="c1"),
    GuildDelete(id="g1"),
    RawEvent(name=Events.CALL_CREATE, data={}),
    RawEvent(name=Events.CALL_DELETE, data={}),
]

OPERATORS: dict[str, tuple[Callable[[Observable[Any]], Observable[Any]], list[int]]] = {
    "of_type(MessageCreate)": (of_type(MessageCreate), [0, 2, 6]),
    "of_type(name)": (of_type(Events.MESSAGE_CREATE, TypingStart), [0, 1, 2, 6]),
    "of_type(GuildCreate) incl. GuildSync": (of_type(GuildCreate), [4, 5]),
    "of_type(raw name)": (of_type(Events.CALL_CREATE), [12]),
    "of_type(raw + class)": (of_type(Events.CALL_DELETE, GuildDelete), [11, 13]),
    "of_type(RawEvent)": (of_type(RawEvent), [12, 13]),
    "in_channel": (in_channel("c1"), [0, 1, 3, 7, 8, 9, 10]),
    "in_guild": (in_guild("g1"), [0, 2, 4, 9, 11]),
    "in_guild(int)": (in_guild(0), []),
    "from_user": (from_user("u2"), [1, 2, 3, 7]),
    "for_message": (for_message("m1"), [0, 3, 7, 9]),
    "reaction_on": (reaction_on("m1"), [3, 7]),
    "content_matches": (content_matches(r"hello"), [0, 6]),
    "content_matches(compiled)": (content_matches(re.compile("^P", re.I)), [2]),
    "of_type + in_channel": (
        lambda s: s.pipe(of_type(MessageCreate, TypingStart), in_channel("c1")),
        [0, 1],
    ),
    "in_channel + from_user": (lambda s: s.pipe(in_channel("c1"), from_user("u2")), [1, 3, 7]),
    "of_type + of_type narrows": (
        lambda s: s.pipe(of_type(GuildCreate, MessageCreate), of_type(GuildSync)),
        [4],
    ),
}


def run(source_kind: str, operator: Callable[[Observable[Any]], Observable[Any]]) -> list[Any]:
    subject: Any = RoutedEventSubject() if source_kind == "routed" else Subject()
    out: list[Any] = []
    done: list[bool] = []
    operator(subject).subscribe(out.append, on_completed=lambda: done.append(True))
    for event in EVENTS:
        subject.on_next(event)
    subject.on_completed()
    assert done == [True]
    return out


@pytest.mark.parametrize("name", list(OPERATORS))
@pytest.mark.parametrize("source_kind", ["routed", "plain"])
def test_operator_emits_exactly_the_matching_events(name: str, source_kind: str) -> None:
    operator, expected = OPERATORS[name]
    assert run(source_kind, operator) == [EVENTS[i] for i in expected]


@pytest.mark.parametrize(
    "operator",
    [of_type(MessageCreate), in_channel("c1"), in_guild("g1"), from_user("u"), reaction_on("m")],
)
def test_routing_operators_use_the_subject_routes(
    operator: Callable[[Observable[Any]], Observable[Any]],
) -> None:
    subject = RoutedEventSubject()
    stream = operator(subject)
    assert isinstance(stream, RoutedStream)
    stream.subscribe(lambda _: None)
    assert subject.routed_count == 1
    assert not subject.has_observers  # no plain subscription filtering every event


def test_errors_pass_through() -> None:
    subject: Subject[Any] = Subject()
    errors: list[Exception] = []
    subject.pipe(of_type(MessageCreate), in_channel("c1")).subscribe(on_error=errors.append)
    subject.on_error(ValueError("boom"))
    assert [str(e) for e in errors] == ["boom"]


def test_bad_arguments_fail_at_once() -> None:
    with pytest.raises(ValueError, match="unknown event name"):
        of_type("MESSAGE_CREAT")
    with pytest.raises(TypeError):
        of_type(42)  # type: ignore[call-overload]
    with pytest.raises(ValueError):
        of_type()
    with pytest.raises(TypeError):
        in_channel(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        from_user(True)
    with pytest.raises(re.error):
        content_matches("(")


def test_pipe_on_client_events_stays_loop_bound() -> None:
    subject = RoutedEventSubject()
    result = subject.pipe(of_type(MessageCreate), ops.map(lambda m: m.id))
    assert hasattr(result, "pipe")
    from fluxer_rx.streams import LoopObservable

    assert isinstance(result, LoopObservable)


# ---------------------------------------------------------------------- collect, virtual time


def start(
    scheduler: TestScheduler, operator: Callable[[Observable[Any]], Observable[Any]], *messages: Any
) -> Any:
    source = scheduler.create_hot_observable(*messages)
    return scheduler.start(lambda: source.pipe(operator), created=0, subscribed=100, disposed=1000)


def test_collect_max_counts_filtered_items() -> None:
    scheduler = TestScheduler()
    result = start(
        scheduler,
        collect(filter=lambda x: x != "b", max=2),
        on_next(110, "a"),
        on_next(120, "b"),
        on_next(130, "c"),
        on_next(140, "d"),
    )
    assert result.messages == [on_next(110, "a"), on_next(130, "c"), on_completed(130)]


def test_collect_max_processed_emits_the_last_processed_if_it_passes() -> None:
    scheduler = TestScheduler()
    result = start(
        scheduler,
        collect(filter=lambda x: x != "a", max_processed=2),
        on_next(110, "a"),
        on_next(120, "b"),
        on_next(130, "c"),
    )
    assert result.messages == [on_next(120, "b"), on_completed(120)]


def test_collect_time_counts_from_subscription() -> None:
    scheduler = TestScheduler()
    result = start(
        scheduler,
        collect(time=25.0, scheduler=scheduler),
        on_next(110, "a"),
        on_next(124, "b"),
        on_next(126, "c"),
    )
    assert result.messages == [on_next(110, "a"), on_next(124, "b"), on_completed(125)]


def test_collect_idle_restarts_on_each_item() -> None:
    scheduler = TestScheduler()
    result = start(
        scheduler,
        collect(idle=10.0, scheduler=scheduler),
        on_next(105, "a"),
        on_next(114, "b"),
        on_next(125, "c"),
    )
    assert result.messages == [on_next(105, "a"), on_next(114, "b"), on_completed(124)]


def test_collect_uses_the_subscription_scheduler() -> None:
    scheduler = TestScheduler()
    result = start(scheduler, collect(idle=10.0), on_next(150, "late"))
    assert result.messages == [on_completed(110)]


def test_collect_passes_errors_and_completion() -> None:
    scheduler = TestScheduler()
    error = ValueError("x")
    result = start(scheduler, collect(max=5), on_next(110, 1), on_error(120, error))
    assert result.messages == [on_next(110, 1), on_error(120, error)]
    scheduler = TestScheduler()
    result = start(scheduler, collect(max=5), on_completed(120))
    assert result.messages == [on_completed(120)]


def test_collect_without_any_scheduler_reports_an_error() -> None:
    errors: list[Exception] = []
    reactivex.never().pipe(collect(time=1.0)).subscribe(on_error=errors.append)
    assert isinstance(errors[0], RuntimeError)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"max": 0}, ValueError),
        ({"max": 1.5}, TypeError),
        ({"time": -1}, ValueError),
        ({"idle": "3"}, TypeError),
        ({"max_processed": True}, TypeError),
    ],
)
def test_collect_rejects_bad_limits(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        collect(**kwargs)
