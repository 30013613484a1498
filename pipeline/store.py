"""The DuckDB store: schema declared once, idempotent per-document writes, Parquet export.

A document is keyed by ``doc_id`` = hash of its raw text. Writing a batch is one
transaction: for each document, the same path with the same hash is a no-op
(``unchanged``), the same path with a new hash replaces the old rows (``replaced``), the same
text under another path is recorded as a ``duplicate`` of the first and not stored twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields, is_dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.errors import StoreError, StoreLockedError
from pipeline.schema import Citation, Finding, ProcessedDocument

_DUCKDB_TYPES = {"str": "VARCHAR", "int": "INTEGER", "float": "DOUBLE", "bool": "BOOLEAN", "list[str]": "VARCHAR[]"}
_ARROW_TYPES = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(), "VARCHAR[]": pa.list_(pa.string())}


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
# Whitespace as the trend counter removes it: ASCII whitespace and Unicode separators.
WHITESPACE = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
# The same class for DuckDB (RE2): its \s lacks \v, \x1c-\x1f and \x85, which Python's has.
SQL_WHITESPACE = r"[\s\p{Z}\x0b\x1c-\x1f\x85]"
# How a store written before a NOT NULL column existed gets it (``Store.open`` for writing adds
# it): (placeholder constant, the value computed from the row).
UPGRADE_FILL = {("sentences", "spaced"): ("false", f"regexp_matches(simplified, '{SQL_WHITESPACE}')")}
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def count_han(text: str) -> int:
    return sum(map(len, _HAN_RUN.findall(text)))  # runs, not characters: far fewer matches


@dataclass(frozen=True)
class WriteOutcome:
    doc: str
    path: str
    status: str  # ingested | unchanged | replaced | duplicate
    detail: str = ""


def _ddl(name: str, columns: list[tuple[str, str]]) -> str:
    body = ", ".join(f'"{col}" {kind}' for col, kind in columns)
    return f'CREATE TABLE IF NOT EXISTS "{name}" ({body})'


class Store:
    """A DuckDB file. Open with ``Store.open(path)``; use as a context manager."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str, read_only: bool):
        self.con = con
        self.path = path
        self.read_only = read_only
        self._columns: dict[str, set[str]] | None = None  # table -> columns, read on first use

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False) -> "Store":
        path = str(path)
        if read_only and not Path(path).exists():
            raise StoreError(f"{path}: no store here yet; run `policytext ingest` first (or pass --db)")
        try:
            con = duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as exc:
            message = str(exc)
            if "lock" in message.lower():
                holder = re.search(r"PID (\d+)", message)
                who = f" (process {holder.group(1)})" if holder else ""
                raise StoreLockedError(
                    f"{path}: the store is in use by another policytext process{who}; "
                    "wait for it to finish, or use another --db"
                ) from exc
            raise StoreError(f"{path}: cannot open store ({message})") from exc
        except duckdb.Error as exc:
            raise StoreError(f"{path}: not a policytext store ({exc})") from exc
        store = cls(con, path, read_only)
        if not read_only:
            store.create_schema()
        return store

    def create_schema(self) -> None:
        """Create missing tables and views; add the columns a store written by an older
        version lacks; move an older store's ``duplicates`` table into ``names``."""
        with self.transaction():
            present = self._read_columns()
            old_duplicates = "duplicates" in present and self._is_table("duplicates")
            for name, columns in TABLES.items():
                if name not in present:
                    self.con.execute(_ddl(name, columns))
                    continue
                for column, kind in columns:
                    if column not in present[name]:
                        self._add_column(name, column, kind)
            if old_duplicates:
                self._migrate_duplicates()
            if "documents" in present and "names" not in present:
                self._names_from_documents()
            for name, sql in VIEWS.items():
                self.con.execute(f'CREATE OR REPLACE VIEW "{name}" AS {sql}')
        self._columns = None

    def _is_table(self, name: str) -> bool:
        row = self.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name = ?", [name]
        ).fetchone()
        return bool(row[0])

    def _names_from_documents(self) -> None:
        """A store written before ``names`` existed: each document's path becomes its name."""
        meta = ", ".join(f'"{c}"' for c in NAME_META)
        self.con.execute(
            f"INSERT INTO names (key, doc, file, line, doc_id, source_hash, {meta}) SELECT path, doc, split_part(path, '#', 1), "
            f"TRY_CAST(nullif(split_part(path, '#', 2), '') AS INTEGER), doc_id, NULL, {meta} FROM documents "
            "ON CONFLICT DO NOTHING"
        )

    def _migrate_duplicates(self) -> None:
        meta = ", ".join(f'd."{c}"' for c in NAME_META)
        self.con.execute(
            f"INSERT INTO names (key, doc, file, line, doc_id, source_hash, {', '.join(NAME_META)}) "
            "SELECT x.path, x.doc, split_part(x.path, '#', 1), TRY_CAST(nullif(split_part(x.path, '#', 2), '') AS INTEGER), "
            f"x.doc_id, NULL, {meta} FROM duplicates x JOIN documents d USING (doc_id) ON CONFLICT DO NOTHING"
        )
        self.con.execute("DROP TABLE duplicates")

    def _add_column(self, table: str, column: str, kind: str) -> None:
        base = kind.replace("NOT NULL", "").replace("PRIMARY KEY", "").replace("UNIQUE", "").strip()
        if "NOT NULL" not in kind:
            self.con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {base}')
            return
        if (table, column) not in UPGRADE_FILL:
            raise StoreError(f"{self.path}: cannot add {table}.{column} to this older store: no rule to fill it")
        placeholder, value = UPGRADE_FILL[table, column]
        # NOT NULL with a placeholder, then the real values: DuckDB cannot SET NOT NULL after an
        # UPDATE in the same transaction.
        self.con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {base} NOT NULL DEFAULT {placeholder}')
        self.con.execute(f'UPDATE "{table}" SET "{column}" = {value}')
        self.con.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" DROP DEFAULT')

    def _read_columns(self) -> dict[str, set[str]]:
        rows = self.con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'main'"
        ).fetchall()
        present: dict[str, set[str]] = {}
        for table, column in rows:
            present.setdefault(table, set()).add(column)
        return present

    def has_columns(self, table: str, *columns: str) -> bool:
        """Whether the store has ``table`` with these columns (an older store may not)."""
        if self._columns is None:
            self._columns = self._read_columns()
        return table in self._columns and set(columns) <= self._columns[table]

    def require_columns(self, table: str, *columns: str) -> None:
        if not self.has_columns(table, *columns):
            raise StoreError(
                f"{self.path}: the store was written by an older policytext and lacks {table}."
                f"{'/'.join(columns) if columns else ''}; open it once for writing to upgrade it "
                "(e.g. `policytext ingest --db FILE` of any file)"
            )

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # -- writes ---------------------------------------------------------------------------

    def names_of(self, keys: Sequence[str]) -> dict[str, str]:
        """key -> doc_id of the stored names among ``keys`` (one query)."""
        if not keys:
            return {}
        return dict(self.con.execute("SELECT key, doc_id FROM names WHERE list_contains(?, key)", [list(keys)]).fetchall())

    def sources_of(self, keys: Sequence[str]) -> dict[str, str]:
        """key -> source hash of the stored names among ``keys`` that have one."""
        if not keys:
            return {}
        rows = self.con.execute(
            "SELECT key, source_hash FROM names WHERE list_contains(?, key) AND source_hash IS NOT NULL", [list(keys)]
        ).fetchall()
        return dict(rows)

    def names_of_sources(self, source_hashes: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """source hash -> (doc_id, metadata columns) of a stored name read from exactly those
        bytes with the same metadata inputs (a record that moved), for these hashes."""
        if not source_hashes:
            return {}
        columns = ", ".join(f'"{c}"' for c in NAME_META)
        cursor = self.con.execute(
            f"SELECT source_hash, doc_id, {columns} FROM names WHERE list_contains(?, source_hash) "
            "AND doc_id IN (SELECT doc_id FROM documents) QUALIFY row_number() OVER (PARTITION BY source_hash ORDER BY key) = 1",
            [list(source_hashes)],
        )
        return {row[0]: (row[1], dict(zip(NAME_META, row[2:]))) for row in cursor.fetchall()}

    def write_batch(self, documents: Sequence[ProcessedDocument]) -> list[WriteOutcome]:
        """Write processed documents in one transaction (see ``write_prepared``)."""
        return self.write_prepared(prepare_batch(documents))

    def write_prepared(self, batch: "PreparedBatch") -> list[WriteOutcome]:
        """Write a prepared batch in one transaction.

        Each name of the batch is pointed at its text: a text not stored yet is inserted (once,
        however many names carry it); a text already stored is not stored again. A name that
        pointed at another text before is moved, and the text it left stays until
        :meth:`remove_unnamed` (after the whole run: a later batch may point a name at it).
        The name's outcome: ``ingested`` (new name), ``unchanged``, ``replaced`` (its text
        changed) or ``duplicate`` (its text is stored under another, primary name)."""
        outcomes: list[WriteOutcome] = []
        with self.transaction():
            before = self.names_of([k.path for k in batch.keys])
            ids = list(dict.fromkeys(k.doc_id for k in batch.keys))
            # a name that points at its text already is left as it is: a re-ingest of a large
            # unchanged dump rewrites nothing
            # names known by their bytes copy the metadata of a stored name with those bytes: before
            # the processed names of this batch overwrite any of them
            known = [k for k in batch.keys if not k.processed and before.get(k.path) != k.doc_id]
            if known:
                self._upsert_known_names(known)
            if batch.tables.get("names") is not None and batch.tables["names"].num_rows:
                self._upsert_names(batch.tables["names"])
            stored = {row[0] for row in self.con.execute("SELECT doc_id FROM documents WHERE list_contains(?, doc_id)", [ids]).fetchall()}
            missing = [k for k in batch.keys if not k.processed and k.doc_id not in stored]
            if missing:  # the driver knew this text by its bytes, but it is gone: never leave a dangling name
                raise StoreError(f"{self.path}: {missing[0].doc}: its text {missing[0].doc_id} is no longer stored; re-run the ingest")
            self._update_primary(list(stored) + [d for d in before.values() if d not in stored])
            primary = dict(self.con.execute("SELECT doc_id, path FROM documents WHERE list_contains(?, doc_id)", [ids]).fetchall())
            # a processed text whose primary name is this one (new metadata, or the name took it
            # over from a name that moved away) replaces its stored rows
            refreshed = list(dict.fromkeys(k.doc_id for k in batch.keys if k.processed and primary.get(k.doc_id) == k.path))
            if refreshed:
                self._delete_documents(refreshed)
            inserted = [d for d in dict.fromkeys(k.doc_id for k in batch.keys if k.processed) if d not in stored]
            wanted = inserted + refreshed
            if wanted:
                value_set = pa.array(wanted)
                for table, arrow in batch.tables.items():
                    if table != "names" and arrow.num_rows:
                        if len(wanted) != len(ids):
                            arrow = arrow.filter(pc.is_in(arrow["doc_id"], value_set=value_set))
                        self.append_arrow(table, arrow)
                self._update_primary(wanted)
                primary.update(self.con.execute("SELECT doc_id, path FROM documents WHERE list_contains(?, doc_id)", [wanted]).fetchall())
            for k in batch.keys:
                old = before.get(k.path)
                if old == k.doc_id:
                    status, detail = "unchanged", ""
                elif primary.get(k.doc_id) not in (None, k.path):
                    status, detail = "duplicate", f"same text as {self._doc_of(primary[k.doc_id])}"
                else:
                    status, detail = ("replaced" if old is not None else "ingested"), ""
                outcomes.append(WriteOutcome(k.doc, k.path, status, detail))
        return outcomes

    def _upsert_names(self, names: pa.Table) -> None:
        columns = ", ".join(f'"{c}"' for c, _ in TABLES["names"])
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c, _ in TABLES["names"] if c != "key")
        self.con.register("_names", names)
        try:
            self.con.execute(f"INSERT INTO names ({columns}) SELECT {columns} FROM _names ON CONFLICT (key) DO UPDATE SET {updates}")
        finally:
            self.con.unregister("_names")

    def _upsert_known_names(self, keys: Sequence["DocKey"]) -> None:
        """Names of records whose exact bytes (and metadata inputs) were stored under another
        name when the driver looked: their metadata is that name's, carried in the key."""
        types = dict(TABLES["names"])
        columns: dict[str, list[Any]] = {
            "key": [k.path for k in keys], "doc": [k.doc for k in keys], "file": [k.file for k in keys],
            "line": [k.line for k in keys], "doc_id": [k.doc_id for k in keys], "source_hash": [k.source_hash for k in keys],
        }
        for c in NAME_META:
            columns[c] = [(k.meta or {}).get(c) for k in keys]
        arrow = pa.table({c: pa.array(v, _ARROW_TYPES[types[c].split()[0]]) for c, v in columns.items()})
        self._upsert_names(arrow)

    def _doc_of(self, path: str) -> str:
        row = self.con.execute("SELECT doc FROM names WHERE key = ?", [path]).fetchone()
        return row[0] if row else path

    def _update_primary(self, doc_ids: Sequence[str]) -> None:
        """Give these documents the doc/path of their first name (by file, then line, then key)."""
        if not doc_ids:
            return
        sets = ", ".join(f'"{c}" = p."{c}"' for c in ("doc", *NAME_META))
        self.con.execute(
            f"UPDATE documents SET path = p.key, {sets} FROM ("
            "  SELECT * FROM names WHERE list_contains(?, doc_id)"
            "  QUALIFY row_number() OVER (PARTITION BY doc_id ORDER BY file, coalesce(line, 0), key) = 1"
            ") p WHERE documents.doc_id = p.doc_id",
            [list(doc_ids)],
        )

    def _delete_documents(self, doc_ids: Sequence[str]) -> None:
        for table in CHILD_TABLES:
            self.con.execute(f'DELETE FROM "{table}" WHERE list_contains(?, doc_id)', [list(doc_ids)])
        self.con.execute("DELETE FROM documents WHERE list_contains(?, doc_id)", [list(doc_ids)])

    def remove_names(self, *, file: str | None = None, folder: str | None = None, keep: Iterable[str] = ()) -> int:
        """Delete the names of ``file`` (or of every file under ``folder``) that are not in
        ``keep``: what a re-ingest of that file or folder no longer holds. Returns how many."""
        if (file is None) == (folder is None):
            raise ValueError("remove_names: give file or folder")
        keep_table = pa.table({"key": pa.array(list(keep), pa.string())})
        self.con.register("_keep", keep_table)
        try:
            where = "file = ?" if file is not None else "starts_with(file, ?)"
            arg = file if file is not None else folder.rstrip("/") + "/"
            with self.transaction():
                doomed = self.con.execute(
                    f"SELECT key, doc_id FROM names WHERE {where} AND key NOT IN (SELECT key FROM _keep)", [arg]
                ).fetchall()
                if doomed:
                    self.con.execute(f"DELETE FROM names WHERE {where} AND key NOT IN (SELECT key FROM _keep)", [arg])
                    self._update_primary(list({d for _, d in doomed}))
        finally:
            self.con.unregister("_keep")
        return len(doomed)

    def remove_unnamed(self) -> int:
        """Delete the documents no name points at (texts every name of which moved or went
        away) with their rows, in one transaction. Returns how many."""
        with self.transaction():
            ids = [r[0] for r in self.con.execute("SELECT doc_id FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM names)").fetchall()]
            if ids:
                self._delete_documents(ids)
        return len(ids)

    def append_arrow(self, table: str, arrow: pa.Table) -> None:
        columns = [name for name, _ in TABLES[table]]
        if arrow.column_names != columns:
            raise StoreError(f"table {table}: columns {arrow.column_names} do not match the schema {columns}")
        self.con.register("_incoming", arrow)
        try:
            quoted = ", ".join(f'"{c}"' for c in columns)
            self.con.execute(f'INSERT INTO "{table}" ({quoted}) SELECT {quoted} FROM _incoming')
        finally:
            self.con.unregister("_incoming")

    def append(self, table: str, records: list[dict[str, Any]]) -> None:
        """Insert records (dicts with the table's columns) in one statement."""
        columns = [name for name, _ in TABLES[table]]
        unknown = set(records[0]) - set(columns)
        if unknown:
            raise StoreError(f"table {table}: unknown columns {sorted(unknown)}")
        for column, derive in DERIVED.get(table, {}).items():
            records = [r if column in r else {**r, column: derive(r)} for r in records]
        self.append_arrow(table, pa.table({col: [r.get(col) for r in records] for col in columns}))

    # -- reads ----------------------------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        cursor = self.con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def table_counts(self) -> dict[str, int]:
        return {name: self.con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in TABLES}

    def export_parquet(self, out_dir: str | Path, tables: Iterable[str] | None = None) -> dict[str, Path]:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = {}
        for table in tables or TABLES:
            target = out / f"{table}.parquet"
            self.con.execute(f"COPY (SELECT * FROM \"{table}\") TO '{_sql_path(target)}' (FORMAT PARQUET)")
            written[table] = target
        return written


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


