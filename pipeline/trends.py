"""Term frequency over time: counts, relative frequency, document frequency, smoothing.

A *term* is one of
- a literal string (a tracked term is counted as its own string, as the gold counts are);
- an alias group, ``group:ID`` (or ``--group ID``): every alias of the tracked term ``ID`` in
  ``lexicons/terms.yaml`` (友岸外包 ~ 友岸化 ~ friend-shoring), counted without overlaps;
- ``framework:ID`` / ``instrument:ID``: the stored ``mentions`` of that label.

Text terms are counted on ``sentences.simplified`` with every whitespace character removed
(so Traditional articles count, and a term broken by a line wrap counts once), as
non-overlapping substrings. Every stored sentence counts: running headers and captions are
never stored as sentences. The tracked terms (every id and alias as a literal, every alias
group) are counted at ingest into ``term_counts`` (``extract.terms``); when every stored
document was counted with the current lexicon, those terms are summed from that small table.
Any other term, or a store counted with another lexicon, is one vectorised DuckDB scan of
the sentences. Both give the same numbers.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pipeline.errors import PipelineError
from pipeline.extract.terms import TermCounter, default_term_counter, group_key, literal_key, normalise_term, term_groups
from pipeline.store import SQL_WHITESPACE, WHITESPACE, Store

BY_CHOICES = ("year", "month", "source", "venue", "doc")
MEASURES = ("count", "per10k", "docs", "share")
WHERE_COLUMNS = ("source", "venue", "doc", "date_source", "year", "path")
UNDATED = "undated"
NONE_BUCKET = "(none)"
# Kept for callers of the first version; every stored section counts (headers and captions
# are dropped by the cleaner before sentences are made).
COUNTED_SECTIONS = ("title", "abstract", "body", "note", "reference", "table", "meta")

# Whitespace as RE2 (DuckDB) and Python see it: ASCII whitespace plus Unicode separators
# (U+3000 ideographic space, no-break spaces).
_SQL_SPACE = SQL_WHITESPACE + "+"
_PY_SPACE = WHITESPACE
_STRIPPED = f"regexp_replace(simplified, '{_SQL_SPACE}', '', 'g')"

DENOMINATOR = (
    "denominator = Han characters in the stored sentences of the documents in each bucket "
    "(all kept sections; running headers and captions are never stored), after the filters"
)


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class TermSpec:
    """One thing to count. ``name`` is how rows label it."""

    name: str
    kind: str  # literal | group | framework | instrument
    needles: tuple[tuple[str, bool], ...] = ()  # (whitespace-free Simplified text, case-sensitive)
    label: str = ""  # framework/instrument id, or the group id

    @property
    def from_mentions(self) -> bool:
        return self.kind in ("framework", "instrument")

    def regex(self) -> str:
        """Alternation of the needles, longest first (leftmost, non-overlapping matches)."""
        parts = []
        for text, case_sensitive in sorted(self.needles, key=lambda n: -len(n[0])):
            escaped = re.escape(text)
            parts.append(escaped if case_sensitive else f"(?i:{escaped})")
        return "|".join(parts)

    def sql_count(self, column: str = "t") -> str:
        """SQL expression: occurrences in ``column`` (a whitespace-free Simplified text)."""
        if self.kind == "literal":
            needle = _sql_str(self.needles[0][0])
            # byte arithmetic: strlen is cheaper than length and exact for a fixed needle
            return f"((strlen({column}) - strlen(replace({column}, {needle}, ''))) // strlen({needle}))"
        return f"len(regexp_extract_all({column}, {_sql_str(self.regex())}))"

    def sql_prefilter(self, column: str = "simplified") -> str | None:
        """A cheap SQL test that every sentence with an occurrence passes (or None)."""
        if self.from_mentions:
            return None
        firsts: dict[str, None] = {}
        for text, case_sensitive in self.needles:
            first = text[:1]
            for variant in (first,) if case_sensitive else (first.lower(), first.upper()):
                firsts[variant] = None
        return " OR ".join(f"contains({column}, {_sql_str(ch)})" for ch in firsts) or None

    def sql_contains(self, column: str = "simplified") -> str | None:
        """SQL test that holds exactly for texts containing a needle (for whitespace-free texts)."""
        if self.from_mentions or not self.needles:
            return None
        tests = []
        for text, case_sensitive in self.needles:
            if case_sensitive:
                tests.append(f"contains({column}, {_sql_str(text)})")
            else:  # lower() over every row costs more than testing both cases of the first letter
                tests += [f"contains({column}, {_sql_str(v)})" for v in {text[:1].lower(), text[:1].upper()}]
        return " OR ".join(tests)

    def finditer(self, stripped: str) -> Iterable[tuple[int, int]]:
        """(start, end) of each occurrence in a whitespace-free Simplified text."""
        if self.kind == "literal":
            needle = self.needles[0][0]
            at = stripped.find(needle)
            while at >= 0:
                yield at, at + len(needle)
                at = stripped.find(needle, at + len(needle))
        else:
            for match in _compiled(self.regex()).finditer(stripped):
                yield match.span()


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _term_groups() -> dict[str, tuple[tuple[str, bool], ...]]:
    """Tracked term id -> its aliases, from the lexicons."""
    return term_groups()


def _labels(kind: str) -> tuple[str, ...]:
    from pipeline.lexicons import load_lexicons

    return load_lexicons().labels.get(kind, ())


def _suggest(value: str, choices: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, list(choices), n=3, cutoff=0.5)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def resolve_group(group_id: str) -> TermSpec:
    groups = _term_groups()
    key = group_id if group_id in groups else normalise_term(group_id)
    if key not in groups:
        raise PipelineError(
            f"no alias group {group_id!r} in lexicons/terms.yaml{_suggest(group_id, list(groups))}; "
            "groups are the tracked term ids listed there"
        )
    return TermSpec(name=f"group:{key}", kind="group", needles=groups[key], label=key)


def resolve_term(term: str) -> TermSpec:
    """``group:ID`` / ``framework:ID`` / ``instrument:ID`` / a literal string -> TermSpec."""
    prefix, _, rest = term.partition(":")
    if rest and prefix == "group":
        return resolve_group(rest)
    if rest and prefix in ("framework", "instrument"):
        labels = _labels(prefix)
        if rest not in labels:
            raise PipelineError(f"no {prefix} id {rest!r} in the lexicons{_suggest(rest, labels)}")
        return TermSpec(name=term, kind=prefix, label=rest)
    needle = normalise_term(term)
    if not needle:
        raise PipelineError(f"term {term!r} is empty once whitespace is removed")
    return TermSpec(name=term, kind="literal", needles=((needle, True),))


def resolve_terms(terms: Sequence[str] = (), groups: Sequence[str] = ()) -> list[TermSpec]:
    specs = [resolve_term(t) for t in terms] + [resolve_group(g) for g in groups]
    if not specs:
        raise PipelineError("give at least one TERM or --group ID")
    return specs


# -- filters and buckets ------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Document filters; the denominator follows them."""

    since: int | None = None
    until: int | None = None
    where: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, *, since: int | None = None, until: int | None = None, where: Iterable[str] = ()) -> "Filters":
        pairs = []
        for item in where:
            column, sep, value = item.partition("=")
            column = column.strip()
            if not sep or column not in WHERE_COLUMNS:
                raise PipelineError(
                    f"--where {item!r}: expected COLUMN=VALUE with COLUMN one of {', '.join(WHERE_COLUMNS)}"
                )
            pairs.append((column, value.strip()))
        if since is not None and until is not None and since > until:
            raise PipelineError(f"--since {since} is after --until {until}")
        return cls(since=since, until=until, where=tuple(pairs))

    def sql(self) -> tuple[str, list[Any]]:
        clauses, params = [], []
        for column, value in self.where:
            if column == "year":
                clauses.append("CAST(year AS VARCHAR) = ?")
            else:
                clauses.append(f'"{column}" = ?')
            params.append(value)
        if self.since is not None:
            clauses.append("year >= ?")
            params.append(self.since)
        if self.until is not None:
            clauses.append("year <= ?")
            params.append(self.until)
        return (" AND ".join(clauses) or "TRUE"), params

    @property
    def dated_only(self) -> bool:
        return self.since is not None or self.until is not None

    def describe(self) -> str:
        parts = [f"{c}={v}" for c, v in self.where]
        if self.since is not None:
            parts.append(f"year>={self.since}")
        if self.until is not None:
            parts.append(f"year<={self.until}")
        return ", ".join(parts) or "none"


