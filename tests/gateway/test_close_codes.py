"""The close-code table: every code the issue and PROTOCOL §1.7 name, with its outcome."""

from __future__ import annotations

import pytest

from fluxer_rx.gateway.close_codes import CLOSE_CODES, CloseOutcome, classify_close

EXPECTED = {
    4004: CloseOutcome.FATAL_TOKEN,
    4010: CloseOutcome.FATAL,
    4011: CloseOutcome.FATAL,
    4012: CloseOutcome.FATAL,
    4003: CloseOutcome.IDENTIFY,
    4007: CloseOutcome.IDENTIFY,
    4008: CloseOutcome.BACKOFF_RESUME,
    4000: CloseOutcome.RESUME,
    4001: CloseOutcome.RESUME,
    4002: CloseOutcome.RESUME,
    4005: CloseOutcome.RESUME,
    4009: CloseOutcome.RESUME,
    1000: CloseOutcome.RESUME,
    1001: CloseOutcome.RESUME,
    1006: CloseOutcome.RESUME,
    1011: CloseOutcome.RESUME,
}


@pytest.mark.parametrize(("code", "outcome"), sorted(EXPECTED.items()))
def test_issue_close_codes(code: int, outcome: CloseOutcome) -> None:
    rule = classify_close(code)
    assert rule.outcome is outcome
    assert rule.code == code
    assert rule.source  # every row says where it comes from


def test_every_row_is_keyed_by_its_code_and_sourced() -> None:
    for code, rule in CLOSE_CODES.items():
        assert rule.code == code and rule.meaning and rule.source


def test_unknown_codes_resume() -> None:
    rule = classify_close(4321)
    assert rule.outcome is CloseOutcome.RESUME
    assert 4321 not in CLOSE_CODES
