"""Stance from human labels: the shipped labelled set plus the store's ``labels`` table, with
the rules' votes and evidence as features (not as the truth).

Evaluation is by document throughout:

- grouped cross-validation (GroupKFold by document) on the ``train`` split gives out-of-fold
  probabilities; on them the **combine rule** is chosen: a policy of
  ``evaluate.COMBINE_POLICIES`` (override: the model where confident; fill: the model only where
  the rules say NONE; promote: the model only where it confidently names a stance) and a
  threshold (1.01 = rules alone) — the pair with the best macro-F1 over the folds is kept.
  Measured, not assumed.
- the model fitted on the whole ``train`` split is scored on the ``test`` split (documents
  never seen) and, optionally, on a gold file of other documents (the seeds), which no model
  of this path trains on.
- per-class P/R/F1 with bootstrap 95% intervals (resampling documents).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold

from pipeline.config import PROJ_ROOT
from pipeline.schema import STANCE_LABELS
from pipeline.store import Store
from pipeline.textview import to_simplified
from pipeline.train.annotate import latest_labels
from pipeline.train.data import Examples
from pipeline.train.evaluate import COMBINE_POLICIES, combine, predict_labels, score
from pipeline.train.labelset import read_labelset
from pipeline.train.settings import TrainError, TrainSettings

DEFAULT_LABELSET = PROJ_ROOT / "corpora" / "labels" / "sentences.jsonl"
THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.01)


def rule_stances(texts: list[str]) -> list[str]:
    """The current rules' stance of each text."""
    from pipeline.extract import get_extractor

    extractor = get_extractor()
    return [extractor.extract(t).stance for t in texts]


def store_majority(store: Store) -> dict[tuple[str, str], str]:
    """(doc, text) -> the stance most annotators gave in the store (ties: the latest answer)."""
    votes: dict[tuple[str, str], list[tuple[Any, str]]] = {}
    for r in latest_labels(store, "stance"):
        votes.setdefault((r["doc"], r["text"]), []).append((r["labelled_at"], r["label"]))
    out = {}
    for key, answers in votes.items():
        counts = Counter(label for _, label in answers)
        top = max(counts.values())
        tied = {label for label, n in counts.items() if n == top}
        out[key] = max((a for a in answers if a[1] in tied), key=lambda a: a[0])[1]
    return out


def human_examples(store: Store | None, labelset: str | Path | None = DEFAULT_LABELSET, *, split: str = "train") -> tuple[Examples, dict[str, int]]:
    """Human-labelled stance examples: the labelled set's ``split`` rows and every sentence of
    the store's ``labels`` table (the store's answer wins where both label a sentence).
    Returns the examples (``rule`` = the current rules' label) and counts per source."""
    rows: dict[tuple[str, str], tuple[str, str]] = {}
    if labelset is not None and Path(labelset).is_file():
        for r in read_labelset(labelset, split=split):
            rows[(r["doc"], r["text"])] = (r["stance"], "labelset")
    if store is not None and store.has_columns("labels", "label"):
        for key, label in store_majority(store).items():
            rows[key] = (label, "store")
    if not rows:
        raise TrainError(f"no human stance labels: {labelset} is missing and the store's labels table is empty; "
                         "label with `policytext annotate`, or train with --labels rules")
    examples = Examples("stance")
    keys = sorted(rows)
    texts = [to_simplified(text) for _, text in keys]
    for key, text, rule in zip(keys, texts, rule_stances(texts)):
        examples.add(text, key[0], rows[key][0], rule, gold=True)
    sources = dict(Counter(source for _, source in rows.values()))
    return examples, sources


# -- scores with intervals ------------------------------------------------------------------------------


def macro_f1(truth: list[str], predicted: list[str]) -> float:
    labels = [c for c in STANCE_LABELS if c in set(truth) | set(predicted)]
    return float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0))


