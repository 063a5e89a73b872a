"""The public API of fluxer_rx as text: every name a public module exports, with the
signatures of functions and of the public methods and properties of classes, and the
fields of models. ``tests/test_api_snapshot.py`` compares it with the committed
``tests/data/api_snapshot.txt``, so the public surface never changes by accident.

After an intended change: ``python -m tests.api_snapshot --update`` (and review the diff).
"""

from __future__ import annotations

import enum
import importlib
import inspect
import re
import sys
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).parent / "data" / "api_snapshot.txt"

MODULES = (
    "fluxer_rx",
    "fluxer_rx.errors",
    "fluxer_rx.options",
    "fluxer_rx.diagnostics",
    "fluxer_rx.lifecycle",
    "fluxer_rx.gc_policy",
    "fluxer_rx.models",
    "fluxer_rx.cache",
    "fluxer_rx.rest",
    "fluxer_rx.gateway",
    "fluxer_rx.pipeline",
    "fluxer_rx.operators",
    "fluxer_rx.replay",
    "fluxer_rx.commands",
    "fluxer_rx.messages",
    "fluxer_rx.permissions",
    "fluxer_rx.cdn",
    "fluxer_rx.sandbox",
)


def _signature(obj: Any) -> str:
    try:
        text = str(inspect.signature(obj))
    except (TypeError, ValueError):
        return "(...)"
    return re.sub(r" at 0x[0-9a-f]+", "", text)  # default values' reprs carry addresses


def _class_lines(cls: type) -> list[str]:
    lines: list[str] = []
    bases = ", ".join(b.__name__ for b in cls.__bases__ if b is not object)
    lines.append(f"class {cls.__name__}({bases})")
    if issubclass(cls, enum.Enum):
        lines.extend(f"  {member.name} = {member.value!r}" for member in cls)
        return lines
    fields = getattr(cls, "__struct_fields__", None) or getattr(cls, "__dataclass_fields__", None)
    if fields:
        lines.append(f"  fields: {', '.join(fields)}")
    for name in sorted(vars(cls)):
        if name.startswith("_") and name not in ("__init__", "__call__"):
            continue
        member = inspect.getattr_static(cls, name)
        if isinstance(member, property):
            lines.append(f"  property {name}")
        elif isinstance(member, staticmethod | classmethod):
            lines.append(f"  {type(member).__name__} {name}{_signature(member.__func__)}")
        elif inspect.isfunction(member):
            prefix = "async def" if inspect.iscoroutinefunction(member) else "def"
            lines.append(f"  {prefix} {name}{_signature(member)}")
    # public methods inherited from the package's own mixins (the Client façade's groups)
    for base in cls.__mro__[1:]:
        if base.__module__.startswith("fluxer_rx.facade"):
            lines.extend(_class_lines(base)[1:])
    return lines


def _instance_lines() -> list[str]:
    """The public attributes a ``Client`` sets on itself (streams, managers, cache)."""
    from fluxer_rx import Client

    client = Client()
    return [
        f"  attribute {name}: {type(value).__name__}"
        for name, value in sorted(vars(client).items())
        if not name.startswith("_")
    ]


def api_text() -> str:
    """The public API of every module in :data:`MODULES`, one line per item."""
    out: list[str] = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        names = sorted(getattr(module, "__all__", ()))
        out.append(f"[{module_name}]")
        for name in names:
            obj = getattr(module, name)
            if inspect.isclass(obj):
                out.extend(_class_lines(obj))
                if module_name == "fluxer_rx" and name == "Client":
                    out.extend(_instance_lines())
            elif inspect.isfunction(obj) or inspect.isbuiltin(obj):
                out.append(f"def {name}{_signature(obj)}")
            else:
                out.append(f"{name}: {type(obj).__name__}")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    if "--update" in sys.argv:
        SNAPSHOT.write_text(api_text())
        print(f"wrote {SNAPSHOT}")
    else:
        print(api_text())
