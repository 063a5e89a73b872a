"""Errors of the broker layer, independent of the engine behind it (defined in
:mod:`fluxer_rx.errors` with every other public exception, re-exported here)."""

from __future__ import annotations

from fluxer_rx.errors import BrokerUnavailable

__all__ = ["BrokerUnavailable"]
