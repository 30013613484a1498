"""Word counts over stored sentences for corpus statistics: jieba tokens of the Simplified view
(the project's segmenter with the lexicon dictionary), punctuation, numbers and the stop words
of ``lexicons/stopwords.yaml`` left out. ``top_terms`` and ``collocations`` are built on them;
``keyness`` and ``emerging`` read the same counts."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from pipeline.config import LEXICON_DIR
from pipeline.errors import PipelineError
from pipeline.query.filters import BUCKET_SQL, Filters
from pipeline.segment import segmenter_for
from pipeline.store import Store

_WORDY = re.compile(r"[\u3400-\u9fffA-Za-z]")
_NUMBERISH = re.compile(r"^[\d.,%０-９一二三四五六七八九十百千万亿两]+$")


@lru_cache(maxsize=4)
def stop_words(directory: str | None = None) -> frozenset[str]:
    """The stop words of ``stopwords.yaml`` in ``directory`` (default: the packaged lexicons)."""
    path = (LEXICON_DIR if directory is None else __import__("pathlib").Path(directory)) / "stopwords.yaml"
    if not path.exists():
        return frozenset()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    words = data.get("words")
    if not isinstance(words, list):
        raise PipelineError(f"{path}: expected a list under 'words'")
    return frozenset(str(w) for w in words)


def keep_token(token: str, stops: frozenset[str], min_chars: int = 2) -> bool:
    token = token.strip()
    return (len(token) >= min_chars and bool(_WORDY.search(token)) and token not in stops
            and not _NUMBERISH.match(token))


def tokenize(text: str, *, stops: frozenset[str] | None = None, min_chars: int = 2) -> list[str]:
    """The counted tokens of one text (lower-cased Latin words)."""
    stops = stop_words() if stops is None else stops
    return [t.lower() for t in segmenter_for().lcut(text or "") if keep_token(t, stops, min_chars)]


def sentence_rows(store: Store, filters: Filters = Filters(), *, by: str = "year", extra: str = "") -> Iterator[dict[str, Any]]:
    """Sentences (body, title, abstract; not notes or references) of the documents passing
    ``filters``, with their document's bucket, date and source, in date order."""
    where, params = filters.sql()
    sql = (
        f"SELECT d.doc, d.source, d.published, d.year, {BUCKET_SQL[by]} AS bucket, s.idx, s.simplified "
        f"FROM sentences s JOIN documents d USING (doc_id) WHERE {where} "
        "AND s.section NOT IN ('note', 'reference', 'meta') " + extra +
        " ORDER BY d.year NULLS LAST, d.published NULLS LAST, d.path, s.idx"
    )
    cursor = store.con.execute(sql, params)
    names = [c[0] for c in cursor.description]
    while True:
        chunk = cursor.fetchmany(5000)
        if not chunk:
            return
        for row in chunk:
            yield dict(zip(names, row))


@dataclass
class Counts:
    """Token counts of one part of the corpus."""

    tokens: Counter
    total: int = 0
    sentences: int = 0


def count_tokens(texts: Iterable[str], *, min_chars: int = 2) -> Counts:
    stops = stop_words()
    counts = Counts(Counter())
    for text in texts:
        toks = tokenize(text, stops=stops, min_chars=min_chars)
        counts.tokens.update(toks)
        counts.total += len(toks)
        counts.sentences += 1
    return counts


def top_terms(store: Store, *, by: str = "year", filters: Filters = Filters(), top: int = 10, min_chars: int = 2) -> list[dict[str, Any]]:
    """The ``top`` most frequent tokens of each bucket (year, month, source, venue, doc)."""
    if by not in BUCKET_SQL:
        raise PipelineError(f"unknown --by {by!r}; choose one of {', '.join(BUCKET_SQL)}")
    if top < 1:
        raise PipelineError(f"--top {top}: give at least 1")
    stops = stop_words()
    per: dict[str, Counter] = {}
    totals: Counter = Counter()
    for row in sentence_rows(store, filters, by=by):
        toks = tokenize(row["simplified"], stops=stops, min_chars=min_chars)
        per.setdefault(row["bucket"], Counter()).update(toks)
        totals[row["bucket"]] += len(toks)
    out = []
    for bucket, counter in per.items():
        for rank, (term, n) in enumerate(counter.most_common(top), 1):
            out.append({"bucket": bucket, "rank": rank, "term": term, "count": n,
                        "per10k": round(n * 10_000 / totals[bucket], 2) if totals[bucket] else None})
    return out


def collocations(store: Store, *, filters: Filters = Filters(), size: int = 2, min_count: int = 5, top: int = 30) -> list[dict[str, Any]]:
    """Adjacent token sequences (``size`` 2 or 3) that occur together more than chance:
    count, PMI (log2 observed/expected) and the log-likelihood ratio G² of the first
    token(s) against the last (2x2 table), ranked by G²."""
    if size not in (2, 3):
        raise PipelineError(f"--size {size}: collocations of 2 or 3 tokens")
    stops = stop_words()
    unigrams: Counter = Counter()
    grams: Counter = Counter()
    heads: Counter = Counter()
    for row in sentence_rows(store, filters):
        toks = tokenize(row["simplified"], stops=stops, min_chars=1)
        unigrams.update(toks)
        for i in range(len(toks) - size + 1):
            gram = tuple(toks[i:i + size])
            grams[gram] += 1
            if size == 3:
                heads[gram[:2]] += 1
    n = sum(unigrams.values())
    out = []
    for gram, a in grams.items():
        if a < min_count:
            continue
        first = heads[gram[:2]] if size == 3 else unigrams[gram[0]]
        last = unigrams[gram[-1]]
        expected = first * last / n if n else 0
        pmi = math.log2(a / expected) if expected else 0.0
        b, c = first - a, last - a
        d = max(n - a - b - c, 0)
        out.append({"collocation": " ".join(gram), "count": a, "pmi": round(pmi, 3),
                    "g2": round(log_likelihood(a, b, c, d), 2)})
    out.sort(key=lambda r: (-r["g2"], r["collocation"]))
    return out[:top]


def log_likelihood(a: float, b: float, c: float, d: float) -> float:
    """G² of a 2x2 table [[a, b], [c, d]] (no correction)."""
    n = a + b + c + d
    total = 0.0
    for obs, row, col in ((a, a + b, a + c), (b, a + b, b + d), (c, c + d, a + c), (d, c + d, b + d)):
        expected = row * col / n if n else 0
        if obs > 0 and expected > 0:
            total += obs * math.log(obs / expected)
    return 2 * total
