"""The :class:`Client`: wiring of shards, decoding, the cache fold, streams and managers.

Until the gateway layer lands this holds only the options; the lifecycle methods arrive
with it.
"""

from __future__ import annotations

from fluxer_rx.options import ClientOptions

__all__ = ["Client"]


class Client:
    """A Fluxer client. ``Client(options)``; ``options`` defaults to ``ClientOptions()``."""

    def __init__(self, options: ClientOptions | None = None) -> None:
        self.options = options if options is not None else ClientOptions()

    def __repr__(self) -> str:
        return f"<Client gateway_version={self.options.gateway_version!r}>"
