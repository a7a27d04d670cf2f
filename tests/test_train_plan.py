"""What a change to the training inputs needs (bot/train_plan.py), on a copy of the real inputs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bench.training import add_questions, copy_inputs
from bot.train_plan import MAX_FINETUNES, Inputs, decide


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A copy of the training inputs."""
    return copy_inputs(tmp_path, spacy_link=True)


def _new_article(project: Path) -> None:
    path = project / "bot" / "data" / "faq.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["nlu"].append({"intent": "faq/brand_new_article", "examples": "- what is new\n"})
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_nothing_changed_needs_nothing(project: Path) -> None:
    now = Inputs.read(project)
    assert decide(now, Inputs.read(project), model_exists=True).action == "none"


def test_no_model_or_force_trains_from_scratch(project: Path) -> None:
    now = Inputs.read(project)
    assert decide(now, now, model_exists=False).action == "full"
    assert decide(now, None, model_exists=True).action == "full"
    assert decide(now, now, model_exists=True, force=True).action == "full"


def test_added_questions_fine_tune_and_say_how_many(project: Path) -> None:
    last = Inputs.read(project)
    add_questions(project / "bot" / "data" / "faq.yml", 2)
    plan = decide(Inputs.read(project), last, model_exists=True)
    assert (plan.action, plan.added, plan.removed) == ("finetune", 2, 0)
    assert "2 added" in plan.reason


def test_a_new_article_trains_from_scratch(project: Path) -> None:
    last = Inputs.read(project)
    _new_article(project)
    assert decide(Inputs.read(project), last, model_exists=True).action == "full"


def test_a_new_entity_type_in_an_example_trains_from_scratch(project: Path) -> None:
    last = Inputs.read(project)
    path = project / "bot" / "data" / "faq.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    block = next(b for b in data["nlu"] if str(b.get("intent", "")).startswith("faq/"))
    block["examples"] += "- ask about [tomorrow](brand_new_entity)\n"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert decide(Inputs.read(project), last, model_exists=True).action == "full"


def test_a_config_change_trains_from_scratch_but_a_comment_changes_nothing(project: Path) -> None:
    last = Inputs.read(project)
    config = project / "config.yml"
    config.write_text(config.read_text() + "\n# a comment\n")
    assert decide(Inputs.read(project), last, model_exists=True).action == "none"
    seed = re.search(r"random_seed: (\d+)", config.read_text())  # 7, or CEE_TRAINING_SEED
    assert seed
    config.write_text(config.read_text().replace(seed[0], f"random_seed: {int(seed[1]) + 1}", 1))
    assert decide(Inputs.read(project), last, model_exists=True).action == "full"


def test_a_rule_change_trains_from_scratch(project: Path) -> None:
    last = Inputs.read(project)
    rules = project / "bot" / "data" / "rules.yml"
    rules.write_text(rules.read_text() + "\n# a comment changes nothing\n")
    assert decide(Inputs.read(project), last, model_exists=True).action == "none"
    data = yaml.safe_load(rules.read_text())
    data["rules"] = data["rules"][1:]
    rules.write_text(yaml.safe_dump(data, sort_keys=False))
    assert decide(Inputs.read(project), last, model_exists=True).action == "full"


def test_fine_tuning_too_often_or_too_much_trains_from_scratch(project: Path, tmp_path: Path) -> None:
    last = Inputs.read(project)
    manifest = tmp_path / "manifest.json"
    last.save(manifest, finetunes=MAX_FINETUNES)
    add_questions(project / "bot" / "data" / "faq.yml", 2)
    assert decide(Inputs.read(project), Inputs.load(manifest), model_exists=True).action == "full"
    few = Inputs(last.structure, {k: v[:1] for k, v in last.examples.items()})
    assert "too many" in decide(Inputs.read(project), few, model_exists=True).reason


def test_an_old_or_broken_manifest_means_a_full_training(tmp_path: Path) -> None:
    (tmp_path / "old.inputs").write_text("0123abcd\n")
    assert Inputs.load(tmp_path / "old.inputs") is None
    assert Inputs.load(tmp_path / "missing.inputs") is None
    (tmp_path / "older.inputs").write_text('{"digest": "x", "structure": "y", "examples": {}}\n')  # no format
    assert Inputs.load(tmp_path / "older.inputs") is None
