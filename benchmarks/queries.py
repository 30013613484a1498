"""Query benchmarks: a synthetic store of a million sentences and the timings of typical
``trend`` queries on a store (``make bench`` prints them)."""

from __future__ import annotations

import time
from typing import Any

from pipeline.query.filters import Filters
from pipeline.query.terms import resolve_terms
from pipeline.query.trends import trend
from pipeline.store import Store


def build_synthetic_store(path: str, *, n_sentences: int = 1_000_000, sentences_per_doc: int = 200, seed: int = 0) -> Store:
    """A store of ``n_sentences`` generated sentences (policy-like Chinese text with the tracked
    terms sprinkled in, some documents undated, a few with whitespace inside terms)."""
    import random

    rng = random.Random(seed)
    filler = "我国坚持扩大高水平对外开放推动经济高质量发展加强国际合作维护多边贸易体制稳定全球产业发展"
    terms = ["保护主义", "供应链", "产业链", "脱钩", "去风险", "友岸外包", "单边主义", "关税", "IPEF", "供 应链"]
    store = Store.open(path)
    n_docs = max(1, n_sentences // sentences_per_doc)
    doc_rows, sentence_rows = [], []
    for d in range(n_docs):
        doc_id = f"synthetic{d:08d}"
        year = None if d % 50 == 0 else 1954 + d % 72
        doc_rows.append({"doc_id": doc_id, "doc": f"syn_{d:06d}.txt", "path": f"/synthetic/syn_{d:06d}.txt", "year": year,
                         "published": str(year) if year else None, "source": f"source{d % 4}", "venue": f"venue{d % 7}",
                         "n_sentences": sentences_per_doc})
        for i in range(sentences_per_doc):
            a = rng.randrange(len(filler) - 30)
            text = filler[a:a + rng.randrange(12, 30)]
            if rng.random() < 0.3:
                cut = rng.randrange(len(text))
                text = text[:cut] + rng.choice(terms) + text[cut:]
            text += "。"
            sentence_rows.append({"doc_id": doc_id, "idx": i, "section": "body", "paragraph": i // 5, "page": None,
                                  "start": 0, "end": len(text), "text": text, "simplified": text,
                                  "n_han": sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")})
        if len(sentence_rows) >= 200_000:
            store.append("sentences", sentence_rows)
            sentence_rows = []
    if sentence_rows:
        store.append("sentences", sentence_rows)
    store.append("documents", doc_rows)
    return store


def benchmark_queries(store: Store, *, repeat: int = 3) -> dict[str, Any]:
    """Best-of-``repeat`` wall time (seconds) of typical ``trend`` queries on ``store``."""
    n = store.con.execute("SELECT count(*) FROM sentences").fetchone()[0]
    cases = {
        "trend 保护主义 供应链 --by year": dict(specs=resolve_terms(["保护主义", "供应链"]), by="year"),
        "trend 保护主义 --by year --measure per10k --smooth 5": dict(specs=resolve_terms(["保护主义"]), by="year", measure="per10k", smooth=5),
        "trend --group 去风险 --by source": dict(specs=resolve_terms([], ["去风险"]), by="source"),
        "trend 供应链 --by doc": dict(specs=resolve_terms(["供应链"]), by="doc"),
        "trend 供应链 --since 2000 --where source=source1": dict(specs=resolve_terms(["供应链"]), by="year", filters=Filters.parse(since=2000, where=["source=source1"])),
    }
    results: dict[str, Any] = {"sentences": n}
    for name, kwargs in cases.items():
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            trend(store, **kwargs)
            best = min(best, time.perf_counter() - started)
        results[name] = round(best, 4)
    return results
