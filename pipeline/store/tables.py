"""The store's schema, derived from the record types of :mod:`pipeline.schema` (one
declaration each): every table's columns, the views over them, the DDL, how an older store is
upgraded, and the schema table of the README (:func:`schema_markdown`)."""

from __future__ import annotations

import pyarrow as pa

from pipeline.schema import TABLE_SPECS, ColumnSpec, TableSpec, columns_of
from pipeline.textview import SQL_WHITESPACE

SPECS: dict[str, TableSpec] = {spec.name: spec for spec in TABLE_SPECS}
COLUMNS: dict[str, list[ColumnSpec]] = {spec.name: columns_of(spec) for spec in TABLE_SPECS}
# table -> [(column, DuckDB type)]
TABLES: dict[str, list[tuple[str, str]]] = {name: [(c.name, c.sql) for c in cols] for name, cols in COLUMNS.items()}
CHILD_TABLES = [spec.name for spec in TABLE_SPECS if spec.per_document]
STAGE_TABLES = {spec.stage: spec.name for spec in TABLE_SPECS if spec.stage}
# The columns a document takes from its primary name.
NAME_META = tuple(c.name for c in COLUMNS["names"] if c.path[:1] == ("meta",)) + ("encoding", "metadata")

VIEWS = {
    # names other than a document's primary one: the same text seen again
    "duplicates": "SELECT n.key AS path, n.doc, n.doc_id FROM names n JOIN documents d USING (doc_id) WHERE n.key <> d.path",
}

# How a store written before a NOT NULL column existed gets it (``Store.open`` for writing adds
# it): (placeholder constant, the value computed from the row).
UPGRADE_FILL = {("sentences", "spaced"): ("false", f"regexp_matches(simplified, '{SQL_WHITESPACE}')")}
# Columns an older version had under another name: (table, old) -> new.
RENAMED = {("documents", "term_lexicon"): "terms_version"}

ARROW_TYPES = {
    "VARCHAR": pa.string(), "INTEGER": pa.int32(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(),
    "VARCHAR[]": pa.list_(pa.string()), "TIMESTAMP": pa.timestamp("us"),
}


def arrow_type(sql: str) -> pa.DataType:
    return ARROW_TYPES[sql.replace("NOT NULL", "").replace("PRIMARY KEY", "").strip()]


def arrow_schema(table: str) -> pa.Schema:
    return pa.schema([(c.name, arrow_type(c.sql)) for c in COLUMNS[table]])


def ddl(name: str, columns: list[tuple[str, str]]) -> str:
    body = ", ".join(f'"{col}" {kind}' for col, kind in columns)
    return f'CREATE TABLE IF NOT EXISTS "{name}" ({body})'


def schema_markdown() -> str:
    """The README's table of the store: one line per table with its columns."""
    lines = ["| table | one row per | columns |", "|---|---|---|"]
    for spec in TABLE_SPECS:
        cols = ", ".join(f"`{c.name}`" for c in COLUMNS[spec.name])
        lines.append(f"| `{spec.name}` | {spec.rows} | {cols} |")
    return "\n".join(lines)


def columns_markdown() -> str:
    """Every column with its type and meaning (the data card and `policytext schema`)."""
    lines = []
    for spec in TABLE_SPECS:
        lines += [f"### `{spec.name}` — one row per {spec.rows}", "", "| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{c.name}` | {c.sql.split()[0]} | {c.doc} |" for c in COLUMNS[spec.name]]
        lines.append("")
    return "\n".join(lines)
