"""The one way CEE Guide replaces an attribute of Rasa (or of a library Rasa uses): :func:`_patch`.

Every patch in :mod:`bot.patches` goes through :func:`_patch`, which

* finds the attribute as its owner holds it (a ``staticmethod`` or ``classmethod`` is unwrapped, and the replacement
  wrapped the same way again), also when the owner inherits it;
* hands the original to the patch's ``replacement`` factory, which returns the new function (usually a wrapper that
  calls the original);
* marks the new function with the chain of patches it carries (``_cee_patched``) and with what it replaced
  (``_cee_original``), so that installing twice changes nothing, two patches of the same attribute stack in the order
  they were installed, and :func:`unpatched` finds Rasa's own function under them;
* records what it replaced (:data:`PATCHED`), for the log and for the tests.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional

logger = logging.getLogger(__name__)

MARK = "_cee_patched"  # on a replacement: the keys of the patches it carries, the innermost first
ORIGINAL = "_cee_original"  # on a replacement: what it replaced


@dataclass(frozen=True)
class Patched:
    """One attribute replaced by one patch.

    Attributes:
        owner: the class or module that holds the attribute.
        name: the attribute's name.
        key: the patch, as ``module:factory`` (e.g. ``bot.patches.turns:_handle_message``).
        original: what the attribute was before this patch (unwrapped from ``staticmethod``/``classmethod``).
    """

    owner: Any
    name: str
    key: str
    original: Callable[..., Any]

    @property
    def target(self) -> str:
        """The attribute's dotted name, e.g. ``rasa.core.processor.MessageProcessor.handle_message``."""
        if inspect.ismodule(self.owner):
            return f"{self.owner.__name__}.{self.name}"
        return f"{self.owner.__module__}.{self.owner.__qualname__}.{self.name}"


PATCHED: list[Patched] = []  # in the order they were installed


def chain(function: Any) -> tuple[str, ...]:
    """The keys of the patches a function carries, the innermost (installed first) first; () for Rasa's own.

    Args:
        function: the attribute as a class gives it (``Owner.name``), or a ``staticmethod``/``classmethod`` object.
    """
    function = getattr(function, "__func__", function)
    return tuple(getattr(function, MARK, ()))


def unpatched(owner: Any, name: str) -> Callable[..., Any]:
    """The attribute as Rasa defines it, under every patch (a plain function: ``staticmethod`` etc. unwrapped).

    Raises:
        AttributeError: the owner has no such attribute.
    """
    function, _kind = _plain(owner, name)
    while chain(function):
        function = getattr(function, ORIGINAL)
    return function


def _plain(owner: Any, name: str) -> tuple[Callable[..., Any], Optional[type]]:
    """The attribute as a plain function, and ``staticmethod`` or ``classmethod`` when it was wrapped in one.

    Raises:
        AttributeError: the owner has no such attribute.
    """
    attribute = inspect.getattr_static(owner, name)  # found where the owner inherits it from, too
    if isinstance(attribute, (staticmethod, classmethod)):
        return attribute.__func__, type(attribute)
    return getattr(owner, name), None


def _patch(owner: Any, name: str, replacement: Callable[[Callable[..., Any]], Callable[..., Any]]) -> bool:
    """Replace ``owner.name`` with what ``replacement`` makes of it, once.

    Args:
        owner: the class or module that holds the attribute (it may inherit it from a base class).
        name: the attribute's name.
        replacement: called with the original (a plain function: a ``staticmethod`` or ``classmethod`` is unwrapped
            first); returns the function to put in its place, which is wrapped again as the original was.

    Returns:
        True when the attribute was replaced, False when this patch was already installed on it.

    Raises:
        AttributeError: the owner has no such attribute (this Rasa is not the one the patch was written for).
    """
    key = f"{replacement.__module__}:{replacement.__qualname__}"
    original, kind = _plain(owner, name)
    if key in chain(original):
        return False
    new = replacement(original)
    setattr(new, MARK, (*chain(original), key))
    setattr(new, ORIGINAL, original)
    setattr(owner, name, kind(new) if kind else new)
    PATCHED.append(Patched(owner, name, key, original))
    logger.debug("patched %s (%s)", PATCHED[-1].target, key)
    return True
