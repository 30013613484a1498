"""Scores for the cleaning stage: gold sentences found as stored body sentences, term counts."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from pipeline.store import Store

_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    return _SPACE.sub("", text)


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def score_sentences(store: Store, gold: list[dict[str, Any]]) -> dict[str, Any]:
    """Share of gold sentences that equal (whitespace removed) one stored body sentence."""
    by_doc: dict[str, set[str]] = defaultdict(set)
    for row in store.query("SELECT d.doc, s.text FROM sentences s JOIN documents d USING (doc_id) WHERE s.section = 'body'"):
        by_doc[row["doc"]].add(squash(row["text"]))
    misses = [g for g in gold if squash(g["text"]) not in by_doc.get(g["doc"], set())]
    found = len(gold) - len(misses)
    return {"gold": len(gold), "found": found, "rate": found / len(gold) if gold else 0.0,
            "misses": [{"doc": m["doc"], "text": m["text"]} for m in misses]}


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
    lines = [f"sentences: {result['found']}/{result['gold']} gold body sentences stored exactly ({result['rate']:.1%})"]
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
