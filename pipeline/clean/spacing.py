"""Remove the spaces a PDF extraction puts between Chinese characters, between Chinese and
digits/Latin, and inside spaced-out acronyms (``T T C``); keep spaces inside English phrases."""

from __future__ import annotations

import re

from .offsets import MappedText

# Ideographs, CJK punctuation, full-width forms, circled numbers and the quotes/dashes
# that Chinese text uses.
CJK = "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u2460-\u24ff\u3200-\u32ff"
_CJK_PUNCT_EXTRA = "\u2014\u2015\u2018\u2019\u201c\u201d\u2026\u00b7\u2022\u2027"

_BETWEEN_CJK = re.compile(f"(?<=[{CJK}{_CJK_PUNCT_EXTRA}])\\s+(?=[{CJK}{_CJK_PUNCT_EXTRA}])")
_CJK_THEN_ASCII = re.compile(f"(?<=[{CJK}])[ \\t\\u00a0]+(?=[A-Za-z0-9%(\\[])")
_ASCII_THEN_CJK = re.compile(f"(?<=[A-Za-z0-9%)\\].,:;])[ \\t\\u00a0]+(?=[{CJK}])")
_PAREN_INNER = re.compile(f"(?<=[(\\[])[ \\t]+(?=[{CJK}0-9])|(?<=[{CJK}0-9])[ \\t]+(?=[)\\]])")
# "T T C", "I P E F": three or more single capitals, or two with a Chinese neighbour.
_SPACED_CAPS = re.compile(r"(?<![A-Za-z])[A-Z](?: [A-Z]){2,}(?![A-Za-z])")
_SPACED_CAPS_2 = re.compile(f"(?<=[{CJK}])\\s*[A-Z] [A-Z](?![A-Za-z])|(?<![A-Za-z])[A-Z] [A-Z]\\s*(?=[{CJK}])")
_SPACED_DIGITS = re.compile(f"(?<=[{CJK}])\\s*\\d(?: \\d){{1,}}(?=\\s*[{CJK}])")
_MULTI_SPACE = re.compile(r"(?<= ) +|^\s+|\s+$")
_WS = re.compile(r"[\t\u00a0\u3000\n]")


def despace(mt: MappedText) -> MappedText:
    """De-space one joined paragraph (no newlines inside)."""
    mt = mt.substitute(_WS, lambda s: " ")
    spans: list[tuple[int, int]] = []
    for pat in (_SPACED_CAPS, _SPACED_CAPS_2, _SPACED_DIGITS):
        for m in pat.finditer(mt.text):
            spans += [(m.start() + i, m.start() + i + 1) for i, c in enumerate(m.group(0)) if c == " "]
    if spans:
        mt = mt.delete(sorted(set(spans)))
    for pat in (_BETWEEN_CJK, _CJK_THEN_ASCII, _ASCII_THEN_CJK, _PAREN_INNER, _MULTI_SPACE):
        mt = mt.delete_matches(pat)
    return mt
