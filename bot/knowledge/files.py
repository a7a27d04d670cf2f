"""Reading knowledge files: YAML with the line of every mapping, CSV with its line numbers, and the errors that name
the file and line of a mistake, so that CBP staff can fix content without knowing Rasa.
"""

from __future__ import annotations

import csv
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any, Optional

import yaml


class KnowledgeError(ValueError):
    """A mistake in a knowledge file, with its location."""

    def __init__(self, path: Path, line: Optional[int], message: str) -> None:
        top = next((folder.parent for folder in path.parents if folder.name == "knowledge"), None)
        if top is None:
            top = path.parents[1] if len(path.parents) > 1 else Path()
        where = str(path.relative_to(top)) if path.is_relative_to(top) else str(path)  # knowledge/es/faq/work.yml
        where += f", line {line}" if line else ""
        super().__init__(f"{where}: {message}")
        self.path, self.line = path, line


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that records the line of every mapping under ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Hashable, Any]:
    """A mapping with the line it starts on under ``__line__``."""
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML file's top mapping, each mapping with its line under ``__line__``.

    Raises:
        KnowledgeError: not valid YAML, or not a mapping at the top.
    """
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise KnowledgeError(path, line, f"this is not valid YAML ({exc.problem})") from None
    if not isinstance(data, dict):
        raise KnowledgeError(path, None, "expected a YAML mapping at the top")
    return data


def require(path: Path, item: dict[str, Any], key: str, kind: type = str) -> Any:
    """``item[key]``, which must be a non-empty ``kind``.

    Raises:
        KnowledgeError: it is missing, empty or of another type.
    """
    value = item.get(key)
    if value is None or value == "" or not isinstance(value, kind):
        raise KnowledgeError(path, item.get("__line__"), f"'{key}' is missing or is not a {kind.__name__}")
    return value


def read_csv(path: Path, columns: Iterable[str]) -> Iterable[tuple[int, dict[str, str]]]:
    """The rows of a CSV file with their line numbers, the cells stripped.

    Raises:
        KnowledgeError: a column is missing.
    """
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = set(columns) - set(reader.fieldnames or ())
        if missing:
            raise KnowledgeError(path, 1, f"missing column(s): {', '.join(sorted(missing))}")
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}


def strip_lines(value: Any) -> Any:
    """Remove the ``__line__`` markers added by the loader."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value
