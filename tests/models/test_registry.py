"""The event registry is the one table of dispatch names: ``Events``, the decoder's
``EVENT_TYPES``, ``ALL_EVENT_NAMES`` and the package's exports all agree with it."""

from __future__ import annotations

import inspect
import re

import pytest

import fluxer_rx.models as models
from fluxer_rx.models import (
    ALL_EVENT_NAMES,
    EVENT_REGISTRY,
    EVENT_TYPES,
    EventRegistry,
    Events,
    EventSpec,
    Model,
    RawEvent,
    decode_event,
)
from fluxer_rx.models import events as events_module

EVENTS_CONSTANTS = {key: value for key, value in vars(Events).items() if key.isupper()}


def test_every_events_constant_is_its_own_name_and_registered() -> None:
    assert EVENTS_CONSTANTS, "Events has constants"
    for key, value in EVENTS_CONSTANTS.items():
        assert key == value
    assert set(EVENTS_CONSTANTS.values()) == set(EVENT_REGISTRY.by_name) == ALL_EVENT_NAMES
    assert len(EVENT_REGISTRY) == len(EVENTS_CONSTANTS)


def test_the_decoder_table_is_the_registry_rows_with_a_class() -> None:
    rows = {spec.name: spec.payload for spec in EVENT_REGISTRY if spec.payload is not None}
    assert rows == EVENT_TYPES
    assert EVENT_REGISTRY.event_types() == EVENT_TYPES
    assert {cls: EVENT_REGISTRY.by_payload[cls].name for cls in EVENT_TYPES.values()} == {
        cls: name for name, cls in EVENT_TYPES.items()
    }


@pytest.mark.parametrize(
    "name", sorted(spec.name for spec in EVENT_REGISTRY if spec.payload is None)
)
def test_a_registered_name_without_a_class_decodes_to_a_raw_event(name: str) -> None:
    event = decode_event(name, b'{"x":1}')
    assert event == RawEvent(name=name, data={"x": 1})
    assert not EVENT_REGISTRY.by_name[name].reduced  # nothing to fold in a raw event


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def test_payload_classes_are_named_after_their_event_and_exported() -> None:
    defined = {
        name
        for name, obj in vars(events_module).items()
        if inspect.isclass(obj)
        and issubclass(obj, Model)
        and obj.__module__ == events_module.__name__
    }
    assert set(events_module.__all__) == defined
    for name, cls in EVENT_TYPES.items():
        assert cls.__name__ == _camel(name)
        assert cls.__module__ == events_module.__name__
        assert getattr(models, cls.__name__) is cls
        assert cls.__name__ in models.__all__
    # every class of the events module that is no payload is a part of one (RtcRegion)
    assert defined - {cls.__name__ for cls in EVENT_TYPES.values()} == {"RtcRegion"}


def test_every_exported_name_exists() -> None:
    assert len(models.__all__) == len(set(models.__all__))
    for name in models.__all__:
        assert hasattr(models, name), name


def test_ignored_rows_say_why() -> None:
    ignored = EVENT_REGISTRY.ignored_by_cache()
    for spec in EVENT_REGISTRY:
        if spec.reduced:
            assert spec.name not in ignored and spec.payload is not None
        else:
            assert re.search(r"\w{3,}", ignored[spec.name]), spec.name


def test_the_registry_refuses_duplicates_and_silent_ignores() -> None:
    ready = EventSpec("READY", models.Ready, None)
    with pytest.raises(ValueError, match="READY is registered twice"):
        EventRegistry((ready, EventSpec("READY", None, "x")))
    with pytest.raises(ValueError, match="Ready is registered twice"):
        EventRegistry((ready, EventSpec("READY_AGAIN", models.Ready, None)))
    with pytest.raises(ValueError, match="without a reason"):
        EventRegistry((EventSpec("X", None, " "),))
