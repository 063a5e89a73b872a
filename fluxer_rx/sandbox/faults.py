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

    REST (read by the REST routes; semantics owned there):

    * ``rest_error_rate``: probability in [0, 1] that a request fails with
      ``rest_error_status`` (default 500); drawn from ``rng``.
    * ``rest_fail_next``: the next N requests fail with ``rest_error_status`` (decremented
      by the REST half).
    * ``rest_delay``: seconds added before every REST response (slow REST).
    * ``rest_429_storm``: while True every REST request gets a 429.
    * ``rng``: the seeded random source for seeded-random faults.
    """

    ack_heartbeats: bool = True
    identify_failure: str | None = None
    rest_error_rate: float = 0.0
    rest_error_status: int = 500
    rest_fail_next: int = 0
    rest_delay: float = 0.0
    rest_429_storm: bool = False
    rng: random.Random = field(default_factory=lambda: random.Random(0))

    def reset(self) -> None:
        """Turn every switch off again (the ``rng`` keeps its state)."""
        self.ack_heartbeats = True
        self.identify_failure = None
        self.rest_error_rate = 0.0
        self.rest_error_status = 500
        self.rest_fail_next = 0
        self.rest_delay = 0.0
        self.rest_429_storm = False
