"""The DuckDB store: idempotent per-document writes of prepared batches, reads, Parquet export.

A document is keyed by ``doc_id`` = hash of its raw text (``schema.content_hash``); the files
and records it was read from are its names (table ``names``). Writing a batch is one
transaction (see :meth:`Store.write_prepared`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.errors import StoreError, StoreLockedError
from pipeline.schema import ProcessedDocument
from pipeline.store.batch import DocKey, PreparedBatch, WriteOutcome, prepare_batch
from pipeline.store.tables import CHILD_TABLES, COLUMNS, NAME_META, RENAMED, TABLES, UPGRADE_FILL, VIEWS, arrow_schema, arrow_type, ddl

_SAFE_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
_DUCKDB_HEADER = 3 * 4096  # the file header and two database headers before the first block


def damaged(path: str, detail: str) -> str:
    return (f"{path}: the store file is damaged ({fault_reason(detail)}); restore it from a backup, or re-ingest "
            "into a new --db (this file is left as it is)")


def fault_reason(message: str) -> str:
    """DuckDB's message, first line only, without its class prefix."""
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    return re.sub(r"^[A-Za-z ]*Error: ", "", first)[:300]


def check_store_file(path: str) -> None:
    """Refuse, before DuckDB sees it, a --db that cannot be a store: empty or in-memory names,
    folders, and files that are not DuckDB files (DuckDB would read a SQLite file through an
    extension it downloads)."""
    if not path.strip() or path.strip().lower().startswith(":memory:"):
        raise StoreError(f"--db {path!r}: name a store file (an in-memory store would keep nothing)")
    target = Path(path)
    if target.is_dir():
        raise StoreError(f"{path}: is a folder; --db names a store file")
    if not target.exists() or target.stat().st_size == 0:
        return
    try:
        with target.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the store file ({exc.strerror or exc})") from exc
    if head.startswith(b"SQLite format 3"):
        raise StoreError(f"{path}: a SQLite database, not a policytext store; choose another --db")
    if len(head) < 12 or head[8:12] != b"DUCK":
        raise StoreError(f"{path}: not a DuckDB file, so not a policytext store; choose another --db (the file is left as it is)")


def _verify(con: duckdb.DuckDBPyConnection, path: str, existed: bool) -> None:
    """A store file shorter than its own block count says is truncated; a DuckDB file with
    tables but no ``documents`` belongs to something else."""
    if not existed:
        return
    try:
        row = con.execute("SELECT block_size, total_blocks FROM pragma_database_size() WHERE database_name = current_database()").fetchone()
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()}
    except duckdb.Error as exc:
        raise StoreError(damaged(path, str(exc))) from exc
    if row is not None and not Path(path + ".wal").exists():  # a pending WAL may add blocks
        # a DuckDB file is its headers plus whole blocks (the tail may be unwritten free blocks,
        # so the block count is no lower bound): a size off that grid is a cut file
        size = Path(path).stat().st_size
        block = int(row[0])
        if size < _DUCKDB_HEADER or (size - _DUCKDB_HEADER) % block:
            raise StoreError(damaged(path, f"truncated: {size:,} bytes is not a whole number of {block:,}-byte blocks"))
    if tables and "documents" not in tables:
        raise StoreError(f"{path}: a DuckDB file without policytext tables ({', '.join(sorted(tables)[:5])}); "
                         "choose another --db (the file is left as it is)")


def committed_documents(path: str | Path) -> int | None:
    """How many documents the store at ``path`` holds as committed (None when it cannot tell)."""
    try:
        con = duckdb.connect(str(path), read_only=True, config=_SAFE_CONFIG)
    except duckdb.Error:
        return None
    try:
        return int(con.execute("SELECT count(*) FROM documents").fetchone()[0])
    except duckdb.Error:
        return None
    finally:
        con.close()


