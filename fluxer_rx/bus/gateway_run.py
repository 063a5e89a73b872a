"""Run a scale-out's gateway side from Python: :func:`run_gateway` (``fluxer-rx gateway``).

``await run_gateway(token, RedisBus(url, shard_count=N, shards=[0, 1]), stop=event)``
runs a :class:`~fluxer_rx.bus.gateway_process.GatewayProcess` for the shards of the bus it
can lease (taking over the others' when their holders die) until ``stop`` is set, then
closes every shard, stores what was received and releases the leases. The gateway URL is
``gateway.url`` or, when not given, asked of the API at ``api_url``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from dataclasses import dataclass

from fluxer_rx.bus.bus_options import RedisBus
from fluxer_rx.bus.gateway_process import GatewayProcess
from fluxer_rx.discovery import discover_gateway_url
from fluxer_rx.gateway.options import GatewayOptions
from fluxer_rx.gateway.protocol import bare_token
from fluxer_rx.gateway.url import gateway_url_with_query
from fluxer_rx.rest import Rest
from fluxer_rx.rest.options import RestOptions

__all__ = ["GatewayRunSummary", "run_gateway"]


@dataclass(frozen=True, slots=True)
class GatewayRunSummary:
    """What a :func:`run_gateway` did: the shards it ran at some point, the frames it
    stored in their streams, and for how long it ran."""

    shards: tuple[int, ...]
    frames: int
    seconds: float

    def __str__(self) -> str:
        shards = ",".join(map(str, self.shards)) or "none"
        return f"ran shards {shards}; published {self.frames} frames in {self.seconds:.1f} s"


async def _gateway_url(token: str, gateway: GatewayOptions, rest: RestOptions) -> str:
    if gateway.url is not None:
        return gateway_url_with_query(gateway.url, gateway.version)
    async with Rest(token, rest) as api:
        return gateway_url_with_query(await discover_gateway_url(api), gateway.version)


async def run_gateway(
    token: str,
    bus: RedisBus,
    *,
    gateway: GatewayOptions | None = None,
    rest: RestOptions | None = None,
    stop: asyncio.Event | None = None,
) -> GatewayRunSummary:
    """Run the gateway processes' part of ``bus`` until ``stop`` is set (see the module).

    ``gateway`` gives the URL, transport, timeouts and presence (its shard fields are
    taken from ``bus``). Raises what discovery raises (``InvalidToken``, ``RestError``),
    :class:`~fluxer_rx.bus.errors.BrokerUnavailable` when Redis cannot be reached at the
    start (later outages are retried), a fatal gateway error of a shard, and
    ``ValueError`` for an empty token or an unusable URL. The token is never logged or
    shown in an error.
    """
    token = bare_token(token)
    gateway = gateway if gateway is not None else GatewayOptions()
    options = dataclasses.replace(
        gateway,
        shard_count=bus.shard_count if bus.shard_count > 1 else None,
        shard_ids=None,
    )
    url = await _gateway_url(token, gateway, rest if rest is not None else RestOptions())
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with bus.open_broker() as broker:
        await broker.call("ping", broker.redis.ping())  # an unreachable Redis fails now
        process = GatewayProcess(
            broker,
            token,
            url,
            options,
            shard_ids=bus.shard_ids,
            lease_ttl=bus.lease_ttl,
            batch_size=bus.batch_size,
            batch_delay=bus.batch_delay,
        )
        running = asyncio.create_task(process.run())
        waiting = asyncio.create_task((stop or asyncio.Event()).wait())
        try:
            await asyncio.wait([running, waiting], return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiting.cancel()
            await process.close()
            if running.done():
                running.result()  # a fatal gateway error
            else:
                running.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await running
        frames = process.sink.publisher.acknowledged
    return GatewayRunSummary(tuple(sorted(process.ever_held)), frames, loop.time() - started)
