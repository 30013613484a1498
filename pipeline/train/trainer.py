"""Train, evaluate and save the sentence classifiers of one store."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import MultiLabelBinarizer

from pipeline.store import Store
from pipeline.train.artefact import CARD_FORMAT, git_revision, library_versions, now_iso, save_model
from pipeline.train.data import Examples, load_examples, read_gold
from pipeline.train.evaluate import combine_labels, format_metrics, grouped_predictions, score
from pipeline.train.features import build_estimator, segmenter_name
from pipeline.train.human import DEFAULT_LABELSET, train_human_stance
from pipeline.train.settings import DEFAULT_TASKS, TASKS, TrainError, TrainSettings, check_task

DEFAULT_MODEL_NAME = "default"


def labelset_agreement(labelset: str | Path | None) -> dict[str, Any] | None:
    """The annotators' agreement recorded beside a labelled set (``agreement.json``), if any."""
    import json

    if labelset is None:
        return None
    path = Path(labelset).parent / "agreement.json"
    if not path.is_file():
        return None
    summary = json.loads(path.read_text(encoding="utf-8"))
    pairs = {name: {"items": p["stance"]["items"], "stance_kappa": p["stance"]["kappa"],
                    "instruments_pooled_kappa": p["instruments"]["pooled_kappa"],
                    "frameworks_pooled_kappa": p["frameworks"]["pooled_kappa"]} for name, p in summary["agreement"]["pairs"].items()}
    return {"file": str(path), "annotators": summary["annotators"], "double_labelled": summary["double_labelled"],
            "adjudicated": summary["adjudicated"], "pairs": pairs}


def label_classes(task: str, examples: Examples, settings: TrainSettings) -> tuple[list[str], list[str]]:
    """(modelled labels, labels dropped as too rare). Stance keeps every label seen."""
    kind, fixed = TASKS[task]
    if kind == "single":
        seen = set(examples.labels)
        classes = [c for c in fixed if c in seen] if fixed else sorted(seen)
        if len(classes) < 2:
            raise TrainError(f"task {task}: the labels hold one class only ({', '.join(classes) or 'none'}); nothing to learn")
        return classes, []
    counts: dict[str, int] = {}
    for labels in examples.labels:
        for label in labels:
            counts[label] = counts.get(label, 0) + 1
    classes = sorted(c for c, n in counts.items() if n >= settings.min_label_count)
    if not classes:
        raise TrainError(f"task {task}: no label has {settings.min_label_count} or more examples; nothing to learn")
    return classes, sorted(c for c in counts if c not in classes)


def require_enough(task: str, examples: Examples, classes: list[str], settings: TrainSettings) -> None:
    """Say what is missing before scikit-learn does: no labelled sentences (an empty store, or
    one without this task's labels), or fewer than two classes to tell apart."""
    if not len(examples.texts):
        raise TrainError(f"{task}: no labelled sentences in the store; ingest documents first (policytext ingest …)")
    if TASKS[task][0] == "multi":
        if not classes:
            raise TrainError(f"{task}: no label occurs at least {settings.min_label_count} times in {len(examples.texts)} "
                             "sentences; ingest more documents")
        return
    seen = sorted({label for label in examples.labels if label in classes})
    if len(seen) < 2:
        have = f"only {seen[0]!r}" if seen else "none"
        raise TrainError(f"{task}: needs sentences of at least two classes to learn from, the store has {have} "
                         f"({len(examples.texts)} sentences); ingest more varied documents or pass --gold")


def fit_estimator(task: str, estimator: Any, examples: Examples, classes: list[str]) -> Any:
    """Fit on ``examples`` (multi-label targets binarised over ``classes``).

    Calibration (svm) needs every class in each of its folds: its fold count shrinks to the
    rarest class (at least 2); a class seen once is left out of this fit (a CV fold can be
    that small; a saved model never is, see ``min_label_count``)."""
    texts = examples.texts
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        warnings.filterwarnings("ignore", message="Label not .* is present in all training examples")
        warnings.filterwarnings("ignore", message="The parameter 'token_pattern' will not be used")
        if TASKS[task][0] == "multi":
            target = MultiLabelBinarizer(classes=classes).fit_transform([[x for x in y if x in classes] for y in examples.labels])
            positives = target.sum(axis=0)
            target[:, positives < 2] = 0
            counts = [int(n) for n in positives if n >= 2] + [int(n) for n in (len(target) - positives)]
        else:
            target = np.asarray(examples.labels, dtype=object)
            labels, n = np.unique(target, return_counts=True)
            keep = np.isin(target, labels[n >= 2])
            texts, target = [t for t, k in zip(texts, keep) if k], target[keep]
            counts = [int(c) for c in n if c >= 2]
        for key in ("model__cv", "model__estimator__cv"):
            if key in estimator.get_params():
                estimator.set_params(**{key: max(2, min([3] + counts))})
        estimator.fit(texts, target)
    slim_vectorizers(estimator)
    return estimator


