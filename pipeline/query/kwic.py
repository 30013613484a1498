"""Concordance (KWIC): every occurrence of a term with its context, document, date and sentence;
first and last appearance; terms that co-occur in the same sentences.

Occurrences are found by the term counter ``trend`` counts with (the counting view: Simplified,
whitespace removed), then mapped back to the sentence as written, so the context is shown in
the original script.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from pipeline.errors import PipelineError
from pipeline.extract.terms import term_groups
from pipeline.query.filters import BUCKET_SQL, BY_CHOICES, Filters
from pipeline.query.terms import TermSpec, counter_for
from pipeline.store import Store
from pipeline.textview import WHITESPACE, squash

KWIC_COLUMNS = ("bucket", "doc", "date", "sentence", "left", "match", "right")


def _stripped_view(simplified: str) -> tuple[str, list[int]]:
    """The whitespace-free view of a sentence and, per character, its index in the sentence."""
    kept = [i for i, ch in enumerate(simplified) if not WHITESPACE.fullmatch(ch)]
    return "".join(simplified[i] for i in kept), kept


def _one_line(text: str) -> str:
    """Context as one line: every run of whitespace shown as one space."""
    return " ".join(text.split())


def _sentences_with(store: Store, spec: TermSpec, by: str, filters: Filters) -> list[dict[str, Any]]:
    where, params = filters.sql()
    base = (
        f"WITH d AS (SELECT doc_id, doc, path, published, year, {BUCKET_SQL[by]} AS bucket FROM documents WHERE {where}) "
    )
    order = "ORDER BY d.year NULLS LAST, d.published NULLS LAST, d.path, s.idx"
    if spec.kind == "stance":
        sql = base + (
            "SELECT d.doc_id, d.doc, d.path, d.published, d.year, d.bucket, s.idx, s.section, s.text, st.evidence "
            "FROM stance st JOIN sentences s ON s.doc_id = st.doc_id AND s.idx = st.sentence JOIN d ON d.doc_id = s.doc_id "
            "WHERE st.source = 'rules' AND st.label = ? " + order
        )
        return store.query(sql, params + [spec.label])
    if spec.from_mentions:
        sql = base + (
            "SELECT d.doc_id, d.doc, d.path, d.published, d.year, d.bucket, s.idx, s.section, s.text, "
            "list(struct_pack(start := m.start, \"end\" := m.\"end\") ORDER BY m.start) AS spans "
            "FROM mentions m JOIN sentences s ON s.doc_id = m.doc_id AND s.idx = m.sentence JOIN d ON d.doc_id = s.doc_id "
            "WHERE m.kind = ? AND m.label = ? "
            "GROUP BY ALL " + order
        )
        return store.query(sql, params + [spec.kind, spec.label])
    keep = f"(NOT s.spaced AND ({spec.sql_contains('s.simplified')})) OR (s.spaced AND ({spec.sql_prefilter('s.simplified') or 'TRUE'}))"
    sql = base + (
        "SELECT d.doc_id, d.doc, d.path, d.published, d.year, d.bucket, s.idx, s.section, s.text, s.simplified "
        f"FROM sentences s JOIN d ON d.doc_id = s.doc_id WHERE {keep} " + order
    )
    return store.query(sql, params)


def _stance_spans(evidence: str | None) -> list[tuple[int, int]]:
    import json

    cues = json.loads(evidence or "[]")
    return [(c["start"], c["end"]) for c in cues] or [(0, 0)]


def kwic(
    store: Store,
    spec: TermSpec,
    *,
    window: int = 20,
    by: str = "year",
    filters: Filters = Filters(),
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Every occurrence of ``spec``: bucket, doc, date, sentence index, left, match, right
    (``window`` characters of context each side, within the sentence), in date order."""
    if by not in BY_CHOICES:
        raise PipelineError(f"unknown --by {by!r}; choose one of {', '.join(BY_CHOICES)}")
    if window < 0:
        raise PipelineError(f"--window {window}: give 0 or more characters")
    rows: list[dict[str, Any]] = []
    counter, keys = counter_for([spec])
    key = keys.get(0)
    for sent in _sentences_with(store, spec, by, filters):
        text = sent["text"]
        if spec.kind == "stance":
            spans = _stance_spans(sent["evidence"])
        elif spec.from_mentions:
            spans = [(m["start"], m["end"]) for m in sent["spans"]]
        else:
            stripped, index = _stripped_view(sent["simplified"])
            spans = [(index[a], index[b - 1] + 1) for a, b in counter.spans(stripped).get(key, ())]
        for start, end in spans:
            rows.append(
                {
                    "bucket": sent["bucket"], "doc": sent["doc"], "date": sent["published"] or (str(sent["year"]) if sent["year"] else None),
                    "sentence": sent["idx"], "section": sent["section"], "term": spec.name,
                    "left": _one_line(text[max(0, start - window):start]), "match": _one_line(text[start:end]),
                    "right": _one_line(text[end:end + window]), "text": text, "path": sent["path"],
                    "start": start, "end": end,
                }
            )
            if limit is not None and len(rows) >= limit:
                return rows
    return rows


