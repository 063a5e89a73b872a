"""The REST layer's own configuration: :class:`RestOptions` (composed by
:class:`~fluxer_rx.options.ClientOptions`, never holding the token)."""

from __future__ import annotations

from dataclasses import dataclass

from fluxer_rx._version import __version__

__all__ = ["DEFAULT_API_URL", "RestOptions"]

DEFAULT_API_URL = "https://api.fluxer.app/v1"


@dataclass(frozen=True, slots=True)
class RestOptions:
    """How the REST client talks to the API.

    ``api_url`` includes the version prefix (``/v1``). ``timeout`` is per request in
    seconds. ``max_retries`` bounds retries of 429, 5xx, timeouts and connection errors.
    ``global_rate_limit`` is the proactive global limit in requests per second
    (``None`` disables proactive limiting; the server's 429s are still honoured).
    ``retry_backoff`` is the base delay in seconds before retrying a 5xx, timeout or
    connection error (doubled per retry, with jitter, capped at ``retry_backoff_max``).
    ``max_rate_limit_wait`` caps any single rate-limit wait (a 429's ``retry_after``, a
    bucket or the global limit): a longer wait raises ``RateLimitError`` instead of
    waiting. ``timeout`` bounds the whole call, rate-limit waits and retries included.
    """

    api_url: str = DEFAULT_API_URL
    timeout: float = 15.0
    max_retries: int = 3
    user_agent: str = f"fluxer_rx/{__version__} (https://github.com/fluxer-rx/fluxer_rx)"
    global_rate_limit: float | None = 50.0
    retry_backoff: float = 0.5
    retry_backoff_max: float = 8.0
    max_rate_limit_wait: float = 60.0
