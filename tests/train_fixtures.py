"""A tiny store built by hand from tests/data/train/sentences.jsonl (no cleaner, no rules)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from pipeline.textview import to_simplified
from pipeline.schema import content_hash
from pipeline.store import Store

DATA = Path(__file__).parent / "data" / "train"


def labelled_rows() -> list[dict]:
    with open(DATA / "sentences.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def build_store(path: Path) -> Store:
    """One document per ``doc``; each row a body sentence with its stance as the 'rules' label
    and its instruments as instrument mentions."""
    store = Store.open(path)
    rows = labelled_rows()
    by_doc: dict[str, list[dict]] = {}
    for row in rows:
        by_doc.setdefault(row["doc"], []).append(row)
    docs, sentences, stance, mentions = [], [], [], []
    for doc, items in by_doc.items():
        raw = "".join(r["text"] for r in items)
        doc_id = content_hash(raw)
        docs.append({"doc_id": doc_id, "doc": doc, "path": f"/corpus/{doc}", "title": doc, "authors": [], "year": items[0]["year"],
                     "source": "tests", "raw_text": raw, "n_sentences": len(items), "metadata": "{}", "ingested_at": datetime(2024, 1, 1)})
        pos = 0
        for i, r in enumerate(items):
            text = r["text"]
            sentences.append({"doc_id": doc_id, "idx": i, "section": "body", "paragraph": 0, "start": pos, "end": pos + len(text),
                              "text": text, "simplified": to_simplified(text), "n_han": len(text)})
            stance.append({"doc_id": doc_id, "sentence": i, "label": r["stance"], "source": "rules", "evidence": "[]"})
            for label in r["instruments"]:
                mentions.append({"doc_id": doc_id, "sentence": i, "kind": "instrument", "label": label, "surface": label, "start": 0, "end": 1})
            pos += len(text)
    with store.transaction():
        for table, records in (("documents", docs), ("sentences", sentences), ("stance", stance), ("mentions", mentions)):
            store.append(table, records)
    return store
