"""GuildChunker: what to request after GUILD_CREATE, and when a guild's list is complete."""

from __future__ import annotations

from fluxer_rx.cache import CHUNK_NONCE_PREFIX, Cache, GuildChunker
from tests.cache import wire


def chunk(gid: str, index: int, count: int, nonce: str | None, *uids: str) -> object:
    d = {
        "guild_id": gid,
        "members": [wire.member(u) for u in uids],
        "chunk_index": index,
        "chunk_count": count,
    }
    if nonce is not None:
        d["nonce"] = nonce
    return wire.event("GUILD_MEMBERS_CHUNK", d)


def test_request_for_an_available_guild_once() -> None:
    chunker = GuildChunker()
    request = chunker.request_for(wire.guild_create("100"))
    assert request is not None
    assert request.payload() == {
        "guild_id": "100",
        "query": "",
        "limit": 0,
        "nonce": CHUNK_NONCE_PREFIX + "100",
    }
    assert request.fields() == {"query": "", "limit": 0, "nonce": "chunk:100"}
    assert len(request.nonce.encode()) <= 32
    assert chunker.request_for(wire.guild_create("100")) is None  # already in flight
    assert (
        chunker.request_for(wire.event("GUILD_CREATE", {"id": "200", "unavailable": True})) is None
    )
    assert chunker.request_for(wire.ready()) is None
    assert chunker.pending == {"100"} and not chunker.idle


def test_completion_after_every_chunk_in_any_order() -> None:
    chunker = GuildChunker()
    cache = Cache()
    cache.apply(wire.guild_create("100", members=[]))
    request = chunker.request_for(wire.guild_create("100"))
    assert request is not None
    pieces = [chunk("100", i, 3, request.nonce, str(10 + i)) for i in (2, 0, 0, 1)]
    done = []
    for piece in pieces:
        cache.apply(piece)
        done.append(chunker.on_chunk(piece))  # type: ignore[arg-type]
    assert done == [None, None, None, "100"]
    assert chunker.idle
    assert set(cache.members["100"]) == {"10", "11", "12"}


def test_other_requests_chunks_are_not_counted() -> None:
    chunker = GuildChunker()
    chunker.request_for(wire.guild_create("100"))
    assert chunker.on_chunk(chunk("100", 0, 1, "m1")) is None  # type: ignore[arg-type]
    assert chunker.on_chunk(chunk("100", 0, 1, None)) is None  # type: ignore[arg-type]
    assert chunker.on_chunk(chunk("200", 0, 1, "chunk:200")) is None  # type: ignore[arg-type]
    assert chunker.pending == {"100"}
    chunker.forget("100")
    assert chunker.idle
    chunker.request_for(wire.guild_create("100"))
    chunker.reset()
    assert chunker.idle


def test_reset_of_one_shard_keeps_the_other_shards_requests() -> None:
    chunker = GuildChunker()
    assert chunker.request_for(wire.guild_create("100"), 0) is not None
    assert chunker.request_for(wire.guild_create("200"), 1) is not None
    assert chunker.request_for(wire.guild_create("300"), 1) is not None
    chunker.reset(1)
    assert chunker.pending == {"100"}
    assert chunker.on_chunk(chunk("200", 0, 1, "chunk:200")) is None  # type: ignore[arg-type]
    assert chunker.request_for(wire.guild_create("200"), 1) is not None  # asked again
    assert chunker.on_chunk(chunk("200", 0, 1, "chunk:200")) == "200"  # type: ignore[arg-type]
    chunker.reset(1)
    assert chunker.pending == {"100"}  # completed requests are not the shard's any more
    chunker.reset()
    assert chunker.idle
