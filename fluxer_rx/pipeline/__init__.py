"""The event pipeline: frames from any source -> decode -> cache fold -> ``events`` ->
handlers, with readiness and member-chunk correlation (see :class:`EventPipeline`)."""

from fluxer_rx.pipeline.event_pipeline import EventPipeline
from fluxer_rx.pipeline.ports import GatewayCommands, ShardSink
from fluxer_rx.pipeline.replaying import replay_into

__all__ = ["EventPipeline", "GatewayCommands", "ShardSink", "replay_into"]
