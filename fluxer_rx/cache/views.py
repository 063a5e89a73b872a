"""Read-only views of the cache's nested maps (members by guild, voice states by scope)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Generic, TypeVar

__all__ = ["NestedView"]

V = TypeVar("V")


class NestedView(Mapping[str, Mapping[str, V]], Generic[V]):
    """A live, read-only ``Mapping[str, Mapping[str, V]]`` over a dict of dicts.

    Inner mappings are read-only proxies too; both reflect later changes of the cache.
    Reading does not change LRU recency.
    """

    __slots__ = ("_outer",)

    def __init__(self, outer: dict[str, dict[str, V]]) -> None:
        self._outer = outer

    def __getitem__(self, key: str) -> Mapping[str, V]:
        return MappingProxyType(self._outer[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._outer)

    def __len__(self) -> int:
        return len(self._outer)

    def __contains__(self, key: object) -> bool:
        return key in self._outer

    def __repr__(self) -> str:
        return f"<NestedView of {len(self._outer)}>"
