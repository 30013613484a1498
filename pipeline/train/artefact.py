"""Models as artefacts: skops files (never pickle) plus a model card, in ``models/NAME/``.

Layout::

    models/NAME/
      stance.skops        one fitted sklearn Pipeline per task
      instruments.skops
      model.json          the card: task, data, label source, metrics, versions, date, git revision
      README.md           the same card for people

Loading checks each file's SHA-256 against the card, then refuses any type outside
``TRUSTED_TYPES`` beyond what skops trusts by default (sklearn estimators, numpy, scipy).
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline.config import PROJ_ROOT
from pipeline.train.settings import TASKS, ModelError

CARD_JSON = "model.json"
CARD_MD = "README.md"
CARD_FORMAT = 1
# Types a policytext model may contain beyond skops' defaults; anything else is refused.
TRUSTED_TYPES = (
    "pipeline.train.features.tokenize",
    "pipeline.train.features.RuleFeatures",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
)
_LIBRARIES = ("policytext", "scikit-learn", "skops", "numpy", "scipy", "jieba", "duckdb", "pyarrow")


def model_file(model_dir: Path, task: str) -> Path:
    return model_dir / f"{task}.skops"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_revision() -> str | None:
    """``git rev-parse HEAD`` of the project, or None outside a repository / before a commit."""
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJ_ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    revision = done.stdout.strip()
    return revision if done.returncode == 0 and revision else None


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


# -- writing --------------------------------------------------------------------------------


def save_model(model_dir: str | Path, estimators: dict[str, Any], card: dict[str, Any]) -> Path:
    """Write each task's estimator with skops, then the card (JSON and markdown)."""
    import skops.io as sio

    out = Path(model_dir)
    if out.exists() and not out.is_dir():
        raise ModelError(f"{out}: exists and is not a directory; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not (out / CARD_JSON).exists():
        raise ModelError(f"{out}: not empty and not a policytext model directory; choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.skops"):
        if stale.stem not in estimators:
            stale.unlink()
    for task, estimator in estimators.items():
        target = model_file(out, task)
        sio.dump(estimator, target, compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        card["tasks"][task]["file"] = target.name
        card["tasks"][task]["sha256"] = sha256(target)
    (out / CARD_JSON).write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out / CARD_MD).write_text(render_card(card), encoding="utf-8")
    return out


# -- reading --------------------------------------------------------------------------------


@dataclass
class LoadedModel:
    """A model directory in memory: the card and one fitted Pipeline per task."""

    path: Path
    card: dict[str, Any]
    estimators: dict[str, Any]

    @property
    def name(self) -> str:
        return self.card["name"]

    def labels(self, task: str) -> list[str]:
        return list(self.card["tasks"][task]["labels"])


def read_card(model_dir: str | Path) -> dict[str, Any]:
    path = Path(model_dir)
    card_path = path / CARD_JSON
    if not path.is_dir():
        raise ModelError(f"{path}: no model directory here; train one with `policytext train --out {path}`")
    if not card_path.is_file():
        raise ModelError(f"{path}: no {CARD_JSON} (model card); not a policytext model directory")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{card_path}: not a valid model card ({exc})") from exc
    if not isinstance(card, dict) or card.get("format") != CARD_FORMAT or not isinstance(card.get("tasks"), dict):
        raise ModelError(f"{card_path}: not a policytext model card (format {CARD_FORMAT} expected)")
    return card


def load_skops(path: Path) -> Any:
    """Load one skops file, refusing any type outside skops' defaults and ``TRUSTED_TYPES``."""
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(file=path)
    except (zipfile.BadZipFile, KeyError, ValueError, json.JSONDecodeError, OSError) as exc:
        raise ModelError(f"{path}: not a readable skops model file ({type(exc).__name__}: {exc})") from exc
    refused = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if refused:
        raise ModelError(
            f"{path}: refusing to load untrusted types {', '.join(refused)}; "
            "this file was not written by policytext train (or was tampered with)"
        )
    try:
        return sio.load(path, trusted=list(untrusted))
    except Exception as exc:  # skops raises assorted errors on malformed content
        raise ModelError(f"{path}: cannot load the model ({type(exc).__name__}: {exc})") from exc


def load_model(model_dir: str | Path, *, tasks: tuple[str, ...] | None = None) -> LoadedModel:
    """Load a model directory written by ``save_model``; every check failure is a ModelError."""
    path = Path(model_dir)
    card = read_card(path)
    wanted = tasks or tuple(card["tasks"])
    estimators = {}
    for task in wanted:
        if task not in TASKS or task not in card["tasks"]:
            have = ", ".join(card["tasks"]) or "none"
            raise ModelError(f"{path}: no model for task {task!r} (this directory has: {have})")
        target = model_file(path, task)
        if not target.is_file():
            raise ModelError(f"{target}: missing; the card lists task {task!r} but its file is gone")
        expected = card["tasks"][task].get("sha256")
        if expected != sha256(target):
            raise ModelError(
                f"{target}: SHA-256 differs from the one in {CARD_JSON}; the file was changed after "
                "training; refusing to load it (retrain with `policytext train`)"
            )
        estimators[task] = load_skops(target)
    return LoadedModel(path, card, estimators)


# -- the card for people -----------------------------------------------------------------------


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def render_metrics(metrics: dict[str, Any]) -> list[str]:
    lines = [f"Scored on {metrics['scored']} sentences against {metrics['against']}; "
             f"{metrics['folds']}-fold cross-validation grouped by document.", ""]
    lines += ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for label, row in metrics["per_class"].items():
        ci = row.get("interval95") or {}
        cell = {m: _fmt(row[m]) + (f" [{ci[m][0]:.2f}, {ci[m][1]:.2f}]" if ci.get(m) else "") for m in ("precision", "recall", "f1")}
        lines.append(f"| {label} | {cell['precision']} | {cell['recall']} | {cell['f1']} | {row['support']} |")
    lines.append("")
    lines.append(", ".join(f"{k} {_fmt(v)}" for k, v in metrics["summary"].items())
                 + (f" (macro-F1 95% interval {metrics['interval95'][0]:.3f}–{metrics['interval95'][1]:.3f}, "
                    "bootstrap over documents)" if metrics.get("interval95") else ""))
    matrix = metrics.get("confusion")
    if matrix:
        labels = matrix["labels"]
        lines += ["", "Confusion matrix (rows: true, columns: predicted):", "",
                  "| true \\ pred | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
        for label, row in zip(labels, matrix["matrix"]):
            lines.append(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    return lines


def render_card(card: dict[str, Any]) -> str:
    lines = [f"# Model card: {card['name']}", "",
             f"Trained {card['created']} by `{card['command']}`, code revision "
             f"`{card.get('git_revision') or 'unknown (no git commit)'}`.", "",
             "Sentence classifiers for Chinese policy texts on US-China trade: TF-IDF over jieba words "
             "(module-level tokenizer `pipeline.train.features.tokenize`) plus character n-grams, then a "
             f"linear model ({card['settings']['classifier']}). Saved with skops; load with "
             "`pipeline.train.load_model`, which refuses files changed since training or holding untrusted types.", ""]
    for task, info in card["tasks"].items():
        data = info["data"]
        lines += [f"## Task `{task}` ({info['kind']}-label)", "",
                  f"- file: `{info.get('file')}` (sha256 `{str(info.get('sha256'))[:16]}…`)",
                  f"- labels: {', '.join(info['labels'])}",
                  f"- label source: {info['label_source']}",
                  f"- data: {data['sentences']} sentences from {data['documents']} documents of `{card['data']['store']}`"
                  f" ({data['gold_sentences']} with gold labels)",
                  f"- label counts: {', '.join(f'{k} {v}' for k, v in data['label_counts'].items())}",
                  f"- training time: {info['train_seconds']:.1f} s", ""]
        if info.get("combine"):
            c = info["combine"]
            lines += [f"- combine (`tag --combine`): policy `{c['policy']}` ({c.get('rule', '')}), threshold {c['threshold']}, "
                      f"chosen on {c['chosen_on']}; macro-F1 by policy@threshold: "
                      + ", ".join(f"{k}: {v:.3f}" for k, v in c["macro_f1_by_threshold"].items()), ""]
        if info.get("agreement"):
            a = info["agreement"]
            lines += [f"- labelled set: annotators {a['annotators']}, {a['double_labelled']} double-labelled, "
                      f"{a['adjudicated']} stance disagreements adjudicated; agreement: "
                      + "; ".join(f"{k}: stance kappa {v['stance_kappa']}, instruments {v['instruments_pooled_kappa']}, "
                                  f"frameworks {v['frameworks_pooled_kappa']} ({v['items']} items)" for k, v in a["pairs"].items()), ""]
        if info.get("dropped_labels"):
            lines += [f"- not modelled (fewer than {card['settings']['min_label_count']} examples): "
                      f"{', '.join(info['dropped_labels'])}", ""]
        for name, metrics in (info.get("metrics") or {}).items():
            lines += [f"### Evaluation: {name}", ""] + render_metrics(metrics) + [""]
        if not info.get("metrics"):
            lines += ["No evaluation (fewer than two documents).", ""]
    lines += ["## Settings", "", "```json", json.dumps(card["settings"], indent=2), "```", "",
              "## Library versions", ""]
    lines += [f"- {k} {v}" for k, v in card["versions"].items()]
    lines += ["", "## Limits", "",
              "Stance with `label source: human labels` learns from sentences labelled by reading (two LLM annotator "
              "sessions following the spec, disagreements adjudicated), with the rules' votes as features; `test_*` "
              "scores are on documents of the labelled set's held-out split, `gold_*` on the seed articles' gold, which "
              "this model never trains on. Tasks whose label source is the rules learn what the rules see: scores against "
              "rule labels measure agreement with the rules, not truth.", ""]
    return "\n".join(lines)
