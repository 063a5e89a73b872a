"""Fault switches shared by the sandbox's gateway and REST halves.

One :class:`Faults` object lives on the world (``world.faults``, also ``sandbox.faults``);
both halves read it on every frame / request, so flipping a switch takes effect at once.
Gateway one-shot faults (drop connections, INVALID_SESSION, RECONNECT, malformed frames)
are methods on :class:`~fluxer_rx.sandbox.server.Sandbox`; the switches below are the
persistent ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from fluxer_rx.sandbox.rest_faults import RestFaults

__all__ = ["Faults"]


@dataclass(slots=True)
class Faults:
    """Persistent fault switches; all off by default.

    Gateway:

    * ``ack_heartbeats``: when False the gateway stops answering op 1 with op 11 (a zombie
      connection); it still counts the heartbeat as received, so it does not close 4009.
    * ``identify_failure``: ``None``, ``"rate_limited"`` (IDENTIFY closes 4008 "Rate
      limited", as when the API's session RPC answers 429) or ``"server_error"`` (closes
      4000 "Failed to start session", as on an API 500).

    REST faults (5xx, slow answers, 429 storms, drops) belong to the REST half: its
    fault object (:class:`~fluxer_rx.sandbox.rest_faults.RestFaults`) is attached as
    ``rest`` (``None`` until the REST routes are mounted).

    * ``rng``: the seeded random source for the gateway's seeded-random faults.
    """

    ack_heartbeats: bool = True
    identify_failure: str | None = None
    rest: RestFaults | None = None
    rng: random.Random = field(default_factory=lambda: random.Random(0))

    def reset(self) -> None:
        """Turn every gateway switch off again (``rng`` and ``rest`` are kept)."""
        self.ack_heartbeats = True
        self.identify_failure = None
