"""Fuzzing the frame decoder (``fluxer_rx/models/frame.py``): only ``DecodeError``, in
bounded time, and the one-pass decoder agrees with the lazy one.

Inputs: arbitrary bytes, JSON oddities, and real frames from ``tests/data/real-gateway/``
mutated (see ``generators.py``), as bytes and as text.
"""

from __future__ import annotations

from random import Random
from typing import Final

import pytest
from hypothesis import given, note

from .hypothesis_settings import FUZZ, RANDOMS
from .properties import check_decode, check_eager_matches_lazy, fuzz_decoder

# (checks, lone surrogates in text input): see properties.fuzz_decoder
MODES: Final = [
    pytest.param(("lazy",), False, id="lazy"),
    pytest.param(("eager",), False, id="one-pass"),
    pytest.param(("same",), False, id="one-pass-agrees-with-lazy"),
    pytest.param(("eager", "lazy"), True, id="text-with-lone-surrogates"),
]


@pytest.mark.parametrize(("checks", "surrogates"), MODES)
@FUZZ
@given(rng=RANDOMS)
def test_decoding_raises_only_decode_error(
    checks: tuple[str, ...], surrogates: bool, rng: Random
) -> None:
    fuzz_decoder(rng, note, checks=checks, surrogates=surrogates)


_DEEP = b"[" * 100_000 + b"]" * 100_000
_USER = b'{"d":{"id":"1","username":"a","zz":%s},"op":0,"s":1,"t":"USER_UPDATE"}'

# The smallest inputs found for each failure, and the oddities that must keep working.
REPROS = [
    pytest.param(
        _USER % b'"\xff"',
        id="invalid-utf8-in-unknown-field",
    ),
    pytest.param(
        _USER.replace(b'"zz"', b'"z\xffz"') % b"1",
        id="invalid-utf8-in-unknown-key",
    ),
    pytest.param(
        _USER % b"1e400",
        id="1e400-in-unknown-field",
    ),
    pytest.param(
        '{"op":0,"t":"\udcff"}',
        id="str-with-lone-surrogate",
    ),
    pytest.param(_USER % (b"9" * 400), id="huge-int-in-unknown-field"),
    pytest.param(_USER % _DEEP, id="deep-nesting-in-unknown-field"),
    pytest.param(b'{"d":%s,"op":0,"s":1,"t":"UNKNOWN"}' % _DEEP, id="deep-nesting-unknown-event"),
    pytest.param(_DEEP, id="deep-nesting-top-level"),
    pytest.param(b'{"d":{"heartbeat_interval":1e400},"op":10}', id="1e400-heartbeat-interval"),
    pytest.param(b'{"op":1e400}', id="1e400-op"),
    pytest.param(b'{"op":0,"s":' + b"9" * 400 + b"}", id="huge-s"),
    pytest.param(_USER % b'"\\ud800"', id="lone-surrogate-escape"),
    pytest.param(b'{"d":null,"op":0,"t":"\xff"}', id="invalid-utf8-in-t"),
    pytest.param(b"", id="empty"),
]


@pytest.mark.parametrize("data", REPROS)
def test_known_inputs_raise_only_decode_error(data: bytes | str) -> None:
    check_decode(data, lazy=True)
    check_decode(data, lazy=False)
    check_eager_matches_lazy(data)
