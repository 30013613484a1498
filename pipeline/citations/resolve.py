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
from collections.abc import Sequence

from pipeline.citations.authoryear import find_author_year
from pipeline.citations.backrefs import resolve_back_references
from pipeline.citations.references import Reference, find_dates, parse_references
from pipeline.clean.markers import find_markers, marker_numbers, marker_style, normalize_marker
from pipeline.errors import PipelineError
from pipeline.schema import Citation, Marker, Note, Sentence
from pipeline.textview import MAX_PIECE_CHARS, piece_around


class CitationError(PipelineError, ValueError):
    """Bad input to the citations stage (names the document and the record)."""


def _apply_reference(c: Citation, ref: Reference | None) -> None:
    if ref is not None:
        c.reference = ref


def _reference_number(note: Note, position: int) -> int | None:
    if note.marker:
        nums = marker_numbers(note.marker)
        if len(nums) == 1:
            return nums[0]
    m = re.match(r"^\s*[\[［]\s*(\d{1,3})\s*[\]］]|^\s*(\d{1,3})[.、]\s", note.text or "")
    if m:
        return int(m.group(1) or m.group(2))
    return position


def name_key(name: str) -> str:
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
        self.parsed: dict[int, list[Reference]] = resolve_back_references(self.footnotes)
        # footnotes by their normalised marker, and each reference's author keys: looked up
        # per citation instead of scanning every note for every marker (linear, not quadratic)
        self.by_key: dict[str, list[Note]] = {}
        for n in self.footnotes:
            self.by_key.setdefault(normalize_marker(n.marker or ""), []).append(n)
        self._ref_keys: list[tuple[Note, list[str], str]] | None = None
        self._author_year: dict[tuple[tuple[str, ...], str], tuple[Note | None, str, bool]] = {}

    def ref_keys(self) -> list[tuple[Note, list[str], str]]:
        if self._ref_keys is None:
            self._ref_keys = []
            for n in self.references:
                refs = self.parsed_refs(n)
                ref = refs[0] if refs else None
                self._ref_keys.append((n, [name_key(a) for a in (ref.authors if ref else [])], re.sub(r"\s", "", n.text).lower()))
        return self._ref_keys

    def parsed_refs(self, note: Note) -> list[Reference]:
        if note.index not in self.parsed:
            self.parsed[note.index] = parse_references(note.text)
        return self.parsed[note.index]

    def footnote(self, marker: str, page: int | None, raw_pos: int | None) -> tuple[Note | None, str]:
        same = self.by_key.get(normalize_marker(marker), [])
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
        key = (tuple(names), year)
        if key not in self._author_year:
            self._author_year[key] = self._find_author_year(names, year)
        return self._author_year[key]

    def _find_author_year(self, names: tuple[str, ...], year: str) -> tuple[Note | None, str, bool]:
        first = name_key(names[0])
        y = int(year[:4])
        suffix = year[4:]
        author_hits: list[Note] = []
        for n, keys, text_key in self.ref_keys():
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
        if marker_style(printed) == "footnote" or not resolver.references:
            groups.setdefault(printed, []).append(k)
    for symbol, ks in groups.items():
        cands = sorted(resolver.by_key.get(symbol, []), key=lambda n: (n.start, n.index))
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
        style = marker_style(printed)
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
                claim=claim_text(sent.text, mk.position),
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
                    claim=claim_text(sent.text, ay.start),
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


CLAIM_PIECE_CHARS = 300  # the claim of a citation inside a sentence longer than MAX_PIECE_CHARS


def claim_text(sentence: str, position: int | None) -> str:
    """The claim a citation at ``position`` supports: its sentence, or for a sentence longer
    than ``textview.MAX_PIECE_CHARS`` (no sentence punctuation) the piece of it around the
    citation, so that a thousand markers in one giant "sentence" do not each carry all of it."""
    if len(sentence) <= MAX_PIECE_CHARS:
        return sentence
    start, end = piece_around(sentence, position or 0, CLAIM_PIECE_CHARS)
    return sentence[start:end].strip()


def citation_dates(text: str) -> list[str]:
    """ISO dates stated in a claim (for comparing with the cited note's date)."""
    return [d for d, _, _ in find_dates(text)]
