"""The digest validator used by the sandbox tests catches what it claims to catch."""

from __future__ import annotations

import pytest

from tests.sandbox.digest_validate import assert_valid, problems, response_type

USER = {
    "id": "1",
    "username": "a",
    "discriminator": "0001",
    "global_name": None,
    "avatar": None,
    "avatar_color": None,
    "flags": 0,
}


def test_valid_value_passes_and_extra_keys_only_fail_in_strict_mode() -> None:
    assert problems(USER, "UserPartialResponse") == []
    assert problems({**USER, "extra": 1}, "UserPartialResponse") == []
    assert problems({**USER, "extra": 1}, "UserPartialResponse", strict=True) == [
        "$.extra: not a field of UserPartialResponse"
    ]


def test_missing_required_wrong_types_and_bad_nulls_are_reported() -> None:
    bad = {**USER, "id": 5, "flags": True}
    del bad["username"]
    bad["discriminator"] = None
    found = problems(bad, "UserPartialResponse")
    assert "$.id: expected a string, got int" in found
    assert "$.flags: expected an integer, got True" in found
    assert "$.username: required field missing" in found
    assert "$.discriminator: null in a non-nullable required field" in found
    with pytest.raises(AssertionError, match="username"):
        assert_valid(bad, "UserPartialResponse")


def test_lists_enums_timestamps_and_aliases() -> None:
    role = {
        "id": "1",
        "name": "r",
        "color": 0,
        "position": 0,
        "permissions": "0",
        "hoist": False,
        "mentionable": False,
    }
    assert problems([role, role], "List<GuildRoleResponse>") == []
    assert problems([role, {**role, "color": "red"}], "List<GuildRoleResponse>") == [
        "$[1].color: expected an integer, got 'red'"
    ]
    assert problems(5, "MessageResponseSchemaTypeType") == []
    assert problems(8, "MessageResponseSchemaTypeType") == [
        "$: 8 is not one of [0, 1, 2, 3, 4, 5, 6, 7, 19]"
    ]
    assert problems("2026-01-01T00:00:00.000Z", "DateTime") == []
    assert problems("yesterday", "DateTime") == ["$: 'yesterday' is not an ISO 8601 timestamp"]
    assert problems([USER], "ReactionUsersListResponse") == []


def test_operation_lookup() -> None:
    assert response_type("GET", "/channels/{channel_id}") == "ChannelResponse"
    assert response_type("POST", "/channels/{channel_id}/typing") is None
    with pytest.raises(KeyError):
        response_type("GET", "/nope")
