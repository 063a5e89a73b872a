"""The house's rule that imports only point down: no lower layer imports the client
(``fluxer_rx.client``, the façade groups) or ``ClientOptions`` (``fluxer_rx.options``),
not even for type checking; and the sandbox never imports the client's models."""

from __future__ import annotations

import ast
from pathlib import Path

import fluxer_rx

PACKAGE = Path(fluxer_rx.__file__).parent

LOWER_LAYERS = (
    "models",
    "gateway",
    "rest",
    "cache",
    "pipeline",
    "replay",
    "operators",
    "analytics",
    "bus",
    "streams.py",
    "routing.py",
    "schedulers.py",
    "handlers.py",
    "lifecycle.py",
    "diagnostics.py",
    "errors.py",
)
CLIENT_MODULES = ("fluxer_rx.client", "fluxer_rx.options", "fluxer_rx.facade")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def files_of(layer: str) -> list[Path]:
    target = PACKAGE / layer
    return sorted(target.rglob("*.py")) if target.is_dir() else [target]


def test_no_lower_layer_imports_the_client_or_its_options() -> None:
    offenders = []
    for layer in LOWER_LAYERS:
        files = files_of(layer)
        assert files, f"no module for layer {layer}"
        for path in files:
            for name in imported_modules(path):
                if name == "fluxer_rx" or name.startswith(CLIENT_MODULES):
                    offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not offenders, "\n".join(offenders)


def test_the_sandbox_never_imports_the_clients_models_or_decoder() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in files_of("sandbox")
        for name in imported_modules(path)
        if name.startswith(("fluxer_rx.models", "fluxer_rx.client", "fluxer_rx.cache"))
    ]
    assert not offenders, "\n".join(offenders)


def test_every_public_exception_is_defined_in_the_errors_module() -> None:
    import importlib
    import inspect
    import pkgutil

    outside = []
    for info in pkgutil.walk_packages(fluxer_rx.__path__, "fluxer_rx."):
        if info.name.startswith(("fluxer_rx.sandbox", "fluxer_rx.cli", "fluxer_rx.demo")):
            continue  # the sandbox is its own product; the CLI and demo are programs
        if info.name in ("fluxer_rx.traffic_commands", "fluxer_rx.rest.fifo_gate"):
            continue  # the CLI's and the REST gate's private signals
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            exception = inspect.isclass(obj) and issubclass(obj, BaseException)
            if exception and obj.__module__ != "fluxer_rx.errors":
                outside.append(f"{info.name}.{name} (defined in {obj.__module__})")
    assert not outside, "\n".join(outside)
