"""Module attributes imported on first read, for packages whose import must stay cheap.

:func:`lazy_attributes` builds a module-level ``__getattr__`` (PEP 562) for a mapping of
public name -> the module that defines it: the first read imports that module, stores the
value in the package's namespace (later reads are plain attribute reads) and returns it;
an unknown name is an ``AttributeError`` as usual. ``fluxer_rx.rest`` and
``fluxer_rx.gateway.transport`` use it so that ``from fluxer_rx import Client`` imports
neither the REST client's endpoints nor aiohttp nor websockets
(``benchmarks/bench_import.py``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import Any

__all__ = ["lazy_attributes", "lazy_parts", "listing"]


def lazy_attributes(
    package: str, names: Mapping[str, str], namespace: MutableMapping[str, Any]
) -> Callable[[str], Any]:
    """A ``__getattr__`` for the module ``package`` (its ``globals()`` is ``namespace``)
    that imports ``names[name]`` and reads ``name`` from it on first read."""

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__


def lazy_parts(
    package: str, parts: Mapping[str, Iterable[str]], namespace: MutableMapping[str, Any]
) -> Callable[[str], Any]:
    """:func:`lazy_attributes` for names grouped by the submodule of ``package`` that
    defines them (``{"effects": ("run_async", ...)}``)."""
    names = {name: f"{package}.{part}" for part, defined in parts.items() for name in defined}
    return lazy_attributes(package, names, namespace)


def listing(namespace: Mapping[str, Any], public: Iterable[str]) -> Callable[[], list[str]]:
    """A module-level ``__dir__`` that lists the names already bound and the ``public``
    ones (``__all__``) not imported yet."""
    names = tuple(public)

    def __dir__() -> list[str]:
        return sorted({*namespace, *names})

    return __dir__
