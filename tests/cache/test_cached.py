"""The compact cached forms: what they store, and that every attribute reads back the
wire value."""

from __future__ import annotations

import gc
import sys

import msgspec
import pytest

from fluxer_rx.cache import Cache, CachedMember, CachedUser
from fluxer_rx.cache.codecs import RoleTuples
from fluxer_rx.cache.compact import iso_to_ms, ms_to_iso, pack_hash, unpack_hash
from fluxer_rx.models import Member, PartialUser
from tests.cache import wire

HASH = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("value", "packed_type"),
    [
        (HASH, bytes),
        ("a_" + HASH, bytes),
        (HASH.upper(), str),  # upper case: kept verbatim
        ("a_" + HASH[:-1] + "g", str),
        ("short", str),
        (None, type(None)),
        (" " + HASH[1:], str),
    ],
)
def test_hash_packing_round_trips(value: str | None, packed_type: type) -> None:
    packed = pack_hash(value)
    assert type(packed) is packed_type
    assert unpack_hash(packed) == value


@pytest.mark.parametrize(
    "stamp",
    ["2026-01-02T03:04:05.678Z", "1999-12-31T23:59:59.000Z", "2030-06-30T12:00:00.001Z"],
)
def test_fluxer_timestamps_round_trip(stamp: str) -> None:
    assert ms_to_iso(iso_to_ms(stamp)) == stamp


def test_other_iso_forms_and_garbage() -> None:
    assert iso_to_ms("2026-01-02T03:04:05.678+00:00") == iso_to_ms("2026-01-02T03:04:05.678Z")
    assert iso_to_ms("2026-01-02T04:04:05.678+01:00") == iso_to_ms("2026-01-02T03:04:05.678Z")
    assert iso_to_ms("2026-01-02T03:04:05.678") == iso_to_ms("2026-01-02T03:04:05.678Z")
    assert iso_to_ms("not a time") is None and iso_to_ms(None) is None


def test_user_attributes_read_back_the_wire() -> None:
    cache = Cache()
    data = wire.user("5", avatar="a_" + HASH, global_name="Five", bot=True, banner="b1")
    cache.apply(wire.event("USER_UPDATE", data))
    user = cache.users["5"]
    assert isinstance(user, CachedUser)
    assert (user.avatar, user.bot, user.system, user.banner) == ("a_" + HASH, True, False, "b1")
    assert user.name == "Five" and user.mention == "<@5>"
    assert isinstance(user.avatar_key, bytes)
    assert user.to_wire() == PartialUser(
        id="5",
        username="user5",
        discriminator="0001",
        global_name="Five",
        avatar="a_" + HASH,
        bot=True,
        banner="b1",
    )
    cache.apply(wire.event("USER_UPDATE", wire.user("5", avatar=None)))
    assert (user.avatar, user.bot, user.banner, user.global_name) == (None, False, None, None)


def test_discriminators_are_shared() -> None:
    cache = Cache()
    for uid in ("5", "6"):
        cache.apply(wire.event("USER_UPDATE", wire.user(uid, discriminator="4242")))
    assert cache.users["5"].discriminator is cache.users["6"].discriminator


def test_member_attributes_read_back_the_wire() -> None:
    cache = Cache()
    cache.apply(wire.guild_create("100"))
    data = wire.member(
        "5",
        ["100"],
        nick="n",
        avatar=HASH,
        mute=True,
        deaf=True,
        profile_flags=3,
        communication_disabled_until="2026-02-01T00:00:00.000Z",
    )
    cache.apply(wire.event("GUILD_MEMBER_ADD", {**data, "guild_id": "100"}))
    member = cache.members["100"]["5"]
    assert isinstance(member, CachedMember)
    assert (member.id, member.guild_id, member.nick, member.roles) == ("5", "100", "n", ("100",))
    assert (member.avatar, member.mute, member.deaf, member.flags) == (HASH, True, True, 3)
    assert member.communication_disabled_until == "2026-02-01T00:00:00.000Z"
    assert member.joined_at == wire.JOINED and member.mention == "<@5>"
    plain = cache.members["100"]["1"]
    assert plain.extra is None and not plain.mute and plain.avatar is None and plain.flags == 0
    # kept: everything but the invite bookkeeping and the profile decoration
    dropped = ("join_source_type", "source_invite_code", "inviter_id", "banner", "accent_color")
    kept = {k: v for k, v in data.items() if k not in dropped}
    expected = msgspec.convert({**kept, "user": data["user"]}, Member)
    assert cache.member_to_wire(member) == expected


