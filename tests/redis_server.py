"""A private ``redis-server`` for tests: free port on 127.0.0.1, own temp dir, no snapshots.

:class:`RedisServer` starts the Debian ``redis-server`` binary as a child process, waits
until it answers ``PING``, and stops it by its PID (SIGTERM, then SIGKILL). It can be killed
with SIGKILL and started again on the same port and directory, which is how the restart
tests simulate a crash. ``.ci/run`` installs the package when the binary is missing; without
it, :func:`require_redis_server` skips the test with that reason.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

__all__ = ["REDIS_SERVER", "RedisServer", "free_port", "require_redis_server"]

REDIS_SERVER = shutil.which("redis-server")


def require_redis_server() -> str:
    """The path of ``redis-server``, or skip the calling test saying why (fail instead when
    ``FLUXER_RX_REQUIRE_REDIS=1``, as ``.ci/run`` sets it: CI never skips these silently)."""
    if REDIS_SERVER is None:
        reason = "redis-server is not installed (apt-get install -y redis-server)"
        if os.environ.get("FLUXER_RX_REQUIRE_REDIS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return REDIS_SERVER


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One ``redis-server`` child on 127.0.0.1 with a private directory.

    ``extra`` are more ``--option value`` arguments (``["--appendonly", "yes"]``).
    :meth:`start` returns once the server answers PING (or raises ``RuntimeError`` with its
    log); :meth:`stop` ends it by PID; :meth:`kill` sends SIGKILL (a crash, no shutdown
    save). The directory survives restarts and is removed by :meth:`cleanup`.
    """

    def __init__(self, extra: Sequence[str] = ()) -> None:
        self.binary = require_redis_server()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="fluxer-rx-redis-"))
        self.extra = list(extra)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        log = open(self.dir / "redis.log", "ab")  # noqa: SIM115  # owned by the child
        args = [
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.dir),
            "--save", "",
            "--daemonize", "no",
            "--protected-mode", "no",
            *self.extra,
        ]  # fmt: skip
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while not _ping(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                text = (self.dir / "redis.log").read_text(errors="replace")
                raise RuntimeError(f"redis-server did not start on {self.port}:\n{text}")
            time.sleep(0.01)

    def kill(self) -> None:
        """SIGKILL the server (no shutdown, no save) and reap it."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        self.process = None

    def stop(self) -> None:
        """SIGTERM by PID, SIGKILL after 5 s; idempotent."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(5)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
