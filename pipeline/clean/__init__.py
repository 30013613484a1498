"""Text cleaning: raw text -> sections, sentences, notes and markers with raw offsets.

``clean_text(raw_text, fmt=...)`` runs one step per module: markup stripping (markup),
NFKC (normalize), line layout and wrap joining (lines, paragraphs), running headers, page
numbers and captions (pages), tables and figures (tables), footnote blocks (notes), section
labels (sections), de-spacing (spacing), markers (markers), sentence splitting (sentences)
and the Simplified view (simplified). Every cleaned character keeps its raw offset
(offsets.MappedText, a numpy offset array).

Whole-text passes, not per-character Python: all paragraphs are joined into one text
(a blank line between them) that is de-spaced, split into sentences and searched for
markers once; only paragraphs that carry markers are handled one by one.
"""

from __future__ import annotations

import re
from typing import Any
from bisect import bisect_left, bisect_right

from collections.abc import Sequence

from pipeline.schema import CleanResult, Marker, Note, Section, Sentence, TextZone

from .lines import compute_reference_widths, measure_layout, split_lines
from .markers import marker_spans
from .markup import looks_like_markdown, strip_markup
from .normalize import nfkc, normalize_newlines
from .inline_notes import take_inline_notes
from .notes import mark_notes, note_marker
from .offsets import MappedText, span_of
from .pages import mark_captions, mark_headers, mark_page_numbers
from .paragraphs import PARAGRAPH_BREAK, Paragraph, assemble, join_paragraphs
from .sections import ABSTRACT_LABEL, mark_labels, mark_title
from .sentences import split_points
from pipeline.textview import needs_conversion, to_simplified
from .spacing import despace
from .tables import mark_tables
from .zones import ZoneIndex, apply_zones, assemble_zoned

__all__ = ["clean_text", "FORMATS", "MappedText"]

FORMATS = ("text", "markdown", "html")
DROPPED_KINDS = ("header", "caption")
_NO_MARKER_KINDS = ("note", "reference")
# one paragraph per line, a blank line between paragraphs, no whitespace at either end of a line
CANONICAL = re.compile(r"[^\s](?:[^\n]*[^\s])?(?:\n\n[^\s](?:[^\n]*[^\s])?)*")
_REF_NUMBER = re.compile(r"^\[?(\d{1,3})[\].、]\s*")


_REF_HEAD_TEXT = re.compile(r"^(?:参\s*考\s*文\s*献|主要参考文献|References|REFERENCES|Bibliography)\s*[:：]?\s*")
_ENTRY_AT = re.compile(r"(?<![A-Za-z0-9/])[\[［](\d{1,3})[\]］]\s*")


def _reference_entries(ptext: str, a: int, offsets: Any, notes: list[Note]) -> None:
    """Reference-list entries of one reference paragraph, whatever its line breaks: a piece
    without its own number continues the previous entry (a hard wrap); ``[n]`` with the
    next number starts a new entry even inside a line (a list printed on one line)."""
    m = _REF_NUMBER.match(ptext)
    prev = notes[-1] if notes and notes[-1].kind == "reference" else None
    if m is None and prev is None:
        cuts = [(0, None, 0)]
        expect = None
    elif m is None:
        cuts = [(0, "continue", 0)]
        expect = int(prev.marker) + 1 if prev.marker and prev.marker.isdigit() else None
    else:
        cuts = [(0, m.group(1), m.end())]
        expect = int(m.group(1)) + 1
    if expect is not None:
        for h in _ENTRY_AT.finditer(ptext, cuts[0][2]):
            if int(h.group(1)) == expect:
                cuts.append((h.start(), h.group(1), h.end()))
                expect += 1
    for k, (c0, num, body0) in enumerate(cuts):
        c1 = cuts[k + 1][0] if k + 1 < len(cuts) else len(ptext)
        body = ptext[body0:c1].rstrip()
        if not body:
            continue
        s0, e0 = span_of(offsets, a + c0, a + c0 + len(ptext[c0:c1].rstrip()))
        if num == "continue":
            last = notes[-1]
            joint = "" if re.search(r"[\u3400-\u9fff]$", last.text) and re.match(r"[\u3400-\u9fff]", body) else " "
            notes[-1] = Note(last.index, last.marker, last.text + joint + body, "reference", None, last.start, e0)
            continue
        notes.append(Note(len(notes), num, body, "reference", None, s0, e0))


