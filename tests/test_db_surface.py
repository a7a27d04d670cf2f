"""bot.db.store is the database's one public surface over the modules that own each part; records stay frozen."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from bot.db import records, store

DB = Path(store.__file__).parent


def test_the_store_exports_every_name_it_lists() -> None:
    assert sorted(store.__all__) == sorted(set(store.__all__))
    missing = [name for name in store.__all__ if not hasattr(store, name)]
    assert missing == []


def test_the_store_only_gathers_what_other_modules_define() -> None:
    tree = ast.parse((DB / "store.py").read_text(encoding="utf-8"))
    defined = [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    assert defined == []


def test_only_the_engine_module_opens_sessions() -> None:
    opening = sorted(
        path.name
        for path in DB.glob("*.py")
        if "Session(" in path.read_text(encoding="utf-8") and path.name != "models.py"
    )
    assert opening == ["engine.py"]


@pytest.mark.parametrize(
    "cls",
    [c for c in vars(records).values() if isinstance(c, type) and dataclasses.is_dataclass(c)],
    ids=lambda c: c.__name__,
)
def test_records_are_frozen(cls: type) -> None:
    assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
