"""Exhaustiveness of the fold, as twilight's cache checks it: every registered event type
is either reduced by the cache or listed as ignored on purpose (with a reason), and no
reducer exists for a type the registry does not mark reduced."""

from __future__ import annotations

import pytest

from fluxer_rx.cache import REDUCERS
from fluxer_rx.models import EVENT_REGISTRY, EventRegistry, EventSpec, GuildBanAdd, Ready


def test_every_registered_event_type_is_reduced_or_ignored_on_purpose() -> None:
    ignored = EVENT_REGISTRY.ignored_by_cache()
    for spec in EVENT_REGISTRY:
        has_reducer = spec.payload is not None and spec.payload in REDUCERS
        assert has_reducer != (spec.name in ignored), spec.name
        if not has_reducer:
            assert ignored[spec.name].strip(), f"{spec.name} is ignored without a reason"


def test_no_reducer_exists_for_an_unregistered_or_ignored_type() -> None:
    for cls in REDUCERS:
        spec = EVENT_REGISTRY.by_payload.get(cls)
        assert spec is not None, f"{cls.__name__} has a reducer but no registry row"
        assert spec.reduced, f"{cls.__name__} has a reducer but its row says ignored"
    assert set(REDUCERS) == EVENT_REGISTRY.reduced_types()


def test_the_reducer_table_check_names_what_is_missing_and_what_is_extra() -> None:
    registry = EventRegistry(
        (EventSpec("READY", Ready, None), EventSpec("GUILD_BAN_ADD", GuildBanAdd, "not kept"))
    )
    registry.check_reducers({Ready: object()})
    with pytest.raises(ValueError, match=r"missing \['Ready'\]"):
        registry.check_reducers({})
    with pytest.raises(ValueError, match=r"not registered as reduced \['GuildBanAdd'\]"):
        registry.check_reducers({Ready: object(), GuildBanAdd: object()})
    with pytest.raises(ValueError, match=r"not registered as reduced \['int'\]"):
        registry.check_reducers({Ready: object(), int: object()})
