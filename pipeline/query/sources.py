"""Citations whose cited work is itself a stored document (LINKED_SOURCE findings across the
store), with the passage there that best supports the claim."""

from __future__ import annotations

from pipeline.audit.checks import AuditContext, KnownDocument, check_linked_sources
from pipeline.query.listing import resolve_doc
from pipeline.schema import Citation, DocumentMeta, Finding, record_from_row
from pipeline.store import Store


def link_stored_sources(store: Store, doc: str | None = None) -> list[Finding]:
    """LINKED_SOURCE findings across the store: citations whose cited work is itself a stored
    document, with the passage there that best supports the claim."""
    documents = store.query("SELECT doc_id, doc, title, authors, year FROM documents WHERE title IS NOT NULL")
    if not documents:
        return []
    passages: dict[str, list[str]] = {}
    for row in store.query("SELECT doc_id, text FROM sentences WHERE section = 'body' ORDER BY doc_id, idx"):
        passages.setdefault(row["doc_id"], []).append(row["text"])
    known = [
        KnownDocument(d["doc"], d["title"], tuple(d["authors"] or ()), d["year"], tuple(passages.get(d["doc_id"], ())))
        for d in documents
    ]
    where, params = ("WHERE c.doc_id = ?", [resolve_doc(store, doc)]) if doc else ("", [])
    rows = store.query(f"SELECT d.doc, c.* EXCLUDE (doc_id) FROM citations c JOIN documents d USING (doc_id) {where}", params)
    findings: list[Finding] = []
    by_doc: dict[str, list[Citation]] = {}
    for row in rows:
        by_doc.setdefault(row["doc"], []).append(record_from_row(Citation, row, doc=row["doc"]))
    for name, citations in by_doc.items():
        others = [k for k in known if k.doc != name]
        ctx = AuditContext(doc=name, meta=DocumentMeta(), sentences=(), markers=(), notes=(), citations=citations, known_documents=others)
        findings.extend(check_linked_sources(ctx))
    return findings
