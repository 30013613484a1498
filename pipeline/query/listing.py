"""Read-side queries behind ``docs`` and ``sentences``: what a person or a script looks at."""

from __future__ import annotations

from typing import Any

from pipeline.errors import PipelineError
from pipeline.schema import SECTION_KINDS
from pipeline.store import Store

DOC_COLUMNS = ("doc", "title", "authors", "venue", "published", "date_source", "source", "n_sentences")
SENTENCE_COLUMNS = ("doc", "section", "index", "start", "end", "text")


def list_documents(store: Store, *, source: str | None = None) -> list[dict[str, Any]]:
    where, params = ("WHERE source = ?", [source]) if source else ("", [])
    return store.query(
        f"""SELECT doc, title, authors, venue, published, year, date_source, date_evidence, source,
                   n_sentences, n_han, encoding, doc_id, path
            FROM documents {where} ORDER BY path""",
        params,
    )


def resolve_doc(store: Store, doc: str) -> str:
    """A document named as in ``docs`` (or by a doc_id prefix) -> its doc_id."""
    rows = store.query("SELECT doc_id FROM documents WHERE doc = ? OR path = ?", [doc, doc])
    if not rows:
        rows = store.query("SELECT doc_id FROM documents WHERE doc_id LIKE ?", [doc + "%"]) if len(doc) >= 6 else []
    if not rows:
        raise PipelineError(f"no document {doc!r} in the store; `policytext docs` lists them")
    if len(rows) > 1:
        raise PipelineError(f"{doc!r} names {len(rows)} documents; use the full path or doc_id")
    return rows[0]["doc_id"]


def list_sentences(store: Store, doc: str | None = None, *, section: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    clauses, params = [], []
    if doc:
        clauses.append("s.doc_id = ?")
        params.append(resolve_doc(store, doc))
    if section:
        if section not in SECTION_KINDS:
            raise PipelineError(f"unknown section {section!r}; choose one of {', '.join(SECTION_KINDS)}")
        clauses.append("s.section = ?")
        params.append(section)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    tail = f"LIMIT {int(limit)}" if limit else ""
    return store.query(
        f"""SELECT d.doc, s.section, s.idx AS "index", s.paragraph, s.page, s.start, s."end", s.text
            FROM sentences s JOIN documents d USING (doc_id) {where}
            ORDER BY d.path, s.idx {tail}""",
        params,
    )


CITATION_COLUMNS = ("doc", "sentence", "marker", "claim", "note", "reference_type", "title", "year")
FINDING_COLUMNS = ("doc", "sentence", "marker", "kind", "explanation")


def _doc_filter(store: Store, doc: str | None, alias: str) -> tuple[str, list[Any]]:
    if not doc:
        return "", []
    return f"WHERE {alias}.doc_id = ?", [resolve_doc(store, doc)]


def list_citations(store: Store, doc: str | None = None) -> list[dict[str, Any]]:
    """One row per in-text citation: marker, claim sentence, note text and parsed fields."""
    where, params = _doc_filter(store, doc, "c")
    return store.query(
        f"""SELECT d.doc, c.* EXCLUDE (doc_id) FROM citations c JOIN documents d USING (doc_id)
            {where} ORDER BY d.path, c.sentence, c.position""",
        params,
    )


def list_findings(store: Store, doc: str | None = None, *, kinds: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    where, params = _doc_filter(store, doc, "f")
    if kinds:
        where += (" AND " if where else "WHERE ") + f"f.kind IN ({', '.join('?' for _ in kinds)})"
        params += list(kinds)
    return store.query(
        f"""SELECT d.doc, f.* EXCLUDE (doc_id), s.text AS claim
            FROM findings f JOIN documents d USING (doc_id)
            LEFT JOIN sentences s ON s.doc_id = f.doc_id AND s.idx = f.sentence
            {where} ORDER BY d.path, f.sentence NULLS LAST, f.kind""",
        params,
    )