def clean_text(raw_text: str, *, fmt: str = "text", zones: Sequence[TextZone] | None = None) -> CleanResult:
    """Clean one raw text. ``fmt`` is ``text``, ``markdown`` or ``html`` (HTML already
    converted to text); plain text that carries markdown signals is treated as markdown.

    ``zones`` (a PDF reader's layout, one per printed line of ``raw_text``) give line kinds,
    pages and paragraph joins: furniture, footnotes and wraps are then not guessed."""
    if fmt not in FORMATS:
        raise ValueError(f"clean_text: unknown fmt {fmt!r}; expected one of {', '.join(FORMATS)}")
    if not isinstance(raw_text, str):
        raise TypeError(f"clean_text: raw_text must be str, got {type(raw_text).__name__}")
    # NFKC before markup: markdown is detected and stripped on the normalised view (a
    # no-break space after "#" is a heading), so cleaning the output again sees the same thing
    mt = nfkc(normalize_newlines(MappedText.from_raw(raw_text)))
    markdown = not zones and (fmt == "markdown" or (fmt == "text" and looks_like_markdown(mt.text)))
    mt, heading_offsets = strip_markup(mt, markdown=markdown)

    lines = split_lines(mt, heading_offsets)
    layout = measure_layout(lines)
    # text already in the cleaner's own form: its paragraph breaks are kept and it has no
    # page furniture, so cleaning a cleaned text changes nothing
    layout.trusted = not layout.wrapped and bool(CANONICAL.fullmatch(raw_text))
    dropped: dict[str, int] = {}
    zone_index = ZoneIndex(zones) if zones else None
    if zone_index is not None:
        layout.trusted = False
        apply_zones(lines, mt, zone_index)
        n_pagenum = sum(1 for l in lines if l.kind == "pagenum")
        title_hint = next((l.text for l in lines if l.kind == "header"), None)
        paras = assemble_zoned(lines)
        n_blocks = 0
        block_end_raw: list[int] = []

        def page_at(raw: int) -> int | None:
            return zone_index.page(raw)
    else:
        n_pagenum = 0 if layout.trusted else mark_page_numbers(lines)
        title_hint = None if layout.trusted else mark_headers(lines)
        mark_tables(lines, layout)
        mark_labels(lines, layout)
        compute_reference_widths(layout, lines)
        n_blocks = mark_notes(lines, layout)
        mark_captions(lines, layout)
        mark_title(lines, layout)

        paras = assemble(lines, layout)
        block_end_lines = _block_ends(lines, n_blocks)
        block_end_raw = [int(mt.offsets[lines[i].end - 1]) if lines[i].end > lines[i].start else 0 for i in block_end_lines]

        def page_at(raw: int) -> int | None:
            return bisect_right(block_end_raw, raw) if n_blocks else None

    # every paragraph, in order, one per line of one text: de-spaced in a single pass
    whole = despace(join_paragraphs(paras, mt))
    bounds = _paragraph_bounds(whole.text, len(paras))
    text, offsets = whole.text, whole.offsets
    traditional = needs_conversion(text)
    ends = split_points(text)[:-1]  # sentence ends, whole text at once
    marker_at = [m[0] for m in marker_spans(text)]

    sections: list[Section] = []
    sentences: list[Sentence] = []
    notes: list[Note] = []
    markers: list[Marker] = []
    drop_spans: list[tuple[int, int]] = []
    for p, (a, b) in zip(paras, bounds):
        if zone_index is not None:
            p.page = p.first.block if p.kind == "note" else zone_index.page(int(mt.offsets[p.first.start]))
        else:
            p.page = _page_of(p, block_end_lines) if n_blocks else None
        start, end = span_of(offsets, a, b)
        ptext = text[a:b]
        sections.append(Section(p.kind, len(sections), start, end, ptext, p.page))
        if p.kind in DROPPED_KINDS:
            dropped[p.kind] = dropped.get(p.kind, 0) + 1
            drop_spans.append((a - 2, b) if a >= 2 else (a, b + 2))
            continue
        cut = 0
        if p.kind == "note":
            marker, cut = note_marker(ptext)
            if cut < len(ptext):
                s, e = span_of(offsets, a + cut, b)
                notes.append(Note(len(notes), marker, ptext[cut:], "footnote", p.page, s, e))
        elif p.kind == "reference":
            head = _REF_HEAD_TEXT.match(ptext) if p.first.extra.get("ref_head") else None
            if head is None:
                _reference_entries(ptext, a, offsets, notes)
            elif head.end() < len(ptext):  # the heading joined to a list printed on one line
                _reference_entries(ptext[head.end():], a + head.end(), offsets, notes)
        elif p.kind == "abstract":
            m = ABSTRACT_LABEL.match(ptext)
            if m:
                cut = m.end()
        lo = a + cut
        if p.kind not in _NO_MARKER_KINDS and bisect_left(marker_at, lo) < bisect_left(marker_at, b):
            _sentences_with_markers(p, ptext[cut:], offsets, lo, sentences, markers, page_at, traditional)
            continue
        begin = lo
        for end in ends[bisect_right(ends, lo):bisect_left(ends, b)] + [b]:
            seg = text[begin:end]
            stripped = seg.strip()
            if stripped:
                sa = begin + len(seg) - len(seg.lstrip())
                sb = sa + len(stripped)
                s_raw, e_raw = span_of(offsets, sa, sb)
                sentences.append(Sentence(len(sentences), p.kind, p.index, s_raw, e_raw, stripped,
                                          to_simplified(stripped) if traditional else stripped,
                                          page_at(s_raw)))
            begin = end
    if n_pagenum:
        dropped["pagenum"] = n_pagenum
    if drop_spans:
        whole = whole.delete(sorted(drop_spans))
    sentences = take_inline_notes(sentences, notes, markers)
    return CleanResult(
        text=whole.text,
        offsets=whole.offset_array(),
        sections=sections,
        sentences=sentences,
        notes=notes,
        markers=markers,
        title_hint=despace(MappedText.from_raw(title_hint)).text if title_hint else None,
        dropped=dropped,
    )


