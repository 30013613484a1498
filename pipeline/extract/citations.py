"""In-text citations: find markers, resolve them to notes, mark checkable claims.

Markers come in two families:

* note markers — circled ``①``…``⑳`` (bare, ``<sup>①</sup>``, ``^①``), ``[1]``, ``[2-3]``,
  ``[1,4]`` and superscript digits. The cleaner removes them from sentence text and returns
  ``Marker`` records; ``find_markers`` reads them from a raw string.
* author-year citations — ``(陈靓，2022)``, ``(Olson，2022a)``, ``(Goger & Pan，2023)``,
  ``(李巍和王丽，2022)``. They stay in the sentence text; ``find_author_year`` finds them.

Circled numbering restarts on every page, so a circled marker resolves to the note with the
same marker on the same page. ``[n]`` and author-year citations resolve to reference-list
entries (``Note.kind == "reference"``) when the document has them; otherwise the citation
is kept with ``note=None`` for the audit to report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipeline.errors import PipelineError
from pipeline.extract.references import Reference, find_dates, parse_references
from pipeline.schema import Citation, Marker, Note, Sentence

CIRCLED = "".join(chr(c) for c in range(0x2460, 0x2474))  # ①..⑳
CIRCLED_EXT = "".join(chr(c) for c in range(0x3251, 0x3260)) + "".join(
    chr(c) for c in range(0x32B1, 0x32C0)
)  # ㉑..㉟, ㊱..㊿
_CIRCLED_ALL = CIRCLED + CIRCLED_EXT
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_TO_DIGIT = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")

_NUM_LIST = r"\d{1,3}(?:\s*[-–—~～,，、]\s*\d{1,3})*"
MARKER_PATTERNS: dict[str, re.Pattern[str]] = {
    # order matters: markup forms first so their inner marker is not matched again
    "sup": re.compile(
        rf"<sup>\s*(?:\\?\[)?\s*([{_CIRCLED_ALL}]|{_NUM_LIST})\s*(?:\\?\])?\s*</sup>"
    ),
    "caret": re.compile(rf"\^\s*(?:\[\s*({_NUM_LIST})\s*\]|([{_CIRCLED_ALL}])|(\d{{1,3}}))"),
    "circled": re.compile(rf"[{_CIRCLED_ALL}]"),
    "bracket": re.compile(rf"(?<![0-9\\])[\[［【]\s*({_NUM_LIST})\s*[\]］】](?!\()"),
    "superscript": re.compile(rf"[{SUPERSCRIPT_DIGITS}]+"),
}

# Author part of an author-year citation: Chinese names/institutions, or Latin names with
# "&", "and", "et al.". No digits except inside institution names like "上海WTO事务咨询中心".
_LATIN = "A-Za-z\u00c0-\u024f"
_AUTHOR = (
    rf"[\u3400-\u9fff{_LATIN}][\u3400-\u9fff{_LATIN}0-9·.'’\- ]{{0,40}}?"
    rf"(?:\s*(?:&|and|和|与|、)\s*[\u3400-\u9fff{_LATIN}][\u3400-\u9fff{_LATIN}·.'’\- ]{{0,30}}?)*"
    r"(?:\s*(?:et\s+al\.?|等))?"
)
_YEAR = r"(?:19|20)\d{2}[a-z]?"
_ITEM = rf"({_AUTHOR})\s*[,，]?\s*({_YEAR})(?:\s*[:：]\s*\d+(?:\s*[-–—]\s*\d+)?)?"
AUTHOR_YEAR = re.compile(
    rf"[(（]\s*({_ITEM}(?:\s*[;；]\s*{_ITEM})*)\s*[)）]"
)
_ITEM_RE = re.compile(_ITEM)
_NOT_AUTHOR = re.compile(
    r"^(?:见|参见|如|例如|即|约|截至|自|从|至|到|在|于|公元|前|后|年|表|图|附表|附图|第|共|计|占|达|为|"
    r"同比|环比|上半年|下半年|全年|本文|笔者)|^(?i:see|cf|e\.g|i\.e)\b|^[A-Z]{2,6}$|^[一二三四五六七八九十]+$"
)


class CitationError(PipelineError, ValueError):
    """Bad input to the citations stage (names the document and the record)."""


@dataclass(frozen=True)
class MarkerHit:
    """A marker found in a raw string: as printed without markup, and where."""

    marker: str
    start: int
    end: int
    style: str  # "circled" | "bracket" | "superscript" | "sup" | "caret"


@dataclass(frozen=True)
class AuthorYear:
    """One author-year citation. ``marker`` is the whole parenthesis as printed;
    ``items`` lists ``(authors, year)`` for each work it names."""

    marker: str
    start: int
    end: int
    items: tuple[tuple[tuple[str, ...], str], ...]


# ---------------------------------------------------------------- finding markers


def normalize_marker(marker: str) -> str:
    """Canonical form of a note marker for comparison: ``<sup>①</sup>``/``^①`` → ``①``,
    ``［1］``/``[ 1 ]`` → ``[1]``, ``¹`` → ``1``, ``1.`` → ``1``."""
    m = re.sub(r"</?sup>|\^|\\", "", marker or "").strip()
    m = m.translate(_SUP_TO_DIGIT)
    m = m.replace("［", "[").replace("］", "]").replace("【", "[").replace("】", "]")
    m = re.sub(r"\s+", "", m)
    m = re.sub(r"^(\d{1,3})[.、)]$", r"\1", m)
    return m


def marker_numbers(marker: str) -> list[int]:
    """Numbers a numbered marker points to: ``[2-3]`` → [2, 3], ``[1,4]`` → [1, 4]."""
    m = normalize_marker(marker).strip("[]")
    nums: list[int] = []
    for part in re.split(r"[,，、]", m):
        r = re.fullmatch(r"(\d{1,3})[-–—~～](\d{1,3})", part)
        if r:
            a, b = int(r.group(1)), int(r.group(2))
            if a <= b and b - a <= 50:
                nums.extend(range(a, b + 1))
            continue
        if part.isdigit():
            nums.append(int(part))
    return nums


def _marker_style(marker: str) -> str:
    m = normalize_marker(marker)
    if m and m[0] in _CIRCLED_ALL:
        return "footnote"
    if m.startswith("["):
        return "numbered"
    return "footnote"  # bare/superscript digits are footnote-style


def find_markers(text: str) -> list[MarkerHit]:
    """Note markers in a raw string, left to right. A ``*`` (title or funding note) and
    dates in brackets (``[2023-10-17]``) are not markers."""
    if not isinstance(text, str):
        return []
    hits: list[MarkerHit] = []
    taken: list[tuple[int, int]] = []
    for style, pat in MARKER_PATTERNS.items():
        for m in pat.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            inner = next((g for g in m.groups() if g), m.group(0)) if m.groups() else m.group(0)
            if style == "bracket":
                if re.fullmatch(r"\d{4}", inner) or re.search(r"\d{4}", inner):
                    continue
                printed = "[" + re.sub(r"\s+", "", inner) + "]"
            elif style == "caret" and m.group(1):
                printed = "[" + re.sub(r"\s+", "", m.group(1)) + "]"
            elif style == "superscript":
                printed = inner.translate(_SUP_TO_DIGIT)
            else:
                printed = re.sub(r"\s+", "", inner)
            taken.append((m.start(), m.end()))
            hits.append(MarkerHit(printed, m.start(), m.end(), style))
    hits.sort(key=lambda h: h.start)
    return hits


def find_author_year(text: str) -> list[AuthorYear]:
    """Author-year citations in sentence text, full- or half-width: ``(陈靓，2022)``,
    ``(Olson，2022a)``, ``(Goger & Pan，2023)``, ``(李巍和王丽，2022)``, ``(A，2021；B，2022)``."""
    if not isinstance(text, str):
        return []
    out: list[AuthorYear] = []
    for m in AUTHOR_YEAR.finditer(text):
        items = []
        for im in _ITEM_RE.finditer(m.group(1)):
            author = im.group(1).strip()
            if not author or _NOT_AUTHOR.search(author):
                continue
            # a bare year-like context "(2021年6月成立，2022)" is not a citation
            if re.search(r"\d", author) and not re.search(r"[A-Za-z\u3400-\u9fff]{2,}", author):
                continue
            names = tuple(
                a.strip()
                for a in re.split(r"\s*(?:&|\band\b|和|与|、)\s*", re.sub(r"\s*(?:et\s+al\.?|等)$", "", author))
                if a.strip()
            )
            items.append((names, im.group(2)))
        if items:
            out.append(AuthorYear(m.group(0), m.start(), m.end(), tuple(items)))
    return out


# ---------------------------------------------------------------- claims

CLAIM_RULES: dict[str, re.Pattern[str]] = {
    "percent": re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|个百分点|‰)|百分之[零一二两三四五六七八九十百点]+"),
    "number": re.compile(
        r"(?<![\d.])\d+(?:[,，]\d{3})*(?:\.\d+)?\s*(?:多|余)?\s*(?:万亿|千亿|百亿|亿|万|千)?\s*"
        r"(?:美元|欧元|日元|元|人民币|吨|桶|项|家|个|倍|名|人|次|件|辆|架|台|部|份|条|国|美分|亿|万|"
        r"billion|million|trillion|percent)"
        r"|\d+\.\d+(?!\s*(?:年|月|日))"
        r"|\d+\s*/\s*\d+(?!\s*/)"
        r"|[一二两三四五六七八九十百千]+(?:万亿|亿|万)(?:美元|元|人民币)?"
    ),
    "date": re.compile(
        r"(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?"
        r"|\d{1,2}\s*月\s*\d{1,2}\s*日"
        r"|(?:January|February|March|April|May|June|July|August|September|October|November|"
        r"December)\s+\d{1,2},?\s+\d{4}"
    ),
    "quote": re.compile(
        r"(?:说|称|表示|指出|强调|认为|写道|宣称|声称|宣布|坦言|承认|提出)\s*[：:，,]?\s*[“\"「][^”\"」]{4,}[”\"」]"
        r"|[“\"「][^”\"」]{15,}[”\"」]"
        r"|[“\"「][^”\"」]*[，。！？；][^”\"」]*[”\"」]"
    ),
    "attribution": re.compile(
        r"(?<!本文)(?<!笔者)(?<!我们)(?:指出|表示|宣称|声称|强调|显示|表明|发现|披露|报道|坦言|宣布|写道)"
        r"|(?:^|[，,。；;：:\s])(?:据|根据)(?!此|悉)[^，,。]{1,40}?(?:数据|统计|报告|报道|资料|测算|调查|估计|显示|称|介绍|消息)"
        r"|(?:^|[，,。；;\s])据(?!此|悉|了解|说)[^，,。]{1,20}?(?:称|介绍|表示|统计|测算)"
    ),
}
NUMERIC_KINDS = frozenset({"percent", "number"})
# A cheap necessary condition per claim rule: the rule cannot match a text without it, so
# most sentences skip the full (slower) patterns. Keep in step with CLAIM_RULES.
_CLAIM_PREFILTERS: dict[str, re.Pattern[str]] = {
    "percent": re.compile(r"\d|百分之"),
    "number": re.compile(r"\d|万|亿"),
    "date": re.compile(r"\d"),
    "quote": re.compile(r"[“\"「]"),
    "attribution": re.compile(r"据|指出|表示|宣称|声称|强调|显示|表明|发现|披露|报道|坦言|宣布|写道"),
}


def claim_cues(text: str) -> dict[str, list[str]]:
    """For each claim rule that fires on ``text``, the cues (matched strings) that fired."""
    if not isinstance(text, str):
        return {}
    out: dict[str, list[str]] = {}
    for name, pat in CLAIM_RULES.items():
        if not _CLAIM_PREFILTERS[name].search(text):
            continue
        found = [cue for cue in (m.group(0).strip() for m in pat.finditer(text)) if cue]
        if name == "number":
            found = [f for f in found if not re.fullmatch(r"(?:19|20)\d{2}", f)]
        if found:
            out[name] = found
    return out


def claim_kinds(text: str) -> list[str]:
    """Which checkable claims a sentence makes: ``percent``, ``number``, ``date``, ``quote``,
    ``attribution`` (in that order)."""
    return list(claim_cues(text))


# ---------------------------------------------------------------- resolution


def _apply_reference(c: Citation, ref: Reference | None) -> None:
    if ref is None:
        return
    c.reference_type = ref.type
    c.authors = list(ref.authors)
    for name in ("title", "container", "year", "volume", "issue", "pages", "url", "doi",
                 "access_date", "date"):
        setattr(c, name, getattr(ref, name))


def _reference_number(note: Note, position: int) -> int | None:
    if note.marker:
        nums = marker_numbers(note.marker)
        if len(nums) == 1:
            return nums[0]
    m = re.match(r"^\s*[\[［]\s*(\d{1,3})\s*[\]］]|^\s*(\d{1,3})[.、]\s", note.text or "")
    if m:
        return int(m.group(1) or m.group(2))
    return position


def _name_key(name: str) -> str:
    """Comparable author key: Chinese names whole, Latin names by surname."""
    name = name.strip()
    if re.search(r"[\u3400-\u9fff]", name):
        return re.sub(r"[\s·［］\[\]（）()美英日德法韩]", "", name) if len(name) > 4 else name
    if "," in name:
        return name.split(",")[0].strip().lower()
    parts = name.replace(".", " ").split()
    if not parts:
        return ""
    if len(parts) > 1 and len(parts[-1]) <= 2:  # "Olson S." / "Scott RE": surname first
        return parts[0].lower()
    return parts[-1].lower()


class _Resolver:
    """Index of a document's notes for resolving markers."""

    def __init__(self, notes: Sequence[Note]):
        self.notes = list(notes)
        self.footnotes = [n for n in self.notes if n.kind != "reference"]
        self.references = [n for n in self.notes if n.kind == "reference"]
        self.by_number: dict[int, Note] = {}
        for pos, n in enumerate(self.references, start=1):
            num = _reference_number(n, pos)
            if num is not None and num not in self.by_number:
                self.by_number[num] = n
        self.parsed: dict[int, list[Reference]] = {}

    def parsed_refs(self, note: Note) -> list[Reference]:
        if note.index not in self.parsed:
            self.parsed[note.index] = parse_references(note.text)
        return self.parsed[note.index]

    def footnote(self, marker: str, page: int | None, raw_pos: int | None) -> tuple[Note | None, str]:
        key = normalize_marker(marker)
        same = [n for n in self.footnotes if normalize_marker(n.marker or "") == key]
        if not same:
            return None, "unresolved"
        if page is not None and any(n.page is not None for n in same):
            on_page = [n for n in same if n.page == page]
            if len(on_page) == 1:
                return on_page[0], "same-page"
            if not on_page:
                return None, "unresolved"
            same = on_page
        if raw_pos is not None:
            after = [n for n in same if n.start >= raw_pos]
            if after:
                return min(after, key=lambda n: n.start), "nearest-after"
            return max(same, key=lambda n: n.start), "nearest-before"
        if page is None and len(same) == 1:
            return same[0], "only"
        return (same[0], "first") if page is None else (None, "unresolved")

    def numbered(self, number: int) -> tuple[Note | None, str]:
        n = self.by_number.get(number)
        return (n, "number") if n else (None, "unresolved")

    def author_year(self, names: tuple[str, ...], year: str) -> tuple[Note | None, str, bool]:
        """The reference for ``names``/``year``; the bool is True when only the author
        matched (the year differs — a DATE_MISMATCH for the audit)."""
        if not self.references or not names:
            return None, "unresolved", False
        first = _name_key(names[0])
        y = int(year[:4])
        suffix = year[4:]
        author_hits: list[Note] = []
        for n in self.references:
            refs = self.parsed_refs(n)
            ref = refs[0] if refs else None
            keys = [_name_key(a) for a in (ref.authors if ref else [])]
            text_key = re.sub(r"\s", "", n.text).lower()
            if first and (first in keys or (not keys and first in text_key[:40])):
                author_hits.append(n)
        same_year = [
            n for n in author_hits
            if (self.parsed_refs(n)[0].year == y if self.parsed_refs(n) else False)
            or re.search(rf"{y}{suffix}\b", n.text)
        ]
        if suffix and len(same_year) > 1:
            exact = [n for n in same_year if re.search(rf"{y}{suffix}\b", n.text)]
            if exact:
                return exact[0], "author-year", False
            idx = ord(suffix) - ord("a")
            if 0 <= idx < len(same_year):
                return same_year[idx], "author-year", False
        if same_year:
            return same_year[0], "author-year", False
        if len(author_hits) == 1:
            return author_hits[0], "author-only", True
        return None, "unresolved", False