_BUCKET_SQL = {
    "year": f"coalesce(CAST(year AS VARCHAR), '{UNDATED}')",
    "month": (
        "CASE WHEN regexp_matches(coalesce(published, ''), '^\\d{4}-\\d{2}') THEN substr(published, 1, 7) "
        f"WHEN year IS NOT NULL THEN CAST(year AS VARCHAR) || '-??' ELSE '{UNDATED}' END"
    ),
    "source": f"coalesce(source, '{NONE_BUCKET}')",
    "venue": f"coalesce(venue, '{NONE_BUCKET}')",
    "doc": "doc",
}


def _bucket_sort_key(by: str, bucket: str, order: int) -> tuple:
    if by == "doc":
        return (0, order)
    if bucket in (UNDATED, NONE_BUCKET):
        return (1, 0)
    return (0, bucket)


# -- the count ------------------------------------------------------------------------------


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
    literals in the counter's needle set and the lexicon's alias groups, provided every stored
    document was counted with this counter's lexicon (else ``{}``: everything is scanned)."""
    counter = counter or default_term_counter()
    plan = {}
    for i, spec in enumerate(specs):
        if spec.kind == "literal" and spec.needles[0][1] and counter.has_literal(spec.needles[0][0]):
            plan[i] = literal_key(spec.needles[0][0])
        elif spec.kind == "group" and set(counter.groups.get(spec.label, ())) == set(spec.needles):
            plan[i] = group_key(spec.label)
    if not plan or not store.has_columns("term_counts", "doc_id", "key", "n") or not store.has_columns("documents", "term_lexicon"):
        return {}
    stale = store.con.execute(
        "SELECT count(*) FROM documents WHERE term_lexicon IS DISTINCT FROM ?", [counter.lexicon_hash]
    ).fetchone()[0]
    return {} if stale else plan


