"""Remove the spaces a PDF extraction puts between Chinese characters, between Chinese and
digits/Latin, and inside spaced-out acronyms (``T T C``); keep spaces inside English phrases.

``despace`` works on a whole cleaned text at once: paragraphs separated by newlines, with
no newline inside a paragraph. Only spaces (U+0020) are touched; a tab is a table-cell
separator and stays."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from .offsets import MappedText

# Ideographs, CJK punctuation, full-width forms, circled numbers and the quotes/dashes
# that Chinese text uses.
CJK = "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u2460-\u24ff\u3200-\u32ff"
_CJK_PUNCT_EXTRA = "\u2014\u2015\u2018\u2019\u201c\u201d\u2026\u00b7\u2022\u2027"

_CJK_CHAR = re.compile(f"[{CJK}]")
_LETTER = re.compile("[A-Za-z]")
# "T T C", "I P E F" (three or more single capitals, or two with a Chinese neighbour) and
# "2 0 1 8" between Chinese characters: the spaces inside are deleted.
_SPACED = re.compile(r"[A-Z](?: [A-Z])+|\d(?: \d)+")
_SPACED_HINT = re.compile(r"[A-Z0-9] [A-Z0-9]")
_RUN = re.compile(" +")
_ASCII_AFTER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789%([")
_ASCII_BEFORE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789%)].,:;")
_DIGITS = frozenset("0123456789")


def despace(mt: MappedText) -> MappedText:
    """De-space a cleaned text (paragraphs on their own lines, tabs already turned into
    spaces outside tables). Each run of spaces is judged by the characters on either side,
    all runs at once (vectorised): between Chinese characters, between Chinese and
    Latin/digits and inside brackets it goes; at a line's ends it goes; elsewhere it
    shrinks to one space."""
    text = mt.text
    if " " not in text:
        return mt
    if _SPACED_HINT.search(text):
        spans = _spaced_out(text)
        if spans:
            mt = mt.delete(spans)
            text = mt.text
    flags = _flag_table()
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    space = codes == 32
    before = np.concatenate(([False], space[:-1]))
    after = np.concatenate((space[1:], [False]))
    starts = np.flatnonzero(space & ~before)
    ends = np.flatnonzero(space & ~after) + 1
    if not len(starts):
        return mt
    padded = np.concatenate(([10], codes, [10]))  # a newline before and after the text
    prev = padded[starts]
    nxt = padded[ends + 1]
    pf = np.where(prev < 0x10000, flags[np.minimum(prev, 0xFFFF)], 0)
    nf = np.where(nxt < 0x10000, flags[np.minimum(nxt, 0xFFFF)], 0)
    drop = ((pf | nf) & _NL) != 0
    drop |= ((pf & (_CJK | _CJKX)) != 0) & ((nf & (_CJK | _CJKX)) != 0)
    drop |= ((pf & _CJK) != 0) & ((nf & _AFTER) != 0)
    drop |= ((nf & _CJK) != 0) & ((pf & _BEFORE) != 0)
    drop |= ((pf & _OPEN) != 0) & ((nf & (_CJK | _DIGIT)) != 0)
    drop |= ((nf & _CLOSE) != 0) & ((pf & (_CJK | _DIGIT)) != 0)
    remove = space.copy()
    remove[starts[~drop]] = False  # a kept run keeps its first space
    if not remove.any():
        return mt
    keep = ~remove
    return MappedText(codes[keep].tobytes().decode("utf-32-le", "surrogatepass"), mt.offsets[keep])


_NL, _CJK, _CJKX, _AFTER, _BEFORE, _OPEN, _CLOSE, _DIGIT = 1, 2, 4, 8, 16, 32, 64, 128


@lru_cache(maxsize=1)
def _flag_table() -> np.ndarray:
    """Character classes of the BMP as bit flags, for the vectorised run rules."""
    flags = np.zeros(0x10000, dtype=np.uint8)
    for spec, bit in ((CJK, _CJK), (CJK + _CJK_PUNCT_EXTRA, _CJKX)):
        i = 0
        while i < len(spec):  # a character class body: "a-b" ranges and single characters
            if i + 2 < len(spec) and spec[i + 1] == "-":
                flags[ord(spec[i]):ord(spec[i + 2]) + 1] |= bit
                i += 3
            else:
                flags[ord(spec[i])] |= bit
                i += 1
    for chars, bit in ((_ASCII_AFTER, _AFTER), (_ASCII_BEFORE, _BEFORE), ("([", _OPEN), (")]", _CLOSE), (_DIGITS, _DIGIT), ("\n", _NL)):
        for c in chars:
            flags[ord(c)] |= bit
    return flags


def _spaced_out(text: str) -> list[tuple[int, int]]:
    """The spaces inside spaced-out acronyms and digit runs."""
    spans = []
    n = len(text)
    for m in _SPACED.finditer(text):
        a, b = m.span()
        if (a > 0 and _LETTER.match(text[a - 1])) or (b < n and _LETTER.match(text[b])):
            continue  # part of a word
        i, j = a - 1, b
        while i >= 0 and text[i] == " ":
            i -= 1
        while j < n and text[j] == " ":
            j += 1
        before = text[i] if i >= 0 else ""
        after = text[j] if j < n else ""
        cjk_before = bool(before) and _CJK_CHAR.match(before) is not None
        cjk_after = bool(after) and _CJK_CHAR.match(after) is not None
        if m.group(0)[0].isdigit():
            if not (cjk_before and cjk_after):
                continue
        elif len(m.group(0)) < 5 and not (cjk_before or cjk_after):
            continue
        spans += [(a + i, a + i + 1) for i in range(1, b - a, 2)]
    return spans
