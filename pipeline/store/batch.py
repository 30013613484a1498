"""Processed documents as Arrow tables, ready for one transaction: built where the CPU work
happens (a worker process), written by the single writer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from operator import attrgetter
from typing import Any, Sequence

import pyarrow as pa

from pipeline import jsonsafe
from pipeline.schema import STAGES, Document, Name, ProcessedDocument
from pipeline.store.tables import CHILD_TABLES, COLUMNS, SPECS, TABLES, arrow_type


@dataclass(frozen=True)
class WriteOutcome:
    doc: str
    path: str
    status: str  # ingested | unchanged | replaced | duplicate
    detail: str = ""


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


def _getter(path: tuple[str, ...]):
    return attrgetter(".".join(path))


class TableBuilder:
    """The column lists of one table, filled a document's records at a time, column by column
    (one list comprehension per column: far cheaper than a dict per row)."""

    def __init__(self, table: str):
        self.spec = SPECS[table]
        self.columns = COLUMNS[table]
        self.lists: list[list[Any]] = [[] for _ in self.columns]
        self._get = [_getter(c.path) if c.path else None for c in self.columns]

    def add(self, records: Sequence[Any], *, doc_id: str | None = None, version: str | None = None,
            document: ProcessedDocument | None = None) -> None:
        """Add one document's records; ``version`` fills the ``version`` column of a stage's table."""
        if not records:
            return
        for values, column, get in zip(self.lists, self.columns, self._get):
            if get is not None and column.sql.startswith("VARCHAR[]"):
                values.extend(_plain(v) for v in map(get, records))
            elif get is not None:
                values.extend(map(get, records))
            elif column.computed is not None:
                values.extend(column.computed.value(r, document) for r in records)
            elif column.name == "doc_id":
                values.extend([doc_id] * len(records))
            else:  # version
                values.extend([version] * len(records))

    def last(self, column: str, n: int) -> list[Any]:
        """The last ``n`` values of ``column`` (of the records just added)."""
        return self.lists[[c.name for c in self.columns].index(column)][-n:] if n else []

    def arrow(self) -> pa.Table:
        return pa.table({c.name: pa.array(v, arrow_type(c.sql)) for c, v in zip(self.columns, self.lists)})


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, (list, tuple)) else value


def prepare_batch(documents: Sequence[ProcessedDocument]) -> PreparedBatch:
    """Rows of every table for these documents; a text repeated inside the batch is kept once
    (every name of it is kept)."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    builders = {name: TableBuilder(name) for name in TABLES}
    keys: list[DocKey] = []
    seen: set[str] = set()
    for d in documents:
        doc_id = d.content_hash
        extra = jsonsafe.dumps(d.extra)
        keys.append(DocKey(d.doc, d.path, doc_id, d.file, d.line, d.source_hash))
        builders["names"].add([Name(d.path, d.doc, d.file, d.line, doc_id, d.source_hash, d.meta, d.encoding, extra)], document=d)
        if doc_id in seen:
            continue
        seen.add(doc_id)
        for table in CHILD_TABLES:
            builders[table].add(getattr(d, table), doc_id=doc_id, version=d.versions.get(SPECS[table].stage), document=d)
        n_han = sum(builders["sentences"].last("n_han", len(d.sentences)))
        builders["documents"].add(document=d, records=[Document(
            doc_id, d.doc, d.path, d.meta, d.encoding, len(d.raw_text), n_han, len(d.sentences), extra, d.raw_text, now,
            **{f"{stage}_version": d.versions.get(stage) for stage in STAGES},
            ocr_pages=d.ocr_pages, ocr_confidence=d.ocr_confidence,
        )])
    return PreparedBatch(keys, {table: b.arrow() for table, b in builders.items()})
