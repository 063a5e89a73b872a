"""Diagnostic kinds and end reasons are StrEnums: equal to the strings user code compares."""

from __future__ import annotations

import copy
import pickle

import pytest

from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.gateway.actions import Diagnostic as ProtocolDiagnostic
from fluxer_rx.gateway.actions import GapReason, SessionEndReason
from fluxer_rx.gateway.close_codes import NextStep

# the kinds as plain strings before they were an enum (fluxer_rx 0.x user code compares these)
OLD_KINDS = {
    "STATE": "state",
    "LATENCY": "heartbeat_latency",
    "DECODE_ERROR": "decode_error",
    "HANDLER_ERROR": "handler_error",
    "GAP": "gap",
    "SESSION_LOST": "session_lost",
    "CACHE": "cache",
    "CONNECT_FAILED": "connect_failed",
    "CLOSED": "closed",
    "CLIENT_STATE": "client_state",
    "HANDLER_OVERFLOW": "handler_overflow",
    "LOOP_STALL": "loop_stall",
    "PROTOCOL_VIOLATION": "protocol_violation",
}


def test_kinds_compare_equal_to_their_old_strings() -> None:
    for name, value in OLD_KINDS.items():
        member = Kind[name]
        assert member == value and value == member and f"{member}" == value
        assert {value: 1}[member] == 1  # same hash: usable as a dict key in place of the str


def test_a_string_kind_is_stored_as_the_enum_and_a_typo_is_refused() -> None:
    report = Diagnostic("gap", 0, "missing s=3..4")
    assert report.kind is Kind.GAP
    assert report == Diagnostic(Kind.GAP, 0, "missing s=3..4")
    with pytest.raises(ValueError):
        Diagnostic("gpa", 0, "typo")


def test_every_protocol_kind_is_a_client_kind() -> None:
    protocol_kinds = [
        "unknown_opcode", "gateway_error", "duplicate_dispatch", "unexpected_frame",
        "zombie_connection", "hello_timeout", "unknown_close_code", "reconnect_requested",
        "resume_abandoned", "undecodable_frame", "protocol_violation",
    ]  # fmt: skip
    for kind in protocol_kinds:
        assert ProtocolDiagnostic(Kind(kind), "detail").kind == kind


def test_diagnostics_are_immutable_and_copy_and_pickle() -> None:
    report = Diagnostic(Kind.LOOP_STALL, None, "blocked 0.3 s", 0.3)
    with pytest.raises(AttributeError):
        report.detail = "changed"  # type: ignore[misc]
    assert copy.copy(report) == report
    assert pickle.loads(pickle.dumps(report)) == report
    assert repr(report) == (
        "Diagnostic(kind='loop_stall', shard_id=None, detail='blocked 0.3 s', data=0.3, frame=None)"
    )


def test_end_reasons_and_next_steps_compare_equal_to_their_old_strings() -> None:
    assert SessionEndReason.INVALIDATED == "the server invalidated the session (op 9)"
    assert SessionEndReason.REPLACED == "a new READY replaced the session"
    assert SessionEndReason.CLOSE_CODE == "the close code ends the session"
    assert SessionEndReason.RESUME_WINDOW_EXPIRED == "the resume window expired"
    assert GapReason.SKIPPED == "sequence numbers skipped (events not replayed)"
    assert GapReason.NOT_REPLAYED == "events before RESUMED were not replayed"
    assert [str(step) for step in NextStep] == ["resume", "identify", "stop", "fatal"]
