"""bot/patches/patching.py: the one helper every patch goes through."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import pytest

from bot.patches import patching
from bot.patches.patching import _patch, chain


@pytest.fixture(autouse=True)
def own_record(monkeypatch: pytest.MonkeyPatch) -> list[patching.Patched]:
    """Dummy patches are recorded in a list of their own, not with the real ones."""
    record: list[patching.Patched] = []
    monkeypatch.setattr(patching, "PATCHED", record)
    return record


class Base:
    def method(self, x: int) -> int:
        return x

    @staticmethod
    def static(x: int) -> int:
        return x

    @classmethod
    def klass(cls, x: int) -> str:
        return f"{cls.__name__}:{x}"


def plus_one(original: Callable[..., Any]) -> Callable[..., Any]:
    def replacement(*args: Any) -> Any:
        result = original(*args)
        return result + 1 if isinstance(result, int) else result + "+1"

    return replacement


def times_ten(original: Callable[..., Any]) -> Callable[..., Any]:
    def replacement(*args: Any) -> Any:
        return original(*args) * 10

    return replacement


def test_methods_staticmethods_and_classmethods_keep_their_kind() -> None:
    class Owner(Base):
        pass

    for name in ("method", "static", "klass"):
        assert _patch(Owner, name, plus_one)
    assert Owner().method(1) == 2 and Owner.static(1) == 2 and Owner().static(1) == 2
    assert Owner.klass(1) == "Owner:1+1"  # still a classmethod: cls is the class it is called on
    assert isinstance(Owner.__dict__["static"], staticmethod) and isinstance(Owner.__dict__["klass"], classmethod)
    assert Base().method(1) == 1 and Base.static(1) == 1  # an inherited attribute is replaced on the owner only


def test_installing_twice_changes_nothing_and_patches_stack_in_order(own_record: list[patching.Patched]) -> None:
    class Owner(Base):
        pass

    assert _patch(Owner, "method", plus_one)
    assert not _patch(Owner, "method", plus_one)
    assert _patch(Owner, "method", times_ten)
    assert not _patch(Owner, "method", plus_one)  # still there, inside times_ten
    assert Owner().method(1) == 20  # (1 + 1) * 10: plus_one is the inner wrapper
    key = f"{__name__}:plus_one"
    assert chain(Owner.method) == (key, f"{__name__}:times_ten")
    assert [(p.name, p.key) for p in own_record] == [("method", key), ("method", f"{__name__}:times_ten")]
    assert own_record[0].original is Base.method and own_record[0].target.endswith("Owner.method")


def test_module_attributes_and_missing_ones() -> None:
    module = types.ModuleType("dummy_module")
    module.function = lambda x: x  # type: ignore[attr-defined]
    assert _patch(module, "function", plus_one)
    assert module.function(1) == 2  # type: ignore[attr-defined]
    assert patching.PATCHED[-1].target == "dummy_module.function"
    with pytest.raises(AttributeError):
        _patch(Base, "gone_in_this_version", plus_one)


def test_unpatched_finds_rasas_own_function_under_every_patch() -> None:
    class Owner(Base):
        pass

    _patch(Owner, "static", plus_one)
    _patch(Owner, "static", times_ten)
    assert patching.unpatched(Owner, "static") is Base.__dict__["static"].__func__
    assert patching.unpatched(Owner, "method") is Base.method  # not patched: itself
