"""Score the PDF path on a PDF benchmark folder (``../shared/pdf``): every variant folder is
ingested into its own store and scored with the text seeds' scorers (sentences, citations,
term counts), plus documents that got any text and, from ``pages.jsonl``, the character error
rate of the stored raw text page by page (NFKC, whitespace removed).

Layout of the folder: ``VARIANT/*.pdf`` and ``truth/`` (``sentences.jsonl``, ``terms.jsonl``,
``VARIANT/citations.jsonl``, ``VARIANT/pages.jsonl``)."""

from __future__ import annotations

import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.config import IngestSettings, ReadSettings
from pipeline.eval.citations import score_citations
from pipeline.eval.sentences import read_jsonl, score_sentences, score_terms
from pipeline.ingest.driver import ingest
from pipeline.query.listing import list_citations
from pipeline.query.trends import count_by_doc
from pipeline.store import Store
from pipeline.textview import squash

PAGE_SEPARATOR = "\f"  # ingest.pdf puts a form feed line between pages


def variants(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.is_dir() and p.name != "truth" and any(p.glob("*.pdf")))


def _norm(text: str) -> str:
    return squash(unicodedata.normalize("NFKC", text))


def distance(a: str, b: str) -> int:
    """Levenshtein distance (rapidfuzz's bit-parallel one)."""
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b)


def score_cer(store: Store, pages_truth: list[dict[str, Any]]) -> dict[str, Any]:
    """Character error rate of each document's raw text against what its pages print, page by
    page when the page counts agree (else the whole document at once)."""
    truth: dict[str, list[str]] = defaultdict(list)
    for row in sorted(pages_truth, key=lambda r: (r["doc"], r["page"])):
        parts = [row.get(k) or "" for k in ("header", "body", "notes", "footer")]
        truth[row["doc"]].append(_norm("".join("".join(p) if isinstance(p, list) else p for p in parts)))
    stored = {r["doc"]: r["raw_text"] for r in store.query("SELECT doc, raw_text FROM documents")}
    errors = chars = 0
    per_doc = {}
    for doc, pages in truth.items():
        ours = [_norm(p) for p in stored.get(doc, "").split(PAGE_SEPARATOR)]
        if len(ours) != len(pages):
            ours, pages = ["".join(ours)], ["".join(pages)]
        e = sum(distance(t, o) for t, o in zip(pages, ours))
        n = sum(len(t) for t in pages)
        per_doc[doc] = e / n if n else 0.0
        errors += e
        chars += n
    return {"cer": errors / chars if chars else 0.0, "per_doc": per_doc}


def ingest_variant(folder: Path, db: Path, *, ocr: str = "auto", ocr_cache: str | None = None) -> dict[str, Any]:
    """Ingest one variant folder (a no-op for files already stored unchanged)."""
    start, cpu = time.perf_counter(), time.process_time()
    summary = ingest([folder], db=db, read=ReadSettings(ocr=ocr, ocr_cache=ocr_cache), settings=IngestSettings(progress=False))
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu, "summary": summary.line()}


