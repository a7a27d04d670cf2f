"""What this project's NLU components share: ``bot.component.Component``, a Rasa ``GraphComponent`` made from its
configuration and, for one that learns, the model storage and resource where it keeps what it learned.
"""

from __future__ import annotations

from typing import Any, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

C = TypeVar("C", bound="Component")


class Component(GraphComponent):
    """A pipeline component of CEE Guide (see ``bot/config.template.yml``)."""

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self.component_config = config
        self._model_storage, self._resource = model_storage, resource

    @classmethod
    def create(
        cls: type[C],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> C:
        """A new component (untrained, for one that learns)."""
        return cls(config, model_storage, resource)
