"""``fluxer-rx demo`` runs the sandbox and a client and reports what it received."""

from __future__ import annotations

import io

from fluxer_rx.demo import run_demo


async def test_demo_receives_generated_traffic() -> None:
    out = io.StringIO()
    totals = await run_demo(duration=1.0, rate=100.0, seed=3, out=out)
    text = out.getvalue()
    assert "logged in as" in text
    assert "events/s" in text
    assert totals["Ready"] == 1
    assert totals["GuildCreate"] == 2
    assert sum(totals.values()) > 3  # generated traffic arrived beyond the login burst
