"""Snowflake helpers: creation time from an id and the smallest id for a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fluxer_rx.models import (
    FLUXER_EPOCH,
    snowflake_from_datetime,
    snowflake_from_timestamp_ms,
    snowflake_time,
    snowflake_timestamp_ms,
)


def test_epoch_is_2015_01_01_utc() -> None:
    assert FLUXER_EPOCH == 1420070400000
    assert snowflake_time("0") == datetime(2015, 1, 1, tzinfo=UTC)


def test_known_id() -> None:
    # 1000000000000000000 >> 22 == 238418579101 ms after the epoch
    assert snowflake_timestamp_ms("1000000000000000000") == 238418579101 + FLUXER_EPOCH
    assert snowflake_time(1000000000000000000) == datetime(
        2022, 7, 22, 11, 22, 59, 101000, tzinfo=UTC
    )


@given(st.integers(min_value=FLUXER_EPOCH, max_value=FLUXER_EPOCH + (1 << 42) - 1))
def test_round_trip_through_the_smallest_id(ms: int) -> None:
    snowflake = snowflake_from_timestamp_ms(ms)
    assert isinstance(snowflake, str)
    assert snowflake_timestamp_ms(snowflake) == ms
    assert int(snowflake) & ((1 << 22) - 1) == 0


@given(st.integers(min_value=0, max_value=(1 << 64) - 1))
def test_any_id_sorts_after_the_smallest_id_of_its_time(value: int) -> None:
    smallest = snowflake_from_timestamp_ms(snowflake_timestamp_ms(value))
    assert int(smallest) <= value < int(smallest) + (1 << 22)


def test_from_datetime_naive_is_utc_and_aware_is_converted() -> None:
    aware = datetime(2026, 1, 8, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    naive = datetime(2026, 1, 8, 12, 0)
    assert snowflake_from_datetime(aware) == snowflake_from_datetime(naive)
    assert snowflake_time(snowflake_from_datetime(naive)) == naive.replace(tzinfo=UTC)


@pytest.mark.parametrize("bad", ["-1", str(1 << 64), "12a", ""])
def test_bad_id_values_raise_value_error(bad: str) -> None:
    with pytest.raises(ValueError):
        snowflake_timestamp_ms(bad)


@pytest.mark.parametrize("bad", [1.5, None, True, b"1"])
def test_bad_id_types_raise_type_error(bad: object) -> None:
    with pytest.raises(TypeError):
        snowflake_timestamp_ms(bad)  # type: ignore[arg-type]


def test_time_outside_the_range_raises() -> None:
    with pytest.raises(ValueError):
        snowflake_from_timestamp_ms(FLUXER_EPOCH - 1)
    with pytest.raises(ValueError):
        snowflake_from_timestamp_ms(FLUXER_EPOCH + (1 << 42))
