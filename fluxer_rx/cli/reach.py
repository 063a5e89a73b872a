"""Is a URL reachable? A bounded TCP check that names the URL and the cause when it is not.

The command line checks the URLs it is given before logging in, so an instance that is
down fails within ``timeout`` seconds with ``cannot reach URL: connection refused``
instead of after the REST retries or the gateway's reconnect loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
from urllib.parse import urlsplit

__all__ = ["Unreachable", "check_reachable", "describe_failure"]

_DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443}


class Unreachable(ConnectionError):
    """``url`` could not be reached; ``str()`` is ``cannot reach <url>: <cause>``."""

    def __init__(self, url: str, cause: str) -> None:
        super().__init__(f"cannot reach {url}: {cause}")
        self.url = url
        self.cause = cause


def describe_failure(exc: BaseException, host: str, timeout: float) -> str:
    """The cause of a failed connection, in a few words (no repr, no exception class)."""
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout:g} s (timed out)"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the host name {host!r} ({exc.strerror or exc})"
    code = getattr(exc, "errno", None)
    if isinstance(exc, ConnectionRefusedError) or code == errno.ECONNREFUSED:
        return "connection refused"
    if code in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return "no route to the host (network unreachable)"
    strerror = getattr(exc, "strerror", None)
    if isinstance(strerror, str) and strerror:
        return strerror.lower()
    return str(exc) or type(exc).__name__


async def check_reachable(url: str, *, timeout: float = 5.0) -> None:
    """Open and close a TCP connection to ``url``'s host and port within ``timeout``
    seconds; raise :class:`Unreachable` naming ``url`` and the cause otherwise."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 80)
    try:
        async with asyncio.timeout(timeout):
            _, writer = await asyncio.open_connection(host, port)
    except (OSError, TimeoutError) as exc:
        raise Unreachable(url, describe_failure(exc, host, timeout)) from None
    writer.close()
    with contextlib.suppress(OSError):  # a reset still means the peer answered
        await writer.wait_closed()
