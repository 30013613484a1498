"""Lines of the cleaned view, the layout statistics of a document (hard-wrapped or not,
double-spaced or not, local wrap width) and the rule that joins hard-wrapped lines."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from statistics import median

import numpy as np

from pipeline.textview import squash

from .offsets import MappedText

_WIDE = re.compile("[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u2460-\u24ff\u201c\u201d\u2018\u2019\u2014\u2026]")
_CLOSERS = "”’」』）)】》\"'"
TERMINAL = "。！？!?…:："
HEADING_LIKE = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|第[一二三四五六七八九十\d]+[章节部分篇]|\d{1,2}(?:\.\d{1,2})*[.．、]\s*\S{0,30}$|[IVX]+[.、])"
)
# Characters after which a line obviously continues (mid-sentence).
_OPEN_END = re.compile("[\u4e00-\u9fff\u3400-\u4dbf，、“‘《（(—\\-A-Za-z0-9”’》）)；;,]$")
COMMA_END = re.compile("[，、；;,“‘《（(]$")
# lines that stand alone: figure/table titles and source notes
STANDALONE = re.compile(r"^(?:(?:资料来源|数据来源|来源|注|说明|Source|Note)\s*[:：]|[表图]\s*\d{1,2}(?:[-.]\d{1,2})?\s)")


@dataclass(slots=True)
class Line:
    index: int
    start: int  # offsets into the working MappedText, newline excluded
    end: int
    text: str  # stripped content
    lead: bool  # begins with whitespace
    width: int
    kind: str = "body"
    heading: bool = False  # marked as a heading by markup
    page_start: bool = False
    note_start: bool = False
    block: int | None = None  # footnote block number
    label_end: int = 0  # length of a section label at the start of ``text`` (abstract/meta)
    extra: dict = field(default_factory=dict)

    @property
    def blank(self) -> bool:
        return not self.text

    @property
    def terminated(self) -> bool:
        return is_terminated(self.text)


def is_terminated(text: str) -> bool:
    t = text.rstrip().rstrip(_CLOSERS).rstrip()
    return bool(t) and (t[-1] in TERMINAL or (t[-1] == "." and not t[-2:-1].isdigit()))


def open_end(text: str) -> bool:
    return bool(_OPEN_END.search(text.rstrip()))


def width(text: str) -> int:
    """Display width without whitespace: wide (CJK) characters count 2."""
    t = squash(text)
    return len(t) + len(_WIDE.findall(t))


_WIDE_RANGES = ((0x1100, 0x115F), (0x2E80, 0xA4CF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF), (0xFE30, 0xFE4F),
                (0xFF00, 0xFF60), (0xFFE0, 0xFFE6), (0x2460, 0x24FF))
_WIDE_SINGLES = np.array([0x201C, 0x201D, 0x2018, 0x2019, 0x2014, 0x2026], dtype=np.uint32)
_SPACE_CODES = np.array([cp for cp in range(0x3001) if chr(cp).isspace()], dtype=np.uint32)


def _width_lookup() -> np.ndarray:
    """Width of every BMP code point (0 for whitespace, 2 for wide), and 1 at index 0x10000
    for every character beyond the BMP."""
    codes = np.arange(0x10001, dtype=np.uint32)
    wide = np.isin(codes, _WIDE_SINGLES)
    for a, b in _WIDE_RANGES:
        wide |= (codes >= a) & (codes <= b)
    lookup = (1 + wide.astype(np.int8) - np.isin(codes, _SPACE_CODES)).astype(np.int8)
    lookup[0x10000] = 1
    return lookup


_WIDTH_OF = _width_lookup()


def _width_table(text: str) -> np.ndarray:
    """Cumulative display width (``width``) of ``text``: ``table[j] - table[i]`` is the
    width of ``text[i:j]``, computed in one vectorised pass (a table lookup per character)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    per_char = _WIDTH_OF[np.minimum(codes, 0x10000)]
    table = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(per_char, out=table[1:])
    return table


def split_lines(mt: MappedText, heading_offsets: set[int]) -> list[Line]:
    lines: list[Line] = []
    text = mt.text
    widths = _width_table(text)
    pos = 0
    for raw_line in text.split("\n"):
        stripped = raw_line.strip()
        if stripped:
            s = pos + (len(raw_line) - len(raw_line.lstrip()))
            e = s + len(stripped)
            line = Line(len(lines), s, e, stripped, raw_line[:1].isspace(), int(widths[e] - widths[s]))
            if heading_offsets and int(mt.offsets[s]) in heading_offsets:
                line.heading = True
        else:
            line = Line(len(lines), pos + len(raw_line), pos + len(raw_line), "", False, 0)
        lines.append(line)
        pos += len(raw_line) + 1
    return lines


@dataclass
class Layout:
    wrapped: bool
    double_spaced: bool
    wrap_width: float
    page_starts: int = 0
    soft_breaks: bool = False  # unwrapped, paragraphs separated by blank lines: a lone newline is no break
    trusted: bool = False  # the text is already one paragraph per line (the cleaner's own output form)
    _ref_idx: list[int] = field(default_factory=list)
    _ref_w: list[float] = field(default_factory=list)

    def ref(self, line: Line) -> float:
        """Local wrap width around ``line`` (median of nearby body-like lines)."""
        if not self._ref_idx:
            return self.wrap_width
        i = bisect_left(self._ref_idx, line.index)
        i = min(i, len(self._ref_w) - 1)
        return self._ref_w[i]

    def full(self, line: Line, ratio: float = 0.8) -> bool:
        return line.width >= ratio * self.ref(line)


