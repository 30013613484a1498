"""Score sentence tags (frameworks, instruments, stance) against gold records.

Records are paired by position; each needs ``frameworks`` and ``instruments`` (lists of
ids) and ``stance`` (an id of ``schema.STANCE_LABELS``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from pipeline.errors import PipelineError
from pipeline.schema import STANCE_LABELS

SET_TASKS = ("frameworks", "instruments")


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}


def _labels(record: dict, task: str, index: int, which: str) -> set[str]:
    value = record.get(task)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PipelineError(f"{which} record {index + 1}: {task!r} must be a list of label ids, got {value!r}")
    return set(value)


def score_tags(gold_records: Sequence[dict], predicted_records: Sequence[dict], *, worst: int = 10) -> dict[str, Any]:
    """Micro/macro and per-label P/R/F1 for frameworks and instruments; stance accuracy,
    macro-F1 over the four labels, per-label scores and confusion (gold -> predicted); the
    ``worst`` sentences by number of errors, with their text."""
    gold_records, predicted_records = list(gold_records), list(predicted_records)
    if len(gold_records) != len(predicted_records):
        raise PipelineError(
            f"gold has {len(gold_records)} records but predictions have {len(predicted_records)}; they pair by position"
        )
    scores: dict[str, Any] = {"n": len(gold_records)}
    errors = [0] * len(gold_records)
    for task in SET_TASKS:
        counts: dict[str, Counter] = {}
        for i, (g, p) in enumerate(zip(gold_records, predicted_records)):
            gold, pred = _labels(g, task, i, "gold"), _labels(p, task, i, "predicted")
            for label in gold | pred:
                c = counts.setdefault(label, Counter())
                c["tp"] += label in gold and label in pred
                c["fp"] += label in pred and label not in gold
                c["fn"] += label in gold and label not in pred
            errors[i] += len(gold ^ pred)
        per_label = {label: _prf(c["tp"], c["fp"], c["fn"]) for label, c in sorted(counts.items())}
        total = Counter()
        for c in counts.values():
            total.update(c)
        macro = {
            k: (sum(s[k] for s in per_label.values()) / len(per_label) if per_label else 0.0)
            for k in ("precision", "recall", "f1")
        }
        scores[task] = {"micro": _prf(total["tp"], total["fp"], total["fn"]), "macro": macro, "per_label": per_label}

    confusion = {g: {p: 0 for p in STANCE_LABELS} for g in STANCE_LABELS}
    for i, (g, p) in enumerate(zip(gold_records, predicted_records)):
        gs, ps = g.get("stance"), p.get("stance")
        for which, value in (("gold", gs), ("predicted", ps)):
            if value not in STANCE_LABELS:
                raise PipelineError(f"{which} record {i + 1}: stance {value!r} is not one of {', '.join(STANCE_LABELS)}")
        confusion[gs][ps] += 1
        errors[i] += gs != ps
    per_stance = {}
    for label in STANCE_LABELS:
        tp = confusion[label][label]
        fp = sum(confusion[g][label] for g in STANCE_LABELS if g != label)
        fn = sum(confusion[label][p] for p in STANCE_LABELS if p != label)
        per_stance[label] = _prf(tp, fp, fn)
    n = len(gold_records)
    scores["stance"] = {
        "accuracy": sum(confusion[label][label] for label in STANCE_LABELS) / n if n else 0.0,
        "macro_f1": sum(s["f1"] for s in per_stance.values()) / len(STANCE_LABELS),
        "per_label": per_stance,
        "confusion": confusion,
    }
    ranked = sorted((i for i in range(n) if errors[i]), key=lambda i: (-errors[i], i))[:worst]
    scores["worst"] = [
        {
            "index": i,
            "errors": errors[i],
            "text": gold_records[i].get("text", ""),
            **{f"gold_{t}": gold_records[i].get(t) for t in (*SET_TASKS, "stance")},
            **{f"predicted_{t}": predicted_records[i].get(t) for t in (*SET_TASKS, "stance")},
        }
        for i in ranked
    ]
    return scores


def format_tag_scores(scores: dict[str, Any]) -> str:
    """A plain-text report of :func:`score_tags` output."""
    lines = [f"sentences: {scores['n']}"]
    for task in SET_TASKS:
        s = scores[task]
        mi, ma = s["micro"], s["macro"]
        lines.append(
            f"\n{task}: micro P {mi['precision']:.3f} R {mi['recall']:.3f} F1 {mi['f1']:.3f}"
            f" | macro P {ma['precision']:.3f} R {ma['recall']:.3f} F1 {ma['f1']:.3f}"
        )
        for label, v in s["per_label"].items():
            lines.append(
                f"  {label:<26} P {v['precision']:.2f} R {v['recall']:.2f} F1 {v['f1']:.2f}"
                f"  (tp {v['tp']}, fp {v['fp']}, fn {v['fn']})"
            )
    st = scores["stance"]
    lines.append(f"\nstance: accuracy {st['accuracy']:.3f} macro-F1 {st['macro_f1']:.3f}")
    for label, v in st["per_label"].items():
        lines.append(f"  {label:<12} P {v['precision']:.2f} R {v['recall']:.2f} F1 {v['f1']:.2f}")
    lines.append("  confusion (rows gold, columns predicted):")
    lines.append("  " + " " * 12 + "".join(f"{p[:5]:>7}" for p in STANCE_LABELS))
    for g in STANCE_LABELS:
        lines.append(f"  {g:<12}" + "".join(f"{st['confusion'][g][p]:>7}" for p in STANCE_LABELS))
    if scores["worst"]:
        lines.append("\nworst errors:")
        for w in scores["worst"]:
            lines.append(f"  #{w['index'] + 1} ({w['errors']} errors) {w['text'][:80]}")
            for t in (*SET_TASKS, "stance"):
                if w[f"gold_{t}"] != w[f"predicted_{t}"]:
                    lines.append(f"      {t}: gold {w[f'gold_{t}']} predicted {w[f'predicted_{t}']}")
    return "\n".join(lines)
