"""Scale-out on a message broker: one ordered stream per shard between processes.

Configured by :class:`RedisBus`: ``ClientOptions(bus=RedisBus(...))`` makes a client a
worker (:class:`WorkerLink`); :func:`run_gateway` (``fluxer-rx gateway``) runs the gateway
side.

Gateway processes (:class:`GatewayProcess`) publish each shard's frames; workers
(:class:`StreamWorker`) read them, drop duplicates by (shard, session, seq), feed an event
pipeline and acknowledge what they applied; :class:`BusCommands` carries commands back.
:class:`Broker` is the port; :class:`RedisBroker` implements it on Redis, and
:class:`SharedRestLimits` shares REST rate limits through it (install the ``redis`` extra:
``pip install 'fluxer_rx[redis]'``; this package imports without redis).

Each name is imported from its module on first read, so the light parts (the options a
client holds, :class:`RedisBus`) do not import the broker's records, Redis or the workers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluxer_rx.lazy_names import lazy_parts, listing

if TYPE_CHECKING:
    from fluxer_rx.bus.bus_options import RedisBus
    from fluxer_rx.bus.commands import BusCommands
    from fluxer_rx.bus.errors import BrokerUnavailable
    from fluxer_rx.bus.gateway_process import GatewayProcess
    from fluxer_rx.bus.gateway_run import GatewayRunSummary, run_gateway
    from fluxer_rx.bus.port import (
        START,
        Broker,
        Command,
        FrameRecord,
        Lease,
        Snapshot,
        StreamEntry,
    )
    from fluxer_rx.bus.redis_broker import RedisBroker, RedisBrokerOptions
    from fluxer_rx.bus.rest_limits import SharedRestLimits
    from fluxer_rx.bus.worker import StreamWorker
    from fluxer_rx.bus.worker_link import WorkerLink

_PARTS = {
    "bus_options": ("RedisBus",),
    "commands": ("BusCommands",),
    "errors": ("BrokerUnavailable",),
    "gateway_process": ("GatewayProcess",),
    "gateway_run": ("GatewayRunSummary", "run_gateway"),
    "port": ("START", "Broker", "Command", "FrameRecord", "Lease", "Snapshot", "StreamEntry"),
    "redis_broker": ("RedisBroker", "RedisBrokerOptions"),
    "rest_limits": ("SharedRestLimits",),
    "worker": ("StreamWorker",),
    "worker_link": ("WorkerLink",),
}
"""Submodule -> the public names it defines (each submodule imported on first read)."""

__all__ = [
    "START",
    "Broker",
    "BrokerUnavailable",
    "BusCommands",
    "Command",
    "FrameRecord",
    "GatewayProcess",
    "GatewayRunSummary",
    "Lease",
    "RedisBroker",
    "RedisBrokerOptions",
    "RedisBus",
    "SharedRestLimits",
    "Snapshot",
    "StreamEntry",
    "StreamWorker",
    "WorkerLink",
    "run_gateway",
]

__getattr__ = lazy_parts(__name__, _PARTS, globals())
__dir__ = listing(globals(), __all__)