def translate_fault(exc: BaseException, db: str | None = None) -> StoreError | None:
    """One line for a store or file-system fault raised anywhere in a command: a full disk, a
    read-only or unwritable folder, a damaged store. None when ``exc`` is not such a fault."""
    import errno as errno_codes

    where = f"{db}: " if db else ""
    if isinstance(exc, OSError):
        name = exc.filename or db or "?"
        if exc.errno == errno_codes.ENOSPC:
            return StoreError(f"{name}: no space left on the device" + _committed_note(db))
        if exc.errno in (errno_codes.EACCES, errno_codes.EPERM, errno_codes.EROFS):
            return StoreError(f"{name}: cannot write here ({exc.strerror}); choose another folder or fix its permissions")
        return StoreError(f"{name}: {exc.strerror or exc}")
    if isinstance(exc, duckdb.Error):
        message = str(exc)
        low = message.lower()
        if "no space left" in low or "disk is full" in low:
            return StoreError(f"{where}no space left on the device" + _committed_note(db))
        if "permission denied" in low or "read-only file system" in low:
            return StoreError(f"{where}cannot write the store ({fault_reason(message)}); choose another --db or fix the folder's permissions")
        if any(word in low for word in ("corrupt", "checksum", "could not read enough bytes", "invalid", "serializ", "internal")):
            return StoreError(damaged(db or "the store", message))
        return StoreError(f"{where}store error ({fault_reason(message)})")
    return None


def _committed_note(db: str | None) -> str:
    if not db:
        return ""
    count = committed_documents(db)
    if count is None:
        return "; free some space and re-run"
    return f"; the store keeps its last committed state ({count} documents committed); free some space and re-run to continue"


class Store:
    """A DuckDB file. Open with ``Store.open(path)``; use as a context manager."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str, read_only: bool):
        self.con = con
        self.path = path
        self.read_only = read_only
        self._columns: dict[str, set[str]] | None = None  # table -> columns, read on first use

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False) -> "Store":
        """Open the store at ``path``. Anything that is not a policytext store (no file name,
        ``:memory:``, a SQLite or other file, a DuckDB file of something else, a truncated or
        damaged store) is a StoreError saying so; such a file is never written."""
        path = str(path)
        check_store_file(path)
        if read_only and not Path(path).exists():
            raise StoreError(f"{path}: no store here yet; run `policytext ingest` first (or pass --db)")
        existed = Path(path).exists() and Path(path).stat().st_size > 0
        try:
            # never fetch or load an extension because of what a file looks like
            con = duckdb.connect(path, read_only=read_only, config=_SAFE_CONFIG)
        except duckdb.IOException as exc:
            message = str(exc)
            if "lock" in message.lower():
                holder = re.search(r"PID (\d+)", message)
                who = f" (process {holder.group(1)})" if holder else ""
                raise StoreLockedError(
                    f"{path}: the store is in use by another policytext process{who}; "
                    "wait for it to finish, or use another --db"
                ) from exc
            raise StoreError(f"{path}: cannot open store ({fault_reason(message)})") from exc
        except duckdb.Error as exc:
            raise StoreError(damaged(path, str(exc))) from exc
        try:
            _verify(con, path, existed)
        except BaseException:
            con.close()
            raise
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
                    self.con.execute(ddl(name, columns))
                    continue
                for column, kind in columns:
                    if column not in present[name]:
                        self._add_column(name, column, kind)
                for (table, old), new in RENAMED.items():
                    if table == name and old in present[name]:
                        self.con.execute(f'UPDATE "{table}" SET "{new}" = "{old}"')
                        self.con.execute(f'ALTER TABLE "{table}" DROP COLUMN "{old}"')
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
        columns: dict[str, list[Any]] = {
            "key": [k.path for k in keys], "doc": [k.doc for k in keys], "file": [k.file for k in keys],
            "line": [k.line for k in keys], "doc_id": [k.doc_id for k in keys], "source_hash": [k.source_hash for k in keys],
        }
        for c in NAME_META:
            columns[c] = [(k.meta or {}).get(c) for k in keys]
        schema = arrow_schema("names")
        self._upsert_names(pa.table({f.name: pa.array(columns[f.name], f.type) for f in schema}))

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
        """Insert rows given as dicts of column values in one statement (tests, synthetic stores).
        A computed column left out is computed from the row (``sentences.n_han``, ``spaced``)."""
        columns = COLUMNS[table]
        unknown = set(records[0]) - {c.name for c in columns}
        if unknown:
            raise StoreError(f"table {table}: unknown columns {sorted(unknown)}")
        values = {}
        for c in columns:
            if c.computed is not None and c.name not in records[0]:
                values[c.name] = [c.computed.value(SimpleNamespace(**r), None) for r in records]
            else:
                values[c.name] = [r.get(c.name) for r in records]
        self.append_arrow(table, pa.table({c.name: pa.array(values[c.name], arrow_type(c.sql)) for c in columns}))

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


