"""Text cleaning: raw text -> sections, sentences, notes and markers with raw offsets.

``clean_text(raw_text, fmt=...)`` runs one step per module: markup stripping (markup),
NFKC (normalize), line layout and wrap joining (lines, paragraphs), running headers, page
numbers and captions (pages), footnote blocks (notes), section labels (sections),
de-spacing (spacing), markers (markers), sentence splitting (sentences) and the Simplified
view (simplified). Every cleaned character keeps its raw offset (offsets.MappedText).
"""

from __future__ import annotations

import re
from bisect import bisect_right

from pipeline.schema import CleanResult, Marker, Note, Section, Sentence

from .lines import compute_reference_widths, measure_layout, split_lines
from .markers import find_markers
from .markup import looks_like_markdown, strip_markup
from .normalize import nfkc, normalize_newlines
from .notes import mark_notes, note_marker
from .offsets import MappedText
from .pages import mark_captions, mark_headers, mark_page_numbers
from .paragraphs import Paragraph, assemble, paragraph_text
from .sections import ABSTRACT_LABEL, mark_labels, mark_title
from .sentences import split_points
from .simplified import to_simplified
from .spacing import despace

__all__ = ["clean_text", "FORMATS", "MappedText"]

FORMATS = ("text", "markdown", "html")
DROPPED_KINDS = ("header", "caption")
_NO_MARKER_KINDS = ("note", "reference")
_SPACES = re.compile(r"\s")


def clean_text(raw_text: str, *, fmt: str = "text") -> CleanResult:
    """Clean one raw text. ``fmt`` is ``text``, ``markdown`` or ``html`` (HTML already
    converted to text); plain text that carries markdown signals is treated as markdown."""
    if fmt not in FORMATS:
        raise ValueError(f"clean_text: unknown fmt {fmt!r}; expected one of {', '.join(FORMATS)}")
    if not isinstance(raw_text, str):
        raise TypeError(f"clean_text: raw_text must be str, got {type(raw_text).__name__}")
    mt = normalize_newlines(MappedText.from_raw(raw_text))
    markdown = fmt == "markdown" or (fmt == "text" and looks_like_markdown(raw_text))
    mt, heading_offsets = strip_markup(mt, markdown=markdown)
    mt = nfkc(mt)

    lines = split_lines(mt, heading_offsets)
    layout = measure_layout(lines)
    dropped: dict[str, int] = {}
    n_pagenum = mark_page_numbers(lines)
    title_hint = mark_headers(lines)
    mark_labels(lines, layout)
    compute_reference_widths(layout, lines)
    n_blocks = mark_notes(lines, layout)
    mark_captions(lines, layout)
    mark_title(lines, layout)

    paras = assemble(lines, layout)
    block_end_lines = _block_ends(lines, n_blocks)
    block_end_raw = [mt.offsets[lines[i].end - 1] if lines[i].end > lines[i].start else 0 for i in block_end_lines]

    sections: list[Section] = []
    sentences: list[Sentence] = []
    notes: list[Note] = []
    markers: list[Marker] = []
    kept_parts: list[MappedText] = []
    for p in paras:
        p.text = despace(paragraph_text(p, mt))
        if not p.text.text:
            continue
        p.page = _page_of(p, block_end_lines) if n_blocks else None
        start, end = p.text.raw_span()
        sections.append(Section(p.kind, len(sections), start, end, p.text.text, p.page))
        if p.kind in DROPPED_KINDS:
            dropped[p.kind] = dropped.get(p.kind, 0) + 1
            continue
        if kept_parts:
            sep = p.first.start - 1
            kept_parts.append(MappedText.char("\n", mt.offsets[sep] if 0 <= sep < len(mt.offsets) else p.text.offsets[0]))
        kept_parts.append(p.text)
        body = p.text
        if p.kind == "note":
            marker, cut = note_marker(body.text)
            body = body.slice(cut, len(body))
            if body.text:
                s, e = body.raw_span()
                notes.append(Note(len(notes), marker, body.text, "footnote", p.page, s, e))
        elif p.kind == "reference" and not p.first.extra.get("ref_head"):
            s, e = body.raw_span()
            m = re.match(r"^\[?(\d{1,3})[\].、]\s*", body.text)
            notes.append(Note(len(notes), m.group(1) if m else None, body.text[m.end():] if m else body.text, "reference", None, s, e))
        elif p.kind == "abstract":
            m = ABSTRACT_LABEL.match(body.text)
            if m:
                body = body.slice(m.end(), len(body))
        _sentences(p, body, sentences, markers, block_end_raw, n_blocks)
    if n_pagenum:
        dropped["pagenum"] = n_pagenum
    text = MappedText.concat(kept_parts)
    return CleanResult(
        text=text.text,
        offsets=text.offsets,
        sections=sections,
        sentences=sentences,
        notes=notes,
        markers=markers,
        title_hint=despace(MappedText.from_raw(title_hint)).text if title_hint else None,
        dropped=dropped,
    )


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


def _sentences(p: Paragraph, body: MappedText, sentences: list[Sentence], markers: list[Marker],
               block_end_raw: list[int], n_blocks: int) -> None:
    found = [] if p.kind in _NO_MARKER_KINDS else find_markers(body)
    pending: list[tuple[int, str, int, int]] = []  # position in marker-free text, marker, raw start, raw end
    if found:
        removed = 0
        for s, e, mk in found:
            pending.append((s - removed, mk, body.offsets[s], body.offsets[e - 1] + 1))
            removed += e - s
        body = body.delete([(s, e) for s, e, _ in found])
    text = body.text
    begin = 0
    spans = []
    for end in split_points(text):
        a, b = begin, end
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append((a, b, begin, end))
        begin = end
    mi = 0
    for a, b, lo, hi in spans:
        seg = body.slice(a, b)
        idx = len(sentences)
        s_raw, e_raw = seg.raw_span()
        page = bisect_right(block_end_raw, s_raw) if n_blocks else None
        sentences.append(Sentence(idx, p.kind, p.index, s_raw, e_raw, seg.text, to_simplified(seg.text), page))
        while mi < len(pending) and (pending[mi][0] <= hi or (a, b, lo, hi) == spans[-1]):
            pos, mk, rs, re_ = pending[mi]
            mpage = bisect_right(block_end_raw, rs) if n_blocks else None
            markers.append(Marker(idx, mk, min(max(pos - a, 0), b - a), rs, re_, mpage))
            mi += 1