SKIP_COST = 1.5  # leaving a marker or a note unmatched
ADJACENT_PAGE_COST = 1.0  # a note block printed just before/after its markers' page
UNKNOWN_PAGE_COST = 0.5


def _match_cost(marker_page: int | None, note_page: int | None) -> float:
    if marker_page is None or note_page is None:
        return UNKNOWN_PAGE_COST
    # a note block may be printed before the rest of its page's text (the extraction puts
    # the marker on the next "page"), never after the next page's text
    d = marker_page - note_page
    return 0.0 if d == 0 else ADJACENT_PAGE_COST if d == 1 else float("inf")


def align_footnotes(
    markers: Sequence[tuple[int, int | None]], notes: Sequence[tuple[int, int | None]]
) -> dict[int, tuple[int, str]]:
    """Pair markers with notes of one symbol (say every ``①``), both in reading order.

    Footnotes are used in order, so the pairing is a monotone alignment: same page costs
    nothing, a note on the page before costs ``ADJACENT_PAGE_COST`` (a note block the
    extraction put before the rest of its text), leaving either side unpaired costs ``SKIP_COST``. Inputs are
    ``(key, page)``; returns ``{marker key: (note key, rule)}``.
    """
    n, m = len(markers), len(notes)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[str]] = [[""] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            c = cost[i][j]
            if c == inf:
                continue
            if i < n and c + SKIP_COST < cost[i + 1][j]:
                cost[i + 1][j], back[i + 1][j] = c + SKIP_COST, "skip-marker"
            if j < m and c + SKIP_COST < cost[i][j + 1]:
                cost[i][j + 1], back[i][j + 1] = c + SKIP_COST, "skip-note"
            if i < n and j < m:
                mc = c + _match_cost(markers[i][1], notes[j][1])
                if mc < cost[i + 1][j + 1]:
                    cost[i + 1][j + 1], back[i + 1][j + 1] = mc, "match"
    out: dict[int, tuple[int, str]] = {}
    i, j = n, m
    while i > 0 or j > 0:
        step = back[i][j]
        if step == "match":
            mp, np_ = markers[i - 1][1], notes[j - 1][1]
            rule = "same-page" if mp is not None and mp == np_ else "adjacent-page" if (
                mp is not None and np_ is not None) else "order"
            out[markers[i - 1][0]] = (notes[j - 1][0], rule)
            i, j = i - 1, j - 1
        elif step == "skip-marker":
            i -= 1
        else:
            j -= 1
    return out


def extract_citations(
    doc_name: str,
    sentences: Sequence[Sentence],
    markers: Sequence[Marker] | None,
    notes: Sequence[Note],
) -> list[Citation]:
    """Citations of one document, in reading order.

    ``markers`` are the cleaner's ``Marker`` records; pass ``None`` to find note markers in
    the sentence text instead (standalone use). Author-year citations are always read from
    the sentence text. Raises ``CitationError`` when a marker names a sentence that is not
    in ``sentences``.
    """
    by_index = {s.index: s for s in sentences}
    resolver = _Resolver(notes)
    out: list[Citation] = []

    if markers is None:
        found: list[Marker] = []
        for s in sentences:
            if s.section in ("note", "reference"):
                continue
            for h in find_markers(s.text):
                found.append(Marker(s.index, h.marker, h.start, s.start, s.start, s.page))
        markers = found

    for mk in markers:
        if mk.sentence not in by_index:
            raise CitationError(
                f"[C001] {doc_name}: marker {mk.marker!r} at raw offset {mk.start} points to "
                f"sentence {mk.sentence}, which is not among the {len(sentences)} sentences "
                "given; pass the sentences and markers of the same cleaning run."
            )
    # footnote markers: align each symbol's markers with its notes in reading order
    aligned: dict[int, tuple[Note, str]] = {}
    groups: dict[str, list[int]] = {}
    for k, mk in enumerate(markers):
        printed = normalize_marker(mk.marker)
        if _marker_style(printed) == "footnote" or not resolver.references:
            groups.setdefault(printed, []).append(k)
    for symbol, ks in groups.items():
        cands = sorted(
            (n for n in resolver.footnotes if normalize_marker(n.marker or "") == symbol),
            key=lambda n: (n.start, n.index),
        )
        if not cands:
            continue
        ks = sorted(ks, key=lambda k: (markers[k].start, k))
        pairs = align_footnotes(
            [(k, markers[k].page if markers[k].page is not None else by_index[markers[k].sentence].page)
             for k in ks],
            [(pos, n.page) for pos, n in enumerate(cands)],
        )
        for k, (pos, rule) in pairs.items():
            aligned[k] = (cands[pos], rule)

    for k, mk in enumerate(markers):
        sent = by_index.get(mk.sentence)
        if sent is None:
            raise CitationError(
                f"[C001] {doc_name}: marker {mk.marker!r} at raw offset {mk.start} points to "
                f"sentence {mk.sentence}, which is not among the {len(sentences)} sentences "
                "given; pass the sentences and markers of the same cleaning run."
            )
        printed = normalize_marker(mk.marker)
        style = _marker_style(printed)
        page = mk.page if mk.page is not None else sent.page
        targets: list[tuple[Note | None, str]] = []
        if k in aligned:
            targets = [aligned[k]]
        elif style == "numbered" and resolver.references:
            nums = marker_numbers(printed) or [None]
            targets = [resolver.numbered(n) if n is not None else (None, "unresolved") for n in nums]
        else:
            targets = [resolver.footnote(printed, page, mk.start)]
            if targets[0][0] is None and style == "numbered":
                targets = [(None, "no-reference-list")]
        for note, how in targets:
            c = Citation(
                doc=doc_name,
                sentence=sent.index,
                marker=printed,
                claim=sent.text,
                note=note.text if note else None,
                note_index=note.index if note else None,
                style=style,
                position=mk.position,
                page=page,
                resolution=how,
            )
            if note is not None:
                refs = resolver.parsed_refs(note)
                _apply_reference(c, refs[0] if refs else None)
            out.append(c)

    for sent in sentences:
        if sent.section in ("note", "reference", "title", "header", "meta"):
            continue
        for ay in find_author_year(sent.text):
            for names, year in ay.items:
                note, how, year_differs = resolver.author_year(names, year)
                if note is None and not resolver.references:
                    how = "no-reference-list"
                c = Citation(
                    doc=doc_name,
                    sentence=sent.index,
                    marker=ay.marker,
                    claim=sent.text,
                    note=note.text if note else None,
                    note_index=note.index if note else None,
                    style="author-year",
                    position=ay.start,
                    page=sent.page,
                    cited_authors=list(names),
                    cited_year=year,
                    resolution=how,
                )
                if note is not None:
                    refs = resolver.parsed_refs(note)
                    _apply_reference(c, refs[0] if refs else None)
                out.append(c)

    out.sort(key=lambda c: (c.sentence, c.position if c.position is not None else -1))
    return out


def citation_dates(text: str) -> list[str]:
    """ISO dates stated in a claim (for comparing with the cited note's date)."""
    return [d for d, _, _ in find_dates(text)]


def iter_claim_sentences(sentences: Iterable[Sentence]) -> Iterable[tuple[Sentence, list[str]]]:
    """Body sentences that make a checkable claim, with the claim kinds."""
    for s in sentences:
        if s.section != "body":
            continue
        kinds = claim_kinds(s.text)
        if kinds:
            yield s, kinds
