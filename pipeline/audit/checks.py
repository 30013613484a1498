"""Claim and citation audit: findings about one document's citations and notes.

Each check is a small named function over an ``AuditContext`` that yields ``Finding``s;
``CHECKS`` lists them by the finding kind they report, so a caller can run a subset and
count findings per rule. ``audit_document`` runs them and, when the cited work is itself in
the store (``known_documents``), links it and finds the best-supporting passage (BM25).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import PipelineError
from pipeline.citations.authoryear import find_author_year
from pipeline.citations.backrefs import resolve_back_references
from pipeline.citations.claims import NUMERIC_KINDS, claim_cues
from pipeline.citations.resolve import name_key
from pipeline.citations.references import (
    Reference,
    find_dates,
    find_urls,
    is_malformed_url,
    parse_references,
    unescape_markup,
)
from pipeline.schema import Citation, DocumentMeta, Finding, Marker, Note, Sentence
from pipeline.segment import STOP_WORDS_EN, content_words

FINDING_KINDS = (
    "UNCITED_CLAIM", "DANGLING_MARKER", "ORPHAN_NOTE", "DATE_MISMATCH", "ANACHRONISM",
    "INCOMPLETE_REFERENCE", "DUPLICATE_NOTE", "SELF_CITATION", "MALFORMED_URL",
    "TOPIC_MISMATCH", "LINKED_SOURCE",
)

# Fields GB/T 7714-2015 requires per type; "a|b" means either will do.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "journal": ("authors", "title", "container", "year", "issue|volume", "pages"),
    "book": ("authors", "title", "publisher|container", "year"),
    "thesis": ("authors", "title", "publisher", "year"),
    "conference": ("title", "container|publisher", "year"),
    "book section": ("title", "container", "year"),
    "standard": ("title", "number|publisher", "year"),
    "patent": ("title", "number|date"),
    "newspaper": ("title", "container", "date"),
    "web": ("title", "url", "access_date"),
    "report": ("title", "year"),
    "data": (),
    "note": (),
}
BODY_SECTIONS = ("body",)
_CHECKABLE = (*NUMERIC_KINDS, "quote")  # the claims an uncited sentence is reported for
_STOP_BIGRAMS = frozenset({"的是", "我们", "一个", "以及", "进行", "对于", "这一", "这种", "已经", "可以"})


@dataclass(frozen=True)
class KnownDocument:
    """A document already in the store that a note might cite."""

    doc: str
    title: str | None
    authors: tuple[str, ...] = ()
    year: int | None = None
    passages: tuple[str, ...] = ()


@dataclass
class AuditContext:
    doc: str
    meta: DocumentMeta
    sentences: Sequence[Sentence]
    markers: Sequence[Marker]
    notes: Sequence[Note]
    citations: Sequence[Citation]
    known_documents: Sequence[KnownDocument] = ()
    tokenizer: Any = None
    parsed: dict[int, list[Reference]] = field(default_factory=dict)
    _units: dict[str, set[str]] = field(default_factory=dict)  # text -> content units (a claim is cited many times)
    _stripped: dict[str, str] = field(default_factory=dict)
    _days: dict[str, set[str]] = field(default_factory=dict)

    def units(self, text: str) -> set[str]:
        """Content units of ``text`` (tokens and bigrams), computed once per distinct text."""
        found = self._units.get(text)
        if found is None:
            found = self._units[text] = char_bigrams(text) | set(tokenize(text, self.tokenizer))
        return found

    def claim_days(self, claim: str) -> set[str]:
        """The full dates (YYYY-MM-DD) a claim states, once per distinct claim."""
        found = self._days.get(claim)
        if found is None:
            found = self._days[claim] = {d for d, _, _ in find_dates(claim) if len(d) == 10}
        return found

    def stripped(self, claim: str) -> str:
        """``claim`` without its author-year citations, once per distinct claim."""
        found = self._stripped.get(claim)
        if found is None:
            found = self._stripped[claim] = _strip_citations(claim)
        return found

    def refs(self, note: Note) -> list[Reference]:
        """The note's references, back-references (同上, ibid., 前注③ …) resolved."""
        if not self.parsed and self.notes:
            self.parsed.update(resolve_back_references([n for n in self.notes if n.kind != "reference"]))
        if note.index not in self.parsed:
            self.parsed[note.index] = parse_references(note.text)
        return self.parsed[note.index]

    def note_by_index(self) -> dict[int, Note]:
        return {n.index: n for n in self.notes}

    def sentence_by_index(self) -> dict[int, Sentence]:
        return {s.index: s for s in self.sentences}

    def first_citation(self) -> dict[int, Citation]:
        out: dict[int, Citation] = {}
        for c in self.citations:
            if c.note_index is not None and c.note_index not in out:
                out[c.note_index] = c
        return out


