"""AllowedMentions: constructors, the wire dict, and what the API would refuse."""

from __future__ import annotations

import pytest

from fluxer_rx import AllowedMentions


def test_constructors_and_wire_dicts() -> None:
    assert AllowedMentions.none().to_dict() == {"parse": [], "replied_user": False}
    assert AllowedMentions.all().to_dict() == {
        "parse": ["users", "roles", "everyone"],
        "replied_user": True,
    }
    assert AllowedMentions.users(1, "2").to_dict() == {
        "parse": [],
        "users": ["1", "2"],
        "replied_user": False,
    }
    assert AllowedMentions.roles("9", replied_user=True).to_dict() == {
        "parse": [],
        "roles": ["9"],
        "replied_user": True,
    }
    assert AllowedMentions(parse=("roles",), user_ids=("5",)).to_dict() == {
        "parse": ["roles"],
        "users": ["5"],
    }


def test_what_the_api_refuses_is_refused_when_built() -> None:
    with pytest.raises(ValueError, match="both parsed and listed"):
        AllowedMentions(parse=("users",), user_ids=("1",))
    with pytest.raises(ValueError, match="at most 100 users ids"):
        AllowedMentions.users(*range(101))
    with pytest.raises(ValueError, match="parse takes"):
        AllowedMentions(parse=("channels",))  # type: ignore[arg-type]