def score_variant(root: Path, variant: str, db: Path, *, docs: list[str] | None = None) -> dict[str, Any]:
    """Scores of one variant's store; ``docs`` restricts them to those PDFs (file names)."""
    truth = root / "truth"
    out: dict[str, Any] = {"variant": variant}
    expected = sorted(p.name for p in (root / variant).glob("*.pdf") if docs is None or p.name in docs)
    with Store.open(db, read_only=True) as store:
        rows = store.query("SELECT doc, n_sentences, ocr_pages, ocr_confidence FROM documents")
        got = {r["doc"]: r for r in rows}
        out["docs"] = len(expected)
        out["docs_with_text"] = sum(1 for d in expected if got.get(d, {}).get("n_sentences"))
        out["ocr_pages"] = sum(r["ocr_pages"] or 0 for r in rows)
        confs = [r["ocr_confidence"] for r in rows if r["ocr_confidence"] is not None]
        out["ocr_confidence"] = sum(confs) / len(confs) if confs else None
        sentences = [g for g in read_jsonl(truth / "sentences.jsonl") if g["doc"] in expected]
        out["sentences"] = score_sentences(store, sentences)
        terms = [g for g in read_jsonl(truth / "terms.jsonl") if g["doc"] in expected]
        out["terms"] = score_terms(count_by_doc(store, sorted({g["term"] for g in terms})), terms)
        cit_path = truth / variant / "citations.jsonl"
        if cit_path.exists():
            gold = [g for g in read_jsonl(cit_path) if g["doc"] in expected]
            out["citations"] = score_citations(gold, list_citations(store))
        pages_path = truth / variant / "pages.jsonl"
        if pages_path.exists():
            pages = [p for p in read_jsonl(pages_path) if p["doc"] in expected]
            out["pages"] = len(pages)
            out["cer"] = score_cer(store, pages)
    return out


def run_pdf_eval(root: str | Path, work: str | Path, *, only: list[str] | None = None, ocr_cache: str | None = None) -> Iterator[dict[str, Any]]:
    """Ingest and score every variant of ``root`` (stores in ``work``); yields one result per variant."""
    root, work = Path(root), Path(work)
    work.mkdir(parents=True, exist_ok=True)
    for variant in variants(root):
        if only and variant not in only:
            continue
        db = work / f"{variant}.duckdb"
        timing = ingest_variant(root / variant, db, ocr_cache=ocr_cache)
        result = score_variant(root, variant, db)
        result["timing"] = timing
        yield result


def format_pdf_scores(result: dict[str, Any], *, show: int = 8) -> str:
    s, t = result["sentences"], result["terms"]
    lines = [f"pdf {result['variant']}: {result['docs_with_text']}/{result['docs']} documents with text, "
             f"{result.get('pages', '?')} pages ({result['ocr_pages']} by OCR"
             + (f", mean confidence {result['ocr_confidence']:.3f}" if result["ocr_confidence"] is not None else "") + ")",
             f"  sentences recovered {s['found']}/{s['gold']} ({s['rate']:.3f})",
             f"  term counts exact {t['equal']}/{t['pairs']} ({t['rate']:.3f})"]
    c = result.get("citations")
    if c:
        lines.append(f"  citations recall {c['found']}/{c['gold']} ({c['recall']:.3f}), link accuracy {c['linked']}/{c['found']} ({c['link_accuracy']:.3f})")
    if "cer" in result:
        lines.append(f"  character error rate {result['cer']['cer']:.4f}")
    timing = result.get("timing")
    if timing and "ingested" in timing["summary"] and not timing["summary"].startswith("0 ingested"):
        pages = result.get("pages") or 0
        lines.append(f"  ingest {timing['seconds']:.1f} s wall, {timing['cpu']:.1f} s CPU"
                     + (f" ({pages / timing['seconds']:.1f} pages/s wall, {pages / max(timing['cpu'], 1e-9):.1f} pages per CPU-s)" if pages and timing["seconds"] else "")
                     + f": {timing['summary']}")
    for miss in s["misses"][:show]:
        lines.append(f"  MISS sentence {miss['doc']}: {miss['text'][:80]}")
    for miss in t["misses"][:show]:
        lines.append(f"  MISS term {miss['doc']} {miss['term']}: counted {miss['counted']}, truth {miss['gold']}")
    if c:
        for miss in c["missed"][:show]:
            lines.append(f"  MISS citation {miss['doc']} {miss['marker']}: {str(miss['claim'])[:70]}")
        for miss in c["wrong_links"][:show]:
            lines.append(f"  LINK {miss['doc']} {miss['marker']}: {str(miss['predicted_note'])[:50]} != {str(miss['gold_note'])[:50]}")
    return "\n".join(lines)
