#!/usr/bin/env bash
# `make crossval`: 5-fold cross-validation of the NLU on the training data (bot/data). Reports in results/crossval/.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2
.venv/bin/python -m rasa test nlu --nlu bot/data --config config.yml --domain domain.yml --cross-validation --folds 5 \
  --out results/crossval
.venv/bin/python - <<'PY'
import json
from pathlib import Path

out = Path("results/crossval")
intent = json.loads((out / "intent_report.json").read_text())
selection = json.loads((out / "response_selection_report.json").read_text())
print(f"5-fold cross-validation: intent macro F1 {intent['macro avg']['f1-score']:.3f}, "
      f"intent accuracy {intent['accuracy']:.3f}, response selection accuracy {selection['accuracy']:.3f}")
PY
