"""Footnote blocks: where they start and end in the page flow, and which lines belong to them.

Circled numbers restart on every page, so each block is one page: its number is the page
given to its notes and to the body text before it. A block's first line without a marker
continues the last note of the previous block (a note carried over to the next page)."""

from __future__ import annotations

import re

from .lines import HEADING_LIKE, Layout, Line

NOTE_START = re.compile(r"^(?:[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf]|\[\^\d{1,3}\]:|\[\d{1,3}\]\s*(?=[A-Z\u4e00-\u9fff]))\s*(?=\S)")
_NOISE_MAX_WIDTH = 16
_PUNCT = re.compile(r"[，。、；：！？,.;:!?]")


_ENDS = re.compile(r"[。.！？!?”\"）)]\s*$")
_CIRCLED = "".join(chr(c) for c in range(0x2460, 0x2474))


def _next_circled(prev: str, nxt: str) -> bool:
    """``nxt`` starts with the circled number after the last one that started a line before."""
    a, b = prev[:1], nxt[:1]
    return b in _CIRCLED and (a not in _CIRCLED or _CIRCLED.index(b) == _CIRCLED.index(a) + 1)


def _last_start(lines: list[Line], j: int) -> str:
    """Text of the last line at or before ``j`` that starts with a note marker."""
    while j > 0 and not NOTE_START.match(lines[j].text):
        j -= 1
    return lines[j].text


def note_marker(text: str) -> tuple[str | None, int]:
    """The marker a note line starts with and the length of marker + following spaces."""
    m = NOTE_START.match(text)
    if not m:
        return None, 0
    marker = m.group(0).strip().rstrip(":")
    if marker.startswith("[^"):
        marker = marker[2:-1]
    return marker, m.end()


def mark_notes(lines: list[Line], layout: Layout) -> int:
    """Set kind="note" on footnote lines; number the blocks. Returns the number of blocks."""
    by_page_start = layout.wrapped and layout.page_starts >= 2
    n = len(lines)
    block = -1
    i = 0
    while i < n:
        l = lines[i]
        if l.kind != "body" or l.blank or not NOTE_START.match(l.text) or l.heading:
            i += 1
            continue
        block += 1
        first = i
        # a note carried over from the previous page sits tight above the first marker
        if layout.wrapped and layout.double_spaced and block > 0 and i > 0:
            p = lines[i - 1]
            if p.kind == "body" and not p.blank and not p.page_start and not HEADING_LIKE.match(p.text) and (i < 2 or lines[i - 2].blank):
                first = i - 1
        j = i
        if by_page_start:
            while j + 1 < n and not (lines[j + 1].page_start and lines[j + 1].kind == "body" and not NOTE_START.match(lines[j + 1].text)):
                if lines[j + 1].heading:
                    break
                j += 1
        else:
            while j + 1 < n:
                nxt = lines[j + 1]
                if nxt.blank:
                    k = j + 1
                    while k < n and lines[k].blank:
                        k += 1
                    if k < n and lines[k].kind == "body" and NOTE_START.match(lines[k].text) and not lines[k].heading:
                        j = k
                        continue
                    break
                if not layout.wrapped and nxt.kind == "body" and not nxt.heading and (
                        _next_circled(lines[j].text, nxt.text) or (
                            not NOTE_START.match(nxt.text) and (
                                not _ENDS.search(lines[j].text)
                                or (j + 2 < n and _next_circled(_last_start(lines, j), lines[j + 2].text))))):
                    # text not hard-wrapped: the next circled note of the block, or a note's
                    # own line wrap, stays on the block's page
                    j += 1
                    continue
                if nxt.heading or nxt.page_start or not layout.wrapped or nxt.kind != "body" and nxt.kind != "header":
                    break
                j += 1
        for k in range(first, j + 1):
            lk = lines[k]
            if lk.kind == "body":
                lk.kind = "note"
                lk.block = block
                lk.note_start = bool(NOTE_START.match(lk.text)) and k >= i
            elif lk.kind == "header":
                lk.block = block
        # stray short line between the block and the resumed paragraph: page furniture
        k = j + 1 if not layout.trusted else n
        while k < n and lines[k].blank:
            k += 1
        if k < n and lines[k].kind == "body" and lines[k].width <= _NOISE_MAX_WIDTH and not _PUNCT.search(lines[k].text) \
                and not HEADING_LIKE.match(lines[k].text) and not lines[k].heading:
            prev_body = next((lines[q] for q in range(first - 1, -1, -1) if lines[q].kind == "body" and not lines[q].blank), None)
            if prev_body is not None and not prev_body.terminated:
                lines[k].kind = "header"
        i = j + 1
    return block + 1
