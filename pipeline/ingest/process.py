"""One document through the stages: clean -> metadata -> extract -> citations -> audit.
Pure: no I/O, no store."""

from __future__ import annotations

from typing import Any, Callable

from pipeline.audit import audit_document
from pipeline.clean import clean_text
from pipeline.citations.resolve import extract_citations
from pipeline.extract.terms import TermCounter, default_term_counter
from pipeline.ingest.metadata import resolve_metadata
from pipeline.schema import Mention, ProcessedDocument, RawDocument, Sentence, StanceLabel, content_hash

Extractor = Callable[[list[Sentence]], tuple[list[Mention], list[StanceLabel]]]


def process_document(
    raw: RawDocument,
    *,
    manifest_entry: dict[str, Any] | None = None,
    extractor: Extractor | None = None,
    tokenizer: Any = None,
    term_counter: TermCounter | None = None,
) -> ProcessedDocument:
    """``tokenizer`` (anything with ``lcut``, e.g. a ``Segmenter``) serves the audit's
    token overlap; None uses the project's jieba tokenizer. ``term_counter`` precounts the
    tracked terms for ``trend``; None uses the packaged lexicons' counter."""
    cleaned = clean_text(raw.raw_text, fmt=raw.fmt)
    meta = resolve_metadata(raw, cleaned, manifest_entry)
    mentions: list[Mention] = []
    stance: list[StanceLabel] = []
    if extractor is not None and cleaned.sentences:
        mentions, stance = extractor(cleaned.sentences)
    citations = extract_citations(raw.doc, cleaned.sentences, cleaned.markers, cleaned.notes)
    findings = audit_document(raw.doc, meta, cleaned.sentences, cleaned.markers, cleaned.notes, citations, tokenizer=tokenizer)
    counter = term_counter or default_term_counter()
    known = {"title", "authors", "author", "venue", "journal", "published", "date", "year", "source"}
    extra = {key: value for key, value in raw.metadata.items() if key not in known}
    if manifest_entry:
        extra.update({k: v for k, v in manifest_entry.items() if k not in known})
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
        term_counts=counter.count_sentences(cleaned.sentences),
        term_lexicon=counter.version,
        file=raw.file,
        line=raw.line,
        source_hash=raw.source_hash,
    )
