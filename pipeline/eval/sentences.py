"""Scores for the cleaning stage: gold sentences found as stored body sentences, term counts."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from pipeline.store import Store
from pipeline.textview import squash


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


# The gold "body sentences" are the article's running text, its abstract included; the
# cleaner files the abstract under its own section, so both are scored (and body alone too).
RUNNING_TEXT = ("abstract", "body")


def score_sentences(store: Store, gold: list[dict[str, Any]]) -> dict[str, Any]:
    """Share of gold sentences that equal (whitespace removed) one stored sentence of the
    running text (abstract or body); ``body_only`` counts body sentences alone."""
    by_doc: dict[str, dict[str, str]] = defaultdict(dict)
    rows = store.query(
        "SELECT d.doc, s.section, s.text FROM sentences s JOIN documents d USING (doc_id) WHERE s.section IN ('abstract', 'body')"
    )
    for row in rows:
        by_doc[row["doc"]].setdefault(squash(row["text"]), row["section"])
    misses = [g for g in gold if squash(g["text"]) not in by_doc.get(g["doc"], {})]
    body = sum(1 for g in gold if by_doc.get(g["doc"], {}).get(squash(g["text"])) == "body")
    found = len(gold) - len(misses)
    return {"gold": len(gold), "found": found, "rate": found / len(gold) if gold else 0.0,
            "body_only": body, "misses": [{"doc": m["doc"], "text": m["text"]} for m in misses]}


def score_terms(counts: dict[tuple[str, str], int], gold: list[dict[str, Any]]) -> dict[str, Any]:
    """Compare (doc, term) counts with gold counts; ``counts`` comes from ``trends.count_by_doc``."""
    misses = []
    for row in gold:
        got = counts.get((row["doc"], row["term"]), 0)
        if got != row["count"]:
            misses.append({"doc": row["doc"], "term": row["term"], "gold": row["count"], "counted": got})
    equal = len(gold) - len(misses)
    return {"pairs": len(gold), "equal": equal, "rate": equal / len(gold) if gold else 0.0, "misses": misses}


def format_sentence_scores(result: dict[str, Any], *, max_misses: int = 60) -> str:
    lines = [
        f"sentences: {result['found']}/{result['gold']} gold sentences stored exactly as one abstract or body sentence ({result['rate']:.1%}); "
        f"as body sentences alone: {result['body_only']}/{result['gold']} ({result['body_only'] / max(1, result['gold']):.1%})"
    ]
    for miss in result["misses"][:max_misses]:
        lines.append(f"  MISS {miss['doc']}: {miss['text'][:90]}")
    if len(result["misses"]) > max_misses:
        lines.append(f"  … {len(result['misses']) - max_misses} more")
    return "\n".join(lines)


def format_term_scores(result: dict[str, Any]) -> str:
    lines = [f"terms: {result['equal']}/{result['pairs']} (doc, term) counts equal gold ({result['rate']:.1%})"]
    for miss in result["misses"]:
        lines.append(f"  MISS {miss['doc']} {miss['term']}: counted {miss['counted']}, gold {miss['gold']}")
    return "\n".join(lines)
