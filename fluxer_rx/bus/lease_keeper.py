"""Holding a lease: take it when free, renew it in the background, notice when it is lost.

:class:`LeaseKeeper` turns the broker's acquire/renew/release into a held role ("gateway
for shard 3", "reader of shard 3 for group analytics"). Guarantees:

* :meth:`acquire` returns only once this keeper holds the lease (polling every ``poll``
  seconds while another holder has it), so at most one keeper in any process holds it.
* While held, the lease is renewed every ``renew_every`` seconds (a third of the TTL by
  default), so a live holder keeps it through two failed renewals.
* :attr:`lost` is set, and ``on_lost`` called once, as soon as a renewal says another
  holder has the lease, or when no renewal succeeded for a whole TTL (the broker was
  unreachable, so the lease may have expired and been taken). A holder must stop acting
  for the lease then; its fenced writes are refused anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from fluxer_rx.bus.errors import BrokerUnavailable
from fluxer_rx.bus.port import Broker, Lease

__all__ = ["LeaseKeeper"]


class LeaseKeeper:
    """Acquire, renew and release one lease ``name`` on ``broker`` (see the module)."""

    def __init__(
        self,
        broker: Broker,
        name: str,
        ttl: float,
        *,
        renew_every: float | None = None,
        on_lost: Callable[[Lease], None] | None = None,
    ) -> None:
        if not ttl > 0:
            raise ValueError(f"ttl must be > 0, got {ttl}")
        self.broker = broker
        self.name = name
        self.ttl = ttl
        self.renew_every = renew_every if renew_every is not None else ttl / 3
        if not 0 < self.renew_every < ttl:
            raise ValueError("renew_every must be > 0 and shorter than the ttl")
        self._on_lost = on_lost
        self.lease: Lease | None = None
        self.lost = asyncio.Event()
        self._renewer: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        state = "held" if self.held else "lost" if self.lost.is_set() else "not held"
        return f"<LeaseKeeper {self.name!r} {state}>"

    @property
    def held(self) -> bool:
        """Whether the lease is held and not known to be lost."""
        return self.lease is not None and not self.lost.is_set()

    async def try_acquire(self) -> bool:
        """Take the lease if it is free now and start renewing it."""
        if self.held:
            return True
        sent = asyncio.get_running_loop().time()
        lease = await self.broker.acquire_lease(self.name, self.ttl)
        if lease is None:
            return False
        self._hold(lease, sent)
        return True

    async def acquire(self, *, poll: float | None = None) -> Lease:
        """Wait until the lease is ours (retrying every ``poll`` s, ttl/10 by default).

        A broker that is unreachable is retried the same way.
        """
        interval = poll if poll is not None else self.ttl / 10
        while True:
            with contextlib.suppress(BrokerUnavailable):
                if await self.try_acquire():
                    assert self.lease is not None
                    return self.lease
            await asyncio.sleep(interval)

    def _hold(self, lease: Lease, sent: float) -> None:
        self.lease = lease
        self.lost = asyncio.Event()
        self._renewer = asyncio.get_running_loop().create_task(self._renew(lease, sent))

    async def _renew(self, lease: Lease, sent: float) -> None:
        # The TTL runs from when Redis set it, after ``sent``: counting from ``sent`` errs
        # on the safe side.
        loop = asyncio.get_running_loop()
        valid_until = sent + lease.ttl
        while True:
            await asyncio.sleep(min(self.renew_every, max(0.0, valid_until - loop.time())))
            sent = loop.time()
            try:
                if not await self.broker.renew_lease(lease):
                    break
                valid_until = sent + lease.ttl
            except BrokerUnavailable:
                if loop.time() >= valid_until:
                    break
        self._mark_lost(lease)

    def _mark_lost(self, lease: Lease) -> None:
        if not self.lost.is_set():
            self.lost.set()
            if self._on_lost is not None:
                self._on_lost(lease)

    async def release(self) -> None:
        """Stop renewing and give the lease up (if the broker answers). Idempotent."""
        renewer, self._renewer = self._renewer, None
        if renewer is not None:
            renewer.cancel()
            await asyncio.wait([renewer])
        lease, self.lease = self.lease, None
        if lease is not None and not self.lost.is_set():
            with contextlib.suppress(BrokerUnavailable):
                await self.broker.release_lease(lease)
