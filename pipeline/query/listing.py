"""Read-side queries behind ``docs`` and ``sentences``: what a person or a script looks at."""

from __future__ import annotations

from typing import Any

from pipeline.errors import PipelineError
from pipeline.query.filters import Filters
from pipeline.schema import SECTION_KINDS, STANCE_LABELS
from pipeline.store import Store

DOC_COLUMNS = ("doc", "title", "authors", "venue", "published", "source", "n_sentences")
# caps per column so that the `docs` table fits a 120-column terminal (the full values: --format jsonl)
DOC_WIDTHS = {"doc": 24, "title": 26, "authors": 8, "venue": 10, "published": 10, "source": 12}
SENTENCE_COLUMNS = ("doc", "section", "index", "start", "end", "text")


def _positive(limit: int | None) -> str:
    if limit is None:
        return ""
    if limit < 1:
        raise PipelineError(f"--limit {limit}: give a positive number of rows (or leave it out for all)")
    return f"LIMIT {int(limit)}"


def list_documents(store: Store, *, source: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    where, params = ("WHERE source = ?", [source]) if source else ("", [])
    return store.query(
        f"""SELECT doc, title, authors, venue, published, year, date_source, date_evidence, source,
                   n_sentences, n_han, encoding, doc_id, path
            FROM documents {where} ORDER BY path {_positive(limit)}""",
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


def list_sentences(store: Store, doc: str | None = None, *, section: str | None = None, limit: int | None = None,
                   stance: str | None = None, filters: Filters = Filters()) -> list[dict[str, Any]]:
    """Sentences of one document or all; ``stance`` keeps those the rules gave that label,
    ``filters`` (``--where year=2023``) the documents."""
    tail = _positive(limit)
    where_docs, params = filters.sql()
    clauses = [f"s.doc_id IN (SELECT doc_id FROM documents WHERE {where_docs})"] if where_docs != "TRUE" else []
    if stance:
        label = stance.upper()
        if label not in STANCE_LABELS:
            raise PipelineError(f"--stance {stance!r}: use one of {', '.join(STANCE_LABELS)}")
        clauses.append("EXISTS (SELECT 1 FROM stance st WHERE st.doc_id = s.doc_id AND st.sentence = s.idx "
                       "AND st.source = 'rules' AND st.label = ?)")
        params.append(label)
    if doc:
        clauses.append("s.doc_id = ?")
        params.append(resolve_doc(store, doc))
    if section:
        if section not in SECTION_KINDS:
            raise PipelineError(f"unknown section {section!r}; choose one of {', '.join(SECTION_KINDS)}")
        clauses.append("s.section = ?")
        params.append(section)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
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


def list_findings(store: Store, doc: str | None = None, *, kinds: tuple[str, ...] = (), filters: Filters = Filters()) -> list[dict[str, Any]]:
    """Findings of the audit, with the claim sentence and the document's title and source.
    ``kinds`` must be finding kinds (case does not matter); ``filters`` picks documents."""
    from pipeline.audit.checks import FINDING_KINDS

    known = (*FINDING_KINDS, "LINKED_SOURCE")
    kinds = tuple(k.upper() for k in kinds)
    for kind in kinds:
        if kind not in known:
            raise PipelineError(f"--kind {kind!r}: unknown finding kind; choose from {', '.join(known)}")
    where, params = _doc_filter(store, doc, "f")
    docs_where, docs_params = filters.sql()
    if docs_where != "TRUE":
        where += (" AND " if where else "WHERE ") + f"f.doc_id IN (SELECT doc_id FROM documents WHERE {docs_where})"
        params += docs_params
    if kinds:
        where += (" AND " if where else "WHERE ") + f"f.kind IN ({', '.join('?' for _ in kinds)})"
        params += list(kinds)
    return store.query(
        f"""SELECT d.doc, d.title, d.source, f.* EXCLUDE (doc_id), s.text AS claim
            FROM findings f JOIN documents d USING (doc_id)
            LEFT JOIN sentences s ON s.doc_id = f.doc_id AND s.idx = f.sentence
            {where} ORDER BY d.path, f.sentence NULLS LAST, f.kind""",
        params,
    )


def read_only_query(db: str, sql: str) -> list[dict[str, Any]]:
    """Rows of ``sql`` run on a read-only DuckDB connection to the store ``db`` (``policytext
    query``): a statement that writes fails with DuckDB's own message."""
    import duckdb

    store = Store.open(db, read_only=True)
    try:  # no files read or written from SQL (COPY TO, ATTACH), and the user cannot turn it back on
        store.con.execute("SET enable_external_access = false")
        store.con.execute("SET lock_configuration = true")
        cursor = store.con.execute(sql)
        if cursor.description is None:
            return []
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    except duckdb.Error as exc:
        raise PipelineError(f"query: {str(exc).splitlines()[0]}") from exc
    finally:
        store.con.close()