def _paragraph_bounds(text: str, n: int) -> list[tuple[int, int]]:
    """[start, end) of each paragraph in the joined text (paragraphs are separated by a
    blank line and contain no newline)."""
    bounds = []
    pos = 0
    for part in text.split(PARAGRAPH_BREAK) if text else []:
        bounds.append((pos, pos + len(part)))
        pos += len(part) + len(PARAGRAPH_BREAK)
    if len(bounds) != n:
        raise RuntimeError(f"clean_text: {n} paragraphs but {len(bounds)} after joining (a newline inside a paragraph)")
    return bounds


def _block_ends(lines, n_blocks: int) -> list[int]:
    ends = [-1] * n_blocks
    for l in lines:
        if l.block is not None and l.block < n_blocks:
            ends[l.block] = max(ends[l.block], l.index)
    return ends


def _page_of(p: Paragraph, block_end_lines: list[int]) -> int:
    if p.kind == "note" and p.first.block is not None:
        return p.first.block
    return bisect_right(block_end_lines, p.first.index)


def _sentences_with_markers(p: Paragraph, body: str, offsets, base: int, sentences: list[Sentence], markers: list[Marker],
               page_at, traditional: bool) -> None:
    """Split one paragraph's text (``body`` = ``text[base:base+len(body)]``) into sentences;
    in-text markers are removed from the sentence text and recorded."""
    found = marker_spans(body)
    pending: list[tuple[int, str, int, int]] = []  # position in marker-free text, marker, raw start, raw end
    offs = offsets[base:base + len(body)]
    if found:
        mt = MappedText(body, offs)
        removed = 0
        for s, e, mk in found:
            pending.append((s - removed, mk, int(offs[s]), int(offs[e - 1]) + 1))
            removed += e - s
        mt = mt.delete([(s, e) for s, e, _ in found])
        body, offs = mt.text, mt.offsets
    begin = 0
    spans = []
    for end in split_points(body):
        seg = body[begin:end]
        stripped = seg.strip()
        if stripped:
            a = begin + len(seg) - len(seg.lstrip())
            spans.append((a, a + len(stripped), begin, end))
        begin = end
    mi = 0
    last = len(spans) - 1
    kind, para = p.kind, p.index
    for k, (a, b, lo, hi) in enumerate(spans):
        idx = len(sentences)
        s_raw, e_raw = span_of(offs, a, b)
        seg = body[a:b]
        page = page_at(s_raw)
        sentences.append(Sentence(idx, kind, para, s_raw, e_raw, seg, to_simplified(seg) if traditional else seg, page))
        while mi < len(pending) and (pending[mi][0] <= hi or k == last):
            pos, mk, rs, re_ = pending[mi]
            mpage = page_at(rs)
            markers.append(Marker(idx, mk, min(max(pos - a, 0), b - a), rs, re_, mpage))
            mi += 1
