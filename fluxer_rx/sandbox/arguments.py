"""Argument checks for the sandbox's Python API, run when a world, a sandbox or a traffic
run is built, before anything is bound or started.

Each check raises ``ValueError`` with a one-line message that names the argument and the
value given (``"port must be an integer in 0..65535, got 99999"``), so a command line can
print it as is and exit 2. Booleans are refused where a number is expected.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from fluxer_rx.sandbox.ratelimit import HeaderStyle, RateLimiter

__all__ = [
    "check_count",
    "check_positive",
    "check_rate",
    "check_sandbox_arguments",
    "check_world_arguments",
]


def _finite(value: object) -> float | None:
    """``value`` as a float when it is a finite ``int`` or ``float`` (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def check_count(name: str, value: object, *, minimum: int = 0) -> None:
    """``value`` must be an ``int`` >= ``minimum``."""
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def check_positive(name: str, value: object) -> None:
    """``value`` must be a finite number > 0."""
    number = _finite(value)
    if number is None or number <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")


def check_rate(name: str, value: object) -> None:
    """``value`` must be ``None`` or a finite number >= 0 (0 and ``None``: no traffic)."""
    number = _finite(value)
    if value is not None and (number is None or number < 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")


def check_world_arguments(
    *, guilds: object, channels_per_guild: object, members_per_guild: object, messages: object
) -> None:
    """The world's shape: every count an ``int`` >= 0."""
    check_count("guilds", guilds)
    check_count("channels_per_guild", channels_per_guild)
    check_count("members_per_guild", members_per_guild)
    check_count("messages_per_channel", messages)


def check_sandbox_arguments(
    *,
    heartbeat_interval: float,
    resume_window: float,
    rate_limit_headers: HeaderStyle,
    rest_window_scale: float,
    rest_global_limit: int,
    rest_bucket_limits: Mapping[str, tuple[int, float]] | None,
    client_rate_limit: tuple[int, float] | None,
    replay_buffer_size: int,
    host: str,
    port: int,
    traffic_rate: float | None,
) -> None:
    """Every argument of :class:`~fluxer_rx.sandbox.server.Sandbox` that has a range,
    but the world's shape (:func:`check_world_arguments`, checked by the world)."""
    check_positive("heartbeat_interval", heartbeat_interval)
    window = _finite(resume_window)
    if window is None or window < 0:
        raise ValueError(f"resume_window must be a finite number >= 0, got {resume_window!r}")
    if rate_limit_headers not in ("S", "N"):
        raise ValueError(f"rate_limit_headers must be 'S' or 'N', got {rate_limit_headers!r}")
    check_positive("rest_window_scale", rest_window_scale)
    check_count("rest_global_limit", rest_global_limit, minimum=1)
    # the REST rate limiter checks the bucket rules' names, limits and windows itself
    RateLimiter(
        header_style=rate_limit_headers,
        window_scale=rest_window_scale,
        global_limit=rest_global_limit,
        overrides=rest_bucket_limits,
    )
    if client_rate_limit is not None:
        check_count("client_rate_limit payloads", client_rate_limit[0], minimum=1)
        check_positive("client_rate_limit window", client_rate_limit[1])
    check_count("replay_buffer_size", replay_buffer_size)
    if not isinstance(host, str) or not host:
        raise ValueError(f"host must be a non-empty string, got {host!r}")
    if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
        raise ValueError(f"port must be an integer in 0..65535, got {port!r}")
    check_rate("traffic_rate", traffic_rate)
