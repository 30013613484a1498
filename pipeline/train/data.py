"""Training examples: sentences of the store with the labels the rules gave them, optionally
overridden by gold labels; one row per sentence, grouped by document for evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import numpy as np

from pipeline import jsonsafe
from pipeline.jsonsafe import RecordError
from pipeline.schema import STANCE_LABELS
from pipeline.citations.claims import claim_kinds
from pipeline.extract.tagger import Tagger
from pipeline.store import Store
from pipeline.textview import squash, to_simplified
from pipeline.train.settings import TASKS, TrainError, TrainSettings



@dataclass
class Examples:
    """Parallel lists, one entry per training sentence (gold rows repeated ``gold_weight`` times).

    ``labels`` holds a str (stance) or a sorted list of str (multi-label tasks); ``rule`` the
    rules' own label for the same sentence; ``gold`` whether ``labels`` came from gold;
    ``first`` marks the first copy of a repeated row (evaluation counts each sentence once)."""

    task: str
    texts: list[str] = field(default_factory=list)
    docs: list[str] = field(default_factory=list)
    labels: list[Any] = field(default_factory=list)
    rule: list[Any] = field(default_factory=list)
    gold: list[bool] = field(default_factory=list)
    first: list[bool] = field(default_factory=list)

    def add(self, text: str, doc: str, label: Any, rule: Any, *, gold: bool = False, copies: int = 1) -> None:
        for i in range(copies):
            self.texts.append(text)
            self.docs.append(doc)
            self.labels.append(label)
            self.rule.append(rule)
            self.gold.append(gold)
            self.first.append(i == 0)

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, mask: np.ndarray) -> "Examples":
        idx = np.flatnonzero(mask)
        out = Examples(self.task)
        for name in ("texts", "docs", "labels", "rule", "gold", "first"):
            values = getattr(self, name)
            setattr(out, name, [values[i] for i in idx])
        return out

    def summary(self) -> dict[str, Any]:
        once = [i for i, f in enumerate(self.first) if f]
        counts: dict[str, int] = {}
        for i in once:
            for label in _as_list(self.labels[i]):
                counts[label] = counts.get(label, 0) + 1
        return {
            "sentences": len(once),
            "rows": len(self),
            "documents": len(set(self.docs)),
            "gold_sentences": sum(1 for i in once if self.gold[i]),
            "label_counts": dict(sorted(counts.items())),
        }


def _as_list(label: Any) -> list[str]:
    return [label] if isinstance(label, str) else list(label)


# -- labels from the store ---------------------------------------------------------------------

_BASE_SQL = """
SELECT d.doc, s.doc_id, s.idx, s.text, s.simplified, st.label AS stance, ins.labels AS instruments
FROM sentences s
JOIN documents d USING (doc_id)
JOIN stance st ON st.doc_id = s.doc_id AND st.sentence = s.idx AND st.source = 'rules'
LEFT JOIN (
    SELECT doc_id, sentence, list(DISTINCT label ORDER BY label) AS labels
    FROM mentions WHERE kind = 'instrument' GROUP BY doc_id, sentence
) ins ON ins.doc_id = s.doc_id AND ins.sentence = s.idx
WHERE s.section IN ({sections})
ORDER BY d.doc, s.idx
"""


def store_rows(store: Store, sections: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every sentence the rules labelled (a 'rules' stance row exists) in these sections."""
    placeholders = ", ".join("?" for _ in sections)
    return store.query(_BASE_SQL.format(sections=placeholders), list(sections))


def claim_detector() -> Callable[[str], list[str]]:
    """The citations stage's claim detector (the rule labels of the claims task)."""
    return claim_kinds


def rule_label(task: str, row: dict[str, Any]) -> Any:
    if task == "stance":
        return row["stance"]
    if task == "instruments":
        return sorted(row["instruments"] or [])
    return sorted(claim_detector()(row["text"]))


def read_gold(gold_dir: str | Path) -> list[dict[str, Any]]:
    """Gold sentences of ``DIR/sentences.jsonl`` (format: spec/labels.md), validated."""
    path = Path(gold_dir) / "sentences.jsonl"
    if not path.is_file():
        raise TrainError(f"{gold_dir}: no sentences.jsonl here (gold sentences: one JSON object per line)")
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = jsonsafe.loads(line)
            except RecordError as exc:
                raise TrainError(f"{path}, line {number}: {exc}") from exc
            if not isinstance(row, dict):
                raise TrainError(f"{path}, line {number}: expected a JSON object")
            missing = {"doc", "text", "stance", "instruments"} - set(row)
            if missing:
                raise TrainError(f"{path}, line {number}: missing fields {sorted(missing)}")
            if row["stance"] not in STANCE_LABELS:
                raise TrainError(f"{path}, line {number}: stance {row['stance']!r} is not one of {', '.join(STANCE_LABELS)}")
            rows.append(row)
    return rows


def gold_label(task: str, row: dict[str, Any]) -> Any:
    if task == "stance":
        return row["stance"]
    if task == "instruments":
        return sorted(set(row["instruments"]))
    raise TrainError("gold labels exist for stance and instruments only; train --task claims without --gold")


@lru_cache(maxsize=1)
def _rule_tagger() -> Tagger:
    return Tagger()


def load_examples(
    store: Store,
    task: str,
    settings: TrainSettings,
    *,
    gold: list[dict[str, Any]] | None = None,
    exclude_gold_docs: set[str] = frozenset(),
) -> Examples:
    """Rule labels over the store; gold rows (except those of ``exclude_gold_docs``) replace
    the rule label of the same sentence, or are added when the store lacks the sentence."""
    if task not in TASKS:
        raise TrainError(f"unknown task {task!r}")


    gold_by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for row in gold or []:
        if row["doc"] not in exclude_gold_docs:
            gold_by_key[(row["doc"], squash(row["text"]))] = row
    examples = Examples(task)
    matched: set[tuple[str, str]] = set()
    for row in store_rows(store, settings.sections):
        rule = rule_label(task, row)
        key = (row["doc"], squash(row["text"]))
        hit = gold_by_key.get(key)
        if hit is not None and key not in matched:
            matched.add(key)
            examples.add(row["simplified"], row["doc"], gold_label(task, hit), rule, gold=True, copies=settings.gold_weight)
        else:
            examples.add(row["simplified"], row["doc"], rule, rule)
    for key, row in gold_by_key.items():
        if key in matched:
            continue
        tags = _rule_tagger().tag_text(row["text"])
        rule = tags["stance"] if task == "stance" else sorted(tags["instruments"])
        examples.add(to_simplified(row["text"]), row["doc"], gold_label(task, row), rule, gold=True, copies=settings.gold_weight)
    if not examples.texts:
        raise TrainError(
            f"{store.path}: no labelled sentences to train on (sections {', '.join(settings.sections)}); "
            "ingest documents with extraction on first"
        )
    return examples
