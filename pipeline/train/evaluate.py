"""Grouped cross-validation (whole documents held out) and the scores it reports."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.metrics import confusion_matrix, f1_score, multilabel_confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import MultiLabelBinarizer

from pipeline.train.data import Examples
from pipeline.train.settings import TASKS


def encode(task: str, labels: list[Any], classes: list[str]) -> np.ndarray | list[str]:
    if TASKS[task][0] == "multi":
        return MultiLabelBinarizer(classes=classes).fit_transform(labels)
    return np.asarray(labels, dtype=object)


def predict_labels(task: str, estimator: Any, texts: list[str], classes: list[str], threshold: float) -> tuple[list[Any], np.ndarray]:
    """Labels and the probability matrix (columns follow ``classes``)."""
    proba = estimator.predict_proba(texts)
    if TASKS[task][0] == "multi":
        return [[c for c, p in zip(classes, row) if p >= threshold] for row in proba], proba
    model_classes = list(estimator.classes_)
    full = np.zeros((len(texts), len(classes)))
    for j, label in enumerate(model_classes):
        full[:, classes.index(label)] = proba[:, j]
    return [classes[i] for i in full.argmax(axis=1)], full


def score(task: str, truth: list[Any], predicted: list[Any], classes: list[str], *, against: str, folds: int | None = None) -> dict[str, Any]:
    """Per-class P/R/F1, macro (and for multi-label micro) F1, confusion matrix."""
    multi = TASKS[task][0] == "multi"
    y_true, y_pred = encode(task, truth, classes), encode(task, predicted, classes)
    if multi:
        p, r, f, s = precision_recall_fscore_support(y_true, y_pred, zero_division=0)
        summary = {"micro_f1": float(f1_score(y_true, y_pred, average="micro", zero_division=0)),
                   "macro_f1": float(f1_score(y_true, y_pred, average="macro", zero_division=0))}
        cm = multilabel_confusion_matrix(y_true, y_pred)
        confusion = {"labels": ["TN", "FP", "FN", "TP"], "per_label": {c: m.ravel().tolist() for c, m in zip(classes, cm)}}
    else:
        present = [c for c in classes if c in set(y_true) | set(y_pred)]
        p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=present, zero_division=0)
        classes = present
        summary = {"macro_f1": float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
                   "accuracy": float(np.mean(y_true == y_pred)) if len(y_true) else 0.0}
        confusion = {"labels": present, "matrix": confusion_matrix(y_true, y_pred, labels=present).tolist()}
    per_class = {c: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])} for i, c in enumerate(classes)}
    out = {"against": against, "scored": len(truth), "folds": folds, "per_class": per_class, "summary": summary}
    if not multi:
        out["confusion"] = confusion
    else:
        out["label_confusion"] = confusion
    return out


def grouped_predictions(task: str, estimator: Any, examples: Examples, classes: list[str], *, folds: int, threshold: float, fit) -> tuple[list[Any], np.ndarray, int]:
    """Out-of-fold labels and probabilities for every row, whole documents held out (GroupKFold).
    ``fit(estimator, examples, classes)`` fits one fold."""
    groups = np.asarray(examples.docs)
    n_splits = min(folds, len(set(examples.docs)))
    predicted: list[Any] = [None] * len(examples)
    proba = np.zeros((len(examples), len(classes)))
    for train_idx, test_idx in GroupKFold(n_splits=n_splits).split(examples.texts, groups=groups):
        mask = np.zeros(len(examples), dtype=bool)
        mask[train_idx] = True
        model = fit(clone(estimator), examples.subset(mask), classes)
        labels, fold_proba = predict_labels(task, model, [examples.texts[i] for i in test_idx], classes, threshold)
        proba[test_idx] = fold_proba
        for i, label in zip(test_idx, labels):
            predicted[i] = label
    return predicted, proba, n_splits


def combine_labels(task: str, rule: Any, model: Any, proba: np.ndarray | None = None, classes: list[str] | None = None, threshold: float = 0.8) -> Any:
    """Rules where a cue fired, the model elsewhere, when it is confident.

    Stance: the rules' label unless it is NONE (no cue voted); then the model's label if its
    probability reaches ``threshold``, else NONE. Multi-label: the rules' labels plus model
    labels at probability >= ``threshold`` (a stricter bar than plain prediction, so model
    noise does not cost precision)."""
    if TASKS[task][0] == "single":
        if rule != "NONE":
            return rule
        if proba is None or classes is None or model not in classes:
            return model
        return model if proba[classes.index(model)] >= threshold else "NONE"
    extra = [c for c, p in zip(classes, proba) if p >= threshold] if proba is not None else list(model)
    return sorted(set(rule) | set(extra))


COMBINE_POLICIES = {
    "override": "the model where its top probability >= threshold, else the rules",
    "fill": "the rules where they vote (label not NONE); elsewhere the model where its top probability >= threshold",
    "promote": "the model where it names a stance (not NONE) with top probability >= threshold, else the rules",
}


def combine(rule: str, proba: np.ndarray, classes: list[str], threshold: float, policy: str = "override") -> str:
    """One sentence's label from the rules' label and the model's probabilities (``COMBINE_POLICIES``)."""
    j = int(np.argmax(proba))
    model, confident = classes[j], proba[j] >= threshold
    if policy == "fill":
        return rule if rule != "NONE" else (model if confident else "NONE")
    if policy == "promote":
        return model if confident and model != "NONE" else rule
    return model if confident else rule


def format_metrics(name: str, metrics: dict[str, Any]) -> str:
    """Plain-text block: per-class table, summary, confusion matrix."""
    lines = [f"{name}: {metrics['scored']} sentences vs {metrics['against']}"
             + (f", {metrics['folds']}-fold grouped by document" if metrics.get("folds") else "")]
    width = max([len(c) for c in metrics["per_class"]] + [8])
    lines.append(f"  {'label':<{width}}  {'P':>6} {'R':>6} {'F1':>6} {'n':>6}")
    for label, row in metrics["per_class"].items():
        lines.append(f"  {label:<{width}}  {row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f} {row['support']:6d}")
    lines.append("  " + "  ".join(f"{k} {v:.3f}" for k, v in metrics["summary"].items()))
    if metrics.get("confusion"):
        labels = metrics["confusion"]["labels"]
        short = [lab[:6] for lab in labels]
        lines.append(f"  confusion (rows true, columns predicted): {' '.join(f'{s:>6}' for s in short)}")
        for label, row in zip(labels, metrics["confusion"]["matrix"]):
            lines.append(f"    {label:<{width}} " + " ".join(f"{v:6d}" for v in row))
    if metrics.get("label_confusion"):
        lines.append("  per label TN/FP/FN/TP: " + "; ".join(f"{k} {'/'.join(map(str, v))}" for k, v in metrics["label_confusion"]["per_label"].items()))
    return "\n".join(lines)