@dataclass(frozen=True)
class DocKey:
    """One name of a batch: ``path`` is the name's key (see ``names``), ``doc_id`` its text.
    ``processed`` is false for a name whose text the driver found stored already."""

    doc: str
    path: str
    doc_id: str
    file: str = ""
    line: int | None = None
    source_hash: str | None = None
    processed: bool = True
    meta: dict[str, Any] | None = None  # NAME_META of a name not processed (copied from a stored name)


@dataclass
class PreparedBatch:
    """Processed documents turned into Arrow tables, ready for one transaction.

    Built where the CPU work happens (a worker process), written by the single writer."""

    keys: list[DocKey]
    tables: dict[str, pa.Table]


class _Columns:
    """Column lists of one table, filled row by row (cheaper than a dict per row)."""

    def __init__(self, table: str):
        self.names = [name for name, _ in TABLES[table]]
        self.lists = [[] for _ in self.names]

    def add(self, *values: Any) -> None:
        for column, value in zip(self.lists, values, strict=True):
            column.append(value)

    def extend(self, n: int, *columns: Any) -> None:
        """Add ``n`` rows given column by column: a list of ``n`` values, or one value for all."""
        for column, values in zip(self.lists, columns, strict=True):
            column.extend(values if isinstance(values, list) else [values] * n)

    def arrow(self) -> pa.Table:
        return pa.table(dict(zip(self.names, self.lists)))