# ---------------------------------------------------------------- tokens


def tokenize(text: str, tokenizer: Any = None) -> list[str]:
    """Content tokens (``segment.content_words``): words of two or more characters, lower-cased."""
    return content_words(text, tokenizer)


def char_bigrams(text: str) -> set[str]:
    """CJK character bigrams plus lower-cased Latin words of 3+ letters."""
    out: set[str] = set()
    for run in re.findall(r"[\u3400-\u9fff]+", text or ""):
        out.update(run[i: i + 2] for i in range(len(run) - 1))
    out -= _STOP_BIGRAMS
    out.update(
        w.lower() for w in re.findall(r"[A-Za-z][A-Za-z\-]{2,}", text or "")
        if w.lower() not in STOP_WORDS_EN
    )
    return out


def _strip_citations(text: str) -> str:
    kept, pos = [], 0
    for ay in sorted(find_author_year(text), key=lambda a: a.start):
        if ay.start >= pos:
            kept.append(text[pos:ay.start])
            pos = ay.end
    kept.append(text[pos:])
    return "".join(kept)


def _article_date(meta: DocumentMeta) -> tuple[int, int | None] | None:
    if meta.published:
        m = re.match(r"(\d{4})(?:-(\d{1,2}))?", meta.published)
        if m:
            return int(m.group(1)), int(m.group(2)) if m.group(2) else None
    if meta.year:
        return int(meta.year), None
    return None


def _date_tuple(iso: str | None) -> tuple[int, ...]:
    if not iso:
        return ()
    return tuple(int(x) for x in iso.split("-"))


def _note_label(note: Note) -> str:
    where = f" (page {note.page})" if note.page is not None else ""
    return f"note {note.marker or note.index}{where}"


# ---------------------------------------------------------------- checks


def check_uncited_claims(ctx: AuditContext) -> Iterator[Finding]:
    """UNCITED_CLAIM: a numeric or quoted claim with no citation in it or its paragraph, in a
    document that cites at all (markers, notes or citations); a government report or a news
    item without any citation apparatus is not expected to cite, so it gets no such finding."""
    if not (ctx.citations or ctx.markers or ctx.notes):
        return
    cited_sentences = {c.sentence for c in ctx.citations} | {m.sentence for m in ctx.markers}
    by_index = ctx.sentence_by_index()
    cited_paragraphs = {
        (by_index[i].section, by_index[i].paragraph) for i in cited_sentences if i in by_index
    }
    for s in ctx.sentences:
        if s.section not in BODY_SECTIONS:
            continue
        if s.index in cited_sentences or (s.section, s.paragraph) in cited_paragraphs:
            continue
        checkable = claim_cues(s.text, _CHECKABLE)
        if not checkable:
            continue
        kind, found = next(iter(checkable.items()))
        yield Finding(
            ctx.doc, s.index, None, "UNCITED_CLAIM",
            f"{kind} claim {found[0]!r} has no citation in its sentence or paragraph",
            evidence=", ".join(f"{k}:{v[0]}" for k, v in checkable.items()),
        )


