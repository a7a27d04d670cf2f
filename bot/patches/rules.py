"""Speed: the RulePolicy, whose cost per message grew with the number of turns before it.

* ``RulePolicy`` turns the whole conversation into dialogue states before every prediction (twice per message), but
  a rule only ever looks at as many of the latest states as it is long. The patch builds only the latest states (the
  longest rule + 2; every event is still applied, so slots and the active loop are the same), which gives the same
  predictions: a rule's state ``i`` turns back is compared only when ``i`` is smaller than the rule's length, and a
  key built from more states than any rule has is found in no rule lookup either way. It also keeps each
  conversation's replayed events, so that the next prediction replays only the events added since
  (:func:`_replayed`).
* ``RulePolicy._get_possible_keys`` re-reversed every rule's states for every rule and every prediction; the patch
  reverses each rule once and compares the same states in the same way.
"""

from __future__ import annotations

import collections
import contextvars
import json
from collections.abc import Callable
from typing import Any, Optional

from bot.patches.patching import _patch
from bot.patches.trackers import ACTION, event_kind

_TAIL: contextvars.ContextVar[Optional[int]] = contextvars.ContextVar("cee_rule_policy_tail", default=None)
_REPLAYS: collections.OrderedDict[Any, Any] = collections.OrderedDict()  # (domain, sender) -> (event, count, tracker)
MAX_REPLAYS = 2000  # conversations whose replay is kept (the least recently used are dropped)


def install() -> None:
    """Install the patches of this module (idempotent)."""
    from rasa.core.featurizers.tracker_featurizers import TrackerFeaturizer
    from rasa.core.policies.rule_policy import RulePolicy

    _patch(RulePolicy, "_prediction_states", _mark_rule_prediction)
    _patch(TrackerFeaturizer, "_create_states", _latest_states_only)
    _patch(RulePolicy, "_get_possible_keys", _match_reversed_once)


def _replayed(tracker: Any, domain: Any, applied: list[Any], count: int) -> Any:
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


def _tail_states(tracker: Any, domain: Any, keep: int, omit_unset_slots: bool) -> Optional[list[Any]]:
    """``domain.states_for_tracker_history(tracker)[-keep:]`` without building the earlier states (None: no saving)."""
    applied = tracker.applied_events()
    actions = [index for index, event in enumerate(applied) if event_kind(type(event)) == ACTION]
    if len(actions) < keep:  # one state before each action, and the last one: no more than keep
        return None
    start = actions[len(actions) - keep + 1]  # the first action whose prior state is kept
    prior = _replayed(tracker, domain, applied, start)
    states: list[Any] = []
    for event in applied[start:]:  # as DialogueStateTracker.generate_all_prior_trackers
        if event_kind(type(event)) == ACTION:
            states.append(domain._clean_state(domain.get_active_state(prior, omit_unset_slots=omit_unset_slots)))
        prior.update(event)
    states.append(domain._clean_state(domain.get_active_state(prior, omit_unset_slots=omit_unset_slots)))
    return states


def _keep_for(policy: Any) -> int:
    """How many of the latest states a RulePolicy's rules can look at: the longest rule + 2 (worked out once)."""
    from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RULES_NOT_IN_STORIES

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
    return int(keep)


def _mark_rule_prediction(original: Callable[..., Any]) -> Callable[..., Any]:
    """``RulePolicy._prediction_states`` telling ``_create_states`` (below) how many states the rules need."""

    def prediction_states(
        self: Any, tracker: Any, domain: Any, use_text_for_last_user_input: bool = False, rule_only_data: Any = None
    ) -> list[Any]:
        token = _TAIL.set(_keep_for(self))
        try:
            return original(self, tracker, domain, use_text_for_last_user_input, rule_only_data)
        finally:
            _TAIL.reset(token)

    return prediction_states


def _latest_states_only(original: Callable[..., Any]) -> Callable[..., Any]:
    """``TrackerFeaturizer._create_states`` (a staticmethod) building only the latest states for a RulePolicy."""

    def create_states(
        tracker: Any,
        domain: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: Any = None,
    ) -> list[Any]:
        keep = _TAIL.get()
        if keep is not None and not ignore_rule_only_turns:  # RulePolicy: rule data, no hidden turns
            states = _tail_states(tracker, domain, keep, omit_unset_slots)
            if states is not None:
                return states
        return original(tracker, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)

    return create_states


def _match_reversed_once(original: Callable[..., Any]) -> Callable[..., Any]:
    """``RulePolicy._get_possible_keys`` with each rule's states reversed once per policy."""
    from rasa.shared.core.constants import PREVIOUS_ACTION

    def get_possible_keys(self: Any, lookup: dict[str, str], states: list[Any]) -> set[str]:
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

    return get_possible_keys
