"""Measure the citations stage against hand annotations.

``score_citations`` compares extracted citations with gold ones (recall of the in-text
citations, accuracy of the note each is linked to); ``score_reference_fields`` measures
``parse_reference`` field by field against hand-written expected fields.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from pipeline.citations.references import parse_reference
from pipeline.textview import squash

REFERENCE_FIELDS = (
    "type", "authors", "title", "container", "year", "volume", "issue", "pages",
    "url", "doi", "access_date",
)


def _squash(text: str | None) -> str | None:
    """Text with all whitespace removed (how gold and predictions are compared)."""
    return None if text is None else squash(str(text))


def _get(record: Any, name: str) -> Any:
    if isinstance(record, Mapping):
        return record.get(name)
    return getattr(record, name, None)


def score_citations(
    gold_records: Iterable[Any], predicted_records: Iterable[Any]
) -> dict[str, Any]:
    """Recall and link accuracy of predicted citations against gold ones.

    A gold citation ``(doc, marker, claim)`` is found when a prediction has the same doc and
    marker and the same claim text once whitespace is removed. Its link is right when the
    predicted note equals the gold note after whitespace removal, or both are null. Each
    prediction is used at most once. Records may be dicts or objects with those attributes.
    """
    gold = list(gold_records)
    pred = list(predicted_records)
    by_key: dict[tuple, list[int]] = defaultdict(list)
    for i, p in enumerate(pred):
        key = (_get(p, "doc"), _squash(_get(p, "marker")), _squash(_get(p, "claim")))
        by_key[key].append(i)
    used: set[int] = set()
    found = linked = 0
    per_doc: dict[str, Counter] = defaultdict(Counter)
    missed: list[dict[str, Any]] = []
    wrong_links: list[dict[str, Any]] = []
    for g in gold:
        doc = _get(g, "doc")
        key = (doc, _squash(_get(g, "marker")), _squash(_get(g, "claim")))
        per_doc[doc]["gold"] += 1
        candidates = [i for i in by_key.get(key, []) if i not in used]
        if not candidates:
            missed.append({"doc": doc, "marker": _get(g, "marker"), "claim": _get(g, "claim")})
            continue
        gnote = _squash(_get(g, "note"))
        same = [i for i in candidates if _squash(_get(pred[i], "note")) == gnote]
        pick = same[0] if same else candidates[0]
        used.add(pick)
        found += 1
        per_doc[doc]["found"] += 1
        if same:
            linked += 1
            per_doc[doc]["linked"] += 1
        else:
            wrong_links.append(
                {
                    "doc": doc,
                    "marker": _get(g, "marker"),
                    "claim": _get(g, "claim"),
                    "gold_note": _get(g, "note"),
                    "predicted_note": _get(pred[pick], "note"),
                }
            )
    for p in pred:
        per_doc[_get(p, "doc")]["predicted"] += 1
    n = len(gold)
    return {
        "gold": n,
        "predicted": len(pred),
        "found": found,
        "recall": found / n if n else 1.0,
        "precision": found / len(pred) if pred else (1.0 if not n else 0.0),
        "linked": linked,
        "link_accuracy": linked / found if found else 0.0,
        "per_doc": {d: dict(c) for d, c in sorted(per_doc.items(), key=lambda kv: str(kv[0]))},
        "missed": missed,
        "wrong_links": wrong_links,
    }


def format_citation_scores(scores: Mapping[str, Any], *, show: int = 10) -> str:
    """A short plain-text report of ``score_citations`` output."""
    lines = [
        f"citations: gold {scores['gold']}, predicted {scores['predicted']}, found {scores['found']}",
        f"recall        {scores['recall']:.3f}",
        f"precision     {scores['precision']:.3f}",
        f"link accuracy {scores['link_accuracy']:.3f} ({scores['linked']}/{scores['found']})",
        "",
        f"{'doc':<32} {'gold':>5} {'found':>6} {'linked':>7} {'pred':>5}",
    ]
    for doc, c in scores["per_doc"].items():
        lines.append(
            f"{str(doc):<32} {c.get('gold', 0):>5} {c.get('found', 0):>6} "
            f"{c.get('linked', 0):>7} {c.get('predicted', 0):>5}"
        )
    if scores["missed"]:
        lines += ["", f"missed ({len(scores['missed'])}):"]
        for m in scores["missed"][:show]:
            lines.append(f"  {m['doc']} {m['marker']} {str(m['claim'])[:60]}")
    if scores["wrong_links"]:
        lines += ["", f"wrong links ({len(scores['wrong_links'])}):"]
        for m in scores["wrong_links"][:show]:
            lines.append(
                f"  {m['doc']} {m['marker']} gold={str(m['gold_note'])[:40]!r} "
                f"got={str(m['predicted_note'])[:40]!r}"
            )
    return "\n".join(lines)


def _field_value(value: Any) -> Any:
    if value is None or value == [] or value == "":
        return None
    if isinstance(value, list):
        return tuple(_squash(v) for v in value)
    if isinstance(value, int):
        return value
    return _squash(value)


def score_reference_fields(
    samples: Iterable[Mapping[str, Any]], *, fields: tuple[str, ...] = REFERENCE_FIELDS
) -> dict[str, Any]:
    """Field-level precision/recall/F1 of ``parse_reference`` over ``{"text", "expected"}``
    samples. A field absent from ``expected`` is expected to be empty; values are compared
    with whitespace removed, author lists as whole lists."""
    tp = fp = fn = 0
    per_field: dict[str, Counter] = defaultdict(Counter)
    errors: list[dict[str, Any]] = []
    for sample in samples:
        ref = parse_reference(sample["text"])
        expected = sample["expected"]
        for name in fields:
            g = _field_value(expected.get(name))
            p = _field_value(getattr(ref, name, None))
            if g is not None and p == g:
                tp += 1
                per_field[name]["tp"] += 1
                continue
            if p is not None:
                fp += 1
                per_field[name]["fp"] += 1
            if g is not None:
                fn += 1
                per_field[name]["fn"] += 1
            if p != g:
                errors.append({"text": sample["text"], "field": name, "expected": g, "got": p})
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "tp": tp, "fp": fp, "fn": fn,
        "precision": precision, "recall": recall, "f1": f1,
        "per_field": {k: dict(v) for k, v in per_field.items()},
        "errors": errors,
    }
