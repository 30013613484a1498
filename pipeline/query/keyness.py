"""Keyness: which words a target part of the corpus (a year or period, a source, a venue, or
the sentences with a stance label) uses more or less than a reference part, as quanteda's
``textstat_keyness`` computes it.

For every word, the 2x2 table is a = its count in the target, b = in the reference, c = the
target's other tokens, d = the reference's other tokens (N = a+b+c+d). ``chi2`` is Pearson's
chi-square with Yates' continuity correction, ``g2`` the log-likelihood ratio with Williams'
correction (quanteda's defaults for ``measure = "chi2"`` and ``"lr"``); both are signed
(negative: the word is rarer in the target than expected). The effect size is the log ratio
(log2 of the relative frequencies, 0.5 added to each count) and quanteda's ``pmi``.
Tokens: :mod:`pipeline.query.tokens` (jieba, stop words out).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from pipeline.errors import PipelineError
from pipeline.query.filters import Filters
from pipeline.query.tokens import count_tokens, sentence_rows
from pipeline.schema import STANCE_LABELS
from pipeline.store import Store

MEASURES = ("chi2", "g2")


@dataclass(frozen=True)
class Part:
    """Which sentences a side of the comparison holds: document filters plus a stance label."""

    filters: Filters = Filters()
    stance: str | None = None
    text: str = ""

    @classmethod
    def parse(cls, spec: str | None, base: Filters = Filters()) -> "Part":
        """``year=2023``, ``year=2018-2022``, ``source=mfa_press``, ``stance=DECOUPLING``; several
        joined by commas. ``None`` or ``rest`` -> everything (the caller removes the target)."""
        if spec is None or spec.strip() in ("", "rest"):
            return cls(base, None, "rest")
        since, until, where, stance = base.since, base.until, list(base.where), None
        for item in spec.split(","):
            column, sep, value = (p.strip() for p in item.partition("="))
            if not sep or not value:
                raise PipelineError(f"{spec!r}: expected COLUMN=VALUE[,COLUMN=VALUE], e.g. year=2018-2022 or source=mfa_press")
            if column == "year" and "-" in value:
                lo, _, hi = value.partition("-")
                if not (lo.isdigit() and hi.isdigit()):
                    raise PipelineError(f"{spec!r}: a year range is FIRST-LAST, e.g. 2018-2022")
                since = max(int(lo), since) if since is not None else int(lo)
                until = min(int(hi), until) if until is not None else int(hi)
            elif column == "stance":
                stance = value.upper()
                if stance not in STANCE_LABELS:
                    raise PipelineError(f"{spec!r}: no stance {value!r}; use one of {', '.join(STANCE_LABELS)}")
            else:
                where.append(f"{column}={value}")
        pairs = [w if isinstance(w, str) else f"{w[0]}={w[1]}" for w in where]
        return cls(Filters.parse(since=since, until=until, where=pairs), stance, spec)

    def sql(self) -> str:
        if not self.stance:
            return ""
        label = self.stance.replace("'", "''")
        return (f"AND EXISTS (SELECT 1 FROM stance st WHERE st.doc_id = s.doc_id AND st.sentence = s.idx "
                f"AND st.source = 'rules' AND st.label = '{label}')")


@dataclass
class KeynessResult:
    rows: list[dict[str, Any]]
    target: dict[str, int] = field(default_factory=dict)  # tokens, sentences
    reference: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def header(self) -> list[str]:
        return [f"target: {self.target['tokens']:,} tokens in {self.target['sentences']:,} sentences; "
                f"reference: {self.reference['tokens']:,} tokens in {self.reference['sentences']:,} sentences", *self.notes]


def chi2_yates(a: float, b: float, c: float, d: float) -> float:
    """Pearson's chi-square of [[a, b], [c, d]] with Yates' correction, signed by a vs expected."""
    n = a + b + c + d
    denom = (a + b) * (c + d) * (a + c) * (b + d)
    if not denom:
        return 0.0
    diff = max(abs(a * d - b * c) - n / 2, 0.0)
    value = n * diff * diff / denom
    return value if a >= (a + b) * (a + c) / n else -value


def g2_williams(a: float, b: float, c: float, d: float) -> float:
    """Log-likelihood ratio G² of [[a, b], [c, d]] with Williams' correction, signed."""
    n = a + b + c + d
    cells = ((a, a + b, a + c), (b, a + b, b + d), (c, c + d, a + c), (d, c + d, b + d))
    if any(row == 0 or col == 0 for _, row, col in cells):
        return 0.0
    g2 = 2 * sum(o * math.log(o * n / (row * col)) for o, row, col in cells if o > 0)
    q = 1 + (n / (a + b) + n / (c + d) - 1) * (n / (a + c) + n / (b + d) - 1) / (6 * n)
    value = g2 / q
    return value if a >= (a + b) * (a + c) / n else -value


