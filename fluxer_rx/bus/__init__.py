"""Scale-out on a message broker: one ordered stream per shard between processes.

Gateway processes publish each shard's frames; workers read them, drop duplicates by
(shard, session, seq) and acknowledge what they applied. :class:`Broker` is the port;
:class:`RedisBroker` implements it on Redis (install the ``redis`` extra:
``pip install 'fluxer_rx[redis]'``).
"""

from __future__ import annotations

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

__all__ = [
    "START",
    "Broker",
    "BrokerUnavailable",
    "Command",
    "FrameRecord",
    "Lease",
    "Snapshot",
    "StreamEntry",
]