def per_doc_counts(
    store: Store, specs: Sequence[TermSpec], *, by: str = "year", filters: Filters = Filters(), precounts: bool = True
) -> list[dict[str, Any]]:
    """One row per document passing the filters: doc, bucket, han, bucket order, and one count
    per spec (``c0``, ``c1``, …). Documents without sentences are included with zeros.
    ``precounts=False`` scans the text even where ``term_counts`` could answer."""
    if by not in BY_CHOICES:
        raise PipelineError(f"unknown --by {by!r}; choose one of {', '.join(BY_CHOICES)}")
    store.require_columns("sentences", "doc_id", "simplified", "n_han")
    where, params = filters.sql()
    plan = precount_plan(store, specs) if precounts else {}
    text_specs = [(i, s) for i, s in enumerate(specs) if not s.from_mentions and i not in plan]
    mention_specs = [(i, s) for i, s in enumerate(specs) if s.from_mentions]
    filtered = where != "TRUE"
    semi = " WHERE doc_id IN (SELECT doc_id FROM d)" if filtered else ""

    # Denominator: every sentence of the kept documents. Counts: only sentences that can hold
    # an occurrence are stripped and scanned.
    ctes = [
        f"d AS (SELECT doc_id, doc, path, published, year, {_BUCKET_SQL[by]} AS bucket FROM documents WHERE {where})",
        f"han AS (SELECT doc_id, sum(n_han) AS han FROM sentences{semi} GROUP BY doc_id)",
    ]
    selects = ["d.doc", "d.bucket", "d.path", "d.published", "d.year", "coalesce(han.han, 0) AS han"]
    joins = ["LEFT JOIN han USING (doc_id)"]
    if plan:
        keys = ", ".join(_sql_str(k) for k in dict.fromkeys(plan.values()))
        sums = ", ".join(f"sum(n) FILTER (WHERE key = {_sql_str(k)}) AS c{i}" for i, k in plan.items())
        only = " AND doc_id IN (SELECT doc_id FROM d)" if filtered else ""
        ctes.append(f"pc AS (SELECT doc_id, {sums} FROM term_counts WHERE key IN ({keys}){only} GROUP BY doc_id)")
        joins.append("LEFT JOIN pc USING (doc_id)")
        selects += [f"coalesce(pc.c{i}, 0) AS c{i}" for i in plan]
    if text_specs:
        # Most sentences hold no whitespace (``spaced`` is false): there a substring test selects
        # the rows to count and nothing needs stripping. Spaced sentences are stripped after a
        # first-character test. One scan either way. A store from before ``spaced`` existed
        # (opened read-only) has every candidate sentence stripped.
        contains = [s.sql_contains() for _, s in text_specs]
        firsts = [s.sql_prefilter() for _, s in text_specs]
        exact = " OR ".join(f"({c})" for c in contains)
        first = "TRUE" if None in firsts else " OR ".join(f"({p})" for p in firsts)
        if store.has_columns("sentences", "spaced"):
            keep = f"((NOT spaced AND ({exact})) OR (spaced AND ({first})))"
            stripped = f"CASE WHEN spaced THEN {_STRIPPED} ELSE simplified END"
        else:
            keep, stripped = f"({first})", _STRIPPED
        cond = " WHERE " + " AND ".join(c for c in (semi.replace(" WHERE ", "", 1) if semi else "", keep) if c)
        sums = ", ".join(f"sum({s.sql_count()}) AS c{i}" for i, s in text_specs)
        ctes.append(f"txt AS (SELECT doc_id, {sums} FROM (SELECT doc_id, {stripped} AS t FROM sentences{cond}) GROUP BY doc_id)")
        joins.append("LEFT JOIN txt USING (doc_id)")
        selects += [f"coalesce(txt.c{i}, 0) AS c{i}" for i, _ in text_specs]
    for i, s in mention_specs:
        ctes.append(
            f"m{i} AS (SELECT doc_id, count(*) AS c{i} FROM mentions WHERE kind = {_sql_str(s.kind)} "
            f"AND label = {_sql_str(s.label)} GROUP BY doc_id)"
        )
        joins.append(f"LEFT JOIN m{i} USING (doc_id)")
        selects.append(f"coalesce(m{i}.c{i}, 0) AS c{i}")
    sql = f"WITH {', '.join(ctes)} SELECT {', '.join(selects)} FROM d {' '.join(joins)} ORDER BY d.path"
    return store.query(sql, params)


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
    for bucket, b in sorted(buckets.items(), key=lambda kv: _bucket_sort_key(by, kv[0], kv[1]["order"])):
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


