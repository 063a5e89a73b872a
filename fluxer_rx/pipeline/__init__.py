"""The event pipeline: frames from any source -> decode -> cache fold -> ``events`` ->
handlers, with readiness and member-chunk correlation (see :class:`EventPipeline`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluxer_rx.lazy_names import lazy_attributes
from fluxer_rx.pipeline.event_pipeline import EventPipeline

if TYPE_CHECKING:
    from fluxer_rx.pipeline.ports import GatewayCommands, ShardSink
    from fluxer_rx.pipeline.replaying import replay_into

__all__ = ["EventPipeline", "GatewayCommands", "ShardSink", "replay_into"]

# the replay machinery loads with the first replay, and the ports (protocols defined beside
# the shard and the shard group) with their first read, not with the client
__getattr__ = lazy_attributes(
    __name__,
    {
        "GatewayCommands": "fluxer_rx.pipeline.ports",
        "ShardSink": "fluxer_rx.pipeline.ports",
        "replay_into": "fluxer_rx.pipeline.replaying",
    },
    globals(),
)
