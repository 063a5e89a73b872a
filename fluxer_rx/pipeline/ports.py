"""The small protocols that join the event pipeline to its frame sources and commands.

* A frame source (a :class:`~fluxer_rx.gateway.shard_group.ShardGroup`, a replay, a
  broker reader) drives a :class:`~fluxer_rx.gateway.shard.ShardSink`, which the
  :class:`~fluxer_rx.pipeline.EventPipeline` is.
* :class:`~fluxer_rx.gateway.shard_group.GatewayCommands` is what the pipeline (and the
  client) may ask of the connections: send, request members.
"""

from __future__ import annotations

from fluxer_rx.gateway.shard import ShardSink
from fluxer_rx.gateway.shard_group import GatewayCommands

__all__ = ["GatewayCommands", "ShardSink"]
