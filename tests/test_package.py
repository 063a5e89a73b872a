"""The public surface imports and the command line answers."""

from __future__ import annotations

import subprocess
import sys

import pytest

import fluxer_rx
from fluxer_rx import CacheOptions, CacheSizeLimits, Client, ClientOptions, Events, RestOptions
from fluxer_rx.cli import main


def test_public_names_import() -> None:
    cache = CacheOptions(limits=CacheSizeLimits(members=10))
    options = ClientOptions(cache=cache, rest=RestOptions(timeout=1.0))
    client = Client(options)
    assert client.options.cache.limits.members == 10
    assert options.intents == 0
    assert options.gateway_version == "1"
    assert options.wait_for_guilds is False
    assert Events.MESSAGE_CREATE == "MESSAGE_CREATE"
    assert Client().options == ClientOptions()


def test_cli_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert fluxer_rx.__version__ in capsys.readouterr().out


def test_console_script_runs_as_module() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "fluxer_rx.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    assert "fluxer-rx" in out


def test_package_imports_its_parts_on_first_read() -> None:
    """``import fluxer_rx`` imports neither the client nor aiohttp; each public name and
    each subpackage is there on first read, and an unknown name is an AttributeError."""
    probe = (
        "import sys, fluxer_rx\n"
        "assert 'fluxer_rx.client' not in sys.modules and 'aiohttp' not in sys.modules\n"
        "assert set(fluxer_rx.__all__) <= set(dir(fluxer_rx))\n"
        "from fluxer_rx import Client, Events\n"
        "from fluxer_rx.client import Client as Defined\n"
        "assert Client is Defined and fluxer_rx.Client is Client\n"
        "assert fluxer_rx.models.MessageCreate.__name__ == 'MessageCreate'\n"
        "try:\n"
        "    fluxer_rx.no_such_part\n"
        "except AttributeError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('no AttributeError')\n"
        "print('ok')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert out.strip() == "ok"
