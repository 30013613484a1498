"""Processed documents as Arrow tables, ready for one transaction: built where the CPU work
happens (a worker process), written by the single writer."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, is_dataclass
from datetime import datetime, timezone
from typing import Any, Sequence

import pyarrow as pa

from pipeline.schema import ProcessedDocument
from pipeline.store.tables import TABLES
from pipeline.textview import WHITESPACE, count_han

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
