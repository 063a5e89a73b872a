"""Exactly-once delivery from at-least-once streams: drop what was applied, report gaps.

A shard's stream may hold an entry twice (a publish retried after a lost reply, a process
that took a shard over and republished) and may miss entries (trimmed by retention, or
never replayed by the server). :class:`Deduplicator` decides per entry, by
(shard, session, seq):

* a dispatch whose seq is not above the last applied seq of its session is a duplicate;
* an entry of a session that a newer one already replaced on that shard is stale (a
  duplicate too);
* a seq that jumps within a session, or a new session whose first seq is not 1, is a
  :class:`Gap`: the entry is applied, and the gap is returned so the caller can put it on
  diagnostics (gaps in a server's replay are normal, PROTOCOL §1.6);
* entries without a seq (control frames) are always passed on: they carry no identity.

:class:`DedupReader` applies this to a broker's stream of one shard.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from fluxer_rx.bus.port import START, Broker, StreamEntry

__all__ = ["Admission", "DedupReader", "Deduplicator", "Gap", "ReadBatch"]

_REMEMBERED_SESSIONS = 8


@dataclass(frozen=True, slots=True)
class Gap:
    """Seqs ``after + 1 .. before - 1`` of ``session`` on ``shard`` never arrived."""

    shard: int
    session: str
    after: int
    before: int

    @property
    def missing(self) -> int:
        return self.before - self.after - 1


@dataclass(frozen=True, slots=True)
class Admission:
    """The verdict on one entry: ``fresh`` (apply it) or a duplicate; and any gap."""

    fresh: bool
    gap: Gap | None = None


_FRESH = Admission(True)
_DUPLICATE = Admission(False)


@dataclass(slots=True)
class _ShardState:
    session: str
    seq: int
    old_sessions: deque[str] = field(default_factory=lambda: deque(maxlen=_REMEMBERED_SESSIONS))


class Deduplicator:
    """The last applied (session, seq) per shard, and the verdict on each new entry.

    ``applied`` seeds the state, e.g. from a snapshot: ``{shard: (session, seq)}``.
    """

    def __init__(self, applied: dict[int, tuple[str, int]] | None = None) -> None:
        self._shards: dict[int, _ShardState] = {}
        for shard, (session, seq) in (applied or {}).items():
            self._shards[shard] = _ShardState(session, seq)

    def applied(self, shard: int) -> tuple[str, int] | None:
        """The last (session, seq) applied on ``shard``, or ``None``."""
        state = self._shards.get(shard)
        return None if state is None else (state.session, state.seq)

    def admit(self, entry: StreamEntry) -> Admission:
        """Judge ``entry`` and, when fresh, record it as applied."""
        seq = entry.seq
        if seq is None:
            return _FRESH
        state = self._shards.get(entry.shard)
        if state is None:
            self._shards[entry.shard] = _ShardState(entry.session, seq)
            return _FRESH
        if entry.session != state.session:
            if entry.session in state.old_sessions:
                return _DUPLICATE
            gap = Gap(entry.shard, entry.session, 0, seq) if seq > 1 else None
            state.old_sessions.append(state.session)
            state.session, state.seq = entry.session, seq
            return Admission(True, gap)
        if seq <= state.seq:
            return _DUPLICATE
        gap = Gap(entry.shard, entry.session, state.seq, seq) if seq > state.seq + 1 else None
        state.seq = seq
        return _FRESH if gap is None else Admission(True, gap)


@dataclass(frozen=True, slots=True)
class ReadBatch:
    """What one :meth:`DedupReader.read` returned: fresh entries, gaps, duplicates dropped.

    ``position`` is the stream position after the last entry read (fresh or not): commit
    it once the fresh entries were applied.
    """

    entries: list[StreamEntry]
    gaps: list[Gap]
    duplicates: int
    position: str


class DedupReader:
    """Reads one shard's stream after ``position``, passing on each entry at most once."""

    def __init__(
        self,
        broker: Broker,
        shard: int,
        *,
        position: str = START,
        dedup: Deduplicator | None = None,
    ) -> None:
        self.broker = broker
        self.shard = shard
        self.position = position
        self.dedup = dedup if dedup is not None else Deduplicator()

    async def read(self, *, count: int = 512, timeout: float = 1.0) -> ReadBatch:
        """The next entries (waiting up to ``timeout`` s for one), judged."""
        raw = await self.broker.read(self.shard, self.position, count=count, timeout=timeout)
        batch = self.judge(raw)
        self.position = batch.position
        return batch

    def judge(self, raw: Iterable[StreamEntry]) -> ReadBatch:
        """Judge entries read elsewhere (in stream order); does not move :attr:`position`."""
        entries: list[StreamEntry] = []
        gaps: list[Gap] = []
        duplicates = 0
        position = self.position
        shard = self.shard
        shards = self.dedup._shards
        admit = self.dedup.admit
        state = shards.get(shard)
        for entry in raw:
            position = entry.position
            seq = entry.seq
            # the common case inlined (a call to admit per entry costs as much as the
            # check): the next seq of the shard's current session, fresh without a gap
            if (
                state is not None
                and seq is not None
                and seq == state.seq + 1
                and entry.session == state.session
                and entry.shard == shard
            ):
                state.seq = seq
                entries.append(entry)
                continue
            verdict = admit(entry)
            if verdict.gap is not None:
                gaps.append(verdict.gap)
            if verdict.fresh:
                entries.append(entry)
            else:
                duplicates += 1
            state = shards.get(shard)
        return ReadBatch(entries, gaps, duplicates, position)
