"""``wait_for``'s types: by the event class, or ``Any`` for a name (checked by
tests/test_operators_waiting.py)."""

from __future__ import annotations

from typing import Any, assert_type

from reactivex import Observable

from fluxer_rx.models import GuildCreate, MessageCreate
from fluxer_rx.operators import wait_for


def is_yes(message: MessageCreate) -> bool:
    return message.content == "yes"


async def typed_by_the_class(events: Observable[object]) -> None:
    assert_type(await wait_for(events, MessageCreate), MessageCreate)
    assert_type(await wait_for(events, MessageCreate, is_yes, timeout=1), MessageCreate)
    assert_type(await wait_for(events, MessageCreate, lambda m: m.content == "yes"), MessageCreate)
    assert_type(await wait_for(events, GuildCreate, lambda g: g.name == "x"), GuildCreate)
    await wait_for(events, MessageCreate, lambda m: m.no_such == 1)  # type: ignore[attr-defined]
    await wait_for(events, GuildCreate, is_yes)  # type: ignore[arg-type]


async def names_stay_accepted(events: Observable[object]) -> None:
    assert_type(await wait_for(events, "MESSAGE_CREATE"), Any)
    assert_type(await wait_for(events, "MESSAGE_CREATE", lambda d: d.anything), Any)
