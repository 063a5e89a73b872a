"""The chaos test's ledger: what the workers applied per shard against the sandbox's log.

The sandbox logs every dispatch per session (:attr:`Sandbox.dispatch_log`); a session's
READY names its shard. The workers print, per shard, every dispatch their pipeline was
given (before committing it) and every gap. A worker killed with ``kill -9`` may have
applied entries it never committed; its successor applies them again, so the shard's
ledger is the dead worker's entries without the tail its successor repeated, followed by
the successor's (:meth:`ShardLedger.add_holder`).

:func:`check_shard` returns what went wrong on a shard (empty: nothing):

* **lost**: a dispatch of the log that no worker applied, unless the server could not
  replay it (its event is never buffered: READY, the guild burst, reactions, member
  chunks) *and* a reported gap covers it;
* **duplicated**: a (session, seq) applied twice in the ledger;
* **reordered**: the ledger is not in the log's order;
* **unexplained gap**: a reported gap holding a seq that was applied, or that the server
  could have replayed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fluxer_rx.sandbox.gateway import NEVER_BUFFERED, DispatchRecord

__all__ = ["ShardLedger", "check_shard", "expected_by_shard"]

UNREPLAYABLE = NEVER_BUFFERED | {"READY", "GUILD_CREATE"}
"""Events a RESUME never replays (PROTOCOL §1.6; the sandbox buffers none of them). A
GUILD_CREATE of the guild burst is unbuffered; one from a guild created later would be,
but the test's traffic creates no guilds."""

Key = tuple[str, int]  # (session, seq)


def expected_by_shard(log: Iterable[DispatchRecord]) -> dict[int, list[tuple[Key, str]]]:
    """The log's dispatches per shard, in order: ``((session, seq), event)``; RESUMED (a
    marker the server logs with the client's seq) is left out."""
    shard_of: dict[str, int] = {}
    out: dict[int, list[tuple[Key, str]]] = defaultdict(list)
    for record in log:
        if record.t == "READY":
            shard_of[record.session_id] = int(record.d["shard"][0])
        if record.t == "RESUMED":
            continue
        out[shard_of[record.session_id]].append(((record.session_id, record.seq), record.t))
    return dict(out)


@dataclass
class ShardLedger:
    """What the workers applied on one shard, holder after holder."""

    shard: int
    applied: list[tuple[Key, str]] = field(default_factory=list)
    gaps: list[dict[str, Any]] = field(default_factory=list)
    reapplied: int = 0  # the dead holder's uncommitted tail, applied again by its successor

    def add_holder(self, frames: Sequence[dict[str, Any]]) -> None:
        """The dispatches ``{seq, name, session}`` the next holder applied (``session`` is
        set on a READY only; the others belong to the session before them).

        A holder killed before it committed its last batches left them to its successor,
        which applied them again: the longest tail of the ledger that the successor's
        first dispatches repeat is replaced by them (and counted in :attr:`reapplied`)."""
        rows = [(f["seq"], f["name"]) for f in frames]
        mine = [(seq, t) for (_, seq), t in self.applied]
        overlap = next(
            (k for k in range(min(len(mine), len(rows)), 0, -1) if mine[-k:] == rows[:k]), 0
        )
        session = self.applied[-overlap if overlap else -1][0][0] if self.applied else ""
        if overlap:
            del self.applied[-overlap:]
            self.reapplied += overlap
        for f in frames:
            session = f["session"] or session
            self.applied.append(((session, f["seq"]), f["name"]))


def check_shard(ledger: ShardLedger, expected: list[tuple[Key, str]]) -> list[str]:
    """Everything wrong with ``ledger`` against the log's ``expected`` (see the module)."""
    problems: list[str] = []
    keys = [k for k, _ in ledger.applied]
    seen = set(keys)
    if len(seen) != len(keys):
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        problems.append(f"duplicated: {dupes[:5]}")
    order = {k: i for i, (k, _) in enumerate(expected)}
    unknown = [k for k in keys if k not in order]
    if unknown:
        problems.append(f"applied but not in the log: {unknown[:5]}")
    indices = [order[k] for k in keys if k in order]
    if indices != sorted(indices):
        problems.append("reordered")
    covered = _gap_seqs(ledger.gaps)
    for key, t in expected:
        if key in seen:
            continue
        if t not in UNREPLAYABLE:
            problems.append(f"lost (the server could replay it): {key} {t}")
        elif key not in covered:
            problems.append(f"lost without a gap reported: {key} {t}")
    events = dict(expected)
    for key in covered:
        if key in seen:
            problems.append(f"gap reported for an applied dispatch: {key}")
        elif key in events and events[key] not in UNREPLAYABLE:
            problems.append(f"gap over a replayable dispatch: {key} {events[key]}")
    return problems


def _gap_seqs(gaps: Iterable[dict[str, Any]]) -> set[Key]:
    return {(g["session"], seq) for g in gaps for seq in range(g["after"] + 1, g["before"])}
