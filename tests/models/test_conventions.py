"""The conventions of fluxer_rx.models.base hold for every model class."""

from __future__ import annotations

import gc

import msgspec
import pytest

from fluxer_rx import models
from fluxer_rx.models import EVENT_TYPES, Model, decode_event

MODEL_CLASSES = sorted(
    (
        obj
        for obj in vars(models).values()
        if isinstance(obj, type) and issubclass(obj, Model) and obj is not Model
    ),
    key=lambda cls: cls.__name__,
)


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda cls: cls.__name__)
def test_own_fields_in_alphabetical_order(cls: type[Model]) -> None:
    # the gateway sends sorted keys; fields in the same order decode fastest
    inherited = {
        f.name for base in cls.__mro__[1:] if isinstance(base, type) and issubclass(base, Model)
        for f in msgspec.structs.fields(base)
    }  # fmt: skip
    own = [f.name for f in msgspec.structs.fields(cls) if f.name not in inherited]
    assert own == sorted(own)


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda cls: cls.__name__)
def test_keyword_only_untracked_and_ignoring_unknown_fields(cls: type[Model]) -> None:
    config = cls.__struct_config__
    assert not config.forbid_unknown_fields
    assert config.omit_defaults
    assert not config.gc
    with pytest.raises(TypeError):
        cls("positional")


def test_decoded_payloads_are_not_gc_tracked() -> None:
    event = decode_event(
        "MESSAGE_CREATE", b'{"id":"1","channel_id":"2","author":{"id":"3"},"content":"x"}'
    )
    assert not gc.is_tracked(event)
    assert not gc.is_tracked(event.author)


def test_every_event_class_is_a_model() -> None:
    for cls in EVENT_TYPES.values():
        assert issubclass(cls, Model)