def keyness(
    store: Store,
    target: Part,
    reference: Part | None = None,
    *,
    measure: str = "chi2",
    min_count: int = 5,
    top: int | None = 20,
    both_ends: bool = False,
) -> KeynessResult:
    """Rank words by keyness of ``target`` against ``reference`` (default: every other
    sentence of the corpus that passes the target's base filters). Rows: word, count_target,
    count_reference, per10k_target, per10k_reference, chi2, g2, log_ratio, pmi, p."""
    if measure not in MEASURES:
        raise PipelineError(f"unknown --measure {measure!r}; choose one of {', '.join(MEASURES)}")
    if min_count < 1:
        raise PipelineError(f"--min-count {min_count}: give at least 1")
    target_keys: set[tuple[str, int]] = set()
    t_texts: list[str] = []
    for row in sentence_rows(store, target.filters, extra=target.sql()):
        target_keys.add((row["doc"], row["idx"]))
        t_texts.append(row["simplified"])
    if not t_texts:
        raise PipelineError(f"the target ({target.text or target.filters.describe()}) holds no sentences")
    ref = reference or Part(Filters(), None, "rest")
    r_texts = [row["simplified"] for row in sentence_rows(store, ref.filters, extra=ref.sql())
               if (row["doc"], row["idx"]) not in target_keys]
    if not r_texts:
        raise PipelineError(f"the reference ({ref.text or ref.filters.describe()}) holds no sentences besides the target's")
    t, r = count_tokens(t_texts), count_tokens(r_texts)
    from scipy.stats import chi2 as chi2_dist

    rows = []
    for word in set(t.tokens) | set(r.tokens):
        a, b = t.tokens.get(word, 0), r.tokens.get(word, 0)
        if a + b < min_count:
            continue
        c, d = t.total - a, r.total - b
        x2, g2 = chi2_yates(a, b, c, d), g2_williams(a, b, c, d)
        n = a + b + c + d
        rows.append({
            "word": word, "count_target": a, "count_reference": b,
            "per10k_target": round(a * 10_000 / t.total, 2), "per10k_reference": round(b * 10_000 / r.total, 2),
            "chi2": round(x2, 3), "g2": round(g2, 3),
            "log_ratio": round(math.log2(((a + 0.5) / t.total) / ((b + 0.5) / r.total)), 3),
            "pmi": round(math.log(a * n / ((a + b) * (a + c))), 3) if a else None,
            "p": float(f"{chi2_dist.sf(abs(x2 if measure == 'chi2' else g2), 1):.3g}"),
        })
    rows.sort(key=lambda x: (-x[measure], x["word"]))
    if top is not None:
        rows = rows[:top] + ([x for x in rows[-top:] if x[measure] < 0][::-1] if both_ends else [])
    result = KeynessResult(rows, {"tokens": t.total, "sentences": t.sentences}, {"tokens": r.total, "sentences": r.sentences})
    result.notes.append(f"ranked by {measure} ({'Yates-corrected chi-square' if measure == 'chi2' else 'G² with Williams correction'}); "
                        f"words with fewer than {min_count} occurrences left out; log_ratio = log2 of relative frequencies (+0.5)")
    return result


def with_base(part: Part, base: Filters) -> Part:
    """``part`` restricted to the documents of ``base`` as well."""
    f = part.filters
    since = max(x for x in (f.since, base.since) if x is not None) if (f.since is not None or base.since is not None) else None
    until = min(x for x in (f.until, base.until) if x is not None) if (f.until is not None or base.until is not None) else None
    return replace(part, filters=Filters(since=since, until=until, where=tuple(dict.fromkeys(f.where + base.where))))
