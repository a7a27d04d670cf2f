"""Remove per-message overhead in Rasa 3.6 that does not change what Rasa does (measured by ``make bench``).

* ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which checks the (constant) schema itself
  before every custom action's answer: about 45 ms of CPU per custom action with jsonschema 4.17. The patch builds
  the validator once and validates each answer with it (same errors, same message).
* ``Event.resolve_by_type`` walks every subclass of ``Event`` (with ``inspect.isabstract`` on each) for every event it
  deserialises; the tracker store deserialises the whole conversation for every message, so a message's cost grew
  with the conversation's length. The patch looks the type up in a dictionary built from the same subclasses (and
  falls back to the original walk for a name it does not know, e.g. a class imported later).
* ``RasaModel.load`` (DIET, ResponseSelector, TED) trains the new model on one example before loading its weights,
  only to create the variables: that traces a training graph and creates the optimizer's slots, which costs seconds
  of start-up and about 150 MB per model that are never used to answer. The patch restores the weights lazily
  (TensorFlow's deferred restoration: each variable gets its saved value when the first prediction creates it),
  checks that every variable the model created was restored, and falls back to Rasa's own loading otherwise. The
  predictions are the same (checked by ``tests/test_speedups.py``). Fine-tuning (``rasa train --finetune``) is
  unchanged.
* ``RulePolicy`` turns the whole conversation into dialogue states before every prediction (twice per message), but
  a rule only ever looks at as many of the latest states as it is long: the cost of a message grew with the number
  of turns before it. The patch builds only the latest states (the longest rule + 2; every event is still applied,
  so slots and the active loop are the same), which gives the same predictions: a rule's state ``i`` turns back is
  compared only when ``i`` is smaller than the rule's length, and a key built from more states than any rule has
  is found in no rule lookup either way. It also keeps each conversation's replayed events, so that the next
  prediction replays only the events added since (see ``_replayed``).
* ``RulePolicy._get_possible_keys`` re-reversed every rule's states for every rule and every prediction; the patch
  reverses each rule once and compares the same states in the same way.
* ``DialogueStateTracker.applied_events`` (called several times per message, over the whole conversation) checks
  every event against Rasa's event classes, which are abstract base classes and slow to check; the patch does the
  same walk with each class looked up once. ``DialogueStateTracker.copy`` replays every event of the conversation
  (Rasa copies the tracker before each action); the patch copies the tracker's state instead
  (``bot.stores.copy_tracker``, the same state without the replay).
* ``DaskGraphRunner.run`` rebuilt the graph's minimal schema and ran it through dask's scheduler for every message
  (three times per message); the patch keeps the graph of each target list and calls its nodes in dependency order,
  one after the other, as dask's synchronous scheduler does.
* TensorFlow checks every input of a prediction against the traced signature in Python before running the graph,
  which cost more than the prediction itself for these small models. After Rasa's first prediction has traced the
  graph, the patch calls the traced function directly with the same tensors, when their types and shapes fit the
  signature (otherwise Rasa's own call runs).
* Loading a model unpacks its ``.tar.gz`` with ``TarSafe``, which reads the whole archive once to check it and once
  more to extract it: the gzip stream (about 90 MB here) was decompressed twice. The patch decompresses it once into
  a temporary file and lets ``TarSafe`` check and extract that (same checks, same files).
* ``SpacyNLP`` loads the spaCy pipeline once for each of its two graph nodes (the one that provides the pipeline to
  the tokenizer and the entity extractor, and the one that processes messages). The patch loads it once per path and
  gives both nodes the same pipeline (both only call it on texts).
* Fair turns (one message computes at a time). Rasa runs a message's NLU and policies on the event loop without
  pausing, and pauses only while it waits for the action server. A message coming back from the action server was
  then queued behind every message that had arrived meanwhile, each of them computing for a while: with 20 users at
  once, messages with a custom action took several times longer than the others (p95 ≫ p50). The patch lets one
  message compute at a time (the process has one core's worth of Python anyway), in the order they arrived. While a
  message waits for the action server (or any other HTTP endpoint) or for a channel to take its replies (Slack,
  socket.io; REST replies are only collected), the exchange runs as a task of its own and the next message computes;
  once the wait is over, the message gets the next turn, before new messages. A message keeps its turn, though,
  while the exchange lasts less than ``HOLD_TURN_SECONDS`` (50 ms): handing it on at once made every step of the
  exchange wait behind other messages' computing, so that messages with a custom action took twice as long as the
  others (measured with 20 users: p95 400 ms against 250 ms when the turn is kept, for 5 % less throughput).

* Python's full garbage collections walked every object of the loaded model (TensorFlow, spaCy, Rasa's graph): a
  pause of about 300 ms every few hundred messages, which every message in flight waited for (the 20-user p95). The
  patch freezes what is loaded with the model (``gc.freeze``), so that full collections skip it: about 8 ms.

They change how fast Rasa answers, not what it answers: ``tests/test_speedups.py`` runs the same conversations with
and without them and compares every reply and event. ``bot/stores.py`` has the matching in-memory tracker store.
Set ``CEE_SPEEDUPS=0`` to run Rasa without them (e.g. to compare).

``install()`` is idempotent and is called by ``bot.server.install_patches``.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import functools
import json
import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Text, Type

logger = logging.getLogger(__name__)


def _patch_action_validation() -> None:
    from rasa.core.actions.action import RemoteAction

    if getattr(RemoteAction._validate_action_result, "_cee_fast", False):
        return

    @functools.lru_cache(maxsize=1)
    def validator() -> Any:
        from jsonschema.validators import validator_for

        schema = RemoteAction.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)  # once, instead of once per answer
        return cls(schema)

    original = RemoteAction._validate_action_result

    def validate(self: Any, result: Dict[Text, Any]) -> bool:
        from jsonschema.exceptions import best_match

        if type(self).action_response_format_spec is not RemoteAction.action_response_format_spec:
            return original(self, result)  # a subclass with its own schema: keep Rasa's behaviour
        error = best_match(validator().iter_errors(result))
        if error is None:
            return True
        return original(self, result)  # raises with Rasa's own message

    validate._cee_fast = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = validate  # type: ignore[assignment]


def _patch_event_lookup() -> None:
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event

    if getattr(Event.resolve_by_type, "_cee_fast", False):
        return
    original = Event.resolve_by_type
    by_name: Dict[Text, Type[Event]] = {}
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        by_name.setdefault(cls.type_name, cls)  # the first match, as the original loop returns

    def resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
        found = by_name.get(type_name)
        return found if found is not None else original(type_name, default)

    resolve_by_type._cee_fast = True  # type: ignore[attr-defined]
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[assignment]


def _patch_model_loading() -> None:
    from rasa.utils.tensorflow.models import RasaModel

    if getattr(RasaModel.load, "_cee_fast", False):
        return
    original = RasaModel.load.__func__  # type: ignore[attr-defined]

    def load(
        cls: Any,
        model_file_name: Text,
        model_data_example: Any,
        predict_data_example: Any = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if finetune_mode or predict_data_example is None:
            return original(
                cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
            )
        import tensorflow as tf

        try:
            config = kwargs.get("config", {})
            model = cls(*args, **kwargs)
            model.compile(
                optimizer=tf.keras.optimizers.Adam(config.get("learning_rate", 0.001)),
                run_eagerly=config.get("run_eagerly"),
            )
            status = model.load_weights(model_file_name)  # restored as the variables are created
            model.run_inference(predict_data_example)  # creates every variable a prediction uses
            status.assert_existing_objects_matched()  # each of them got its trained value
            status.expect_partial()  # the optimizer's saved slots are for training only: no warnings about them
            return model
        except Exception as exc:  # noqa: BLE001 - any doubt: load the way Rasa does
            logger.warning("Fast model loading failed (%s); loading %s the usual way", exc, cls.__name__)
            return original(
                cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
            )

    load._cee_fast = True  # type: ignore[attr-defined]
    RasaModel.load = classmethod(load)  # type: ignore[assignment]


_TAIL: "contextvars.ContextVar[Optional[int]]" = contextvars.ContextVar("cee_rule_policy_tail", default=None)


_REPLAYS: "collections.OrderedDict[Any, Any]" = collections.OrderedDict()  # (domain, sender) -> (event, count, tracker)
MAX_REPLAYS = 2000  # conversations whose replay is kept (the least recently used are dropped)


def _replayed(tracker: Any, domain: Any, applied: List[Any], count: int) -> Any:
    """A tracker of ``tracker``'s sender with the first ``count`` applied events replayed (a fresh copy).

    Replaying a conversation from its start for every prediction made a message cost more the longer its
    conversation was. This keeps, per conversation, the replay up to where the last call needed it, and goes on from
    there when the new events continue the same history: Rasa only ever drops events from the end of the applied
    events (reverts, restarts) and adds new ones, so the same event object at the same place means the same history
    before it.
    """
    from bot.stores import copy_tracker

    key = (id(domain), tracker.sender_id)  # a new model (and domain) starts afresh
    cached = _REPLAYS.get(key)
    if cached is not None and cached[1] <= count and (cached[1] == 0 or applied[cached[1] - 1] is cached[0]):
        prior, done = copy_tracker(cached[2]), cached[1]
        _REPLAYS.move_to_end(key)
    else:
        prior, done = tracker.init_copy(), 0
    if done == count:
        return prior  # the kept replay is already there
    for event in applied[done:count]:
        prior.update(event)
    _REPLAYS[key] = (applied[count - 1] if count else None, count, copy_tracker(prior))
    while len(_REPLAYS) > MAX_REPLAYS:
        _REPLAYS.popitem(last=False)
    return prior


def _tail_states(tracker: Any, domain: Any, keep: int, omit_unset_slots: bool) -> Optional[List[Any]]:
    """``domain.states_for_tracker_history(tracker)[-keep:]`` without building the earlier states (None: no saving)."""
    applied = tracker.applied_events()
    actions = [index for index, event in enumerate(applied) if _event_kind(type(event)) == _ACTION]
    if len(actions) < keep:  # one state before each action, and the last one: no more than keep
        return None
    start = actions[len(actions) - keep + 1]  # the first action whose prior state is kept
    prior = _replayed(tracker, domain, applied, start)
    states: List[Any] = []
    for event in applied[start:]:  # as DialogueStateTracker.generate_all_prior_trackers
        if _event_kind(type(event)) == _ACTION:
            states.append(domain._clean_state(domain.get_active_state(prior, omit_unset_slots=omit_unset_slots)))
        prior.update(event)
    states.append(domain._clean_state(domain.get_active_state(prior, omit_unset_slots=omit_unset_slots)))
    return states


def _patch_rule_policy_states() -> None:
    from rasa.core.featurizers.tracker_featurizers import TrackerFeaturizer
    from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RULES_NOT_IN_STORIES, RulePolicy

    if getattr(RulePolicy._prediction_states, "_cee_fast", False):
        return
    original_states = RulePolicy._prediction_states
    original_create = TrackerFeaturizer._create_states  # a staticmethod: a plain function here

    def keep_for(policy: Any) -> Optional[int]:
        keep = policy.__dict__.get("_cee_keep")
        if keep is None:
            lengths = [0]
            for name in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH):
                lengths += [len(json.loads(key)) for key in policy.lookup.get(name, {})]
            for key in policy.lookup.get(RULES_NOT_IN_STORIES, []):
                try:
                    lengths.append(len(json.loads(key)))
                except ValueError:
                    continue
            keep = max(lengths) + 2
            policy.__dict__["_cee_keep"] = keep
        return keep

    def prediction_states(
        self: Any, tracker: Any, domain: Any, use_text_for_last_user_input: bool = False, rule_only_data: Any = None
    ) -> List[Any]:
        token = _TAIL.set(keep_for(self))
        try:
            return original_states(self, tracker, domain, use_text_for_last_user_input, rule_only_data)
        finally:
            _TAIL.reset(token)

    def create_states(
        tracker: Any,
        domain: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: Any = None,
    ) -> List[Any]:
        keep = _TAIL.get()
        if keep is not None and not ignore_rule_only_turns:  # RulePolicy: rule data, no hidden turns
            states = _tail_states(tracker, domain, keep, omit_unset_slots)
            if states is not None:
                return states
        return original_create(tracker, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)

    prediction_states._cee_fast = True  # type: ignore[attr-defined]
    RulePolicy._prediction_states = prediction_states  # type: ignore[assignment]
    TrackerFeaturizer._create_states = staticmethod(create_states)  # type: ignore[assignment]


def _patch_graph_runner() -> None:
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    if getattr(DaskGraphRunner.run, "_cee_fast", False):
        return

    def run(
        self: Any, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None
    ) -> Dict[Text, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        graphs = self.__dict__.setdefault("_cee_graphs", {})
        graph = graphs.get(tuple(run_targets))
        if graph is None:  # the same few target lists come back for every message
            graph = self._build_dask_graph(self._graph_schema.minimal_graph_schema(run_targets))
            graphs[tuple(run_targets)] = graph
        graph = dict(graph)
        self._add_inputs_to_graph(inputs, graph)  # the same checks as Rasa's
        results: Dict[Text, Any] = {}

        def value(name: Text) -> Any:
            if name not in results:
                task = graph[name]
                if callable(task[0]):  # a graph node and the names of the nodes it needs
                    results[name] = task[0](*(value(need) for need in task[1:]))
                else:  # an input: (input name, value), as dask passes it on
                    results[name] = task
            return results[name]

        try:
            return dict(value(target) for target in run_targets)
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e

    run._cee_fast = True  # type: ignore[attr-defined]
    DaskGraphRunner.run = run  # type: ignore[assignment]


def _patch_rule_matching() -> None:
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.shared.core.constants import PREVIOUS_ACTION

    if getattr(RulePolicy._get_possible_keys, "_cee_fast", False):
        return

    def get_possible_keys(self: Any, lookup: Dict[Text, Text], states: List[Any]) -> Set[Text]:
        rules = self.__dict__.setdefault("_cee_reversed_rules", {})
        latest_first = list(reversed(states))
        matches = self._does_rule_match_state
        possible = set()
        for key in lookup:
            rule = rules.get(key)
            if rule is None:
                rule = rules[key] = list(reversed(self._rule_key_to_state(key)))
            for rule_state, state in zip(rule, latest_first):  # states further back than the rule always apply
                rule_previous, previous = rule_state.get(PREVIOUS_ACTION), state.get(PREVIOUS_ACTION)
                if not rule_previous and not previous:
                    continue  # both are conversation starts
                if not rule_previous or not previous or not matches(rule_state, state):
                    break
            else:
                possible.add(key)
        return possible

    get_possible_keys._cee_fast = True  # type: ignore[attr-defined]
    RulePolicy._get_possible_keys = get_possible_keys  # type: ignore[assignment]


def _patch_tf_prediction() -> None:
    from rasa.utils.tensorflow.models import DIAGNOSTIC_DATA, RasaModel

    if getattr(RasaModel._rasa_predict, "_cee_fast", False):
        return
    original = RasaModel._rasa_predict

    def rasa_predict(self: Any, batch_in: Any) -> Dict[Text, Any]:
        import tensorflow as tf
        from keras.utils import tf_utils

        traced = self.__dict__.get("_cee_traced")
        if traced is None:
            outputs = original(self, batch_in)  # traces the prediction graph, as Rasa does
            if not self._run_eagerly and self._tf_predict_step is not None:
                function = self._tf_predict_step.get_concrete_function()
                self.__dict__["_cee_traced"] = (function, self._dynamic_signature(batch_in)[0])
            return outputs
        function, specs = traced
        if len(batch_in) != len(specs):
            return original(self, batch_in)
        tensors = []
        for value, spec in zip(batch_in, specs):
            if value.dtype != spec.dtype.as_numpy_dtype or not spec.shape.is_compatible_with(value.shape):
                return original(self, batch_in)  # not what the graph was traced for: let TensorFlow sort it out
            tensors.append(tf.convert_to_tensor(value))
        outputs = tf_utils.sync_to_numpy_or_python_type(function._call_flat(tensors, function.captured_inputs))
        if DIAGNOSTIC_DATA in outputs:
            outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
        return outputs

    rasa_predict._cee_fast = True  # type: ignore[attr-defined]
    RasaModel._rasa_predict = rasa_predict  # type: ignore[assignment]


def _patch_tracker_copy() -> None:
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.stores import copy_tracker

    if getattr(DialogueStateTracker.copy, "_cee_fast", False):
        return

    def copy(self: Any) -> Any:
        return copy_tracker(self)

    copy._cee_fast = True  # type: ignore[attr-defined]
    DialogueStateTracker.copy = copy  # type: ignore[assignment]


_RESET, _REVERT_ACTION, _REVERT_USER, _ACTION, _LOOP, _OTHER = range(6)
_EVENT_KINDS: Dict[type, int] = {}


def _event_kind(cls: type) -> int:
    """What ``DialogueStateTracker.applied_events`` does with an event of this class (worked out once per class).

    Rasa's events are abstract base classes, which makes each ``isinstance`` check on them slow; a conversation's
    events were checked several times over for every message.
    """
    kind = _EVENT_KINDS.get(cls)
    if kind is None:
        from rasa.shared.core.events import (
            ActionExecuted,
            ActionReverted,
            ActiveLoop,
            Restarted,
            SessionStarted,
            UserUtteranceReverted,
        )

        kind = (
            _RESET if issubclass(cls, (Restarted, SessionStarted))
            else _REVERT_ACTION if issubclass(cls, ActionReverted)
            else _REVERT_USER if issubclass(cls, UserUtteranceReverted)
            else _ACTION if issubclass(cls, ActionExecuted)
            else _LOOP if issubclass(cls, ActiveLoop)
            else _OTHER
        )  # fmt: skip
        _EVENT_KINDS[cls] = kind
    return kind


def _patch_applied_events() -> None:
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    if getattr(DialogueStateTracker.applied_events, "_cee_fast", False):
        return

    def applied_events(self: Any) -> List[Any]:  # Rasa 3.6's, with the classes looked up once per class
        events = self.events
        loop_names = {event.name for event in events if _event_kind(type(event)) == _LOOP and event.name}
        applied: List[Any] = []
        for event in events:
            kind = _event_kind(type(event))
            if kind == _RESET:
                applied = []
            elif kind == _REVERT_ACTION:
                self._undo_till_previous(ActionExecuted, applied)
            elif kind == _REVERT_USER:
                self._undo_till_previous(UserUttered, applied)
                self._undo_till_previous(ActionExecuted, applied)
            elif (
                kind == _ACTION
                and event.action_name in loop_names
                and not self._first_loop_execution_or_unhappy_path(event.action_name, applied)
            ):
                self._undo_till_previous_loop_execution(event.action_name, applied)
            else:
                applied.append(event)
        return applied

    applied_events._cee_fast = True  # type: ignore[attr-defined]
    DialogueStateTracker.applied_events = applied_events  # type: ignore[assignment]


def _patch_gc_after_loading() -> None:
    import gc

    from rasa.core.agent import Agent

    if getattr(Agent.load_model, "_cee_fast", False):
        return
    original = Agent.load_model

    @functools.wraps(original)
    def load_model(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        gc.unfreeze()  # a model loaded again: its predecessor may be collected
        gc.collect()
        gc.freeze()  # what is loaded now stays for good: full collections no longer walk it
        return result

    load_model._cee_fast = True  # type: ignore[attr-defined]
    Agent.load_model = load_model  # type: ignore[assignment]


class _Turns:
    """One message computes at a time; messages back from an HTTP call go before new ones (FIFO otherwise)."""

    def __init__(self) -> None:
        self._busy = False
        self._returning: "collections.deque[asyncio.Future[None]]" = collections.deque()
        self._new: "collections.deque[asyncio.Future[None]]" = collections.deque()

    async def acquire(self, returning: bool) -> None:
        if not self._busy and not self._returning and not self._new:
            self._busy = True
            return
        waiter: "asyncio.Future[None]" = asyncio.get_running_loop().create_future()
        (self._returning if returning else self._new).append(waiter)
        try:
            await waiter  # release() handed the turn over: _busy stays True
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # the turn arrived together with the cancellation: pass it on
            else:
                for queue in (self._returning, self._new):
                    if waiter in queue:
                        queue.remove(waiter)
            raise

    def release(self) -> None:
        for queue in (self._returning, self._new):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return
        self._busy = False


class _Turn:
    """Whether the current message holds the turn (one object per message, in a context variable)."""

    __slots__ = ("held",)

    def __init__(self) -> None:
        self.held = False


_CURRENT_TURN: "contextvars.ContextVar[Optional[_Turn]]" = contextvars.ContextVar("cee_turn", default=None)
_TURNS: Dict[int, _Turns] = {}  # per event loop (Sanic workers are processes; tests may use several loops)


def _turns() -> _Turns:
    loop = asyncio.get_running_loop()
    return _TURNS.setdefault(id(loop), _Turns())


def _patch_model_extraction() -> None:
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    if getattr(LocalModelStorage._extract_archive_to_directory, "_cee_fast", False):
        return
    original = LocalModelStorage._extract_archive_to_directory

    def extract(model_archive_path: Any, temporary_directory: Any) -> None:
        import gzip
        import shutil
        import sys
        import tempfile

        from tarsafe import TarSafe

        if sys.platform == "win32":
            return original(model_archive_path, temporary_directory)
        with tempfile.TemporaryFile() as plain:
            with gzip.open(model_archive_path, "rb") as packed:
                shutil.copyfileobj(packed, plain, 1 << 20)
            plain.seek(0)
            with TarSafe.open(fileobj=plain, mode="r:") as tar:
                tar.extractall(temporary_directory)
        LocalModelStorage._assert_not_rasa2_archive(temporary_directory)

    extract._cee_fast = True  # type: ignore[attr-defined]
    LocalModelStorage._extract_archive_to_directory = staticmethod(extract)  # type: ignore[assignment]


def _patch_spacy_loading() -> None:
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    if getattr(SpacyNLP.load_model, "_cee_fast", False):
        return
    original = SpacyNLP.load_model
    loaded: Dict[Text, Any] = {}

    def load_model(spacy_model_name: Text) -> Any:
        if spacy_model_name not in loaded:
            loaded[spacy_model_name] = original(spacy_model_name)
        return loaded[spacy_model_name]

    load_model._cee_fast = True  # type: ignore[attr-defined]
    SpacyNLP.load_model = staticmethod(load_model)  # type: ignore[assignment]


HOLD_TURN_SECONDS = 0.05  # a message waiting longer than this for another server lets the others compute


async def _off_turn(start: Callable[[], Awaitable[Any]]) -> Any:
    """Await an exchange with another server (HTTP request, reply to a channel), keeping the turn while it is quick.

    The message keeps its turn for up to ``HOLD_TURN_SECONDS``; a slower exchange hands the turn on, and the message
    takes the next one, before new messages, once the exchange is over.
    """
    turn = _CURRENT_TURN.get()
    if turn is None or not turn.held:
        return await start()  # not within a message, or within an exchange already

    async def detached() -> Any:
        _CURRENT_TURN.set(_Turn())  # its own context: a turn it does not hold, so nothing nested waits for one
        return await start()

    call = asyncio.ensure_future(detached())
    try:
        done, _ = await asyncio.wait({call}, timeout=HOLD_TURN_SECONDS)
    except asyncio.CancelledError:
        call.cancel()
        raise
    if done:
        return call.result()
    turns = _turns()  # a slow exchange: the others compute meanwhile
    turn.held = False
    turns.release()
    try:
        return await call
    finally:
        if not call.done():
            call.cancel()
        await turns.acquire(returning=True)
        turn.held = True


def _patch_fair_turns() -> None:
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.processor import MessageProcessor
    from rasa.utils.endpoints import EndpointConfig

    if getattr(MessageProcessor.handle_message, "_cee_turns", False):
        return
    original_handle = MessageProcessor.handle_message
    original_request = EndpointConfig.request
    original_send = MessageProcessor._send_bot_messages  # a staticmethod: a plain function here

    @functools.wraps(original_handle)
    async def handle_message(self: Any, message: Any) -> Any:
        if _CURRENT_TURN.get() is not None:  # called from within a message: that message manages the turn
            return await original_handle(self, message)
        turns, turn = _turns(), _Turn()
        token = _CURRENT_TURN.set(turn)
        try:
            await turns.acquire(returning=False)
            turn.held = True
            return await original_handle(self, message)
        finally:
            _CURRENT_TURN.reset(token)
            if turn.held:
                turn.held = False
                turns.release()

    @functools.wraps(original_request)
    async def request(self: Any, *args: Any, **kwargs: Any) -> Any:
        return await _off_turn(lambda: original_request(self, *args, **kwargs))

    async def send_bot_messages(events: Any, tracker: Any, output_channel: Any) -> None:
        if isinstance(output_channel, CollectingOutputChannel):  # REST: collected in memory, no waiting
            return await original_send(events, tracker, output_channel)
        return await _off_turn(lambda: original_send(events, tracker, output_channel))  # Slack, socket.io, ...

    handle_message._cee_turns = True  # type: ignore[attr-defined]
    MessageProcessor.handle_message = handle_message  # type: ignore[assignment]
    MessageProcessor._send_bot_messages = staticmethod(send_bot_messages)  # type: ignore[assignment]
    EndpointConfig.request = request  # type: ignore[assignment]


def install() -> None:
    """Apply every speed-up (idempotent); ``CEE_SPEEDUPS=0`` in the environment turns them all off."""
    if os.environ.get("CEE_SPEEDUPS", "1").strip() in ("0", "false", "no", "off"):
        logger.info("CEE_SPEEDUPS is off: Rasa runs without bot.speedups")
        return
    _patch_action_validation()
    _patch_event_lookup()
    _patch_model_loading()
    _patch_rule_policy_states()
    _patch_rule_matching()
    _patch_graph_runner()
    _patch_tf_prediction()
    _patch_tracker_copy()
    _patch_applied_events()
    _patch_model_extraction()
    _patch_spacy_loading()
    _patch_gc_after_loading()
    _patch_fair_turns()
