"""The Lua scripts the Redis broker runs: each one a single atomic step on the server.

Redis runs a script without interleaving any other command, so a compare-and-set written
here cannot race with another process. Times come from the server's ``TIME``, so every
process agrees on one clock. Scripts that take a ``lease`` key check it first and write
nothing when the lease is not held by the given token (fencing); an empty lease key means
"no fence".
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "APPEND_BATCH",
    "COMMIT",
    "FENCED_HSET",
    "IDENTIFY_SLOT",
    "RELEASE_LEASE",
    "RENEW_LEASE",
]

APPEND_BATCH: Final = """
local ids = {}
for i = 2, #ARGV, 2 do
  ids[#ids + 1] = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', ARGV[i], ARGV[i + 1])
end
return ids
"""
"""KEYS: stream. ARGV: retention, then per entry its one field: the record's header
(:func:`fluxer_rx.bus.entry_codec.pack_header`) and the raw frame.

One command and one reply for a whole batch (a pipeline of XADDs costs a reply parse per
entry), and the batch is stored all or nothing: a script runs, and is persisted, as one
unit."""

RENEW_LEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""
"""KEYS: lease. ARGV: token, ttl ms. 1 if renewed, 0 if the lease is not ours."""

RELEASE_LEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
"""
"""KEYS: lease. ARGV: token. 1 if released, 0 if the lease was not ours."""

_FENCE: Final = """
if KEYS[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
"""

FENCED_HSET: Final = (
    _FENCE
    + """
redis.call('HSET', KEYS[2], unpack(ARGV, 2))
return 1
"""
)
"""KEYS: lease or '', hash. ARGV: token, field, value, ... 1 if written, 0 if fenced off."""

COMMIT: Final = (
    _FENCE
    + """
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  if ms == nil then
    ms, seq = string.match(id, '^(%d+)$'), '0'
  end
  return tonumber(ms), tonumber(seq)
end
local old = redis.call('HGET', KEYS[2], ARGV[2])
if old then
  local oms, oseq = parse(old)
  local nms, nseq = parse(ARGV[3])
  if nms < oms or (nms == oms and nseq <= oseq) then
    return 1
  end
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1
"""
)
"""KEYS: lease or '', commits hash. ARGV: token, field, stream id. Moves only forward."""

IDENTIFY_SLOT: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, free)
local nxt = slot + interval
redis.call('SET', KEYS[1], string.format('%d', nxt), 'PX', math.floor((nxt - now) / 1000) + 1000)
return {string.format('%d', slot), string.format('%d', now)}
"""
"""KEYS: gate. ARGV: interval in microseconds.

Reserves the next free slot, at least ``interval`` after the previous one: returns the
slot and the server's now, both in Unix microseconds (as strings: Lua numbers would lose
precision in the reply)."""
