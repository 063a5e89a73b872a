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
    )
    assert _fresh_interpreter(probe, missing="fluxer_rx.no_such_part") == "ok"


def test_client_import_leaves_the_http_and_websocket_libraries_alone() -> None:
    """``from fluxer_rx import Client`` (and building a client with its options) imports
    neither aiohttp nor websockets nor picows nor the REST client: login() imports the
    REST client, its session aiohttp, and each transport its library when first opened.
    The transport classes and the REST names are still there on first read."""
    probe = (
        "import sys\n"
        "from fluxer_rx import Client, ClientOptions, GatewayOptions, RestOptions\n"
        "Client(ClientOptions(gateway=GatewayOptions(), rest=RestOptions()))\n"
        "import fluxer_rx.rest, fluxer_rx.discovery, fluxer_rx.gateway.transport as t\n"
        "heavy = sorted({'aiohttp', 'websockets', 'picows', 'fluxer_rx.rest.client'}"
        " & set(sys.modules))\n"
        "assert not heavy, heavy\n"
        "assert t.WebsocketsConnection.__module__ == 'fluxer_rx.gateway.transport_websockets'\n"
        "assert 'websockets' in sys.modules and 'aiohttp' not in sys.modules\n"
        "assert t.AiohttpConnection.__name__ == 'AiohttpConnection'\n"
        "assert fluxer_rx.rest.Rest.__module__ == 'fluxer_rx.rest.client'\n"
        "assert set(fluxer_rx.rest.__all__) <= set(dir(fluxer_rx.rest))\n"
        "assert t.REDACTING_WS_LOGGER.logger.name == 'websockets.client'\n"
    )
    assert _fresh_interpreter(probe, missing="t.NoSuchTransport") == "ok"


LEFT_TO_FIRST_USE = (
    "fluxer_rx.bus",  # any of its modules imports the package: only a bus needs them
    "fluxer_rx.gateway.actions",
    "fluxer_rx.gateway.protocol",
    "fluxer_rx.gateway.shard",
    "fluxer_rx.gateway.shard_group",
    "fluxer_rx.messages",
    "fluxer_rx.operators.collectors",
    "fluxer_rx.operators.event_time",
    "fluxer_rx.operators.filtering",
    "fluxer_rx.operators.keyed",
    "fluxer_rx.operators.waiting",
    "fluxer_rx.permissions",
    "reactivex.operators",
)
"""What building a client leaves to login(), a bus, a send, a collector or an operator."""


def test_client_import_leaves_what_it_does_not_run_yet_to_first_use() -> None:
    """``from fluxer_rx import Client`` and building a client (subscribing to its events,
    registering a handler) import none of :data:`LEFT_TO_FIRST_USE`; each public name of
    those modules is still where it was, imported on first read, and ``collect`` stays
    the operator although a submodule has the same name."""
    probe = (
        "import sys\n"
        "from fluxer_rx import Client, ClientOptions\n"
        "client = Client(ClientOptions())\n"
        "client.events.subscribe(lambda event: None)\n"
        "client.on('MESSAGE_CREATE')(lambda event: None)\n"
        f"early = sorted(set(sys.modules) & set({LEFT_TO_FIRST_USE!r}))\n"
        "assert not early, early\n"
        "import fluxer_rx.gateway, fluxer_rx.operators, fluxer_rx.options, fluxer_rx.pipeline\n"
        "import fluxer_rx.bus\n"
        "assert fluxer_rx.options.RedisBus is fluxer_rx.bus.RedisBus\n"
        "assert fluxer_rx.options.RedisBus.__module__ == 'fluxer_rx.bus.bus_options'\n"
        "assert fluxer_rx.bus.FrameRecord.__module__ == 'fluxer_rx.bus.port'\n"
        "assert fluxer_rx.gateway.Shard.__module__ == 'fluxer_rx.gateway.shard'\n"
        "assert fluxer_rx.pipeline.ShardSink.__name__ == 'ShardSink'\n"
        "from fluxer_rx.operators import message_collector, wait_for\n"
        "assert message_collector.__module__ == 'fluxer_rx.operators.collectors'\n"
        "assert fluxer_rx.operators.collect.__module__ == 'fluxer_rx.operators.collect'\n"
        "for package in (fluxer_rx.bus, fluxer_rx.gateway, fluxer_rx.operators,"
        " fluxer_rx.options):\n"
        "    assert set(package.__all__) <= set(dir(package)), package\n"
        "from fluxer_rx.gateway.shard_group import shard_for_guild\n"
        "from fluxer_rx.client import shard_for_guild as the_clients\n"
        "assert the_clients is shard_for_guild and client.shard_for(5 << 22) == 0\n"
    )
    assert _fresh_interpreter(probe, missing="fluxer_rx.operators.no_such_operator") == "ok"


def _fresh_interpreter(probe: str, missing: str) -> str:
    """What a fresh interpreter prints after running ``probe`` and checking that reading
    ``missing`` raises AttributeError ("ok" when it all passed)."""
    check = (
        f"try:\n    {missing}\nexcept AttributeError:\n    pass\n"
        "else:\n    raise SystemExit('no AttributeError')\nprint('ok')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", probe + check],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()
