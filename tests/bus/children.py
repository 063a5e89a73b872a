"""Run ``tests.bus.procs`` roles as real child processes and read their JSON lines."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class Child:
    """One child process; :meth:`event` returns its next JSON line (with a timeout)."""

    def __init__(self, process: asyncio.subprocess.Process, role: str) -> None:
        self.process = process
        self.role = role

    @classmethod
    async def start(cls, role: str, *args: object, env: dict[str, str] | None = None) -> Child:
        """Start ``role`` with ``args``; ``env`` adds environment variables."""
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.bus.procs", role, *map(str, args),
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        return cls(process, role)

    async def event(self, timeout: float = 20.0) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        if not line:
            assert self.process.stderr is not None
            err = (await self.process.stderr.read()).decode(errors="replace")
            raise AssertionError(f"{self.role} child ended without output:\n{err}")
        event: dict[str, Any] = json.loads(line)
        return event

    def send_line(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text.encode() + b"\n")

    def signal(self, sig: signal.Signals) -> None:
        os.kill(self.process.pid, sig)

    async def stop(self) -> None:
        """Kill the child by its PID if it still runs, and reap it."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)
        await self.process.wait()