def check_dangling_markers(ctx: AuditContext) -> Iterator[Finding]:
    """DANGLING_MARKER: a citation that resolved to no note."""
    has_refs = any(n.kind == "reference" for n in ctx.notes)
    for c in ctx.citations:
        if c.note is not None:
            continue
        if c.style == "author-year":
            why = (
                f"{c.marker} matches no entry of the reference list"
                if has_refs else f"{c.marker} cites a reference list the document does not contain"
            )
        elif c.style == "numbered" and not has_refs:
            why = f"{c.marker} cites a reference list the document does not contain"
        else:
            where = f" on page {c.page}" if c.page is not None else ""
            why = f"no note {c.marker}{where}"
        yield Finding(ctx.doc, c.sentence, c.marker, "DANGLING_MARKER", why, severity="error")


def check_orphan_notes(ctx: AuditContext) -> Iterator[Finding]:
    """ORPHAN_NOTE: a note or reference entry nothing points to."""
    pointed = {c.note_index for c in ctx.citations if c.note_index is not None}
    for n in ctx.notes:
        if n.index in pointed:
            continue
        what = "reference entry" if n.kind == "reference" else "footnote"
        yield Finding(
            ctx.doc, None, n.marker, "ORPHAN_NOTE",
            f"{what} {n.marker or n.index}"
            + (f" on page {n.page}" if n.page is not None else "")
            + f" is cited nowhere: {n.text[:60]}",
            note_index=n.index,
        )


def check_date_mismatch(ctx: AuditContext) -> Iterator[Finding]:
    """DATE_MISMATCH: an author-year citation whose year differs from its reference's, or a
    claim dated to the day whose cited note is dated to a different day."""
    notes = ctx.note_by_index()
    for c in ctx.citations:
        if c.note_index is None or c.note_index not in notes:
            continue
        refs = ctx.refs(notes[c.note_index])
        if c.style == "author-year" and c.cited_year:
            years = {r.year for r in refs if r.year}
            if years and int(c.cited_year[:4]) not in years:
                yield Finding(
                    ctx.doc, c.sentence, c.marker, "DATE_MISMATCH",
                    f"cited as {c.cited_year} but the reference is dated {sorted(years)[0]}",
                    note_index=c.note_index,
                )
            continue
        claim_days = ctx.claim_days(c.claim)
        note_days = {r.date for r in refs if r.date and len(r.date) == 10}
        if claim_days and note_days and not claim_days & note_days:
            yield Finding(
                ctx.doc, c.sentence, c.marker, "DATE_MISMATCH",
                f"claim dated {sorted(claim_days)[0]} but the cited note is dated {sorted(note_days)[0]}",
                note_index=c.note_index,
            )


def check_anachronism(ctx: AuditContext) -> Iterator[Finding]:
    """ANACHRONISM: a cited work dated after the article, or accessed before it existed."""
    art = _article_date(ctx.meta)
    first = ctx.first_citation()
    for n in ctx.notes:
        c = first.get(n.index)
        sent, marker = (c.sentence, c.marker) if c else (None, n.marker)
        for r in ctx.refs(n):
            if r.type == "note":
                continue
            work = _date_tuple(r.date) or ((r.year,) if r.year else ())
            if art and work:
                a_year, a_month = art
                later = work[0] > a_year or (
                    a_month is not None and len(work) >= 2 and work[0] == a_year and work[1] > a_month
                )
                if later:
                    yield Finding(
                        ctx.doc, sent, marker, "ANACHRONISM",
                        f"cited work is dated {r.date or r.year}, after the article "
                        f"({ctx.meta.published or ctx.meta.year})",
                        note_index=n.index, severity="error",
                    )
            acc = _date_tuple(r.access_date)
            if acc and work:
                k = min(len(acc), len(work))
                if acc[:k] < work[:k]:
                    yield Finding(
                        ctx.doc, sent, marker, "ANACHRONISM",
                        f"accessed {r.access_date}, before the source's date {r.date or r.year}",
                        note_index=n.index, severity="error",
                    )


