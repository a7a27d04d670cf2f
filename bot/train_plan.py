"""What a change to the training inputs needs: nothing, fine-tuning the last model, or a full training, and why.

The inputs are ``config.yml``, ``domain.yml`` and every file under ``bot/data/``. They are split in two:

* the *structure*: the configuration, the domain, rules and stories, lookup tables, synonyms, regexes and the set of
  labels (intents, FAQ and small-talk articles). A change here needs a full training;
* the *examples* of each label. When only they change (questions added to an FAQ article, an intent's examples
  edited), Rasa can fine-tune the last model (``rasa train --finetune``): same labels, same configuration.

A manifest of both is kept next to the model (``bot/models/cee-guide.inputs``). Fine-tuning is chosen only while it is
safe: a few examples changed, and not too many fine-tunings in a row (each starts from the last model, so a full
training now and then keeps the model what a full training would make of the same data).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import yaml

FORMAT = 2  # of the manifest; a model with an older one is trained afresh (2: trained with PYTHONHASHSEED=0)
MAX_FINETUNES = 3  # in a row; then a full training (each one moves the model a little from a full training)
MAX_CHANGED_SHARE = 0.1  # more changed examples than this share of all of them: a full training


_ENTITY = re.compile(r"\]\(([\w-]+)[:)]|\]\{\"entity\":\s*\"([\w-]+)\"")  # [text](entity) or [text]{"entity": ...}


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Inputs:
    """What a model is trained from: the structure's hash, and each label's examples (as short hashes)."""

    structure: str
    examples: dict[str, list[str]]
    finetunes: int = 0  # fine-tunings since the last full training (kept in the manifest)

    @classmethod
    def read(cls, project: Path) -> Inputs:
        """The inputs of the project at ``project`` as they are now."""
        # Parsed, so that a comment changes nothing.
        structure: list[Any] = [
            (name, yaml.safe_load((project / name).read_text(encoding="utf-8")))
            for name in ("config.yml", "domain.yml")
        ]
        examples: dict[str, set[str]] = {}
        entities: set[str] = set()
        for path in sorted((project / "bot" / "data").rglob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if not isinstance(data, dict):  # not training data Rasa reads; any change to it counts as structure
                structure.append((path.relative_to(project).as_posix(), data))
                continue
            for block in data.pop("nlu", None) or []:
                if isinstance(block, dict) and "intent" in block and "examples" in block:
                    lines = [line[2:].strip() for line in str(block.pop("examples")).splitlines() if line.strip()]
                    examples.setdefault(block["intent"], set()).update(_digest(line)[:12] for line in lines)
                    entities.update(a or b for a, b in _ENTITY.findall("\n".join(lines)))
                structure.append(block)
            structure.append((path.relative_to(project).as_posix(), data))
        structure += [sorted(examples), sorted(entities)]  # a new label or entity type cannot be fine-tuned
        return cls(_digest(structure), {label: sorted(found) for label, found in sorted(examples.items())})

    @property
    def digest(self) -> str:
        """One hash of everything (the model is current when it matches)."""
        return _digest([self.structure, self.examples])

    def save(self, path: Path, finetunes: int) -> None:
        """Write the manifest (atomically: a reader finds the old one or the new one, never half of one)."""
        payload = {
            "format": FORMAT,
            "digest": self.digest,
            "structure": self.structure,
            "examples": self.examples,
            "finetunes": finetunes,
        }
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Optional[Inputs]:
        """The manifest saved with the last model, or None (no model, or one from an older trainer)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                return None
            return cls(data["structure"], data["examples"], int(data.get("finetunes", 0)))
        except (OSError, ValueError, KeyError, TypeError):
            return None


@dataclass(frozen=True)
class Plan:
    """``none``, ``finetune`` or ``full``, with the reason in plain words."""

    action: str
    reason: str
    added: int = 0
    removed: int = 0


def decide(now: Inputs, last: Optional[Inputs], model_exists: bool, force: bool = False) -> Plan:
    """How to bring the model up to date with ``now``, given the manifest of the last model."""
    if not model_exists or last is None:
        return Plan(
            "full",
            "the last model has no manifest from this trainer" if model_exists else "there is no trained model yet",
        )
    if force:
        return Plan("full", "a full training was asked for (--force)")
    if now.digest == last.digest:
        return Plan("none", "the model is up to date")
    if now.structure != last.structure:
        return Plan(
            "full",
            "the configuration, the domain, rules, stories, lookup tables or the set of intents and articles changed",
        )
    added = sum(len(set(now.examples[k]) - set(last.examples.get(k, []))) for k in now.examples)
    removed = sum(len(set(last.examples[k]) - set(now.examples.get(k, []))) for k in last.examples)
    total = sum(len(v) for v in now.examples.values())
    if added + removed > MAX_CHANGED_SHARE * total:
        return Plan("full", f"{added + removed} examples changed, too many to fine-tune", added, removed)
    if last.finetunes >= MAX_FINETUNES:
        return Plan("full", f"the model was fine-tuned {last.finetunes} times in a row", added, removed)
    return Plan("finetune", f"only examples changed ({added} added, {removed} removed)", added, removed)
