"""Term frequency over time: counts, relative frequency, document frequency, smoothing.

A term (``query.terms``) is a literal string, an alias group, or stored labels (framework and
instrument mentions, the rules' stance). Text terms are counted on the counting view of every
stored sentence (Simplified, whitespace removed: Traditional articles count, a term broken by
a line wrap counts once) by :class:`pipeline.extract.terms.TermCounter`, the counter ingest
precounts the tracked terms with. When every stored document was counted by the current
counter, the tracked terms are summed from ``term_counts``; any other term is counted on the
sentences a SQL substring test selects. Both are the same counter, so they give the same
numbers. Every stored sentence counts: running headers and captions are never stored.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import PipelineError
from pipeline.extract.terms import TermCounter, default_term_counter, group_key, literal_key
from pipeline.query.filters import BUCKET_SQL, BY_CHOICES, UNDATED, Filters, bucket_sort_key
from pipeline.query.terms import TermSpec, counter_for, sql_str
from pipeline.store import Store
from pipeline.textview import query_view

MEASURES = ("count", "per10k", "docs", "share")
DENOMINATOR = (
    "denominator = Han characters in the stored sentences of the documents in each bucket "
    "(all kept sections; running headers and captions are never stored), after the filters"
)


@dataclass
class TrendResult:
    rows: list[dict[str, Any]]
    by: str
    measure: str
    denominator: str = DENOMINATOR
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def header(self) -> list[str]:
        return [self.denominator, *self.notes]


def precount_plan(store: Store, specs: Sequence[TermSpec], *, counter: TermCounter | None = None) -> dict[int, str]:
    """Spec index -> ``term_counts`` key, for the specs that can be summed from the precounts:
    literals among the counter's needles and the lexicon's alias groups, provided every stored
    document was counted by this counter (else ``{}``: everything is counted from the text)."""
    counter = counter or default_term_counter()
    plan = {}
    for i, spec in enumerate(specs):
        if spec.kind == "literal" and counter.has_literal(spec.needles[0][0]):
            plan[i] = literal_key(spec.needles[0][0])
        elif spec.kind == "group" and counter.has_group(spec.label, spec.needles):
            plan[i] = group_key(spec.label)
    if not plan or not store.has_columns("term_counts", "doc_id", "key", "n") or not store.has_columns("documents", "terms_version"):
        return {}
    stale = store.con.execute(
        "SELECT count(*) FROM documents WHERE terms_version IS DISTINCT FROM ?", [counter.version]
    ).fetchone()[0]
    return {} if stale else plan


def text_counts(store: Store, specs: Sequence[TermSpec], doc_ids_sql: str | None, params: list[Any]) -> dict[str, list[int]]:
    """doc_id -> one count per spec (text specs only), by the term counter over the sentences
    that a SQL substring test selects (a spaced sentence is tested by the first character)."""
    counter, keys = counter_for(specs)
    contains = [s.sql_contains() for s in specs]
    firsts = [s.sql_prefilter() for s in specs]
    exact = " OR ".join(f"({c})" for c in contains if c)
    first = "TRUE" if None in firsts else " OR ".join(f"({p})" for p in firsts)
    keep = f"((NOT spaced AND ({exact})) OR (spaced AND ({first})))" if store.has_columns("sentences", "spaced") else f"({first})"
    only = f" AND doc_id IN ({doc_ids_sql})" if doc_ids_sql else ""
    cursor = store.con.cursor()
    cursor.execute(f"SELECT doc_id, simplified FROM sentences WHERE {keep}{only}", params if doc_ids_sql else [])
    out: dict[str, list[int]] = {}
    index = list(keys.items())
    while rows := cursor.fetchmany(50_000):
        for doc_id, simplified in rows:
            found = counter.count(simplified)
            if not found:
                continue
            counts = out.setdefault(doc_id, [0] * len(specs))
            for i, key in index:
                counts[i] += found.get(key, 0)
    cursor.close()
    return out


def per_doc_counts(
    store: Store, specs: Sequence[TermSpec], *, by: str = "year", filters: Filters = Filters(), precounts: bool = True
) -> list[dict[str, Any]]:
    """One row per document passing the filters: doc, bucket, han, and one count per spec
    (``c0``, ``c1``, …). Documents without sentences are included with zeros.
    ``precounts=False`` counts the text even where ``term_counts`` could answer."""
    if by not in BY_CHOICES:
        raise PipelineError(f"unknown --by {by!r}; choose one of {', '.join(BY_CHOICES)}")
    store.require_columns("sentences", "doc_id", "simplified", "n_han")
    where, params = filters.sql()
    plan = precount_plan(store, specs) if precounts else {}
    text_specs = [i for i, s in enumerate(specs) if not s.from_mentions and i not in plan]
    label_specs = [(i, s) for i, s in enumerate(specs) if s.from_mentions]
    filtered = where != "TRUE"
    semi = " WHERE doc_id IN (SELECT doc_id FROM d)" if filtered else ""
    ctes = [
        f"d AS (SELECT doc_id, doc, path, published, year, {BUCKET_SQL[by]} AS bucket FROM documents WHERE {where})",
        f"han AS (SELECT doc_id, sum(n_han) AS han FROM sentences{semi} GROUP BY doc_id)",
    ]
    selects = ["d.doc_id", "d.doc", "d.bucket", "d.path", "d.published", "d.year", "coalesce(han.han, 0) AS han"]
    joins = ["LEFT JOIN han USING (doc_id)"]
    if plan:
        keys = ", ".join(sql_str(k) for k in dict.fromkeys(plan.values()))
        sums = ", ".join(f"sum(n) FILTER (WHERE key = {sql_str(k)}) AS c{i}" for i, k in plan.items())
        only = " AND doc_id IN (SELECT doc_id FROM d)" if filtered else ""
        ctes.append(f"pc AS (SELECT doc_id, {sums} FROM term_counts WHERE key IN ({keys}){only} GROUP BY doc_id)")
        joins.append("LEFT JOIN pc USING (doc_id)")
        selects += [f"coalesce(pc.c{i}, 0) AS c{i}" for i in plan]
    for i, s in label_specs:
        if s.kind == "stance":
            source = f"SELECT doc_id, count(*) AS c{i} FROM stance WHERE source = 'rules' AND label = {sql_str(s.label)} GROUP BY doc_id"
        else:
            source = (f"SELECT doc_id, count(*) AS c{i} FROM mentions WHERE kind = {sql_str(s.kind)} "
                      f"AND label = {sql_str(s.label)} GROUP BY doc_id")
        ctes.append(f"m{i} AS ({source})")
        joins.append(f"LEFT JOIN m{i} USING (doc_id)")
        selects.append(f"coalesce(m{i}.c{i}, 0) AS c{i}")
    sql = f"WITH {', '.join(ctes)} SELECT {', '.join(selects)} FROM d {' '.join(joins)} ORDER BY d.path"
    rows = store.query(sql, params)
    if text_specs:
        chosen = [specs[i] for i in text_specs]
        doc_sql = f"SELECT doc_id FROM documents WHERE {where}" if filtered else None
        counted = text_counts(store, chosen, doc_sql, params)
        for row in rows:
            found = counted.get(row["doc_id"])
            for k, i in enumerate(text_specs):
                row[f"c{i}"] = found[k] if found else 0
    return rows


def _smooth(rows: list[dict[str, Any]], by: str, window: int) -> None:
    """Centred moving average of ``measure`` over ``window`` years (months with --by month):
    buckets without documents are skipped, the ends use the part of the window that exists,
    the undated bucket is not smoothed."""
    before, after = (window - 1) // 2, window // 2

    def position(bucket: str) -> int | None:
        if by == "year" and bucket.isdigit():
            return int(bucket)
        if by == "month" and re.fullmatch(r"\d{4}-\d{2}", bucket):
            return int(bucket[:4]) * 12 + int(bucket[5:]) - 1
        return None

    series: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for row in rows:
        pos = position(row["bucket"])
        row["smoothed"] = None
        if pos is not None and row["measure"] is not None:
            series.setdefault(row["term"], []).append((pos, row))
    for points in series.values():
        for pos, row in points:
            values = [r["measure"] for p, r in points if pos - before <= p <= pos + after]
            row["smoothed"] = round(sum(values) / len(values), 4)


def trend(
    store: Store,
    specs: Sequence[TermSpec],
    *,
    by: str = "year",
    measure: str = "count",
    smooth: int | None = None,
    filters: Filters = Filters(),
) -> TrendResult:
    """Rows of (bucket, term, count, docs, bucket_docs, denominator, measure[, smoothed])."""
    if measure not in MEASURES:
        raise PipelineError(f"unknown --measure {measure!r}; choose one of {', '.join(MEASURES)}")
    if smooth is not None:
        if smooth < 1:
            raise PipelineError(f"--smooth {smooth}: give a window of at least 1")
        if by not in ("year", "month"):
            raise PipelineError(f"--smooth works over time; use --by year or --by month, not --by {by}")
    started = time.perf_counter()
    docs = per_doc_counts(store, specs, by=by, filters=filters)
    buckets: dict[str, dict[str, Any]] = {}
    for order, row in enumerate(docs):
        b = buckets.setdefault(row["bucket"], {"order": order, "docs": 0, "han": 0, "counts": [0] * len(specs), "with": [0] * len(specs), "doc": row["doc"]})
        b["docs"] += 1
        b["han"] += int(row["han"])
        for i in range(len(specs)):
            n = int(row[f"c{i}"])
            b["counts"][i] += n
            b["with"][i] += n > 0
    rows = []
    for bucket, b in sorted(buckets.items(), key=lambda kv: bucket_sort_key(by, kv[0], kv[1]["order"])):
        for i, spec in enumerate(specs):
            count, with_term = b["counts"][i], b["with"][i]
            value: float | int | None
            if measure == "count":
                value = count
            elif measure == "docs":
                value = with_term
            elif measure == "share":
                value = round(with_term / b["docs"], 4) if b["docs"] else None
            else:
                value = round(count * 10_000 / b["han"], 4) if b["han"] else None
            row = {"bucket": bucket, "term": spec.name, "count": count, "docs": with_term, "bucket_docs": b["docs"], "denominator": b["han"], "measure": value}
            if by == "doc":
                row = {"doc": bucket, **row}
            rows.append(row)
    result = TrendResult(rows=rows, by=by, measure=measure)
    if not docs:
        sources = [r["source"] for r in store.query("SELECT DISTINCT source FROM documents WHERE source IS NOT NULL ORDER BY 1")]
        result.notes.append(f"no documents match the filters ({filters.describe()}); sources in the store: {', '.join(sources) or 'none'}")
    result.notes.append(f"measure = {_MEASURE_TEXT[measure]}; filters: {filters.describe()}")
    if by in ("year", "month"):
        undated = [r for r in rows if r["bucket"] == UNDATED]
        n_undated = undated[0]["bucket_docs"] if undated else 0
        result.notes.append(f"{n_undated} undated document(s), counted in the '{UNDATED}' bucket")
    if filters.dated_only:
        where, params = Filters(where=filters.where).sql()
        left_out = store.query(f"SELECT count(*) AS n FROM documents WHERE {where} AND year IS NULL", params)[0]["n"]
        if left_out:
            result.notes.append(f"{left_out} undated document(s) left out by --since/--until")
    if smooth is not None:
        _smooth(rows, by, smooth)
        unit = "years" if by == "year" else "months"
        result.notes.append(
            f"smoothed = centred moving average of the measure over {smooth} {unit} "
            "(buckets without documents skipped; shorter window at the ends; undated not smoothed)"
        )
    result.seconds = time.perf_counter() - started
    return result


_MEASURE_TEXT = {
    "count": "occurrences",
    "per10k": "occurrences per 10,000 Han characters (count / denominator * 10000)",
    "docs": "documents with at least one occurrence",
    "share": "share of the bucket's documents with at least one occurrence (docs / bucket_docs)",
}


def count_by_doc(store: Store, terms: Iterable[str]) -> dict[tuple[str, str], int]:
    """Occurrences of each literal term (Simplified view, whitespace ignored) per document."""
    terms = list(terms)
    specs = [TermSpec(name=t, kind="literal", needles=((query_view(t), True),)) for t in terms]
    if not specs:
        return {}
    rows = per_doc_counts(store, specs, by="doc")
    return {(row["doc"], spec.name): int(row[f"c{i}"]) for row in rows for i, spec in enumerate(specs)}