def recount_terms(store: Store, *, counter: TermCounter | None = None, batch_rows: int = 200_000) -> int:
    """Refill ``term_counts`` from the stored sentences with ``counter`` (default: the current
    lexicons) and mark every document with its lexicon hash; for a store counted with another
    lexicon, or written before precounts existed. Returns the number of count rows."""
    import pyarrow as pa

    if store.read_only:
        raise PipelineError(f"{store.path}: opened read-only; open it for writing to recount the terms")
    counter = counter or default_term_counter()
    cursor = store.con.cursor()
    cursor.execute("SELECT doc_id, idx, simplified FROM sentences")
    doc_ids: list[str] = []
    sentences: list[int] = []
    keys: list[str] = []
    ns: list[int] = []
    count = counter.count
    while rows := cursor.fetchmany(batch_rows):
        for doc_id, idx, simplified in rows:
            for key, n in count(simplified).items():
                doc_ids.append(doc_id)
                sentences.append(idx)
                keys.append(key)
                ns.append(n)
    cursor.close()
    arrow = pa.table({"doc_id": doc_ids, "sentence": pa.array(sentences, pa.int32()), "key": keys, "n": pa.array(ns, pa.int32())})
    with store.transaction():
        store.con.execute("DELETE FROM term_counts")
        if arrow.num_rows:
            store.append_arrow("term_counts", arrow)
        store.con.execute("UPDATE documents SET term_lexicon = ?", [counter.lexicon_hash])
    return arrow.num_rows


