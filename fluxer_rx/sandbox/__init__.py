"""A local Fluxer-compatible server (gateway + REST) for demos, tests and benchmarks.

``async with Sandbox(...) as sb`` serves a seeded :class:`World` on 127.0.0.1. The
sandbox builds wire JSON from its own state and never imports the client's models.
"""

from __future__ import annotations

from fluxer_rx.sandbox.config import SandboxConfig
from fluxer_rx.sandbox.faults import Faults
from fluxer_rx.sandbox.firehose import FirehoseResult
from fluxer_rx.sandbox.gateway import DispatchRecord, GatewayHub, Session
from fluxer_rx.sandbox.server import Sandbox
from fluxer_rx.sandbox.traffic import TRAFFIC_KINDS, TrafficBounds, TrafficGenerator
from fluxer_rx.sandbox.traffic_pace import TrafficPace
from fluxer_rx.sandbox.world import World, WorldError

__all__ = [
    "TRAFFIC_KINDS",
    "DispatchRecord",
    "Faults",
    "FirehoseResult",
    "GatewayHub",
    "Sandbox",
    "SandboxConfig",
    "Session",
    "TrafficBounds",
    "TrafficGenerator",
    "TrafficPace",
    "World",
    "WorldError",
]
