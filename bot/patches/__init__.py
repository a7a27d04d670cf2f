"""Every change CEE Guide makes to Rasa's own code, installed by one call: :func:`install`.

Two kinds of patches, each module one purpose, every attribute replaced through
:func:`bot.patches.patching._patch` (idempotent, recorded in ``patching.PATCHED``):

* always installed, on any Rasa version: :mod:`~bot.patches.safety` (message size, action server down; the log
  masking of :mod:`bot.ior` is installed first) and :mod:`~bot.patches.console` (``rasa shell`` prints tables and
  charts as text);
* speed patches, which change how fast Rasa answers, never what it answers (``tests/patches/test_equivalence.py``
  runs the same conversations with and without them and compares every reply and event): :mod:`~bot.patches.trackers`
  (events and tracker copies), :mod:`~bot.patches.rules` (RulePolicy), :mod:`~bot.patches.execution` (graph runner,
  sparse features, TensorFlow prediction), :mod:`~bot.patches.answers` (checking action answers),
  :mod:`~bot.patches.loading` (model loading, garbage collection) and
  :mod:`~bot.patches.turns` (fair turns between messages). They rely on Rasa's private code, so they are installed
  only on :data:`RASA_VERSION`, the version they were written and checked for; on any other version they are skipped
  and the log says so. ``CEE_SPEEDUPS=0`` skips them too (to compare). ``bot/stores.py`` has the matching in-memory
  tracker store.

The order of installation is :data:`ORDER`, and it matters where two patches wrap the same attribute:
``MessageProcessor.handle_message`` is wrapped first by fair turns, then by the message size guard, so that the guard
is the outermost wrapper and a message that is too long is answered at once, without waiting for a turn.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.ior import install_log_masking
from bot.patches import answers, console, execution, loading, rules, safety, trackers, turns
from bot.settings import Settings

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"  # the only Rasa the speed patches are installed on (tests/patches checks their targets)

SPEED_PATCHES: tuple[tuple[str, Callable[[], None]], ...] = (
    ("trackers", trackers.install),
    ("rules", rules.install),
    ("execution", execution.install),
    ("answers", answers.install),
    ("loading", loading.install),
    ("turns", turns.install),  # wraps MessageProcessor.handle_message before the safety net does
)
ORDER = ("log masking", "console", *(name for name, _ in SPEED_PATCHES), "safety")


def install(settings: Settings) -> None:
    """Install the patches in :data:`ORDER` (idempotent): safety always, speed when the Rasa version allows.

    Args:
        settings: ``speedups`` (``CEE_SPEEDUPS``) turns the speed patches off; ``max_message_chars`` is the longest
            message passed on to the model.
    """
    install_log_masking()  # first: nothing is logged unmasked afterwards
    console.install()
    if speed_patches_wanted(settings, installed_rasa_version()):
        for _name, install_speed_patch in SPEED_PATCHES:
            install_speed_patch()
    safety.install(settings)  # last: its size guard is the outermost wrapper of handle_message


def installed_rasa_version() -> str:
    """The version of the Rasa this process runs, e.g. ``3.6.21``."""
    import rasa

    return str(rasa.__version__)


def speed_patches_wanted(settings: Settings, rasa_version: str) -> bool:
    """Whether to install the speed patches, saying in the log why not.

    Args:
        settings: ``speedups`` is False when ``CEE_SPEEDUPS`` is off.
        rasa_version: the Rasa this process runs; the speed patches need :data:`RASA_VERSION`.
    """
    if not settings.speedups:
        logger.info("CEE_SPEEDUPS is off: Rasa runs without the speed patches of bot.patches")
        return False
    if rasa_version != RASA_VERSION:
        logger.warning(
            "Rasa %s is not %s, the version the speed patches of bot.patches were written for: they are skipped "
            "(the same answers, more slowly); the safety patches are installed",
            rasa_version,
            RASA_VERSION,
        )
        return False
    return True
