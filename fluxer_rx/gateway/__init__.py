"""The gateway layer: the sans-I/O protocol machine and the asyncio shard driver.

:class:`GatewayProtocol` holds every protocol rule (frames and time in, actions out);
:class:`Shard` runs it over a WebSocket transport; :class:`IdentifyQueue` spaces IDENTIFYs
across shards. A :class:`Session` is a live session as a value (id, seq, resume URL,
shard) that a protocol in another process can RESUME.

Each name is imported from its module on first read, so the light parts of the package
that a client needs before ``login()`` (its options, the connection states) do not import
the protocol machine and the shard driver (``benchmarks/bench_import.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluxer_rx.lazy_names import lazy_attributes, listing

if TYPE_CHECKING:
    from fluxer_rx.gateway.actions import ConnectionState
    from fluxer_rx.gateway.identify_queue import IdentifyQueue
    from fluxer_rx.gateway.protocol import GatewayProtocol
    from fluxer_rx.gateway.session import Session
    from fluxer_rx.gateway.shard import Shard

__all__ = ["ConnectionState", "GatewayProtocol", "IdentifyQueue", "Session", "Shard"]

__getattr__ = lazy_attributes(
    __name__,
    {
        "ConnectionState": "fluxer_rx.gateway.actions",
        "GatewayProtocol": "fluxer_rx.gateway.protocol",
        "IdentifyQueue": "fluxer_rx.gateway.identify_queue",
        "Session": "fluxer_rx.gateway.session",
        "Shard": "fluxer_rx.gateway.shard",
    },
    globals(),
)
__dir__ = listing(globals(), __all__)