def count_by_doc(store: Store, terms: Iterable[str]) -> dict[tuple[str, str], int]:
    """Occurrences of each literal term (Simplified view, whitespace ignored) per document."""
    terms = list(terms)
    specs = [TermSpec(name=t, kind="literal", needles=((normalise_term(t), True),)) for t in terms]
    if not specs:
        return {}
    rows = per_doc_counts(store, specs, by="doc")
    return {(row["doc"], spec.name): int(row[f"c{i}"]) for row in rows for i, spec in enumerate(specs)}


# -- benchmark ------------------------------------------------------------------------------


def build_synthetic_store(path: str, *, n_sentences: int = 1_000_000, sentences_per_doc: int = 200, seed: int = 0) -> Store:
    """A store of ``n_sentences`` generated sentences (policy-like Chinese text with the tracked
    terms sprinkled in, some documents undated, a few with whitespace inside terms)."""
    import random

    rng = random.Random(seed)
    filler = "我国坚持扩大高水平对外开放推动经济高质量发展加强国际合作维护多边贸易体制稳定全球产业发展"
    terms = ["保护主义", "供应链", "产业链", "脱钩", "去风险", "友岸外包", "单边主义", "关税", "IPEF", "供 应链"]
    store = Store.open(path)
    n_docs = max(1, n_sentences // sentences_per_doc)
    doc_rows, sentence_rows = [], []
    for d in range(n_docs):
        doc_id = f"synthetic{d:08d}"
        year = None if d % 50 == 0 else 1954 + d % 72
        doc_rows.append({"doc_id": doc_id, "doc": f"syn_{d:06d}.txt", "path": f"/synthetic/syn_{d:06d}.txt", "year": year,
                         "published": str(year) if year else None, "source": f"source{d % 4}", "venue": f"venue{d % 7}",
                         "n_sentences": sentences_per_doc})
        for i in range(sentences_per_doc):
            a = rng.randrange(len(filler) - 30)
            text = filler[a:a + rng.randrange(12, 30)]
            if rng.random() < 0.3:
                cut = rng.randrange(len(text))
                text = text[:cut] + rng.choice(terms) + text[cut:]
            text += "。"
            sentence_rows.append({"doc_id": doc_id, "idx": i, "section": "body", "paragraph": i // 5, "page": None,
                                  "start": 0, "end": len(text), "text": text, "simplified": text,
                                  "n_han": sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")})
        if len(sentence_rows) >= 200_000:
            store.append("sentences", sentence_rows)
            sentence_rows = []
    if sentence_rows:
        store.append("sentences", sentence_rows)
    store.append("documents", doc_rows)
    return store


def benchmark_queries(store: Store, *, repeat: int = 3) -> dict[str, Any]:
    """Best-of-``repeat`` wall time (seconds) of typical ``trend`` queries on ``store``."""
    n = store.con.execute("SELECT count(*) FROM sentences").fetchone()[0]
    cases = {
        "trend 保护主义 供应链 --by year": dict(specs=resolve_terms(["保护主义", "供应链"]), by="year"),
        "trend 保护主义 --by year --measure per10k --smooth 5": dict(specs=resolve_terms(["保护主义"]), by="year", measure="per10k", smooth=5),
        "trend --group 去风险 --by source": dict(specs=resolve_terms([], ["去风险"]), by="source"),
        "trend 供应链 --by doc": dict(specs=resolve_terms(["供应链"]), by="doc"),
        "trend 供应链 --since 2000 --where source=source1": dict(specs=resolve_terms(["供应链"]), by="year", filters=Filters.parse(since=2000, where=["source=source1"])),
    }
    results: dict[str, Any] = {"sentences": n}
    for name, kwargs in cases.items():
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            trend(store, **kwargs)
            best = min(best, time.perf_counter() - started)
        results[name] = round(best, 4)
    return results
