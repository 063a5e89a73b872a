"""The gateway URL a shard connects to: the discovered or configured URL with its query."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["gateway_url_with_query"]


def gateway_url_with_query(url: str, version: str = "1") -> str:
    """``url`` with ``v`` and ``encoding=json`` added to its query unless already there
    (other query keys are kept).

    Raises ``ValueError`` for a URL that is not ``ws://`` or ``wss://`` with a host, and for
    a ``compress`` other than ``none``: compression is the ``GatewayOptions.compress``
    option, which adds the query itself and decompresses; asked for in the URL alone it
    would make every frame undecodable (PROTOCOL §1.2).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise ValueError(f"the gateway URL must be ws:// or wss:// with a host, got {url!r}")
    query = parse_qsl(parts.query, keep_blank_values=True)
    keys = {key for key, _ in query}
    for key, value in query:
        if key == "compress" and value.lower() != "none":
            raise ValueError(
                f"gateway compression {value!r} in the URL is not supported: remove "
                "'compress' from the gateway URL and set GatewayOptions(compress='zstd-stream')"
            )
    if "v" not in keys:
        query.append(("v", version))
    if "encoding" not in keys:
        query.append(("encoding", "json"))
    return urlunsplit(
        (parts.scheme, parts.netloc, parts.path or "/", urlencode(query), parts.fragment)
    )
