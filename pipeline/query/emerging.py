"""Emerging terms: multi-character phrases that are new or bursting in a period, found
without a dictionary, so that unsegmented coinages (友岸外包, 小院高墙) show up before anyone
adds them to a lexicon.

1. Candidates are the character n-grams (2-6 Han characters, inside runs of Han characters of
   the Simplified view) that occur at least ``min_count`` times in a target period (a year or a
   month on or after ``since``). DuckDB counts them (one GROUP BY per length).
2. A candidate must hold together and stand alone: its *cohesion* is the smallest pointwise
   mutual information over the ways of splitting it in two (log p(ab) / p(a)p(b), from the
   pooled counts of the target periods); its *boundary entropy* is the smaller of the entropies
   of the characters seen just left and just right of it (a fragment of a longer word has one
   predictable neighbour). Candidates starting or ending with a stop word, or contained in a
   longer candidate with nearly the same count, are dropped.
3. The burst: the period's count against the rate of all earlier periods (Poisson: expected =
   earlier rate x the period's Han characters, +0.5 smoothing), scored by the signed
   log-likelihood G² of period vs earlier and shown with the ratio; ``new`` = never seen before
   the period.
4. Rows carry the jieba segmentation of the phrase (a phrase jieba splits is a word it does
   not know), whether a lexicon already tracks it, the first-seen date, document and source (a
   direct scan of the first period holding it), the count per period, and a KWIC command.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import PipelineError
from pipeline.extract.terms import term_groups
from pipeline.query.filters import BUCKET_SQL, UNDATED, Filters
from pipeline.query.tokens import log_likelihood, stop_words
from pipeline.segment import segmenter_for
from pipeline.store import Store

HAN_RUN = "[\u4e00-\u9fff]+"
MIN_LEN, MAX_LEN = 2, 6
# one-character function words a phrase does not start or end with
EDGE_STOPS = frozenset("的了是在和与及并也都就而但又这那此其之于对把被将从向为以由因如若可能会要应已还更很最不有我你他她它们个等中上下后前时说着过得地所该各每第一二三四五六七八九十年月日称")


@dataclass
class EmergingResult:
    rows: list[dict[str, Any]]
    periods: dict[str, int] = field(default_factory=dict)  # bucket -> Han characters
    notes: list[str] = field(default_factory=list)

    def header(self) -> list[str]:
        return self.notes


def _docs_cte(filters: Filters, by: str) -> tuple[str, list[Any]]:
    where, params = filters.sql()
    return (f"d AS (SELECT doc_id, {BUCKET_SQL[by]} AS bucket FROM documents WHERE {where}), "
            f"runs AS (SELECT d.bucket, unnest(regexp_extract_all(s.simplified, '{HAN_RUN}')) AS r "
            "FROM sentences s JOIN d USING (doc_id) WHERE s.section NOT IN ('note', 'reference', 'meta'))"), params


def _gram_sql(n: int, bucket_test: str, extra: str = "", having: str = "") -> str:
    return (f"SELECT bucket, g, count(*) AS c FROM (SELECT bucket, substr(r, i, {n}) AS g FROM "
            f"(SELECT bucket, r, unnest(range(1, length(r) - {n} + 2)) AS i FROM runs WHERE length(r) >= {n} AND {bucket_test})) "
            f"{extra} GROUP BY bucket, g {having}")


def _entropy(counts: list[int], total: int) -> float:
    """Entropy of the neighbours; the part of ``total`` not among ``counts`` (neighbours seen
    too rarely to be kept, or the run's edge) counts as that many distinct neighbours."""
    if total <= 0:
        return 0.0
    rest = max(total - sum(counts), 0)
    probs = [c / total for c in counts if c] + [1 / total] * rest
    return -sum(p * math.log(p) for p in probs)


def _periods_after(buckets: list[str], since: int | None, by: str) -> list[str]:
    dated = [b for b in buckets if b != UNDATED and re.match(r"^\d{4}", b) and "?" not in b]
    return [b for b in dated if since is None or int(b[:4]) >= since]


def emerging(
    store: Store,
    *,
    since: int | None = None,
    by: str = "year",
    filters: Filters = Filters(),
    min_count: int = 5,
    top: int = 50,
    min_cohesion: float = 2.0,
    min_entropy: float = 1.0,
    first_seen: bool = True,
    exclude_known: bool = False,
) -> EmergingResult:
    """The ``top`` emerging phrases of each period (year or month) on or after ``since``."""
    if by not in ("year", "month"):
        raise PipelineError(f"--by {by}: emerging terms are found over time; use --by year or --by month")
    if min_count < 2:
        raise PipelineError(f"--min-count {min_count}: give at least 2")
    if top < 1:
        raise PipelineError(f"--top {top}: give at least 1")
    docs, params = _docs_cte(filters, by)
    size = store.query(f"WITH {docs} SELECT bucket, sum(length(r)) AS han FROM runs GROUP BY bucket", params)
    han = {r["bucket"]: int(r["han"]) for r in size}
    periods = sorted(_periods_after(list(han), since, by))
    result = EmergingResult([], {b: han[b] for b in sorted(han)})
    if not periods:
        result.notes.append(f"no dated documents{' from ' + str(since) if since else ''} pass the filters ({filters.describe()})")
        return result
    quoted = ", ".join("'" + p.replace("'", "''") + "'" for p in periods)
    in_target = f"bucket IN ({quoted})"
    # pooled target counts of the n-grams of length 1..MAX_LEN+1 (cohesion, neighbours) and the
    # per-period counts of the candidates; DuckDB drops the rare ones before Python sees them
    pooled: dict[str, int] = {}
    per_target: dict[tuple[str, str], int] = {}
    floor = max(2, min_count // 3)
    for n in range(1, MAX_LEN + 2):
        grams = _gram_sql(n, in_target)
        sql = f"WITH {docs}, grams AS ({grams}) SELECT g, sum(c) AS c FROM grams GROUP BY g HAVING sum(c) >= {floor if n > 1 else 1}"
        pooled.update(dict(store.con.execute(sql, params).fetchall()))
    for n in range(MIN_LEN, MAX_LEN + 1):
        sql = f"WITH {docs} " + _gram_sql(n, in_target, having=f"HAVING count(*) >= {min_count}")
        for bucket, g, c in store.con.execute(sql, params).fetchall():
            per_target[(bucket, g)] = c
    target_chars = sum(han[p] for p in periods)
    candidates = {g for (_, g) in per_target}
    stops = stop_words()
    left: dict[str, list[int]] = defaultdict(list)
    right: dict[str, list[int]] = defaultdict(list)
    for g, c in pooled.items():
        if len(g) >= MIN_LEN + 1:
            if g[1:] in candidates:
                left[g[1:]].append(c)
            if g[:-1] in candidates:
                right[g[:-1]].append(c)
    scored: dict[str, dict[str, Any]] = {}
    for g in candidates:
        if g[0] in EDGE_STOPS or g[-1] in EDGE_STOPS or g in stops or len(set(g)) == 1:
            continue
        total = pooled.get(g, 0)
        p = total / target_chars
        cohesion = min(math.log(p * target_chars * target_chars / (pooled.get(g[:k], 1) * pooled.get(g[k:], 1)))
                       for k in range(1, len(g)))
        entropy = min(_entropy(left[g], total), _entropy(right[g], total))
        if cohesion < min_cohesion or entropy < min_entropy:
            continue
        scored[g] = {"cohesion": round(cohesion, 2), "entropy": round(entropy, 2)}
    # a phrase inside a longer kept phrase with nearly its count is that phrase's fragment
    for h in scored:  # each phrase marks its own substrings: linear in the number of phrases
        for length in range(MIN_LEN, len(h)):
            for start in range(len(h) - length + 1):
                g = h[start:start + length]
                if g in scored and pooled.get(h, 0) >= 0.8 * pooled.get(g, 0):
                    scored[g]["fragment"] = True
    kept = [g for g, s in scored.items() if not s.get("fragment")]
    counts = _counts_everywhere(store, docs, params, kept)
    ordered = sorted(han)
    known = {n for needles in term_groups().values() for n, _ in needles}
    seg = segmenter_for()
    rows: list[dict[str, Any]] = []
    for period in periods:
        earlier = [b for b in ordered if b < period and b != UNDATED and "?" not in b]
        earlier_chars = sum(han[b] for b in earlier)
        ranked = []
        for g in kept:
            c = counts.get(g, {}).get(period, 0)
            if c < min_count:
                continue
            before = sum(counts[g].get(b, 0) for b in earlier)
            expected = (before + 0.5) / (earlier_chars + 1) * han[period] if earlier_chars else 0.5
            if c <= expected:
                continue
            g2 = log_likelihood(c, before, han[period] - c, max(earlier_chars - before, 0))
            ranked.append((g2, g, c, before, expected))
        ranked.sort(key=lambda x: (-x[0], x[1]))
        chosen = [x for x in ranked if not (exclude_known and x[1] in known)][:top]
        for rank, (g2, g, c, before, expected) in enumerate(chosen, 1):
            rows.append({
                "period": period, "rank": rank, "phrase": g, "count": c, "before": before,
                "ratio": round(c / expected, 1), "burst_g2": round(g2, 1), "new": before == 0,
                "cohesion": scored[g]["cohesion"], "entropy": scored[g]["entropy"],
                "jieba": "/".join(seg.lcut(g)), "in_lexicon": g in known,
                "per_period": {b: counts[g][b] for b in ordered if counts[g].get(b)},
                "kwic": f"policytext kwic {g} --by {by}",
            })
    if first_seen:
        for row, seen in zip(rows, first_appearances(store, [r["phrase"] for r in rows], filters=filters, by=by,
                                                     buckets=[min(r["per_period"]) for r in rows])):
            row.update(seen)
    result.rows = rows
    result.notes.append(
        f"periods: {', '.join(periods)}; candidates: {len(candidates):,} n-grams (2-{MAX_LEN} Han characters, >= {min_count} in a period), "
        f"{len(kept):,} cohesive (PMI >= {min_cohesion}) with open boundaries (entropy >= {min_entropy}); "
        "ranked by burst G² of the period against all earlier periods")
    return result


def _counts_everywhere(store: Store, docs: str, params: list[Any], phrases: list[str]) -> dict[str, dict[str, int]]:
    """phrase -> bucket -> count, over every bucket (earlier periods included)."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    if not phrases:
        return out
    store.con.execute("CREATE OR REPLACE TEMP TABLE _emerging (g VARCHAR)")
    try:
        store.con.executemany("INSERT INTO _emerging VALUES (?)", [(g,) for g in phrases])
        for n in sorted({len(g) for g in phrases}):
            sql = f"WITH {docs} " + _gram_sql(n, "TRUE", extra="WHERE g IN (SELECT g FROM _emerging)")
            for bucket, g, c in store.con.execute(sql, params).fetchall():
                out[g][bucket] = c
    finally:
        store.con.execute("DROP TABLE IF EXISTS _emerging")
    return out


def first_appearances(store: Store, phrases: list[str], *, filters: Filters = Filters(), by: str = "year",
                      buckets: list[str] | None = None) -> list[dict[str, Any]]:
    """For each phrase: the date, document and source of its first appearance (a direct scan of
    the Simplified text; ``buckets`` narrows each scan to the first bucket known to hold it)."""
    where, params = filters.sql()
    out = []
    for i, phrase in enumerate(phrases):
        test = f"AND {BUCKET_SQL[by]} = ?" if buckets else ""
        rows = store.query(
            "SELECT d.published, d.year, d.doc, d.source FROM sentences s JOIN documents d USING (doc_id) "
            f"WHERE {where} {test} AND contains(replace(s.simplified, ' ', ''), ?) "
            "ORDER BY d.year NULLS LAST, d.published NULLS LAST, d.path, s.idx LIMIT 1",
            params + ([buckets[i]] if buckets else []) + [phrase],
        )
        if rows:
            r = rows[0]
            out.append({"first_seen": r["published"] or (str(r["year"]) if r["year"] else None), "first_doc": r["doc"], "first_source": r["source"]})
        else:
            out.append({"first_seen": None, "first_doc": None, "first_source": None})
    return out


def add_to_lexicon(phrase: str, lexicon_dir: str | Path | None = None) -> Path:
    """Track ``phrase``: add it as a term of its own to ``terms.yaml`` (then run
    ``policytext recount-terms``). Returns the file written."""
    from pipeline.config import LEXICON_DIR

    phrase = phrase.strip()
    if not re.fullmatch(HAN_RUN, phrase):
        raise PipelineError(f"--add-to-lexicon {phrase!r}: give a phrase of Han characters")
    path = Path(lexicon_dir or LEXICON_DIR) / "terms.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if phrase in (data.get("labels") or {}):
        raise PipelineError(f"{path}: {phrase} is already tracked")
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + f"  {phrase}: [{phrase}]\n", encoding="utf-8")
    term_groups.cache_clear() if hasattr(term_groups, "cache_clear") else None
    return path
