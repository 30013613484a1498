"""Builds the tiny store of tests/data/trends/corpus.json with Store.append (no cleaner needed)."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.textview import to_simplified
from pipeline.store import Store
from pipeline.textview import count_han

CORPUS = Path(__file__).parent / "data" / "trends" / "corpus.json"


def build_store(path: Path | str) -> Path:
    data = json.loads(CORPUS.read_text(encoding="utf-8"))
    docs, sentences, ids = [], [], {}
    for n, d in enumerate(data["documents"]):
        doc_id = f"fixture{n:04d}"
        ids[d["doc"]] = doc_id
        texts = d["sentences"]
        docs.append({"doc_id": doc_id, "doc": d["doc"], "path": f"/fixture/{d['doc']}", "title": d["doc"],
                     "year": d["year"], "published": d["published"], "date_source": d["date_source"],
                     "source": d["source"], "venue": d["venue"], "n_han": sum(count_han(t) for t in texts),
                     "n_sentences": len(texts), "raw_text": "\n".join(texts)})
        pos = 0
        for i, text in enumerate(texts):
            sentences.append({"doc_id": doc_id, "idx": i, "section": "body", "paragraph": i, "page": None,
                              "start": pos, "end": pos + len(text), "text": text,
                              "simplified": to_simplified(text), "n_han": count_han(text)})
            pos += len(text) + 1
    mentions = [{"doc_id": ids[m.pop("doc")], **m} for m in data["mentions"]]
    stance = [{"doc_id": ids[s["doc"]], "sentence": s["sentence"], "label": s["label"], "source": "rules",
               "evidence": "[]", "score": None} for s in data["stance"]]
    with Store.open(path) as store:
        store.append("documents", docs)
        store.append("sentences", sentences)
        store.append("mentions", mentions)
        store.append("stance", stance)
    return Path(path)