def first_last(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """First and last dated appearance (date, doc) among KWIC rows, and the undated count."""
    dated = [r for r in rows if r["date"]]
    undated_docs = sorted({r["doc"] for r in rows if not r["date"]})
    if not dated:
        return {"first": None, "last": None, "undated_docs": undated_docs, "occurrences": len(rows)}
    ordered = sorted(dated, key=lambda r: (r["date"], r["path"], r["sentence"]))
    pick = lambda r: {"date": r["date"], "doc": r["doc"], "sentence": r["sentence"]}  # noqa: E731
    return {"first": pick(ordered[0]), "last": pick(ordered[-1]), "undated_docs": undated_docs, "occurrences": len(rows)}


def cooccurring(store: Store, spec: TermSpec, rows: Sequence[dict[str, Any]], *, top: int = 10) -> list[dict[str, Any]]:
    """Labels seen in the same sentences as the term: tracked terms (as literal strings) and the
    stored framework/instrument mentions; each with the number of shared sentences."""
    keys = sorted({(r["path"], r["sentence"]) for r in rows})
    if not keys:
        return []
    counts: Counter[tuple[str, str]] = Counter()
    store.con.execute("CREATE OR REPLACE TEMP TABLE _kwic_keys (path VARCHAR, sentence INTEGER)")
    try:
        store.con.executemany("INSERT INTO _kwic_keys VALUES (?, ?)", keys)
        found = store.query(
            "SELECT DISTINCT m.kind, m.label, k.path, k.sentence FROM _kwic_keys k JOIN documents d ON d.path = k.path "
            "JOIN mentions m ON m.doc_id = d.doc_id AND m.sentence = k.sentence WHERE m.kind IN ('framework', 'instrument')"
        )
        texts = store.query(
            "SELECT s.simplified FROM _kwic_keys k JOIN documents d ON d.path = k.path "
            "JOIN sentences s ON s.doc_id = d.doc_id AND s.idx = k.sentence"
        )
    finally:
        store.con.execute("DROP TABLE IF EXISTS _kwic_keys")
    for row in found:
        if not (spec.from_mentions and row["kind"] == spec.kind and row["label"] == spec.label):
            counts[(row["kind"], row["label"])] += 1
    own = {spec.label} if spec.kind == "group" else {n for n, _ in spec.needles}
    terms = [(label, needles[0][0]) for label, needles in term_groups().items() if label not in own]
    for row in texts:
        stripped = squash(row["simplified"])
        for label, needle in terms:
            if needle in stripped and not any(needle in n or n in needle for n in own):
                counts[("term", label)] += 1
    return [{"kind": k, "label": label, "sentences": n} for (k, label), n in counts.most_common(top)]


UNITS = ("chars", "tokens")


def _token_context(text: str, start: int, end: int, window: int) -> tuple[str, str]:
    from pipeline.segment import segmenter_for

    seg = segmenter_for()
    left = [t for t in seg.lcut(text[:start])]
    right = [t for t in seg.lcut(text[end:])]
    return "".join(left[-window:]) if window else "", "".join(right[:window])


def _regex_rows(store: Store, pattern: str, by: str, filters: Filters) -> list[dict[str, Any]]:
    where, params = filters.sql()
    sql = (
        f"WITH d AS (SELECT doc_id, doc, path, published, year, {BUCKET_SQL[by]} AS bucket FROM documents WHERE {where}) "
        "SELECT d.doc_id, d.doc, d.path, d.published, d.year, d.bucket, s.idx, s.section, s.text, s.simplified "
        "FROM sentences s JOIN d ON d.doc_id = s.doc_id WHERE regexp_matches(s.simplified, ?) OR regexp_matches(s.text, ?) "
        "ORDER BY d.year NULLS LAST, d.published NULLS LAST, d.path, s.idx"
    )
    try:
        return store.query(sql, params + [pattern, pattern])
    except Exception as exc:  # duckdb's RE2 rejects what it cannot compile
        raise PipelineError(f"regular expression {pattern!r}: {str(exc).splitlines()[0]}") from exc


def concordance(
    store: Store,
    terms: Sequence[str],
    *,
    window: int = 20,
    unit: str = "chars",
    regex: bool = False,
    by: str = "year",
    filters: Filters = Filters(),
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """KWIC of several terms (read as by ``trend``) or regular expressions, merged in date
    order; ``window`` is characters or, with ``unit="tokens"``, jieba tokens on each side."""
    import re

    from pipeline.query.terms import resolve_term

    if unit not in UNITS:
        raise PipelineError(f"--unit {unit!r}: choose one of {', '.join(UNITS)}")
    if window < 0:
        raise PipelineError(f"--window {window}: give 0 or more")
    if limit is not None and limit < 1:
        raise PipelineError(f"--limit {limit}: give a positive number of lines (or leave it out for all)")
    if not terms:
        raise PipelineError("give at least one TERM")
    rows: list[dict[str, Any]] = []
    for term in terms:
        if regex:
            try:
                compiled = re.compile(term)
            except re.error as exc:
                raise PipelineError(f"regular expression {term!r}: {exc}") from exc
            for sent in _regex_rows(store, term, by, filters):
                text = sent["text"]
                view = sent["simplified"] if len(sent["simplified"] or "") == len(text) else text
                for m in compiled.finditer(view):
                    if m.end() == m.start():
                        continue
                    rows.append({"bucket": sent["bucket"], "doc": sent["doc"], "date": sent["published"] or (str(sent["year"]) if sent["year"] else None),
                                 "sentence": sent["idx"], "section": sent["section"], "term": term,
                                 "left": _one_line(text[max(0, m.start() - window):m.start()]), "match": _one_line(text[m.start():m.end()]),
                                 "right": _one_line(text[m.end():m.end() + window]), "text": text, "path": sent["path"],
                                 "start": m.start(), "end": m.end(), "year": sent["year"], "published": sent["published"]})
        else:
            for r in kwic(store, resolve_term(term), window=window, by=by, filters=filters):
                rows.append(r)
    if unit == "tokens":
        for r in rows:
            text = r["text"]
            start, end = r["start"], r["end"]
            left, right = _token_context(text, start, end, window)
            r["left"], r["right"] = _one_line(left), _one_line(right)
    rows.sort(key=lambda r: (r["date"] is None, r["date"] or "", r["path"], r["sentence"]))
    return rows[:limit] if limit else rows
