"""Every attribute bot.patches replaces still exists on the installed Rasa with the signature the patch expects.

The tables below are the targets of Rasa 3.6.21 (``bot.patches.RASA_VERSION``). When Rasa is upgraded, this test
fails where a patched function changed: read Rasa's new code, adapt the patch, then the table and the pinned version.
On any other Rasa version the speed patches are not installed (``tests/patches/test_install.py``), so only the
targets of the patches installed on every version are checked then.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any, Optional

import pytest

from bot.patches import RASA_VERSION, installed_rasa_version
from bot.patches.patching import unpatched

Target = tuple[str, Optional[str], str, str]  # module, class (None: a module attribute), attribute, signature

ALWAYS: tuple[Target, ...] = (  # safety and console: installed on every Rasa version
    (
        "rasa.core.channels.console",
        None,
        "_print_bot_output",
        "(message: Dict[str, Any], is_latest_message: bool = False, "
        "color: str = '\\x1b[94m') -> Optional[questionary.question.Question]",
    ),
    (
        "rasa.core.actions.action",
        "RemoteAction",
        "run",
        "(self, output_channel: 'OutputChannel', nlg: 'NaturalLanguageGenerator', "
        "tracker: 'DialogueStateTracker', domain: 'Domain') -> List[rasa.shared.core.events.Event]",
    ),
    (
        "rasa.core.processor",
        "MessageProcessor",
        "handle_message",
        "(self, message: rasa.core.channels.channel.UserMessage) -> Optional[List[Dict[str, Any]]]",
    ),
)
SPEED: tuple[Target, ...] = (  # installed on RASA_VERSION only
    (
        "rasa.shared.core.events",
        "Event",
        "resolve_by_type",
        "(type_name: str, default: Optional[Type[ForwardRef('Event')]] = None) -> Optional[Type[ForwardRef('Event')]]",
    ),
    ("rasa.shared.core.trackers", "DialogueStateTracker", "copy", "(self) -> 'DialogueStateTracker'"),
    (
        "rasa.shared.core.trackers",
        "DialogueStateTracker",
        "applied_events",
        "(self) -> List[rasa.shared.core.events.Event]",
    ),
    (
        "rasa.core.policies.rule_policy",
        "RulePolicy",
        "_prediction_states",
        "(self, tracker: 'DialogueStateTracker', domain: 'Domain', "
        "use_text_for_last_user_input: 'bool' = False, rule_only_data: 'Optional[Dict[Text, "
        "Any]]' = None) -> 'List[State]'",
    ),
    (
        "rasa.core.featurizers.tracker_featurizers",
        "TrackerFeaturizer",
        "_create_states",
        "(tracker: 'DialogueStateTracker', domain: 'Domain', omit_unset_slots: 'bool' = False, "
        "ignore_rule_only_turns: 'bool' = False, rule_only_data: 'Optional[Dict[Text, "
        "Any]]' = None) -> 'List[State]'",
    ),
    (
        "rasa.core.policies.rule_policy",
        "RulePolicy",
        "_get_possible_keys",
        "(self, lookup: 'Dict[Text, Text]', states: 'List[State]') -> 'Set[Text]'",
    ),
    (
        "rasa.engine.runner.dask",
        "DaskGraphRunner",
        "run",
        "(self, inputs: 'Optional[Dict[Text, Any]]' = None, "
        "targets: 'Optional[List[Text]]' = None) -> 'Dict[Text, Any]'",
    ),
    (
        "rasa.utils.tensorflow.models",
        "RasaModel",
        "_rasa_predict",
        "(self, batch_in: Tuple[numpy.ndarray, ...]) -> Dict[str, Union[numpy.ndarray, Dict[str, Any]]]",
    ),
    (
        "rasa.shared.nlu.training_data.features",
        "Features",
        "_combine_sparse_features",
        "(self, additional_features: 'Features') -> 'None'",
    ),
    ("rasa.core.actions.action", "RemoteAction", "_validate_action_result", "(self, result: Dict[str, Any]) -> bool"),
    (
        "rasa.engine.storage.local_model_storage",
        "LocalModelStorage",
        "_extract_archive_to_directory",
        "(model_archive_path: 'Union[Text, Path]', temporary_directory: 'Path') -> 'None'",
    ),
    ("rasa.nlu.utils.spacy_utils", "SpacyNLP", "load_model", "(spacy_model_name: 'Text') -> 'SpacyModel'"),
    (
        "rasa.utils.tensorflow.models",
        "RasaModel",
        "load",
        "(cls, model_file_name: str, model_data_example: rasa.utils.tensorflow.model_data.RasaModelData, "
        "predict_data_example: Optional[rasa.utils.tensorflow.model_data.RasaModelData] = None, "
        "finetune_mode: bool = False, *args: Any, **kwargs: Any) -> 'RasaModel'",
    ),
    (
        "rasa.core.agent",
        "Agent",
        "load_model",
        "(self, model_path: 'Union[Text, Path]', fingerprint: 'Optional[Text]' = None) -> 'None'",
    ),
    (
        "rasa.core.processor",
        "MessageProcessor",
        "_send_bot_messages",
        "(events: List[rasa.shared.core.events.Event], "
        "tracker: rasa.shared.core.trackers.DialogueStateTracker, "
        "output_channel: rasa.core.channels.channel.OutputChannel) -> None",
    ),
    (
        "rasa.utils.endpoints",
        "EndpointConfig",
        "request",
        "(self, method: str = 'post', subpath: Optional[str] = None, "
        "content_type: Optional[str] = 'application/json', compress: bool = False, "
        "**kwargs: Any) -> Optional[Any]",
    ),
)


def owner_of(module: str, cls: Optional[str]) -> Any:
    """The class (or module) that holds a target."""
    found = importlib.import_module(module)
    return getattr(found, cls) if cls else found


def target_id(target: Target) -> str:
    """A target's dotted name, e.g. ``rasa.core.processor.MessageProcessor.handle_message``."""
    module, cls, name, _signature = target
    return ".".join(part for part in (module, cls, name) if part)


@pytest.mark.parametrize("target", ALWAYS, ids=target_id)
def test_safety_targets_have_the_expected_signature(target: Target) -> None:
    module, cls, name, signature = target
    assert str(inspect.signature(unpatched(owner_of(module, cls), name))) == signature


@pytest.mark.parametrize("target", SPEED, ids=target_id)
def test_speed_targets_have_the_expected_signature(target: Target) -> None:
    if installed_rasa_version() != RASA_VERSION:
        pytest.skip(f"Rasa {installed_rasa_version()} is not {RASA_VERSION}: the speed patches are not installed")
    module, cls, name, signature = target
    assert str(inspect.signature(unpatched(owner_of(module, cls), name))) == signature
