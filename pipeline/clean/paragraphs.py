"""Assemble classified lines into paragraphs, one stream per kind, so that a body paragraph
interrupted by a footnote block, a caption or a running header is joined again."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .lines import COMMA_END, Layout, Line, joins
from .offsets import MappedText
from .sections import META_LABEL

# what separates paragraphs in the cleaned text: a blank line
PARAGRAPH_BREAK = "\n\n"

_ASCII_END = re.compile(r"[A-Za-z0-9,.;:)\]”\"]$")
_ASCII_START = re.compile(r"^[A-Za-z0-9(\[“\"]")
_NO_SPACE_END = re.compile(r"[-/_]$")


@dataclass
class Paragraph:
    kind: str
    lines: list[Line] = field(default_factory=list)
    index: int = 0
    page: int | None = None
    text: MappedText | None = None

    @property
    def first(self) -> Line:
        return self.lines[0]

    @property
    def last(self) -> Line:
        return self.lines[-1]


def assemble(lines: list[Line], layout: Layout) -> list[Paragraph]:
    paras: list[Paragraph] = []
    open_: dict[str, Paragraph] = {}
    nonblank = [l for l in lines if not l.blank]
    first = nonblank[0] if nonblank else None
    starts = [l for l in nonblank if l.page_start]
    fragment_end = None
    if first is not None and first.page_start and len(starts) >= 2:
        between = sum(1 for l in nonblank if first.index <= l.index < starts[1].index)
        if between <= 3:
            fragment_end = starts[1].index
    prev_kind = None
    pending: Paragraph | None = None
    interjections = 0
    interrupted = False
    for l in nonblank:
        k = l.kind
        if k == "pagenum":
            prev_kind = k
            interrupted = True
            continue
        cur = open_.get(k)
        if k == "note":
            if cur is not None and not l.note_start:
                cur.lines.append(l)
            else:
                open_[k] = _new(paras, k, l)
        elif k == "table":  # one paragraph per row, title or source line
            open_[k] = _new(paras, k, l)
        elif k in ("header", "caption"):
            if cur is not None and prev_kind == k and k == "caption":
                cur.lines.append(l)
            else:
                open_[k] = _new(paras, k, l)
        else:
            if k == "meta" or k == "abstract":

                starts_label = l.label_end > 0 or prev_kind != k or bool(META_LABEL.match(l.text))
                if cur is not None and not starts_label and joins(cur.last, l, layout):
                    cur.lines.append(l)
                else:
                    open_[k] = _new(paras, k, l)
            elif cur is not None and joins(cur.last, l, layout, initial_fragment=(l.index == fragment_end),
                                           interrupted=(k == "body" and interrupted), para_lines=cur.lines):
                cur.lines.append(l)
            elif k == "body" and pending is not None and joins(pending.last, l, layout, para_lines=pending.lines):
                pending.lines.append(l)
                open_[k] = pending
                pending = None
            else:
                if k == "body" and not layout.wrapped and cur is not None and _is_interjection(l) and not cur.last.terminated:
                    # a heading or author line printed inside a paragraph broken by a page
                    pending = cur if pending is None else pending
                    interjections += 1
                    if interjections > 3:
                        pending, interjections = None, 0
                else:
                    pending, interjections = None, 0
                open_[k] = _new(paras, k, l)
        prev_kind = k
        if k in ("note", "header", "caption", "pagenum"):
            interrupted = True
        elif k == "body":
            interrupted = False
    paras.sort(key=lambda p: p.first.index)
    for i, p in enumerate(paras):
        p.index = i
    return paras


def _is_interjection(line: Line) -> bool:
    return line.width < 60 and not line.terminated and not COMMA_END.search(line.text)


def _new(paras: list[Paragraph], kind: str, line: Line) -> Paragraph:
    p = Paragraph(kind, [line])
    paras.append(p)
    return p


def join_paragraphs(paras: list[Paragraph], mt: MappedText) -> MappedText:
    """All paragraphs as one text, ``PARAGRAPH_BREAK`` between them (mapped to the raw
    whitespace before the paragraph). Lines of a paragraph are concatenated, with a space
    between two Latin/digit ends (mapped to the raw line break); tabs become spaces except
    in tables, where they separate cells."""
    text = mt.text
    parts: list[str] = []
    starts: list[int] = []  # each part is mt.text[start:start+len] (separators repeat one position)
    lengths: list[int] = []
    sep = PARAGRAPH_BREAK
    for p in paras:
        if parts:
            # the raw whitespace before the paragraph: its last len(sep) characters when there are as many
            pos = p.first.start
            back = 0
            while back < len(sep) and pos - back - 1 >= 0 and text[pos - back - 1].isspace():
                back += 1
            positions = [pos - back + i for i in range(back)] if back else [pos]
            parts.append(sep)
            starts += (positions + [positions[-1]] * len(sep))[: len(sep)]
            lengths += [1] * len(sep)
        prev: Line | None = None
        for l in p.lines:
            if prev is not None and _ASCII_END.search(prev.text) and _ASCII_START.search(l.text) and not _NO_SPACE_END.search(prev.text):
                parts.append(" ")
                starts.append(prev.end)
                lengths.append(1)
            parts.append(l.text)
            starts.append(l.start)
            lengths.append(l.end - l.start)
            prev = l
    if not parts:
        return MappedText.empty()
    joined = "".join(parts)
    if "\t" in joined:
        joined = _untab(joined, paras)
    lens = np.asarray(lengths, dtype=np.int64)
    index = np.repeat(np.asarray(starts, dtype=np.int64) - (np.cumsum(lens) - lens), lens) + np.arange(int(lens.sum()))
    return MappedText(joined, mt.offsets[index])


def _untab(joined: str, paras: list[Paragraph]) -> str:
    """Tabs become spaces outside table paragraphs."""
    out = []
    for p, part in zip(paras, joined.split(PARAGRAPH_BREAK)):
        out.append(part if p.kind == "table" else part.replace("\t", " "))
    return PARAGRAPH_BREAK.join(out)
