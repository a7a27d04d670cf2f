"""Speed and memory: loading the model.

* Loading a model unpacks its ``.tar.gz`` with ``TarSafe``, which reads the whole archive once to check it and once
  more to extract it: the gzip stream (about 90 MB here) was decompressed twice. The patch decompresses it once into
  a temporary file and lets ``TarSafe`` check and extract that (same checks, same files).
* ``SpacyNLP`` loads the spaCy pipeline once for each of its two graph nodes (the one that provides the pipeline to
  the tokenizer and the entity extractor, and the one that processes messages). The patch loads it once per path and
  gives both nodes the same pipeline (both only call it on texts).
* ``RasaModel.load`` (DIET, ResponseSelector, TED) trains the new model on one example before loading its weights,
  only to create the variables: that traces a training graph and creates the optimizer's slots, which costs seconds
  of start-up and about 150 MB per model that are never used to answer. The patch restores the weights lazily
  (TensorFlow's deferred restoration: each variable gets its saved value when the first prediction creates it),
  checks that every variable the model created was restored, and falls back to Rasa's own loading otherwise. The
  predictions are the same (checked by ``tests/patches/test_equivalence.py``). Fine-tuning (``rasa train
  --finetune``) is unchanged.
* Python's full garbage collections walked every object of the loaded model (TensorFlow, spaCy, Rasa's graph): a
  pause of about 300 ms every few hundred messages, which every message in flight waited for (the 20-user p95). The
  patch freezes what is loaded with the model (``gc.freeze``), so that full collections skip it: about 8 ms.
"""

from __future__ import annotations

import functools
import gc
import logging
from collections.abc import Callable
from typing import Any

from bot.patches.patching import _patch

logger = logging.getLogger(__name__)


def install() -> None:
    """Install the patches of this module (idempotent)."""
    from rasa.core.agent import Agent
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.nlu.utils.spacy_utils import SpacyNLP
    from rasa.utils.tensorflow.models import RasaModel

    _patch(LocalModelStorage, "_extract_archive_to_directory", _extract_once)
    _patch(SpacyNLP, "load_model", _load_spacy_once)
    _patch(RasaModel, "load", _load_weights_lazily)
    _patch(Agent, "load_model", _freeze_after_loading)


def _extract_once(original: Callable[..., Any]) -> Callable[..., Any]:
    """``LocalModelStorage._extract_archive_to_directory`` decompressing the archive once."""
    from rasa.engine.storage.local_model_storage import LocalModelStorage

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

    return extract


def _load_spacy_once(original: Callable[..., Any]) -> Callable[..., Any]:
    """``SpacyNLP.load_model`` loading each spaCy pipeline once per process."""
    loaded: dict[str, Any] = {}

    def load_model(spacy_model_name: str) -> Any:
        if spacy_model_name not in loaded:
            loaded[spacy_model_name] = original(spacy_model_name)
        return loaded[spacy_model_name]

    return load_model


def _load_weights_lazily(original: Callable[..., Any]) -> Callable[..., Any]:
    """``RasaModel.load`` (a classmethod) restoring the weights as a first prediction creates the variables."""

    def load(
        cls: Any,
        model_file_name: str,
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
        except Exception as exc:
            logger.warning("Fast model loading failed (%s); loading %s the usual way", exc, cls.__name__)
            return original(
                cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
            )

    return load


def _freeze_after_loading(original: Callable[..., Any]) -> Callable[..., Any]:
    """``Agent.load_model`` freezing what the model loaded, so that full garbage collections skip it."""

    @functools.wraps(original)
    def load_model(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        gc.unfreeze()  # a model loaded again: its predecessor may be collected
        gc.collect()
        gc.freeze()  # what is loaded now stays for good: full collections no longer walk it
        return result

    return load_model
