"""A garbage-collector policy for latency: freeze the heap once the client is ready.

CPython's cyclic collector walks every object of the generations it collects. A bot's
heap after login is large and long-lived (the imported libraries, the cache filled by the
guild burst), so a gen-1 collection during the event stream walks it in part and a gen-2
collection walks all of it: in ``benchmarks/bench_latency.py`` (a sandbox with a small
cache) gen-1 pauses were 0.4-0.5 ms and one gen-2 pause 41 ms, each delaying every event
that arrived meanwhile. ``gc.freeze()`` moves every object alive at that moment into a
permanent generation the collector no longer walks: afterwards a pause costs what was
allocated since, whatever the size of the heap.

:func:`freeze_when_ready` does it each time ``client`` becomes ready (after login, and
after a reconnect's burst): one full collection first (so no garbage that exists already
is frozen), then the freeze. :func:`freeze_heap` is the same step for code that knows its
own quiet moment.

Guarantees and costs:

* nothing is delivered differently: the policy only decides when the collector runs;
* the full collection at ready is one pause of the size the policy avoids later (tens of
  ms for a large heap), taken once per ready instead of at a random event;
* frozen objects are still freed by reference counting as usual; only a reference cycle
  among objects frozen before it became garbage waits for :func:`unfreeze_heap` (or the
  next :func:`freeze_heap`, which does not collect frozen objects either: call
  :func:`unfreeze_heap` first to reclaim such cycles).

Recipe::

    client = Client(options)
    freeze_when_ready(client)      # before login
    await client.login(token)
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from fluxer_rx.diagnostics import Diagnostic, Kind
from fluxer_rx.lifecycle import ClientState

if TYPE_CHECKING:
    from reactivex.abc import DisposableBase

    from fluxer_rx.client import Client

__all__ = ["freeze_heap", "freeze_when_ready", "unfreeze_heap"]


def freeze_heap() -> int:
    """Collect all generations, then freeze every object still alive; returns how many
    objects are frozen now (``gc.get_freeze_count()``)."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def unfreeze_heap() -> None:
    """Give the frozen objects back to the collector (the oldest generation)."""
    gc.unfreeze()


def freeze_when_ready(client: Client) -> DisposableBase:
    """Call :func:`freeze_heap` each time ``client`` moves to ``ready`` (it is reported on
    ``client.diagnostics`` as ``client_state``); disposing the result stops it. The
    freeze runs on the loop, inside the state change, before the next event is handled."""

    def on_report(report: Diagnostic) -> None:
        # reported after the move: client.state is already the new state
        if report.kind == Kind.CLIENT_STATE and client.state is ClientState.READY:
            freeze_heap()

    return client.diagnostics.subscribe(on_report)
