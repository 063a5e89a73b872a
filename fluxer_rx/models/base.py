"""The base class of every wire model, and the conventions all models follow.

Conventions (true of every Struct in :mod:`fluxer_rx.models`):

* Field names are the wire names; ids, permission bitfields and timestamps are ``str`` exactly
  as sent (ISO-8601 for timestamps; use :mod:`fluxer_rx.models.snowflake` for id times).
* Only identifying fields are required (``id``, ``channel_id``, ``guild_id`` where an
  event is meaningless without it). Real gateway payloads omit many fields the API schema
  marks required, so every other field has a default:
  - an array the schema marks required defaults to ``()``, a required bool to ``False`` and
    a required count/flags/enum int to ``0`` -- the value an absent field stands for;
  - every other field (strings, nested objects, anything optional or nullable) is
    ``T | None`` and defaults to ``None``;
  - ``UNSET`` (``msgspec.UNSET``) is used only where "absent" and ``null`` mean different
    things, and each such field says so.
* Unknown fields are ignored; a value of the wrong type raises (no silent coercion).
* Fields are declared in alphabetical order: the gateway sends JSON with sorted keys, and
  msgspec decodes fastest when keys arrive in field order.
* JSON arrays are tuples (``tuple[T, ...]``), never lists: an empty one is the shared
  ``()`` (no allocation), and tuples of strings drop out of the cyclic garbage
  collector's view, so events kept by collectors, caches or user code cost no GC time.
  A list per array made every retained message carry half a dozen GC-tracked lists.
* Instances are mutable (the cache may update them in place) and are not tracked by the
  garbage collector (``gc=False``): decoded payloads are trees, never cycles. Do not build
  reference cycles through model instances.
"""

from __future__ import annotations

import msgspec

__all__ = ["Model"]


class Model(msgspec.Struct, kw_only=True, gc=False, omit_defaults=True):
    """Base of every wire model: keyword-only, untracked by the GC, encodes without defaults."""
