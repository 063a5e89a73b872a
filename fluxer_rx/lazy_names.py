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
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

__all__ = ["lazy_attributes"]


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
