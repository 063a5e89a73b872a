"""Errors of the broker layer, independent of the engine behind it."""

from __future__ import annotations

from fluxer_rx.errors import FluxerError

__all__ = ["BrokerUnavailable"]


class BrokerUnavailable(FluxerError):
    """The broker could not be reached or did not answer; the operation may be retried.

    A publish that raised this may have stored part of its batch (readers drop duplicates
    by (shard, session, seq)).
    """
