"""Finding the gateway URL (PROTOCOL §1.1): ``/gateway/bot``, then ``/.well-known/fluxer``,
then ``/instance``.

``GET {api_url}/gateway/bot`` works on both server versions and only checks the token's
shape; a 401 there means the token is refused (:class:`InvalidToken`). Any other failure
falls through to the unauthenticated discovery documents, whose ``endpoints.gateway``
holds the URL. The returned URL has no query string; the client appends
``?v=...&encoding=json``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import msgspec

from fluxer_rx.errors import InvalidToken, RestError
from fluxer_rx.options import RestOptions

__all__ = ["api_origin", "discover_gateway_url"]


def api_origin(api_url: str) -> str:
    """``scheme://host[:port]`` of ``api_url`` (where ``/.well-known/fluxer`` lives)."""
    parts = urlsplit(api_url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


async def _get_json(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str]
) -> tuple[int, Any]:
    async with session.get(url, headers=headers) as response:
        body = await response.read()
        if response.status != 200:
            return response.status, None
        try:
            return response.status, msgspec.json.decode(body)
        except msgspec.DecodeError:
            return response.status, None


def _gateway_of(document: Any) -> str | None:
    if isinstance(document, dict):
        endpoints = document.get("endpoints")
        if isinstance(endpoints, dict) and isinstance(endpoints.get("gateway"), str):
            return str(endpoints["gateway"])
    return None


async def discover_gateway_url(options: RestOptions, token: str) -> str:
    """Ask the API where the gateway is.

    Raises :class:`InvalidToken` on a 401 from ``/gateway/bot`` and :class:`RestError`
    when no source gives a URL.
    """
    api = options.api_url.rstrip("/")
    timeout = aiohttp.ClientTimeout(total=options.timeout)
    base_headers = {"User-Agent": options.user_agent}
    failures: list[str] = []
    async with aiohttp.ClientSession(timeout=timeout) as session:
        try:
            status, body = await _get_json(
                session, f"{api}/gateway/bot", {**base_headers, "Authorization": f"Bot {token}"}
            )
        except (aiohttp.ClientError, TimeoutError) as exc:
            status, body = 0, None
            failures.append(f"/gateway/bot: {exc!r}")
        if status == 401:
            raise InvalidToken("the API refused the token (HTTP 401 on /gateway/bot)")
        if isinstance(body, dict) and isinstance(body.get("url"), str):
            return str(body["url"])
        failures.append(f"/gateway/bot: HTTP {status}")
        for url in (f"{api_origin(api)}/.well-known/fluxer", f"{api}/instance"):
            try:
                status, body = await _get_json(session, url, base_headers)
            except (aiohttp.ClientError, TimeoutError) as exc:
                failures.append(f"{url}: {exc!r}")
                continue
            found = _gateway_of(body)
            if found:
                return found
            failures.append(f"{url}: HTTP {status}")
    raise RestError("cannot discover the gateway URL: " + "; ".join(failures))
