"""The store's schema: every table's columns, declared once, and the views over them."""

from __future__ import annotations

from dataclasses import fields

import pyarrow as pa

from pipeline.schema import Citation, Finding
from pipeline.textview import SQL_WHITESPACE, WHITESPACE

_DUCKDB_TYPES = {"str": "VARCHAR", "int": "INTEGER", "float": "DOUBLE", "bool": "BOOLEAN", "list[str]": "VARCHAR[]"}
ARROW_TYPES = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(), "VARCHAR[]": pa.list_(pa.string())}


def columns_of(record_type: type, *, skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Store columns for a schema dataclass: one per field, typed from its annotation."""
    columns = []
    for f in fields(record_type):
        if f.name in skip:
            continue
        base = str(f.type).replace(" | None", "").strip()
        if base not in _DUCKDB_TYPES:
            raise TypeError(f"{record_type.__name__}.{f.name}: no store type for annotation {f.type!r}")
        columns.append((f.name, _DUCKDB_TYPES[base]))
    return columns


# table -> [(column, DuckDB type)]; the one declaration of the store's schema.
TABLES: dict[str, list[tuple[str, str]]] = {
    "documents": [
        ("doc_id", "VARCHAR PRIMARY KEY"),
        ("doc", "VARCHAR NOT NULL"),
        ("path", "VARCHAR NOT NULL"),  # the key of its primary name (see ``names``)
        ("title", "VARCHAR"),
        ("authors", "VARCHAR[]"),
        ("venue", "VARCHAR"),
        ("published", "VARCHAR"),
        ("year", "INTEGER"),
        ("date_source", "VARCHAR"),
        ("date_evidence", "VARCHAR"),
        ("source", "VARCHAR"),
        ("encoding", "VARCHAR"),
        ("n_chars", "INTEGER"),
        ("n_han", "INTEGER"),
        ("n_sentences", "INTEGER"),
        ("metadata", "VARCHAR"),
        ("raw_text", "VARCHAR"),
        ("ingested_at", "TIMESTAMP"),
        ("term_lexicon", "VARCHAR"),  # extract.terms lexicon hash of this document's term_counts
    ],
    "sections": [
        ("doc_id", "VARCHAR NOT NULL"),
        ("idx", "INTEGER NOT NULL"),
        ("kind", "VARCHAR NOT NULL"),
        ("page", "INTEGER"),
        ("start", "INTEGER NOT NULL"),
        ("end", "INTEGER NOT NULL"),
        ("text", "VARCHAR NOT NULL"),
    ],
    "sentences": [
        ("doc_id", "VARCHAR NOT NULL"),
        ("idx", "INTEGER NOT NULL"),
        ("section", "VARCHAR NOT NULL"),
        ("paragraph", "INTEGER NOT NULL"),
        ("page", "INTEGER"),
        ("start", "INTEGER NOT NULL"),
        ("end", "INTEGER NOT NULL"),
        ("text", "VARCHAR NOT NULL"),
        ("simplified", "VARCHAR NOT NULL"),
        ("n_han", "INTEGER NOT NULL"),
        ("spaced", "BOOLEAN NOT NULL"),  # simplified holds whitespace: counting must strip it first
    ],
    "notes": [
        ("doc_id", "VARCHAR NOT NULL"),
        ("idx", "INTEGER NOT NULL"),
        ("marker", "VARCHAR"),
        ("kind", "VARCHAR NOT NULL"),
        ("page", "INTEGER"),
        ("start", "INTEGER NOT NULL"),
        ("end", "INTEGER NOT NULL"),
        ("text", "VARCHAR NOT NULL"),
    ],
    "markers": [
        ("doc_id", "VARCHAR NOT NULL"),
        ("sentence", "INTEGER NOT NULL"),
        ("marker", "VARCHAR NOT NULL"),
        ("position", "INTEGER NOT NULL"),
        ("start", "INTEGER NOT NULL"),
        ("end", "INTEGER NOT NULL"),
        ("page", "INTEGER"),
    ],
    "mentions": [
        ("doc_id", "VARCHAR NOT NULL"),
        ("sentence", "INTEGER NOT NULL"),
        ("kind", "VARCHAR NOT NULL"),
        ("label", "VARCHAR NOT NULL"),
        ("surface", "VARCHAR NOT NULL"),
        ("start", "INTEGER NOT NULL"),
        ("end", "INTEGER NOT NULL"),
    ],
    "stance": [
        ("doc_id", "VARCHAR NOT NULL"),
        ("sentence", "INTEGER NOT NULL"),
        ("label", "VARCHAR NOT NULL"),
        ("source", "VARCHAR NOT NULL"),
        ("evidence", "VARCHAR"),
        ("score", "DOUBLE"),
    ],
    # tracked-term occurrences per sentence (key ``literal:TEXT`` / ``group:ID``), counted at
    # ingest by extract.terms so that ``trend`` reads counts instead of scanning text
    "term_counts": [
        ("doc_id", "VARCHAR NOT NULL"),
        ("sentence", "INTEGER NOT NULL"),
        ("key", "VARCHAR NOT NULL"),
        ("n", "INTEGER NOT NULL"),
    ],
    # citations and findings: one column per field of schema.Citation / schema.Finding
    "citations": [("doc_id", "VARCHAR NOT NULL"), *columns_of(Citation, skip=("doc",))],
    "findings": [("doc_id", "VARCHAR NOT NULL"), *columns_of(Finding, skip=("doc",))],
    # Every name a text was ingested under: a file (its real path) or a record of a JSON Lines
    # file (``FILE#N``, or ``FILE#ID`` with --id-field). Names point at documents; a document is
    # stored once however many names it has, and its ``doc``/``path`` are those of its first name
    # (by file, then line). A re-ingest moves names; documents no name points at are removed.
    "names": [
        ("key", "VARCHAR PRIMARY KEY"),
        ("doc", "VARCHAR NOT NULL"),
        ("file", "VARCHAR NOT NULL"),
        ("line", "INTEGER"),
        ("doc_id", "VARCHAR NOT NULL"),
        ("source_hash", "VARCHAR"),  # hash of the bytes read and of the metadata inputs
        # the metadata this name gives its text (a record's fields, the manifest entry, the file's
        # encoding); the document carries its primary name's
        ("title", "VARCHAR"),
        ("authors", "VARCHAR[]"),
        ("venue", "VARCHAR"),
        ("published", "VARCHAR"),
        ("year", "INTEGER"),
        ("date_source", "VARCHAR"),
        ("date_evidence", "VARCHAR"),
        ("source", "VARCHAR"),
        ("encoding", "VARCHAR"),
        ("metadata", "VARCHAR"),
    ],
}
# The columns a document takes from its primary name.
NAME_META = ("title", "authors", "venue", "published", "year", "date_source", "date_evidence", "source", "encoding", "metadata")
# Views over the tables (created with the schema).
VIEWS = {
    # names other than a document's primary one: the same text seen again
    "duplicates": "SELECT n.key AS path, n.doc, n.doc_id FROM names n JOIN documents d USING (doc_id) WHERE n.key <> d.path",
}
# Columns computed from others when a caller of ``Store.append`` leaves them out.
DERIVED = {"sentences": {"spaced": lambda row: WHITESPACE.search(row["simplified"]) is not None}}
CHILD_TABLES = [name for name in TABLES if name not in ("documents", "names")]
# How a store written before a NOT NULL column existed gets it (``Store.open`` for writing adds
# it): (placeholder constant, the value computed from the row).
UPGRADE_FILL = {("sentences", "spaced"): ("false", f"regexp_matches(simplified, '{SQL_WHITESPACE}')")}


def ddl(name: str, columns: list[tuple[str, str]]) -> str:
    body = ", ".join(f'"{col}" {kind}' for col, kind in columns)
    return f'CREATE TABLE IF NOT EXISTS "{name}" ({body})'