def measure_layout(lines: list[Line]) -> Layout:
    """Decide whether the text is hard-wrapped (most lines cluster at one width and do not
    end a sentence) and whether wrapped lines are separated by blank lines."""
    nonblank = [l for l in lines if not l.blank]
    widths = [l.width for l in nonblank if l.width >= 16]
    if len(widths) < 6:
        layout = Layout(False, False, float(max(widths, default=80)))
        pairs = sum(1 for i in range(len(lines) - 1) if not lines[i].blank)
        layout.soft_breaks = pairs > 0 and _blank_after(lines) / pairs >= 0.5
        return layout
    buckets: dict[int, int] = {}
    for w in widths:
        buckets[w // 4] = buckets.get(w // 4, 0) + 1
    best = max(buckets, key=lambda b: buckets[b] + buckets.get(b - 1, 0) + buckets.get(b + 1, 0))
    lo, hi = (best - 1) * 4, (best + 2) * 4
    near = [l for l in nonblank if lo <= l.width < hi]
    share = len(near) / len(widths)
    open_share = sum(1 for l in near if not l.terminated) / max(len(near), 1)
    wrap_width = float(median([l.width for l in near])) if near else 80.0
    # the lines at the wrap width must also carry most of the text (short headings and
    # table rows of one width do not make a text hard-wrapped)
    mass = sum(l.width for l in near) / max(sum(l.width for l in nonblank), 1)
    wrapped = share >= 0.3 and open_share >= 0.5 and len(near) >= 5 and wrap_width <= 200 and mass >= 0.4
    # double spacing: a non-blank line followed by exactly one blank line and a non-blank line
    pairs = dbl = 0
    for i in range(len(lines) - 2):
        if not lines[i].blank:
            pairs += 1
            if lines[i + 1].blank and not lines[i + 2].blank:
                dbl += 1
    double = wrapped and pairs > 0 and dbl / pairs >= 0.5
    layout = Layout(wrapped, double, wrap_width)
    layout.soft_breaks = not wrapped and pairs > 0 and _blank_after(lines) / pairs >= 0.5
    if wrapped:
        for l in nonblank:
            if l.lead and l.width <= 1.15 * wrap_width and l.width >= 2:
                l.page_start = True
        layout.page_starts = sum(1 for l in nonblank if l.page_start)
    return layout


def _blank_after(lines: list[Line]) -> int:
    """Non-blank lines followed by a blank line."""
    return sum(1 for i in range(len(lines) - 1) if not lines[i].blank and lines[i + 1].blank)


def compute_reference_widths(layout: Layout, lines: list[Line], kinds: tuple[str, ...] = ("body",)) -> None:
    """Local wrap width: median width of the line and its two neighbours on each side, so
    a narrow column (text around a figure) gets its own width and a heading does not."""
    body = [l for l in lines if l.kind in kinds and not l.blank]
    idx = [l.index for l in body]
    ws = [l.width for l in body]
    refs = []
    for i in range(len(body)):
        window = sorted(ws[max(0, i - 2): i + 3])
        refs.append(float(window[len(window) // 2]))
    layout._ref_idx, layout._ref_w = idx, refs


def joins(prev: Line, cur: Line, layout: Layout, *, initial_fragment: bool = False, interrupted: bool = False,
          para_lines: list[Line] | None = None) -> bool:
    """Does ``cur`` continue the paragraph that ``prev`` (same stream) belongs to?
    ``para_lines`` are the lines of that paragraph so far (``[prev]`` when not given)."""
    if layout.trusted:
        return False
    if prev.heading or cur.heading or "\t" in prev.text or "\t" in cur.text:
        return False
    if STANDALONE.match(prev.text) or STANDALONE.match(cur.text):
        return False
    if HEADING_LIKE.match(prev.text) and not prev.terminated and not COMMA_END.search(prev.text):
        return False
    if layout.wrapped:
        if cur.page_start:
            return (not initial_fragment) and not prev.terminated and layout.full(prev, 0.8)
        if not layout.full(prev, 0.8):
            return False
        if not prev.terminated:
            return True
        if HEADING_LIKE.match(cur.text):
            return False
        return layout.full(prev, 0.9)
    if interrupted and not prev.terminated and open_end(prev.text) and not HEADING_LIKE.match(cur.text):
        return True
    if layout.soft_breaks and cur.index == prev.index + 1 and not prev.terminated and not HEADING_LIKE.match(cur.text):
        return True  # a lone newline in the middle of a sentence (a web page's inline link)
    return continues_unwrapped(prev, cur, para_lines)


def continues_unwrapped(prev: Line, cur: Line, para_lines: list[Line] | None = None) -> bool:
    """In text without hard wraps, a paragraph broken by a page (or a footnote block) ends
    mid-sentence: with a comma-like character, or long (the paragraph so far) and with a
    character or closing quote."""
    if prev.terminated or HEADING_LIKE.match(cur.text):
        return False
    if COMMA_END.search(prev.text):
        return True
    return open_end(prev.text) and (prev.width if para_lines is None else sum(l.width for l in para_lines)) >= 60
