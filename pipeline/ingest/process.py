"""One document through the stages: clean -> metadata -> extract -> citations -> audit -> terms.
Pure: no I/O, no store.

The derived stages are also callable one by one (:data:`STAGE_FUNCTIONS`) on records rebuilt
from the store, which is how ``policytext retag`` re-makes them without reading files.
"""

from __future__ import annotations

from typing import Any

from pipeline.audit import audit_document
from pipeline.citations import extract_citations
from pipeline.clean import clean_text
from pipeline.extract import extract_sentences, get_extractor
from pipeline.extract.terms import default_term_counter
from pipeline.ingest.metadata import resolve_metadata
from pipeline.ingest.versions import stage_versions
from pipeline.schema import (
    Citation, DocumentMeta, Finding, Marker, Mention, Note, ProcessedDocument, RawDocument, Sentence, StanceLabel,
    TermCount, content_hash,
)

KNOWN_FIELDS = {"title", "authors", "author", "venue", "journal", "published", "date", "year", "source"}


def run_extract(sentences: list[Sentence], *, lexicon_dir: str | None = None) -> tuple[list[Mention], list[StanceLabel]]:
    """Mentions (frameworks, instruments, terms) and the rules' stance of every sentence."""
    if not sentences:
        return [], []
    return extract_sentences(sentences, extractor=get_extractor(lexicon_dir))


def run_citations(doc: str, sentences: list[Sentence], markers: list[Marker], notes: list[Note]) -> list[Citation]:
    return extract_citations(doc, sentences, markers, notes)


def run_audit(
    doc: str, meta: DocumentMeta, sentences: list[Sentence], markers: list[Marker], notes: list[Note],
    citations: list[Citation], *, tokenizer: Any = None,
) -> list[Finding]:
    """``tokenizer`` (anything with ``lcut``, e.g. a ``Segmenter``) serves the audit's token
    overlap; None uses the project's segmenter."""
    return audit_document(doc, meta, sentences, markers, notes, citations, tokenizer=tokenizer)


def run_terms(sentences: list[Sentence], *, lexicon_dir: str | None = None) -> list[TermCount]:
    """The tracked terms of every sentence (``term_counts``)."""
    return default_term_counter(lexicon_dir).count_sentences(sentences)


def process_document(
    raw: RawDocument,
    *,
    manifest_entry: dict[str, Any] | None = None,
    extract: bool = True,
    lexicon_dir: str | None = None,
    tokenizer: Any = None,
) -> ProcessedDocument:
    """Every stage for one document. ``extract=False`` stores no mentions or stance (and no
    extract version, so ``retag`` can add them later)."""
    cleaned = clean_text(raw.raw_text, fmt=raw.fmt, zones=raw.zones)
    meta = resolve_metadata(raw, cleaned, manifest_entry)
    versions: dict[str, str | None] = stage_versions(lexicon_dir)
    mentions, stance = run_extract(cleaned.sentences, lexicon_dir=lexicon_dir) if extract else ([], [])
    if not extract:
        versions["extract"] = None
    citations = run_citations(raw.doc, cleaned.sentences, cleaned.markers, cleaned.notes)
    findings = run_audit(raw.doc, meta, cleaned.sentences, cleaned.markers, cleaned.notes, citations, tokenizer=tokenizer)
    extra = {key: value for key, value in raw.metadata.items() if key not in KNOWN_FIELDS}
    if manifest_entry:
        extra.update({k: v for k, v in manifest_entry.items() if k not in KNOWN_FIELDS})
    return ProcessedDocument(
        doc=raw.doc,
        path=raw.path,
        content_hash=content_hash(raw.raw_text),
        raw_text=raw.raw_text,
        encoding=raw.encoding,
        meta=meta,
        sections=cleaned.sections,
        sentences=cleaned.sentences,
        notes=cleaned.notes,
        markers=cleaned.markers,
        mentions=mentions,
        stance=stance,
        citations=citations,
        findings=findings,
        extra=extra,
        term_counts=run_terms(cleaned.sentences, lexicon_dir=lexicon_dir),
        versions=versions,
        file=raw.file,
        line=raw.line,
        source_hash=raw.source_hash,
        ocr_pages=raw.ocr_pages if raw.zones is not None else None,
        ocr_confidence=raw.ocr_confidence,
    )