def test_cached_forms_are_not_tracked_by_the_gc() -> None:
    cache = Cache()
    cache.apply(wire.guild_create("100"))
    cache.apply(wire.event("GUILD_MEMBER_ADD", {**wire.member("5", mute=True), "guild_id": "100"}))
    member = cache.members["100"]["5"]
    assert not gc.is_tracked(member) and not gc.is_tracked(member.extra)
    assert not gc.is_tracked(cache.users["5"]) and not gc.is_tracked(cache.guilds["100"])
    assert not gc.is_tracked(cache.channels["1001"])


def test_compact_member_is_smaller_than_the_wire_member() -> None:
    data = wire.member("5", ["100"])
    wire_member = Member(**{**data, "user": PartialUser(**data["user"])})  # type: ignore[arg-type]
    cache = Cache()
    cache.apply(wire.guild_create("100"))
    cache.apply(wire.event("GUILD_MEMBER_ADD", {**data, "guild_id": "100"}))
    member = cache.members["100"]["5"]
    assert sys.getsizeof(member) < sys.getsizeof(wire_member) / 2


def test_role_tuples_keep_one_entry_per_role_set() -> None:
    tuples = RoleTuples()
    a = tuples.get(["2", "1", "3"])
    b = tuples.get(["3", "2", "1"])
    c = tuples.get(("1", "2", "3"))
    assert a == ("1", "2", "3") and a is b is c
    assert len(tuples) == 2  # () and the one sorted set
    tuples.clear()
    assert len(tuples) == 1


def test_role_tuples_share_role_id_strings_across_decodes() -> None:
    tuples = RoleTuples()
    one, two = (str(10**18 + n) for n in (1, 2))  # built at run time: not interned
    first = tuples.get([two, one])
    again = tuples.get([str(10**18 + 2), str(10**18 + 1)])  # equal, other objects
    assert again is first
    alone = tuples.get([str(10**18 + 2)])
    assert alone[0] is first[1]  # one string per role id, whichever set holds it


@pytest.mark.parametrize(
    "change",
    [
        {"username": "other"},
        {"global_name": "G"},
        {"discriminator": "9999"},
        {"avatar": "f" * 32},
        {"avatar": "a_" + HASH},
        {"avatar": None},
        {"avatar_color": 5},
        {"flags": 4},
        {"bot": True},
        {"system": True},
        {"banner": "b"},
    ],
)
def test_every_user_field_change_is_folded(change: dict[str, object]) -> None:
    cache = Cache()
    cache.apply(wire.event("USER_UPDATE", wire.user("5", avatar=HASH)))
    before = cache.users["5"].to_wire()
    cache.apply(wire.event("USER_UPDATE", wire.user("5", **{"avatar": HASH, **change})))
    after = cache.users["5"].to_wire()
    assert after != before
    for key, value in change.items():
        assert getattr(after, key) == (value or None if key in ("bot", "system") else value)


@pytest.mark.parametrize(
    "change",
    [
        {"nick": "x"},
        {"roles": ["100", "7"]},
        {"roles": []},
        {"avatar": HASH},
        {"mute": True},
        {"deaf": True},
        {"profile_flags": 2},
        {"communication_disabled_until": "2030-01-01T00:00:00.000Z"},
    ],
)
def test_every_member_field_change_is_folded(change: dict[str, object]) -> None:
    cache = Cache()
    cache.apply(wire.guild_create("100"))
    cache.apply(wire.event("GUILD_MEMBER_ADD", {**wire.member("5", ["100"]), "guild_id": "100"}))
    before = cache.members["100"]["5"]
    author = wire.user("5")
    cache.apply(
        wire.message(
            "9",
            "1001",
            author,
            "100",
            member=wire.member("5", with_user=False, **{"roles": ["100"], **change}),
        )
    )
    after = cache.members["100"]["5"]
    assert after is not before and after != before
    wired = cache.member_to_wire(after)
    for key, value in change.items():
        got = getattr(wired, key)
        assert (sorted(got) if key == "roles" else got) == value