def _missing(ref: Reference) -> list[str]:
    out = []
    for need in REQUIRED_FIELDS.get(ref.type_name, ()):
        options = need.split("|")
        if need == "date":
            if not (ref.date and len(ref.date) >= 10):
                out.append("date (day)")
            continue
        if not any(getattr(ref, o) for o in options):
            out.append(need.replace("|", " or "))
    return out


def check_incomplete_references(ctx: AuditContext) -> Iterator[Finding]:
    """INCOMPLETE_REFERENCE: fields GB/T 7714 requires for the work's type are missing.
    A short form repeating a work given in full earlier (same title) is not flagged."""
    first = ctx.first_citation()
    seen_titles: set[str] = set()
    for n in sorted(ctx.notes, key=lambda n: (n.start, n.index)):
        for r in ctx.refs(n):
            title_key = re.sub(r"\W", "", r.title or "")
            missing = _missing(r)
            if missing and not (title_key and title_key in seen_titles):
                c = first.get(n.index)
                yield Finding(
                    ctx.doc, c.sentence if c else None, c.marker if c else n.marker,
                    "INCOMPLETE_REFERENCE",
                    f"{r.type_name} reference lacks {', '.join(missing)}: {n.text[:60]}",
                    note_index=n.index, severity="info",
                )
            if title_key:
                seen_titles.add(title_key)


def check_duplicate_notes(ctx: AuditContext) -> Iterator[Finding]:
    """DUPLICATE_NOTE: the same note twice on one page, or twice in a reference list."""
    seen: dict[tuple, Note] = {}
    for n in sorted(ctx.notes, key=lambda n: (n.start, n.index)):
        refs = ctx.refs(n)
        if refs and all(r.type in ("data", "note") for r in refs):
            continue
        text_key = re.sub(r"[\W_]", "", unescape_markup(n.text)).lower()
        if len(text_key) < 8:
            continue
        scope = ("reference",) if n.kind == "reference" else ("page", n.page)
        key = (scope, text_key)
        if key in seen:
            prev = seen[key]
            yield Finding(
                ctx.doc, None, n.marker, "DUPLICATE_NOTE",
                f"{_note_label(n)} repeats {_note_label(prev)}",
                note_index=n.index,
            )
        else:
            seen[key] = n


def check_self_citation(ctx: AuditContext) -> Iterator[Finding]:
    """SELF_CITATION: a note cites one of the article's own authors."""
    own = {name_key(a): a for a in ctx.meta.authors or [] if a}
    if not own:
        return
    first = ctx.first_citation()
    for n in ctx.notes:
        for r in ctx.refs(n):
            hit = [own[k] for k in (name_key(a) for a in r.authors) if k in own]
            if hit:
                c = first.get(n.index)
                yield Finding(
                    ctx.doc, c.sentence if c else None, c.marker if c else n.marker,
                    "SELF_CITATION", f"note cites the article's author {hit[0]}: {r.title or n.text[:40]}",
                    note_index=n.index, severity="info",
                )
                break


def check_malformed_urls(ctx: AuditContext) -> Iterator[Finding]:
    """MALFORMED_URL: a URL broken by spaces/line wraps, or not a well-formed address."""
    first = ctx.first_citation()
    for n in ctx.notes:
        text = unescape_markup(n.text)
        c = first.get(n.index)
        sent, marker = (c.sentence, c.marker) if c else (None, n.marker)
        for m in re.finditer(r"\bhttps?//|\bhttps?:/(?!/)|\bhttps?;//", text, re.I):
            yield Finding(
                ctx.doc, sent, marker, "MALFORMED_URL",
                f"URL scheme is mistyped: {text[m.start(): m.start() + 40]!r}",
                note_index=n.index, evidence=text[m.start(): m.start() + 80],
            )
        for url, s, e, repaired in find_urls(text):
            why = is_malformed_url(url)
            if repaired:
                yield Finding(
                    ctx.doc, sent, marker, "MALFORMED_URL",
                    f"URL broken by spaces or a line wrap; read as {url}",
                    note_index=n.index, evidence=text[s:e],
                )
            elif why:
                yield Finding(
                    ctx.doc, sent, marker, "MALFORMED_URL", f"URL {url!r} {why}",
                    note_index=n.index, evidence=url,
                )


