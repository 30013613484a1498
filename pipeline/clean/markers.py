"""The one grammar of note markers: circled ``①``…``㊿`` (bare, ``<sup>①</sup>``, ``^①``),
``[1]``, ``[2-3]``, ``[1,4]`` (also ``［1］``, ``【1】``) and superscript digits.

The cleaner removes markers from sentence text with :func:`find_markers` and stores them as
``Marker`` records; the citations stage reads marker strings (``normalize_marker``,
``marker_numbers``, ``marker_style``) with the same grammar. Author-year citations such as
``(陈靓，2022)`` are not markers: they stay in the text (``pipeline.citations.authoryear``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass

CIRCLED = "".join(chr(c) for c in range(0x2460, 0x2474))  # ①..⑳
CIRCLED_EXT = "".join(chr(c) for c in range(0x3251, 0x3260)) + "".join(
    chr(c) for c in range(0x32B1, 0x32C0)
)  # ㉑..㉟, ㊱..㊿
CIRCLED_ALL = CIRCLED + CIRCLED_EXT
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_TO_DIGIT = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")

_NUM_LIST = r"\d{1,3}(?:\s*[-–—~～,，、]\s*\d{1,3})*"
MARKER_PATTERNS: dict[str, re.Pattern[str]] = {
    # order matters: markup forms first so their inner marker is not matched again
    "sup": re.compile(
        rf"<sup>\s*(?:\\?\[)?\s*([{CIRCLED_ALL}]|{_NUM_LIST})\s*(?:\\?\])?\s*</sup>"
    ),
    "caret": re.compile(rf"\^\s*(?:\[\s*({_NUM_LIST})\s*\]|([{CIRCLED_ALL}])|(\d{{1,3}}))"),
    "circled": re.compile(rf"[{CIRCLED_ALL}]"),
    "bracket": re.compile(rf"(?<![0-9\\])[\[［【]\s*({_NUM_LIST})\s*[\]］】](?!\()"),
    "superscript": re.compile(rf"[{SUPERSCRIPT_DIGITS}]+"),
}


@dataclass(frozen=True)
class MarkerHit:
    """A marker found in a raw string: as printed without markup, and where."""

    marker: str
    start: int
    end: int
    style: str  # "circled" | "bracket" | "superscript" | "sup" | "caret"


_MARKUP = re.compile(r"</?sup>|\^|\\")
_SPACE_RUN = re.compile(r"\s+")
_NUMBER_DOT = re.compile(r"^(\d{1,3})[.、)]$")


@lru_cache(maxsize=4096)
def normalize_marker(marker: str) -> str:
    """Canonical form of a note marker for comparison: ``<sup>①</sup>``/``^①`` → ``①``,
    ``［1］``/``[ 1 ]`` → ``[1]``, ``¹`` → ``1``, ``1.`` → ``1``. (Markers repeat: cached.)"""
    m = _MARKUP.sub("", marker or "").strip()
    m = m.translate(_SUP_TO_DIGIT)
    m = m.replace("［", "[").replace("］", "]").replace("【", "[").replace("】", "]")
    m = _SPACE_RUN.sub("", m)
    m = _NUMBER_DOT.sub(r"\1", m)
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


def marker_style(marker: str) -> str:
    m = normalize_marker(marker)
    if m and m[0] in CIRCLED_ALL:
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
    # characters already taken by an earlier pattern's marker: one byte per character, so the
    # overlap test costs the marker's length, not the number of markers found (linear)
    taken: bytearray | None = None
    for style, pat in MARKER_PATTERNS.items():
        for m in pat.finditer(text):
            if taken is not None and taken.find(1, m.start(), m.end()) != -1:
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
            if taken is None:
                taken = bytearray(len(text))
            taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
            hits.append(MarkerHit(printed, m.start(), m.end(), style))
    hits.sort(key=lambda h: h.start)
    return hits


def marker_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, marker as printed without markup) of every marker in ``text``: what the
    cleaner removes from a sentence."""
    return [(h.start, h.end, h.marker) for h in find_markers(text)]
