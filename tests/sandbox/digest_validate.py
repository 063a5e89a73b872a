"""Check JSON values against the field tables of ``tests/data/fluxer-api-digest.json``.

The digest lists, per schema, each field's wire name, Dart type, ``required`` and
``nullable``. :func:`problems` walks a decoded JSON value against a type name and returns
every mismatch as ``"<path>: <what>"``; :func:`assert_valid` raises with all of them.

Rules (from the digest's ``meta.rules``):

* a required field must be present; it may be null only when ``nullable`` is true;
* an optional field may be absent or null (the digest does not record null acceptance);
* ``String``/``DateTime`` are strings (``DateTime`` must parse as ISO 8601), ``int`` is a
  JSON integer (not a bool), ``num`` any number, ``bool`` a bool, ``dynamic`` anything;
* ``List<T>`` and ``Map<String, T>`` check every element; enums check membership;
  aliases resolve to their type; unions (``oneOf``) pass when any variant passes; a
  ``sealed`` discriminated union picks its variant from the discriminator;
* extra keys are allowed (servers add keys; dispatches add ``guild_id``/``member``),
  unless ``strict=True``.

Used by the sandbox's REST and gateway tests alike.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["DIGEST_PATH", "assert_valid", "digest", "problems", "response_type"]

DIGEST_PATH = Path(__file__).resolve().parents[1] / "data" / "fluxer-api-digest.json"


@cache
def digest() -> dict[str, Any]:
    """The parsed digest (loaded once)."""
    with DIGEST_PATH.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def response_type(method: str, path: str) -> str | None:
    """The digest's response type of the operation ``method path`` (template path)."""
    for op in digest()["operations"]:
        if op["method"] == method and op["path"] == path:
            response: str | None = op["response"]
            return response
    raise KeyError(f"no operation {method} {path} in the digest")


def assert_valid(value: Any, type_name: str, *, strict: bool = False) -> None:
    """Raise ``AssertionError`` listing every problem of ``value`` as a ``type_name``."""
    found = problems(value, type_name, strict=strict)
    if found:
        raise AssertionError(f"{type_name} does not match the digest:\n  " + "\n  ".join(found))


def problems(value: Any, type_name: str, *, strict: bool = False, path: str = "$") -> list[str]:
    """Every mismatch between ``value`` and ``type_name``; empty when it validates."""
    return _check(value, type_name.strip(), path, strict)


def _split_generic(type_name: str) -> tuple[str, list[str]]:
    head, _, rest = type_name.partition("<")
    inner = rest[:-1]
    args: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(inner):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(inner[start:i].strip())
            start = i + 1
    args.append(inner[start:].strip())
    return head, args


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check(value: Any, type_name: str, path: str, strict: bool) -> list[str]:
    d = digest()
    type_name = type_name.removesuffix("?")
    if "<" in type_name:
        head, args = _split_generic(type_name)
        if head == "List":
            if not isinstance(value, list):
                return [f"{path}: expected a list, got {type(value).__name__}"]
            out: list[str] = []
            for i, item in enumerate(value):
                out += _nullable_element(item, args[0], f"{path}[{i}]", strict)
            return out
        if head == "Map":
            if not isinstance(value, dict):
                return [f"{path}: expected an object (map), got {type(value).__name__}"]
            out = []
            for key, item in value.items():
                out += _nullable_element(item, args[1], f"{path}.{key}", strict)
            return out
        raise ValueError(f"unsupported generic type {type_name!r}")
    if type_name in ("String", "DateTime"):
        if not isinstance(value, str):
            return [f"{path}: expected a string, got {type(value).__name__}"]
        if type_name == "DateTime":
            try:
                datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return [f"{path}: {value!r} is not an ISO 8601 timestamp"]
        return []
    if type_name == "int":
        return [] if _is_int(value) else [f"{path}: expected an integer, got {value!r}"]
    if type_name in ("num", "double"):
        ok = _is_int(value) or isinstance(value, float)
        return [] if ok else [f"{path}: expected a number, got {value!r}"]
    if type_name == "bool":
        return [] if isinstance(value, bool) else [f"{path}: expected a bool, got {value!r}"]
    if type_name in ("dynamic", "Object"):
        return []
    if type_name in d["aliases"]:
        return _check(value, d["aliases"][type_name]["type"], path, strict)
    if type_name in d["enums"]:
        allowed = d["enums"][type_name]
        return [] if value in allowed else [f"{path}: {value!r} is not one of {allowed}"]
    if type_name in d["schemas"]:
        return _check_schema(value, type_name, path, strict)
    raise ValueError(f"type {type_name!r} is not in the digest")


def _nullable_element(value: Any, type_name: str, path: str, strict: bool) -> list[str]:
    if value is None:
        return [] if type_name.endswith("?") else [f"{path}: null element"]
    return _check(value, type_name, path, strict)


def _check_schema(value: Any, name: str, path: str, strict: bool) -> list[str]:
    schema = digest()["schemas"][name]
    if not isinstance(value, dict):
        return [f"{path}: expected a {name} object, got {type(value).__name__}"]
    union = schema.get("union")
    if union is not None and not schema.get("fields"):
        discriminator = union.get("discriminator")
        if discriminator is not None:
            variant = union["mapping"].get(str(value.get(discriminator)))
            if variant is None:
                return [f"{path}.{discriminator}: {value.get(discriminator)!r} selects no variant"]
            return _check_schema(value, variant, path, strict)
        failures = [_check_schema(value, v, path, strict) for v in union["variants"]]
        if any(not f for f in failures):
            return []
        return [f"{path}: matches no variant of {name}: {failures}"]
    fields: dict[str, Any] = schema.get("fields", {})
    out: list[str] = []
    for key, field in fields.items():
        where = f"{path}.{key}"
        if key not in value:
            if field["required"]:
                out.append(f"{where}: required field missing")
            continue
        item = value[key]
        if item is None:
            if field["required"] and field["nullable"] is False:
                out.append(f"{where}: null in a non-nullable required field")
            continue
        out += _check(item, field["type"], where, strict)
    if strict:
        out += [f"{path}.{key}: not a field of {name}" for key in value if key not in fields]
    return out