def topic_overlap(title: str, claim: str, tokenizer: Any = None) -> tuple[float, list[str]]:
    """Share of the title's content units (jieba tokens and char bigrams) found in the claim."""
    claim = _strip_citations(claim)
    return _overlap(char_bigrams(title) | set(tokenize(title, tokenizer)), char_bigrams(claim) | set(tokenize(claim, tokenizer)))


def _overlap(t_units: set[str], c_units: set[str]) -> tuple[float, list[str]]:
    if not t_units:
        return 1.0, []
    shared = sorted(t_units & c_units)
    return len(shared) / len(t_units), shared


def check_topic_mismatch(ctx: AuditContext) -> Iterator[Finding]:
    """TOPIC_MISMATCH: the cited work's title shares no token or bigram with the claim.
    English titles are compared only with claims that contain Latin words."""
    notes = ctx.note_by_index()
    for c in ctx.citations:
        if c.note_index is None or c.note_index not in notes:
            continue
        refs = [r for r in ctx.refs(notes[c.note_index]) if r.title and r.type not in ("data", "note")]
        if not refs:
            continue
        claim = ctx.stripped(c.claim)
        scores = []
        for r in refs:
            cjk_title = bool(re.search(r"[\u3400-\u9fff]", r.title))
            if not cjk_title and not re.search(r"[A-Za-z]{3,}", claim):
                break  # cannot compare an English title with an all-Chinese claim
            # the claim is already stripped: stripping it again finds nothing
            scores.append(_overlap(ctx.units(r.title), ctx.units(ctx.stripped(claim))))
        else:
            if scores and max(s for s, _ in scores) == 0.0:
                yield Finding(
                    ctx.doc, c.sentence, c.marker, "TOPIC_MISMATCH",
                    f"cited title {refs[0].title!r} shares no words with the claim",
                    note_index=c.note_index, score=0.0,
                )


def _title_similarity(a: str, b: str) -> float:
    ka, kb = re.sub(r"\W", "", a or "").lower(), re.sub(r"\W", "", b or "").lower()
    if not ka or not kb:
        return 0.0
    if ka == kb or (min(len(ka), len(kb)) >= 6 and (ka in kb or kb in ka)):
        return 1.0
    ba = {ka[i: i + 2] for i in range(len(ka) - 1)}
    bb = {kb[i: i + 2] for i in range(len(kb) - 1)}
    return 2 * len(ba & bb) / (len(ba) + len(bb)) if ba and bb else 0.0


def match_known_document(
    ref: Reference, known_documents: Sequence[KnownDocument], *, min_similarity: float = 0.6
) -> tuple[KnownDocument | None, float]:
    """The stored document a reference cites (by title, confirmed by author or year)."""
    best, best_score = None, 0.0
    for k in known_documents:
        sim = _title_similarity(ref.title or "", k.title or "")
        if sim < min_similarity:
            continue
        score = sim
        if ref.year and k.year:
            score += 0.2 if ref.year == k.year else -0.3
        ra = {name_key(a) for a in ref.authors}
        ka = {name_key(a) for a in k.authors}
        if ra and ka:
            score += 0.2 if ra & ka else -0.3
        if score > best_score:
            best, best_score = k, score
    return (best, best_score) if best_score >= min_similarity else (None, 0.0)