def slim_vectorizers(estimator: Any) -> None:
    """Make the fitted vectorizers cheap to save: delete ``stop_words_`` (every pruned n-gram,
    only for introspection; sklearn documents removing it) and turn the vocabulary's numpy
    integers into plain ints (skops would write each one as a separate array file)."""
    for _, vectorizer in estimator.named_steps["features"].transformer_list:
        if hasattr(vectorizer, "stop_words_"):
            del vectorizer.stop_words_
        if hasattr(vectorizer, "vocabulary_"):
            vectorizer.vocabulary_ = {term: int(index) for term, index in vectorizer.vocabulary_.items()}


def evaluate_task(task: str, examples: Examples, classes: list[str], settings: TrainSettings) -> dict[str, dict[str, Any]]:
    """Grouped CV scores: against the training labels, and (when gold rows exist) model, rules and
    combined against gold on held-out documents."""
    if len(set(examples.docs)) < 2:
        return {}
    estimator = build_estimator(task, settings)
    predicted, proba, folds = grouped_predictions(
        task, estimator, examples, classes, folds=settings.folds, threshold=settings.threshold,
        fit=lambda est, ex, cls: fit_estimator(task, est, ex, cls),
    )
    once = [i for i, first in enumerate(examples.first) if first]
    source = "training labels (rules, gold where given)" if any(examples.gold) else "rule labels"
    metrics = {"model_vs_training_labels": score(task, [examples.labels[i] for i in once], [predicted[i] for i in once], classes, against=source, folds=folds)}
    gold_rows = [i for i in once if examples.gold[i]]
    if gold_rows:
        truth = [examples.labels[i] for i in gold_rows]
        gold_classes = classes if TASKS[task][0] == "single" else sorted(set(classes) | {x for i in gold_rows for x in examples.labels[i] + examples.rule[i]})
        combined = [combine_labels(task, examples.rule[i], predicted[i], _padded(proba[i], classes, gold_classes), gold_classes, settings.combine_threshold) for i in gold_rows]
        for name, labels in (("gold_model", [predicted[i] for i in gold_rows]),
                             ("gold_rules", [examples.rule[i] for i in gold_rows]),
                             ("gold_combine", combined)):
            metrics[name] = score(task, truth, labels, gold_classes, against="gold labels of held-out documents", folds=folds)
    return metrics


def _padded(row: np.ndarray, classes: list[str], wanted: list[str]) -> np.ndarray:
    """A probability row over ``classes`` re-indexed to ``wanted`` (0 where not modelled)."""
    index = {c: i for i, c in enumerate(classes)}
    return np.asarray([row[index[c]] if c in index else 0.0 for c in wanted])


@dataclass
class TrainResult:
    path: Path
    card: dict[str, Any]
    blocks: list[str] = field(default_factory=list)  # printable reports, one per evaluation


