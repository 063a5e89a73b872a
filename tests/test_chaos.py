"""Chaos, quick: twelve fixed seeds of ``tests/chaos_harness.py`` with short faults (cuts and
black-holes of at most 1.5 s), on every transport, some with two shards, five runs at a
time. Every check of a chaos run holds in each: nothing lost, duplicated or reordered
beyond server-caused gaps, no session given up while the server held it, the cache equal
to the world, each REST send applied at most once, a clean destroy.

``python benchmarks/chaos.py --runs 100`` runs the same harness at full strength.
"""

from __future__ import annotations

import asyncio

import pytest

from fluxer_rx import RestOptions
from fluxer_rx.errors import RequestMayHaveBeenApplied
from fluxer_rx.models import Frame
from fluxer_rx.pipeline import EventPipeline
from fluxer_rx.rest import Rest
from fluxer_rx.sandbox import Sandbox
from tests.chaos_harness import QUICK, REST_BUCKET, TRANSPORTS, loop_errors, run_chaos

# chosen to cover every transport in each half, 1 and 2 shards and every fault kind between them:
# drop, cut, blackhole, zombie, op 7, op 9, expired session, malformed, REST 5xx / 429 /
# drop / slow / late (applied, answered after the client's timeout: 7 and 8, which
# posted their message twice before the REST requester stopped re-sending POSTs).
SEEDS = (1, 12, 13, 14, 16, 7, 25, 27, 38, 44, 47, 8)


@pytest.mark.parametrize("seeds", [SEEDS[:6], SEEDS[6:]], ids=["first-six", "last-six"])
async def test_quick_chaos_runs_pass_every_check(seeds: tuple[int, ...]) -> None:
    with loop_errors() as errors:
        results = await asyncio.wait_for(
            asyncio.gather(*(run_chaos(seed, QUICK) for seed in seeds)), 60
        )
    report = "\n".join(
        [r.line() + "".join(f"\n    {f}" for f in r.failures) for r in results]
        + [f"event loop: {e}" for e in errors]
    )
    assert all(r.passed for r in results) and not errors, report
    assert {r.transport for r in results} == set(TRANSPORTS)


async def test_a_message_create_answered_after_the_timeout_is_applied_once() -> None:
    # found by chaos (seeds with rest:late): the requester re-sent the timed-out POST
    async with Sandbox(guilds=1) as sb:
        created: list[str] = []
        sb.world.add_listener(
            lambda event, d, guild_id, users: (
                created.append(d["id"]) if event == "MESSAGE_CREATE" else None
            )
        )
        assert sb.faults.rest is not None
        sb.faults.rest.late_next(1, delay=1.5, bucket=REST_BUCKET)  # applied, answered late
        rest = Rest(sb.token, RestOptions(api_url=sb.api_url, timeout=1.0, retry_backoff=0.05))
        try:
            with pytest.raises(RequestMayHaveBeenApplied) as raised:
                await rest.create_message(sb.channel_ids[0], {"content": "once"})
            # the server applied it at once; a re-send would have come before the error
            assert len(created) == 1
            assert raised.value.nonce is not None
        finally:
            await rest.close()


async def test_the_accounting_catches_a_dispatch_the_client_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the harness checks what reached client.raw against the server's dispatch log: a
    # client that silently drops one MESSAGE_CREATE must fail the run
    deliver = EventPipeline.dispatch
    dropped: list[int | None] = []

    def losing_one(pipeline: EventPipeline, frame: Frame) -> None:
        if frame.t == "MESSAGE_CREATE" and not dropped:
            dropped.append(frame.s)
            return
        deliver(pipeline, frame)

    monkeypatch.setattr(EventPipeline, "dispatch", losing_one)
    result = await asyncio.wait_for(run_chaos(SEEDS[0], QUICK), 60)
    assert dropped, "the run sent no MESSAGE_CREATE"
    assert not result.passed
    lost = f"s={dropped[0]} MESSAGE_CREATE lost without a gap report"
    assert any(lost in failure for failure in result.failures), result.failures
