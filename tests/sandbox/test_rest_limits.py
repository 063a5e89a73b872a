"""Sandbox REST rate limits and faults over a real socket: headers, 429s, windows, storms."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from fluxer_rx.sandbox.ratelimit import bucket_hash
from tests.sandbox.rest_harness import RestHarness, running_rest

N_SUCCESS = {
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "X-RateLimit-Reset-After",
    "X-RateLimit-Bucket",
}
S_SUCCESS = {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}


def ratelimit_headers(headers: object) -> dict[str, str]:
    assert hasattr(headers, "items")
    return {
        k: v
        for k, v in headers.items()
        if k.lower().startswith("x-ratelimit") or k.lower() == "retry-after"
    }


def assert_429_body(body: object, *, is_global: bool) -> float:
    assert isinstance(body, dict)
    assert set(body) == {"code", "message", "retry_after", "global"}
    assert body["code"] == "RATE_LIMITED"
    assert body["global"] is is_global
    assert isinstance(body["retry_after"], float) and body["retry_after"] >= 0.001
    return float(body["retry_after"])


async def until_status(
    h: RestHarness, method: str, path: str, status: int, deadline: float, json: object = None
) -> float:
    """Poll ``path`` until it answers ``status``; return the seconds it took."""
    start = time.monotonic()
    while True:
        got, _, _ = await h.call(method, path, json=json)
        if got == status:
            return time.monotonic() - start
        assert time.monotonic() - start < deadline, f"still {got} after {deadline} s"
        await asyncio.sleep(0.01)


async def test_n_style_headers_and_per_channel_buckets() -> None:
    async with running_rest(rate_limit_headers="N") as h:
        c1, c2 = h.world.channel_ids[:2]
        _, _, first = await h.call("POST", f"/channels/{c1}/typing")
        _, _, second = await h.call("POST", f"/channels/{c1}/typing")
        _, _, other = await h.call("POST", f"/channels/{c2}/typing")
        assert set(ratelimit_headers(first)) == N_SUCCESS
        assert (first["X-RateLimit-Limit"], first["X-RateLimit-Remaining"]) == ("20", "19")
        assert second["X-RateLimit-Remaining"] == "18"
        assert other["X-RateLimit-Remaining"] == "19"
        assert first["X-RateLimit-Bucket"] == other["X-RateLimit-Bucket"]
        assert first["X-RateLimit-Bucket"] == bucket_hash("channel:typing")
        assert 0.0 < float(first["X-RateLimit-Reset-After"]) <= 0.5
        assert abs(float(first["X-RateLimit-Reset"]) - (time.time() + 0.5)) < 2.0
        _, _, anonymous = await h.call("GET", "/instance", auth=False)
        assert ratelimit_headers(anonymous) == {}


async def test_s_style_headers() -> None:
    async with running_rest(rate_limit_headers="S") as h:
        _, _, ok = await h.call("GET", "/users/@me")
        assert set(ratelimit_headers(ok)) == S_SUCCESS
        assert ok["X-RateLimit-Reset"].isdigit()
        assert int(ok["X-RateLimit-Reset"]) >= int(time.time()) + 9
        _, _, anonymous = await h.call("GET", "/instance", auth=False)
        assert set(ratelimit_headers(anonymous)) == S_SUCCESS


@pytest.mark.parametrize("style", ["S", "N"])
async def test_route_429_then_recovery_after_the_scaled_window(style: str) -> None:
    # bulk-delete allows 10 per 10 s; scaled by 0.1 that is 10 per 1 s.
    async with running_rest(rate_limit_headers=style, rest_window_scale=0.1) as h:
        cid = h.world.channel_ids[0]
        path = f"/channels/{cid}/messages/bulk-delete"
        ids = list(h.world.channels[cid].messages)[:2]
        allowed = 0
        while True:
            status, body, headers = await h.call("POST", path, json={"messages": ids})
            if status == 429:
                break
            assert status == 204
            allowed += 1
            assert allowed <= 20, "no 429 after twice the limit"
        # a fixed window admits exactly 10; a leaky bucket may drain a little meanwhile
        assert allowed == 10 if style == "S" else 10 <= allowed <= 12
        retry_after = assert_429_body(body, is_global=False)
        assert retry_after <= 1.0
        assert headers["Retry-After"] == "1"
        assert headers["X-RateLimit-Remaining"] == "0"
        assert headers["X-RateLimit-Limit"] == "10"
        if style == "S":
            assert headers["X-RateLimit-Global"] == "false"
            assert "X-RateLimit-Scope" not in headers
        else:
            assert headers["X-RateLimit-Scope"] == "user"
            assert retry_after <= 0.101
            assert retry_after <= float(headers["X-RateLimit-Reset-After"]) <= 1.0
        status, _, _ = await h.call("POST", f"/channels/{cid}/typing")
        assert status == 204
        took = await until_status(h, "POST", path, 204, 3.0, json={"messages": ids})
        assert took < 1.5
        assert h.api.limiter.rejections >= 1


@pytest.mark.parametrize("style", ["S", "N"])
async def test_global_limit_spans_routes(style: str) -> None:
    # 5 per 10 s (the global 1 s window scaled by 10), so nothing drains during the test
    async with running_rest(
        rate_limit_headers=style, rest_global_limit=5, rest_window_scale=10.0
    ) as h:
        for cid in h.world.channel_ids[:5]:
            status, _, _ = await h.call("GET", f"/channels/{cid}")
            assert status == 200
        status, body, headers = await h.call("GET", "/users/@me")
        assert status == 429
        assert_429_body(body, is_global=True)
        assert headers["X-RateLimit-Global"] == "true"
        if style == "N":
            assert set(ratelimit_headers(headers)) == {
                "Retry-After",
                "X-RateLimit-Scope",
                "X-RateLimit-Global",
            }
            assert headers["X-RateLimit-Scope"] == "global"
        else:
            assert headers["X-RateLimit-Limit"] == "5"


async def test_benchmark_bucket_configuration() -> None:
    """The issue-5 benchmark setup: [N] headers, message-create 10 per 1 s per channel."""
    async with running_rest(
        rate_limit_headers="N", rest_bucket_limits={"channel:message:create": (10, 1.0)}
    ) as h:
        c1, c2 = h.world.channel_ids[:2]
        results = await asyncio.gather(
            *(
                h.call("POST", f"/channels/{c1}/messages", json={"content": str(i)})
                for i in range(14)
            )
        )
        statuses = [status for status, _, _ in results]
        assert 10 <= statuses.count(200) <= 12 and statuses.count(429) == 14 - statuses.count(200)
        refused = next(r for r in results if r[0] == 429)
        assert refused[2]["X-RateLimit-Limit"] == "10"
        assert float(refused[2]["X-RateLimit-Reset-After"]) <= 1.0
        assert assert_429_body(refused[1], is_global=False) <= 0.101
        status, _, headers = await h.call("POST", f"/channels/{c2}/messages", json={"content": "x"})
        assert status == 200 and headers["X-RateLimit-Remaining"] == "9"
        assert headers["X-RateLimit-Reset-After"] == "0.100"
        assert len(h.events("MESSAGE_CREATE")) == statuses.count(200) + 1


@pytest.mark.parametrize(
    ("style", "status", "code"),
    [
        ("N", 500, "INTERNAL_SERVER_ERROR"),
        ("S", 500, "GENERAL_ERROR"),
        ("N", 502, "BAD_GATEWAY"),
        ("N", 503, "SERVICE_UNAVAILABLE"),
        ("S", 504, "GATEWAY_TIMEOUT"),
    ],
)
async def test_scripted_server_errors(style: str, status: int, code: str) -> None:
    async with running_rest(rate_limit_headers=style) as h:
        assert h.world.faults.rest is h.api.faults
        h.api.faults.fail_next(2, status=status)
        cid = h.world.channel_ids[0]
        for _ in range(2):
            got, body, headers = await h.call(
                "POST", f"/channels/{cid}/messages", json={"content": "x"}
            )
            assert (got, body["code"]) == (status, code)
            assert ("Retry-After" in headers) is (status == 503)
        assert h.events("MESSAGE_CREATE") == []
        got, _, _ = await h.call("POST", f"/channels/{cid}/messages", json={"content": "x"})
        assert got == 200
        assert h.api.faults.injected["error"] == 2
        assert (h.api.statuses[status], h.api.statuses[200]) == (2, 1)


async def test_scripted_server_errors_carry_the_retry_after_asked_for() -> None:
    async with running_rest() as h:
        h.api.faults.fail_next(1, status=503, retry_after=3600)
        h.api.faults.fail_next(1, status=502, retry_after=2.5)  # whole seconds, rounded up
        h.api.faults.fail_next(1, status=500)
        seen = []
        for _ in range(3):
            status, _, headers = await h.call("GET", "/users/@me")
            seen.append((status, headers.get("Retry-After")))
        assert seen == [(503, "3600"), (502, "3"), (500, None)]


async def test_429_storm_only_hits_its_bucket_and_tells_the_wait() -> None:
    async with running_rest() as h:
        cid = h.world.channel_ids[0]
        h.api.faults.rate_limit_next(3, retry_after=0.25, bucket="channel:message:create")
        status, _, _ = await h.call("GET", f"/channels/{cid}")
        assert status == 200
        for _ in range(3):
            status, body, headers = await h.call(
                "POST", f"/channels/{cid}/messages", json={"content": "x"}
            )
            assert status == 429
            assert assert_429_body(body, is_global=False) == 0.25
            assert headers["X-RateLimit-Reset-After"] == "0.250"
            assert headers["X-RateLimit-Bucket"] == bucket_hash("channel:message:create")
        status, _, _ = await h.call("POST", f"/channels/{cid}/messages", json={"content": "x"})
        assert status == 200
        h.api.faults.rate_limit_next(1, retry_after=0.5, is_global=True)
        status, body, headers = await h.call("GET", "/users/@me")
        assert status == 429 and assert_429_body(body, is_global=True) == 0.5
        assert headers["X-RateLimit-Scope"] == "global"


async def test_dropped_connection_answers_nothing_and_changes_nothing() -> None:
    async with running_rest() as h:
        cid = h.world.channel_ids[0]
        h.api.faults.drop_next(1)
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await h.call("POST", f"/channels/{cid}/messages", json={"content": "lost"})
        assert h.events("MESSAGE_CREATE") == []
        status, _, _ = await h.call("POST", f"/channels/{cid}/messages", json={"content": "ok"})
        assert status == 200


async def test_slow_answer() -> None:
    async with running_rest() as h:
        h.api.faults.slow_next(1, delay=0.2)
        start = time.monotonic()
        status, _, _ = await h.call("GET", "/users/@me")
        assert status == 200 and time.monotonic() - start >= 0.2
        start = time.monotonic()
        await h.call("GET", "/users/@me")
        assert time.monotonic() - start < 0.2


async def run_random_faults(seed: int) -> list[int]:
    async with running_rest(seed=seed) as h:
        h.api.faults.set_random(error_rate=0.2, rate_limit_rate=0.2, slow_rate=0.1, slow_delay=0.0)
        cid = h.world.channel_ids[0]
        statuses = []
        for _ in range(40):
            status, _, _ = await h.call("POST", f"/channels/{cid}/typing")
            statuses.append(status)
        return statuses


async def test_random_faults_are_deterministic_by_seed() -> None:
    first = await run_random_faults(7)
    assert first == await run_random_faults(7)
    assert 500 in first and 429 in first and 204 in first
    assert first != await run_random_faults(8)