def _record_values(record: Any, names: list[str], doc_id: str) -> list[Any]:
    """A Citation/Finding as store values: ``doc_id`` for ``doc_id``, the field otherwise
    (one level of ``asdict``: nested dataclasses and lists are converted too)."""
    return [doc_id if name == "doc_id" else _plain(getattr(record, name)) for name in names]


def _plain(value: Any) -> Any:
    if is_dataclass(value):
        return asdict(value)
    return list(value) if isinstance(value, (list, tuple)) else value


def prepare_batch(documents: Sequence[ProcessedDocument]) -> PreparedBatch:
    """Rows of every table for these documents; a text repeated inside the batch is kept once."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    cols = {name: _Columns(name) for name in TABLES}
    keys: list[DocKey] = []
    seen: set[str] = set()
    for d in documents:
        doc_id = d.content_hash
        m = d.meta
        extra = json.dumps(d.extra, ensure_ascii=False, default=str)
        keys.append(DocKey(d.doc, d.path, doc_id, d.file, d.line, d.source_hash))
        cols["names"].add(
            d.path, d.doc, d.file, d.line, doc_id, d.source_hash, m.title, list(m.authors), m.venue, m.published, m.year,
            m.date_source, m.date_evidence, m.source, d.encoding, extra,
        )
        if doc_id in seen:
            continue
        seen.add(doc_id)
        ss, sts, tcs = d.sentences, d.stance, d.term_counts  # the big tables: filled column by column
        texts = [s.text for s in ss]
        hans = [count_han(t) for t in texts]
        n_han = sum(hans)
        simplified = [s.simplified for s in ss]
        cols["sentences"].extend(
            len(ss), doc_id, [s.index for s in ss], [s.section for s in ss], [s.paragraph for s in ss], [s.page for s in ss],
            [s.start for s in ss], [s.end for s in ss], texts, simplified, hans,
            [WHITESPACE.search(t) is not None for t in simplified],
        )
        cols["stance"].extend(
            len(sts), doc_id, [st.sentence for st in sts], [st.label for st in sts], [st.source for st in sts],
            [st.evidence for st in sts], [st.score for st in sts],
        )
        cols["term_counts"].extend(len(tcs), doc_id, [t.sentence for t in tcs], [t.key for t in tcs], [t.n for t in tcs])
        cols["documents"].add(
            doc_id, d.doc, d.path, m.title, list(m.authors), m.venue, m.published, m.year, m.date_source,
            m.date_evidence, m.source, d.encoding, len(d.raw_text), n_han, len(d.sentences), extra, d.raw_text, now,
            d.term_lexicon,
        )
        for s in d.sections:
            cols["sections"].add(doc_id, s.index, s.kind, s.page, s.start, s.end, s.text)
        for n in d.notes:
            cols["notes"].add(doc_id, n.index, n.marker, n.kind, n.page, n.start, n.end, n.text)
        for mk in d.markers:
            cols["markers"].add(doc_id, mk.sentence, mk.marker, mk.position, mk.start, mk.end, mk.page)
        for mn in d.mentions:
            cols["mentions"].add(doc_id, mn.sentence, mn.kind, mn.label, mn.surface, mn.start, mn.end)
        for table, records in (("citations", d.citations), ("findings", d.findings)):
            for record in records:
                cols[table].add(*_record_values(record, cols[table].names, doc_id))
    return PreparedBatch(keys, {table: c.arrow() for table, c in cols.items()})
