"""The answer of ``GET /gateway/bot`` (``GatewayBotResponse``)."""

from __future__ import annotations

from fluxer_rx.models.base import Model

__all__ = ["GatewayBot", "SessionStartLimit"]


class SessionStartLimit(Model, kw_only=True):
    """How many sessions may still be started; ``reset_after`` is in milliseconds."""

    max_concurrency: int = 1
    remaining: int = 0
    reset_after: int = 0
    total: int = 0


class GatewayBot(Model, kw_only=True):
    """Gateway URL (without query string) and shard advice; Fluxer always says one shard."""

    session_start_limit: SessionStartLimit | None = None
    shards: int = 1
    url: str
