"""Snowflake strings are ASCII digits only: other Unicode digits, signs, spaces and
underscores (all of which ``int()`` accepts) are refused."""

from __future__ import annotations

import pytest

from fluxer_rx.models.snowflake import (
    MAX_SNOWFLAKE,
    parse_snowflake,
    snowflake_time,
    snowflake_timestamp_ms,
)


@pytest.mark.parametrize(
    "bad",
    ["\uff11\uff12\uff13", "\u0661\u0662\u0663", "\u00b9", "+5", " 5", "5\n", "1_000", "0x10"],
)
def test_strings_int_accepts_but_a_snowflake_is_not(bad: str) -> None:
    with pytest.raises(ValueError, match="ASCII digits"):
        parse_snowflake(bad)
    with pytest.raises(ValueError):
        snowflake_timestamp_ms(bad)
    with pytest.raises(ValueError):
        snowflake_time(bad)


def test_ascii_digits_and_ints_in_range_are_read() -> None:
    assert parse_snowflake("0") == 0
    assert parse_snowflake(str(MAX_SNOWFLAKE)) == MAX_SNOWFLAKE == parse_snowflake(MAX_SNOWFLAKE)
    assert parse_snowflake("007") == 7
    with pytest.raises(ValueError):
        parse_snowflake("9" * 5000)  # refused before int() is asked to read it
    with pytest.raises(TypeError):
        parse_snowflake(True)
