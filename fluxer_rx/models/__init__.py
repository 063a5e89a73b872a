"""Wire models (msgspec Structs) for Fluxer API objects and gateway dispatch payloads."""

from fluxer_rx.models.event_names import ALL_EVENT_NAMES, Events

__all__ = ["ALL_EVENT_NAMES", "Events"]