def bootstrap(truth: list[str], predicted: list[str], docs: list[str], *, n: int = 1000, seed: int = 0) -> dict[str, Any]:
    """95% intervals of per-class P/R/F1 and macro-F1, resampling documents with replacement."""
    rng = np.random.default_rng(seed)
    by_doc: dict[str, list[int]] = {}
    for i, d in enumerate(docs):
        by_doc.setdefault(d, []).append(i)
    groups = list(by_doc.values())
    truth_a, pred_a = np.asarray(truth, dtype=object), np.asarray(predicted, dtype=object)
    labels = list(STANCE_LABELS)
    samples: dict[str, list[float]] = {"macro_f1": []}
    for c in labels:
        for m in ("precision", "recall", "f1"):
            samples[f"{c}.{m}"] = []
    for _ in range(n if groups else 0):
        pick = rng.integers(0, len(groups), len(groups))
        idx = np.concatenate([groups[j] for j in pick])
        t, p = truth_a[idx], pred_a[idx]
        samples["macro_f1"].append(macro_f1(list(t), list(p)))
        pr, rc, f, _ = precision_recall_fscore_support(t, p, labels=labels, zero_division=0)
        for k, c in enumerate(labels):
            samples[f"{c}.precision"].append(pr[k])
            samples[f"{c}.recall"].append(rc[k])
            samples[f"{c}.f1"].append(f[k])
    return {k: [round(float(np.percentile(v, 2.5)), 4), round(float(np.percentile(v, 97.5)), 4)] if v else None
            for k, v in samples.items()}


def scored(truth: list[str], predicted: list[str], docs: list[str], *, against: str, settings: TrainSettings,
           folds: int | None = None) -> dict[str, Any]:
    out = score("stance", truth, predicted, list(STANCE_LABELS), against=against, folds=folds)
    intervals = bootstrap(truth, predicted, docs, n=settings.bootstrap, seed=settings.seed)
    out["interval95"] = intervals["macro_f1"]
    for label, row in out["per_class"].items():
        row["interval95"] = {m: intervals.get(f"{label}.{m}") for m in ("precision", "recall", "f1")}
    return out


# -- combining ------------------------------------------------------------------------------------------


def choose_threshold(truth: list[str], rules: list[str], proba: np.ndarray, classes: list[str]) -> tuple[tuple[str, float], dict[str, float]]:
    """The (policy, threshold) of :func:`combine` with the best macro-F1 on these (out-of-fold)
    rows; ties go to the higher threshold (fewer overrides of the rules). Threshold 1.01 is the
    rules alone."""
    table = {}
    for policy in COMBINE_POLICIES:
        for t in THRESHOLDS:
            table[f"{policy}@{t}"] = round(macro_f1(truth, [combine(r, p, classes, t, policy) for r, p in zip(rules, proba)]), 4)
    best = max(((policy, t) for policy in COMBINE_POLICIES for t in THRESHOLDS), key=lambda pt: (table[f"{pt[0]}@{pt[1]}"], pt[1]))
    return best, table


# -- fitting and evaluating ----------------------------------------------------------------------------


def fit_stance(estimator: Any, texts: list[str], labels: list[str]) -> Any:
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    target = np.asarray(labels, dtype=object)
    values, counts = np.unique(target, return_counts=True)
    keep = np.isin(target, values[counts >= 2])
    texts, target = [t for t, k in zip(texts, keep) if k], target[keep]
    cv = max(2, min([3] + [int(c) for c in counts if c >= 2]))
    for key in ("model__cv", "model__estimator__cv"):
        if key in estimator.get_params():
            estimator.set_params(**{key: cv})
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        warnings.filterwarnings("ignore", message="The parameter 'token_pattern' will not be used")
        estimator.fit(texts, target)
    return estimator


def out_of_fold(estimator: Any, examples: Examples, classes: list[str], folds: int) -> tuple[np.ndarray, int]:
    groups = np.asarray(examples.docs)
    n_splits = min(folds, len(set(examples.docs)))
    proba = np.zeros((len(examples), len(classes)))
    for train_idx, test_idx in GroupKFold(n_splits=n_splits).split(examples.texts, groups=groups):
        model = fit_stance(clone(estimator), [examples.texts[i] for i in train_idx], [examples.labels[i] for i in train_idx])
        _, p = predict_labels("stance", model, [examples.texts[i] for i in test_idx], classes, 0.5)
        proba[test_idx] = p
    return proba, n_splits


