"""The gateway layer: the sans-I/O protocol machine and the asyncio shard driver.

:class:`GatewayProtocol` holds every protocol rule (frames and time in, actions out);
:class:`Shard` runs it over a WebSocket transport; :class:`IdentifyQueue` spaces IDENTIFYs
across shards. A :class:`Session` is a live session as a value (id, seq, resume URL,
shard) that a protocol in another process can RESUME.
"""

from fluxer_rx.gateway.actions import ConnectionState
from fluxer_rx.gateway.identify_queue import IdentifyQueue
from fluxer_rx.gateway.protocol import GatewayProtocol
from fluxer_rx.gateway.session import Session
from fluxer_rx.gateway.shard import Shard

__all__ = ["ConnectionState", "GatewayProtocol", "IdentifyQueue", "Session", "Shard"]
