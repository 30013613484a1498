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
        ("path", "VARCHAR NOT NULL UNIQUE"),
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
    "duplicates": [
        ("path", "VARCHAR PRIMARY KEY"),
        ("doc", "VARCHAR NOT NULL"),
        ("doc_id", "VARCHAR NOT NULL"),
    ],
}
# Columns computed from others when a caller of ``Store.append`` leaves them out.
DERIVED = {"sentences": {"spaced": lambda row: WHITESPACE.search(row["simplified"]) is not None}}
CHILD_TABLES = [name for name in TABLES if name not in ("documents", "duplicates")]
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
        """Create missing tables; add the columns a store written by an older version lacks."""
        with self.transaction():
            present = self._read_columns()
            for name, columns in TABLES.items():
                if name not in present:
                    self.con.execute(_ddl(name, columns))
                    continue
                for column, kind in columns:
                    if column not in present[name]:
                        self._add_column(name, column, kind)
        self._columns = None

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

    def known_paths(self) -> dict[str, str]:
        """path -> doc_id of every stored document (and recorded duplicate)."""
        rows = self.con.execute("SELECT path, doc_id FROM documents UNION ALL SELECT path, doc_id FROM duplicates").fetchall()
        return dict(rows)

    def write_batch(self, documents: Sequence[ProcessedDocument]) -> list[WriteOutcome]:
        """Write processed documents in one transaction (see ``write_prepared``)."""
        return self.write_prepared(prepare_batch(documents))

    def write_prepared(self, batch: "PreparedBatch") -> list[WriteOutcome]:
        """Write a prepared batch in one transaction; per document: no-op, replace or duplicate."""
        outcomes: list[WriteOutcome] = []
        insert_ids: list[str] = []
        with self.transaction():
            batch_first: dict[str, str] = {}
            # Two queries per batch instead of two per document; after a replacement (which
            # deletes rows) the lookups go back to one query per document.
            by_path, by_text = self._lookup(batch.keys)
            changed = False
            for key in batch.keys:
                if changed:
                    existing = self.con.execute(
                        "SELECT doc_id FROM documents WHERE path = ? UNION ALL SELECT doc_id FROM duplicates WHERE path = ?",
                        [key.path, key.path],
                    ).fetchone()
                else:
                    existing = (by_path[key.path],) if key.path in by_path else None
                if existing and existing[0] == key.doc_id:
                    outcomes.append(WriteOutcome(key.doc, key.path, "unchanged"))
                    continue
                replaced = existing is not None
                if replaced:
                    self._delete_path(key.path, existing[0])
                    changed = True
                if changed:
                    same_text = self.con.execute("SELECT doc FROM documents WHERE doc_id = ?", [key.doc_id]).fetchone()
                else:
                    same_text = (by_text[key.doc_id],) if key.doc_id in by_text else None
                first = same_text[0] if same_text else batch_first.get(key.doc_id)
                if first is not None:
                    self.con.execute("INSERT INTO duplicates VALUES (?, ?, ?)", [key.path, key.doc, key.doc_id])
                    by_path[key.path] = key.doc_id
                    outcomes.append(WriteOutcome(key.doc, key.path, "duplicate", f"same text as {first}"))
                    continue
                batch_first[key.doc_id] = key.doc
                insert_ids.append(key.doc_id)
                outcomes.append(WriteOutcome(key.doc, key.path, "replaced" if replaced else "ingested"))
            if insert_ids:
                wanted = pa.array(insert_ids)
                for table, arrow in batch.tables.items():
                    if arrow.num_rows:
                        if len(insert_ids) != len(batch.keys):
                            arrow = arrow.filter(pc.is_in(arrow["doc_id"], value_set=wanted))
                        self.append_arrow(table, arrow)
        return outcomes

    def _lookup(self, keys: Sequence["DocKey"]) -> tuple[dict[str, str], dict[str, str]]:
        """Stored path -> doc_id (documents and duplicates) and doc_id -> doc for these keys."""
        if not keys:
            return {}, {}
        paths = [k.path for k in keys]
        by_path = dict(self.con.execute("SELECT path, doc_id FROM duplicates WHERE list_contains(?, path)", [paths]).fetchall())
        by_path.update(self.con.execute("SELECT path, doc_id FROM documents WHERE list_contains(?, path)", [paths]).fetchall())
        ids = [k.doc_id for k in keys]
        by_text = dict(self.con.execute("SELECT doc_id, doc FROM documents WHERE list_contains(?, doc_id)", [ids]).fetchall())
        return by_path, by_text

    def _delete_path(self, path: str, doc_id: str) -> None:
        self.con.execute("DELETE FROM duplicates WHERE path = ?", [path])
        owner = self.con.execute("SELECT path FROM documents WHERE doc_id = ?", [doc_id]).fetchone()
        if owner and owner[0] == path:
            for table in CHILD_TABLES:
                self.con.execute(f'DELETE FROM "{table}" WHERE doc_id = ?', [doc_id])
            self.con.execute("DELETE FROM documents WHERE doc_id = ?", [doc_id])

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
    doc: str
    path: str
    doc_id: str


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
    cols = {name: _Columns(name) for name in TABLES if name != "duplicates"}
    keys: list[DocKey] = []
    seen: set[str] = set()
    for d in documents:
        doc_id = d.content_hash
        keys.append(DocKey(d.doc, d.path, doc_id))
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
        m = d.meta
        cols["documents"].add(
            doc_id, d.doc, d.path, m.title, list(m.authors), m.venue, m.published, m.year, m.date_source,
            m.date_evidence, m.source, d.encoding, len(d.raw_text), n_han, len(d.sentences),
            json.dumps(d.extra, ensure_ascii=False, default=str), d.raw_text, now, d.term_lexicon,
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