def evaluate_on(model: Any, texts: list[str], truth: list[str], docs: list[str], classes: list[str], threshold: float,
                *, name: str, settings: TrainSettings, policy: str = "override") -> dict[str, dict[str, Any]]:
    """Rules, model and combined against ``truth`` (texts already in the Simplified view)."""
    rules = rule_stances(texts)
    predicted, proba = predict_labels("stance", model, texts, classes, 0.5)
    combined = [combine(r, p, classes, threshold, policy) for r, p in zip(rules, proba)]
    return {f"{name}_{which}": scored(truth, labels, docs, against=f"{name}: human labels of documents not trained on", settings=settings)
            for which, labels in (("rules", rules), ("model", predicted), ("combine", combined))}


def train_human_stance(store: Store | None, settings: TrainSettings, *, labelset: str | Path | None = DEFAULT_LABELSET,
                       evaluate: bool = True, score_test: bool = True, gold: list[dict[str, Any]] | None = None,
                       progress=lambda m: None) -> tuple[Any, dict[str, Any]]:
    """Fit the stance model on the human labels of the ``train`` split (plus the store's); return
    the fitted Pipeline and the card entry (data, combine rule, metrics)."""
    from pipeline.train.features import build_stance_estimator

    examples, sources = human_examples(store, labelset, split="train")
    classes = [c for c in STANCE_LABELS if c in set(examples.labels)]
    if len(classes) < 2:
        raise TrainError(f"stance: the human labels hold one class only ({', '.join(classes)}); nothing to learn")
    estimator = build_stance_estimator(settings)
    metrics: dict[str, Any] = {}
    policy, threshold, table = "override", 1.01, {}
    if evaluate and len(set(examples.docs)) >= 2:
        progress(f"stance: grouped cross-validation on {len(examples)} human-labelled sentences")
        proba, folds = out_of_fold(estimator, examples, classes, settings.folds)
        (policy, threshold), table = choose_threshold(examples.labels, examples.rule, proba, classes)
        model_pred = [classes[int(np.argmax(p))] for p in proba]
        combined = [combine(r, p, classes, threshold, policy) for r, p in zip(examples.rule, proba)]
        against = "human labels, train split, grouped CV by document"
        for which, labels in (("rules", examples.rule), ("model", model_pred), ("combine", combined)):
            metrics[f"cv_{which}"] = scored(examples.labels, labels, examples.docs, against=against, settings=settings, folds=folds)
    progress(f"stance: fitting on {len(examples)} human-labelled sentences")
    model = fit_stance(estimator, examples.texts, examples.labels)
    if evaluate and score_test and labelset is not None and Path(labelset).is_file():
        test = read_labelset(labelset, split="test")
        if test:
            texts = [to_simplified(r["text"]) for r in test]
            metrics.update(evaluate_on(model, texts, [r["stance"] for r in test], [r["doc"] for r in test], classes, threshold,
                                       name="test", settings=settings, policy=policy))
    if evaluate and gold:
        texts = [to_simplified(r["text"]) for r in gold]
        metrics.update(evaluate_on(model, texts, [r["stance"] for r in gold], [r["doc"] for r in gold], classes, threshold,
                                   name="gold", settings=settings, policy=policy))
    entry = {
        "labels": classes,
        "label_source": f"human labels: {sources.get('labelset', 0)} sentences of the labelled set's train split "
                        f"({labelset}), {sources.get('store', 0)} of the store's labels table; rule votes and evidence as features",
        "data": examples.summary() | {"sources": sources},
        "combine": {"policy": policy, "rule": COMBINE_POLICIES[policy], "threshold": threshold, "macro_f1_by_threshold": table,
                    "chosen_on": "out-of-fold predictions of the train split (grouped CV by document)"},
        "metrics": metrics,
    }
    return model, entry
