"""Scale-out on a message broker: one ordered stream per shard between processes.

Configured by :class:`RedisBus`: ``ClientOptions(bus=RedisBus(...))`` makes a client a
worker (:class:`WorkerLink`); :func:`run_gateway` (``fluxer-rx gateway``) runs the gateway
side.

Gateway processes (:class:`GatewayProcess`) publish each shard's frames; workers
(:class:`StreamWorker`) read them, drop duplicates by (shard, session, seq), feed an event
pipeline and acknowledge what they applied; :class:`BusCommands` carries commands back.
:class:`Broker` is the port; :class:`RedisBroker` implements it on Redis, and
:class:`SharedRestLimits` shares REST rate limits through it (install the ``redis`` extra:
``pip install 'fluxer_rx[redis]'``; those names are imported on first use, so this
package imports without redis).
"""

from __future__ import annotations

import importlib
from typing import Any

from fluxer_rx.bus.bus_options import RedisBus
from fluxer_rx.bus.errors import BrokerUnavailable
from fluxer_rx.bus.port import (
    START,
    Broker,
    Command,
    FrameRecord,
    Lease,
    Snapshot,
    StreamEntry,
)

_LAZY = {
    "BusCommands": "fluxer_rx.bus.commands",
    "GatewayProcess": "fluxer_rx.bus.gateway_process",
    "GatewayRunSummary": "fluxer_rx.bus.gateway_run",
    "RedisBroker": "fluxer_rx.bus.redis_broker",
    "RedisBrokerOptions": "fluxer_rx.bus.redis_broker",
    "SharedRestLimits": "fluxer_rx.bus.rest_limits",
    "StreamWorker": "fluxer_rx.bus.worker",
    "WorkerLink": "fluxer_rx.bus.worker_link",
    "run_gateway": "fluxer_rx.bus.gateway_run",
}

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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