def train_model(
    store: Store,
    out: str | Path,
    *,
    tasks: tuple[str, ...] = DEFAULT_TASKS,
    gold_dir: str | Path | None = None,
    settings: TrainSettings = TrainSettings(),
    evaluate: bool = True,
    command: str = "pipeline.train.train_model",
    on_progress: Callable[[str], None] | None = None,
    labelset: str | Path | None = DEFAULT_LABELSET,
    score_test: bool = True,
) -> TrainResult:
    """Train one Pipeline per task, evaluate it with grouped CV, and save everything with a
    model card in ``out``.

    Stance (``settings.stance_labels="human"``, the default): human labels — the labelled
    set's train split (``labelset``) and the store's ``labels`` table — with the rules' votes as
    features (:mod:`pipeline.train.human`); scored on the labelled set's test split and on
    ``gold_dir`` (never trained on). Otherwise, and for the other tasks: the store's rule
    labels, gold replacing them where given."""
    settings.validate()
    tasks = tuple(dict.fromkeys(check_task(t) for t in tasks))
    gold = read_gold(gold_dir) if gold_dir else None
    progress = on_progress or (lambda message: None)
    out = Path(out)
    card: dict[str, Any] = {
        "format": CARD_FORMAT, "name": out.name, "created": now_iso(), "command": command,
        "git_revision": git_revision(), "versions": library_versions(), "settings": settings.as_dict(),
        "features": {"words": f"TF-IDF over {segmenter_name()} tokens, n-grams {tuple(settings.word_ngrams)}",
                     "chars": f"TF-IDF over character n-grams {tuple(settings.char_ngrams)}",
                     "input": "sentences.simplified (Simplified-Chinese view of the sentence)"},
        "data": {"store": str(Path(store.path).name), "gold": str(gold_dir) if gold_dir else None, "sections": list(settings.sections)},
        "tasks": {},
    }
    estimators: dict[str, Any] = {}
    blocks: list[str] = []
    for task in tasks:
        if task == "stance" and settings.stance_labels == "human":
            started = time.perf_counter()
            estimators[task], entry = train_human_stance(store, settings, labelset=labelset, evaluate=evaluate, score_test=score_test,
                                                         gold=gold, progress=progress)
            entry.update(kind="single", dropped_labels=[], train_seconds=round(time.perf_counter() - started, 2),
                         agreement=labelset_agreement(labelset))
            entry["data"]["gold_sentences"] = entry["data"].get("gold_sentences", 0)
            card["tasks"][task] = entry
            card["features"]["stance"] = ("TF-IDF words and character n-grams plus the stance rules' votes and evidence "
                                          "(pipeline.train.features.RuleFeatures), calibrated LinearSVC")
            blocks += [format_metrics(f"{task} / {name}", m) for name, m in entry["metrics"].items()]
            blocks.append(f"stance / combine: {entry['combine']['rule']}; threshold {entry['combine']['threshold']} "
                          f"(chosen on {entry['combine']['chosen_on']})")
            continue
        progress(f"{task}: loading labels")
        examples = load_examples(store, task, settings, gold=gold if task != "claims" else None)
        classes, dropped = label_classes(task, examples, settings)
        require_enough(task, examples, classes, settings)
        metrics: dict[str, Any] = {}
        if evaluate:
            progress(f"{task}: grouped cross-validation on {len(examples)} rows")
            try:
                metrics = evaluate_task(task, examples, classes, settings)
            except ValueError as exc:
                raise TrainError(f"{task}: too little data for {settings.folds}-fold cross-validation: {len(examples.texts)} "
                                 f"sentences ({exc}); ingest more documents, lower --folds or pass --no-eval") from exc
            blocks += [format_metrics(f"{task} / {name}", m) for name, m in metrics.items()]
        progress(f"{task}: fitting on {len(examples)} rows")
        started = time.perf_counter()
        try:
            estimators[task] = fit_estimator(task, build_estimator(task, settings), examples, classes)
        except ValueError as exc:  # scikit-learn's word for too little data (empty vocabulary, one class in a fold)
            raise TrainError(f"{task}: too little data to train on: {len(examples.texts)} sentences ({exc}); "
                             "ingest more documents") from exc
        seconds = time.perf_counter() - started
        source = {"stance": "rules (stance table, source='rules')", "instruments": "rules (mentions of kind 'instrument')",
                  "claims": "claim detector (pipeline.citations.resolve.claim_kinds)"}[task]
        if gold and task != "claims":
            source += f"; gold labels from {gold_dir}/sentences.jsonl replace them where given (weight {settings.gold_weight})"
        card["tasks"][task] = {
            "kind": TASKS[task][0], "labels": classes, "dropped_labels": dropped, "label_source": source,
            "data": examples.summary(), "train_seconds": round(seconds, 2), "metrics": metrics,
        }
    save_model(out, estimators, card)
    return TrainResult(out, card, blocks)


# make run must stay a few minutes on 2 cores: SGD (log loss) instead of calibrated LinearSVC,
# and smaller vocabularies; `policytext train` keeps the stronger defaults.
# Stance (human labels, a few thousand sentences) keeps the calibrated LinearSVC.
DEFAULT_RUN_SETTINGS = TrainSettings(classifier="sgd", folds=3, max_features=50_000, bootstrap=300)


def train_default(store: Store, models_dir: str | Path, *, gold_dir: str | Path | None = None, settings: TrainSettings = DEFAULT_RUN_SETTINGS,
                  on_progress: Callable[[str], None] | None = None) -> Path:
    """The model ``make run`` builds: stance on the shipped human labels (plus the store's) with
    the rules' votes as features, instruments on the whole store's rule labels, saved in
    ``models_dir/default``. Returns that directory."""
    result = train_model(store, Path(models_dir) / DEFAULT_MODEL_NAME, tasks=DEFAULT_TASKS, gold_dir=gold_dir,
                         settings=settings, command="make run (pipeline.train.train_default)", on_progress=on_progress)
    return result.path
