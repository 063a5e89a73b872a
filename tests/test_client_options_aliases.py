"""The seed's spellings ``ClientOptions(presence=, gateway_version=)`` and the layered
``GatewayOptions(presence=, version=)`` are one setting: either spelling sets it, both
read the same, and ``dataclasses.replace`` may change it through either spelling."""

from __future__ import annotations

import pickle
from dataclasses import replace

import pytest

from fluxer_rx import ClientOptions, GatewayOptions

DND = {"status": "dnd", "afk": False}
IDLE = {"status": "idle", "afk": True}


def both(options: ClientOptions) -> tuple[object, object]:
    """The presence and version of ``options`` through both spellings, checked equal."""
    assert options.presence == options.gateway.presence
    assert options.gateway_version == options.gateway.version
    return options.presence, options.gateway_version


def test_defaults_and_either_spelling_read_the_same() -> None:
    assert both(ClientOptions()) == (None, "1")
    assert both(ClientOptions(presence=DND, gateway_version="2")) == (DND, "2")
    layered = ClientOptions(gateway=GatewayOptions(presence=DND, version="2"))
    assert both(layered) == (DND, "2")
    assert layered == ClientOptions(presence=DND, gateway_version="2")
    agreeing = ClientOptions(presence=DND, gateway=GatewayOptions(presence=DND))
    assert both(agreeing) == (DND, "1")


@pytest.mark.parametrize(
    ("seed", "layered"),
    [
        ({"presence": DND}, {"presence": IDLE}),
        ({"gateway_version": "2"}, {"version": "3"}),
    ],
)
def test_both_spellings_set_differently_is_an_error(
    seed: dict[str, object], layered: dict[str, object]
) -> None:
    with pytest.raises(ValueError, match="set twice, differently"):
        ClientOptions(**seed, gateway=GatewayOptions(**layered))  # type: ignore[arg-type]


@pytest.mark.parametrize("built_with", ["seed", "layered"])
def test_replace_changes_and_clears_through_either_spelling(built_with: str) -> None:
    if built_with == "seed":
        options = ClientOptions(presence=DND, gateway_version="2")
    else:
        options = ClientOptions(gateway=GatewayOptions(presence=DND, version="2"))
    assert both(replace(options, presence=IDLE)) == (IDLE, "2")
    assert both(replace(options, presence=None)) == (None, "2")
    assert both(replace(options, gateway_version="1")) == (DND, "1")
    gateway = options.gateway
    assert both(replace(options, gateway=replace(gateway, presence=IDLE))) == (IDLE, "2")
    assert both(replace(options, gateway=replace(gateway, presence=None))) == (None, "2")
    assert both(replace(options, gateway=replace(gateway, version="3"))) == (DND, "3")
    # another gateway setting leaves presence and version alone
    sharded = replace(options, gateway=replace(gateway, shard_count=2))
    assert both(sharded) == (DND, "2")
    assert sharded.gateway.shard_count == 2
    # the same change through both spellings is fine; different ones are not
    twice = replace(options, presence=IDLE, gateway=replace(gateway, presence=IDLE))
    assert both(twice) == (IDLE, "2")
    with pytest.raises(ValueError, match="set twice, differently"):
        replace(options, presence=IDLE, gateway=replace(gateway, presence={"status": "x"}))


def test_replaced_options_keep_replacing_and_stay_equal_to_fresh_ones() -> None:
    options = ClientOptions(presence=DND)
    for presence in (IDLE, None, DND, IDLE):
        options = replace(options, presence=presence)
        assert both(options) == (presence, "1")
        assert options == ClientOptions(presence=presence)
    assert "_in_sync" not in repr(options)
    assert pickle.loads(pickle.dumps(options)) == options
