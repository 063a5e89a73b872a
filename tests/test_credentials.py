"""``split_token``/``bare_token``: one scheme prefix, any case, is split off; gateway and
REST share them."""

from __future__ import annotations

import pytest

from fluxer_rx import credentials
from fluxer_rx.credentials import bare_token, split_token
from fluxer_rx.gateway import protocol


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("abc.def", (None, "abc.def")),
        ("Bot abc.def", ("Bot", "abc.def")),
        ("bot abc", ("Bot", "abc")),
        ("  BOT   abc  ", ("Bot", "abc")),
        ("Bearer xyz", ("Bearer", "xyz")),
        ("bEaReR xyz", ("Bearer", "xyz")),
        ("Bot Bot abc", ("Bot", "Bot abc")),  # only one prefix is taken off
        ("bottle.abc", (None, "bottle.abc")),
    ],
)
def test_split_token(token: str, expected: tuple[str | None, str]) -> None:
    assert split_token(token) == expected
    assert bare_token(token) == expected[1]


@pytest.mark.parametrize("bad", ["", "   ", "bot", "Bearer  "])
def test_no_token_left_is_a_value_error(bad: str) -> None:
    with pytest.raises(ValueError):
        split_token(bad)
    with pytest.raises(TypeError):
        split_token(None)  # type: ignore[arg-type]


def test_the_gateway_name_is_the_shared_function() -> None:
    assert protocol.bare_token is credentials.bare_token
