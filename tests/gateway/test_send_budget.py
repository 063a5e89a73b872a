"""SendBudget: a sliding 60 s window that keeps user payloads clear of the server's 120."""

from __future__ import annotations

import pytest

from fluxer_rx.gateway.send_budget import SendBudget


def test_user_capacity_leaves_room_for_control_frames() -> None:
    budget = SendBudget()
    assert budget.user_capacity == 105
    assert budget.user_capacity + budget.reserved + budget.margin == 120


def test_slots_free_up_as_the_window_slides() -> None:
    budget = SendBudget(limit=10, window=60.0, reserved=2, margin=1)
    for i in range(7):
        assert budget.user_slot_free(float(i))
        budget.record(float(i))
    assert not budget.user_slot_free(7.0)
    assert budget.next_user_slot(7.0) == 60.0  # the entry sent at 0 leaves the window
    assert budget.user_slot_free(60.0)
    assert budget.used(60.0) == 6


def test_control_frames_count_against_user_room() -> None:
    budget = SendBudget(limit=10, window=60.0, reserved=2, margin=1)
    for _ in range(9):
        budget.record(0.0)  # e.g. heartbeats and identify: never refused
    assert budget.used(0.0) == 9
    assert not budget.user_slot_free(1.0)
    assert budget.next_user_slot(1.0) == 60.0


def test_next_user_slot_is_now_when_free() -> None:
    budget = SendBudget()
    assert budget.next_user_slot(12.5) == 12.5


@pytest.mark.parametrize(
    "kwargs",
    [{"window": 0.0}, {"reserved": -1}, {"limit": 10, "reserved": 9, "margin": 1}],
)
def test_bad_parameters(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        SendBudget(**kwargs)  # type: ignore[arg-type]
