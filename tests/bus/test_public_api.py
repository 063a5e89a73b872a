"""fluxer_rx.bus: its names, and that importing it does not need redis."""

from __future__ import annotations

import subprocess
import sys

import fluxer_rx.bus as bus


def test_every_public_name_resolves() -> None:
    for name in bus.__all__:
        assert getattr(bus, name) is not None, name


def test_importing_the_package_does_not_import_redis() -> None:
    code = "import sys, fluxer_rx.bus; print('redis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
