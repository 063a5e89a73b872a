"""Finding the gateway URL (PROTOCOL §1.1): ``/gateway/bot``, then ``/.well-known/fluxer``,
then ``/instance``.

``GET {api_url}/gateway/bot`` works on both server versions and only checks the token's
shape; a 401 there means the token is refused (:class:`InvalidToken` propagates). Any
other failure falls through to instance discovery, whose ``endpoints.gateway`` holds the
URL. The URL returned has no query string; the client appends ``?v=...&encoding=json``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluxer_rx.errors import FluxerError, InvalidToken, RestError

if TYPE_CHECKING:
    from fluxer_rx.rest import Rest

__all__ = ["discover_gateway_url"]


async def discover_gateway_url(rest: Rest) -> str:
    """Ask the API where the gateway is.

    Raises :class:`InvalidToken` on a 401 from ``/gateway/bot`` and :class:`RestError`
    when no source gives a URL (its message names the API URL and each source's failure).
    """
    failures: list[str] = []
    try:
        found = (await rest.get_gateway_bot()).url
        if found:
            return found
        failures.append("/gateway/bot: no url")
    except InvalidToken:
        raise
    except FluxerError as exc:
        failures.append(f"/gateway/bot: {exc}")
    try:
        instance = await rest.fetch_instance()
    except FluxerError as exc:
        failures.append(f"instance discovery: {exc}")
    else:
        if instance.endpoints.gateway:
            return instance.endpoints.gateway
        failures.append("instance discovery: no endpoints.gateway")
    api_url = rest.options.api_url
    raise RestError(f"cannot discover the gateway URL from {api_url}: " + "; ".join(failures))