def best_passage(
    claim: str, passages: Sequence[str], tokenizer: Any = None
) -> tuple[int | None, float]:
    """Index and BM25 score of the passage that best supports ``claim``."""
    from rank_bm25 import BM25Plus

    docs = [tokenize(p, tokenizer) for p in passages]
    query = tokenize(_strip_citations(claim), tokenizer)
    if not any(docs) or not query:
        return None, 0.0
    # BM25+ with delta=0: idf log((N+1)/n) stays positive on tiny stores; no overlap scores 0
    bm25 = BM25Plus([d or ["∅"] for d in docs], delta=0.0)
    scores = bm25.get_scores(query)
    i = max(range(len(scores)), key=lambda j: scores[j])
    return i, float(scores[i])


def check_linked_sources(ctx: AuditContext) -> Iterator[Finding]:
    """LINKED_SOURCE: the cited work is in the store; report the best-supporting passage."""
    if not ctx.known_documents:
        return
    notes = ctx.note_by_index()
    for c in ctx.citations:
        if c.note_index is None or c.note_index not in notes:
            continue
        for r in ctx.refs(notes[c.note_index]):
            known, _ = match_known_document(r, ctx.known_documents)
            if known is None or known.doc == ctx.doc:
                continue
            i, score = best_passage(c.claim, known.passages, ctx.tokenizer)
            passage = known.passages[i] if i is not None else None
            yield Finding(
                ctx.doc, c.sentence, c.marker, "LINKED_SOURCE",
                f"cites {known.doc}; best-supporting passage scores {score:.2f}"
                + ("" if score > 0 else " (no supporting passage found)"),
                note_index=c.note_index, severity="info", score=score,
                evidence=passage, linked_doc=known.doc,
            )


CHECKS: dict[str, Callable[[AuditContext], Iterable[Finding]]] = {
    "UNCITED_CLAIM": check_uncited_claims,
    "DANGLING_MARKER": check_dangling_markers,
    "ORPHAN_NOTE": check_orphan_notes,
    "DATE_MISMATCH": check_date_mismatch,
    "ANACHRONISM": check_anachronism,
    "INCOMPLETE_REFERENCE": check_incomplete_references,
    "DUPLICATE_NOTE": check_duplicate_notes,
    "SELF_CITATION": check_self_citation,
    "MALFORMED_URL": check_malformed_urls,
    "TOPIC_MISMATCH": check_topic_mismatch,
    "LINKED_SOURCE": check_linked_sources,
}


class AuditError(PipelineError, ValueError):
    """Bad input to the audit (names the bad value and the fix)."""


def audit_document(
    doc_name: str,
    meta: DocumentMeta | None,
    sentences: Sequence[Sentence],
    markers: Sequence[Marker],
    notes: Sequence[Note],
    citations: Sequence[Citation],
    *,
    known_documents: Sequence[KnownDocument] = (),
    checks: Sequence[str] | None = None,
    tokenizer: Any = None,
) -> list[Finding]:
    """All findings for one document, ordered by sentence then kind."""
    names = list(CHECKS) if checks is None else list(checks)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise AuditError(
            f"[A001] unknown audit check(s) {unknown}; choose from {', '.join(CHECKS)}"
        )
    ctx = AuditContext(
        doc=doc_name, meta=meta or DocumentMeta(), sentences=sentences, markers=markers or (),
        notes=notes, citations=citations, known_documents=known_documents, tokenizer=tokenizer,
    )
    findings: list[Finding] = []
    for name in names:
        findings.extend(CHECKS[name](ctx))
    order = {k: i for i, k in enumerate(FINDING_KINDS)}
    findings.sort(
        key=lambda f: (f.sentence if f.sentence is not None else 10**9, order.get(f.kind, 99))
    )
    return findings


def summarize_findings(findings: Iterable[Finding]) -> dict[str, int]:
    """Number of findings per kind (the per-rule coverage report)."""
    return dict(Counter(f.kind for f in findings))
