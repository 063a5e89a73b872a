"""A local Fluxer-compatible server (gateway + REST) for demos, tests and benchmarks.

It builds wire JSON from its own world state and never imports the client's models.
"""

from __future__ import annotations

from fluxer_rx.sandbox.faults import Faults
from fluxer_rx.sandbox.world import World, WorldError

__all__ = ["Faults", "World", "WorldError"]
