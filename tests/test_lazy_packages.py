"""The packages whose names load on first read (``fluxer_rx.lazy_names.lazy_parts``) list
each public name twice, in ``__all__`` and in their submodule table ``_PARTS``, so that
importing the package imports none of the submodules: the two lists must agree, and each
name must be one its submodule exports."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

LAZY_PACKAGES = ("fluxer_rx.bus", "fluxer_rx.operators")


def _package(name: str) -> ModuleType:
    return importlib.import_module(name)


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_all_lists_exactly_the_table_and_what_the_package_binds_itself(name: str) -> None:
    package = _package(name)
    table = {n for names in package._PARTS.values() for n in names}
    bound_here = set(package.__all__) - table
    assert len(table) == sum(len(names) for names in package._PARTS.values())  # no name twice
    assert table <= set(package.__all__)
    for public in bound_here:  # bound at import (e.g. operators.collect), not lazily
        assert public in vars(package), public


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_each_table_name_is_exported_by_its_submodule(name: str) -> None:
    package = _package(name)
    for part, names in package._PARTS.items():
        submodule = importlib.import_module(f"{name}.{part}")
        missing = set(names) - set(submodule.__all__)
        assert not missing, f"{name}.{part} does not export {sorted(missing)}"
        for public in names:
            assert getattr(package, public) is getattr(submodule, public)
