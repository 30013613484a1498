"""The one text view every stage matches and counts on.

Three length-preserving steps, so that an offset found in a view is an offset into the text:

- :func:`to_simplified` — the Simplified script (OpenCC ``t2s``; a phrase conversion that
  changes the length falls back to converting character by character);
- :func:`fold` — full-width ASCII to ASCII, dash variants to ``-``, odd spaces to `` ``, and
  (by default) ASCII case;
- :func:`match_view` — both, what lexicon keys are matched against.

And one that is not length-preserving, for counting: :func:`squash` removes every whitespace
character (:data:`WHITESPACE`, Python and DuckDB spellings), so a term broken by a line wrap or
spaced out (``I P E F``) counts once; :func:`query_view` is how a user's search term is read
(Simplified, whitespace removed).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

# Whitespace as the counters remove it: ASCII whitespace and the Unicode separators.
WHITESPACE = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
# The same class for DuckDB (RE2): its \s lacks \v, \x1c-\x1f and \x85, which Python's has.
SQL_WHITESPACE = r"[\s\p{Z}\x0b\x1c-\x1f\x85]"
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\ufe63"
_SPACES = "\u3000\u00a0\u2002\u2003\u2009\u202f"


class SimplifiedConverter:
    """Owns one OpenCC converter; ``convert`` always returns a string of the input's length.

    Text without any character that t2s changes on its own is returned as is (most modern
    text), which keeps OpenCC off the hot path."""

    def __init__(self, config: str = "t2s") -> None:
        self.config = config
        self._cc = None
        self._traditional: re.Pattern | None = None

    def _converter(self):
        if self._cc is None:
            import opencc  # imported on first use: worker processes that never see Traditional text skip it

            self._cc = opencc.OpenCC(self.config)
        return self._cc

    def _changing(self) -> re.Pattern:
        if self._traditional is None:
            chars = [chr(cp) for a, b in _CJK_RANGES for cp in range(a, b + 1)]
            out = self._converter().convert("\n".join(chars)).split("\n")
            changed = [c for c, o in zip(chars, out) if o != c] if len(out) == len(chars) else chars
            self._traditional = re.compile("[" + "".join(re.escape(c) for c in changed) + "]")
        return self._traditional

    def needs_conversion(self, text: str) -> bool:
        return not text.isascii() and self._changing().search(text) is not None

    def convert(self, text: str) -> str:
        if not self.needs_conversion(text):
            return text
        out = self._converter().convert(text)
        if len(out) == len(text):
            return out
        return "".join(self._char(c) for c in text)

    @lru_cache(maxsize=65536)
    def _char(self, ch: str) -> str:
        out = self._converter().convert(ch)
        return out if len(out) == 1 else ch


_DEFAULT = SimplifiedConverter()


def to_simplified(text: str) -> str:
    """Same-length Simplified view of ``text``."""
    return _DEFAULT.convert(text)


def needs_conversion(text: str) -> bool:
    """Does ``text`` hold any character that t2s changes (one regex search)?"""
    return _DEFAULT.needs_conversion(text)


def _fold_table(lower: bool) -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII -> ASCII
        ch = chr(code - 0xFEE0)
        table[code] = ch.lower() if lower else ch
    for ch in _DASHES:
        table[ord(ch)] = "-"
    for ch in _SPACES:
        table[ord(ch)] = " "
    table[ord("\u00b7")] = "."  # middle dot in "U·S" style abbreviations; keeps the length
    if lower:
        for code in range(ord("A"), ord("Z") + 1):
            table[code] = chr(code + 32)
    return table


_FOLD_LOWER = _fold_table(lower=True)
_FOLD_CASED = _fold_table(lower=False)


def fold(simplified: str, *, lower: bool = True) -> str:
    """Fold width, dashes, odd spaces and (by default) ASCII case; length-preserving."""
    return simplified.translate(_FOLD_LOWER if lower else _FOLD_CASED)


def match_view(text: str, simplified: str | None = None) -> str:
    """The view lexicon keys are matched against (``simplified``, same length, saves the t2s step)."""
    if simplified is None or len(simplified) != len(text):
        simplified = to_simplified(text)
    return fold(simplified)


def squash(text: str) -> str:
    """``text`` without any whitespace character: the counting view."""
    return WHITESPACE.sub("", text)


def query_view(text: str) -> str:
    """A search term as it is looked for: Simplified, whitespace removed."""
    return squash(to_simplified(text))


def count_han(text: str) -> int:
    """Han characters in ``text`` (the denominator of relative frequencies)."""
    return sum(map(len, _HAN_RUN.findall(text)))  # runs, not characters: far fewer matches


# -- long sentences ---------------------------------------------------------------------------
# A "sentence" without sentence punctuation (a table, a PDF that lost its stops) can be as long
# as the document. Stages that look at a sentence as a whole (the stance rules, a citation's
# claim) see it in pieces of at most MAX_PIECE_CHARS, cut after the last clause punctuation of
# the window (or at the window's end when there is none); the sentence itself is stored whole.
MAX_PIECE_CHARS = 1000
_CLAUSE_STOPS = "，；：、,;:。！？!?\n "


def pieces(text: str, cap: int = MAX_PIECE_CHARS) -> list[tuple[int, int]]:
    """``[start, end)`` spans covering ``text``: one span when it is at most ``cap`` long,
    else pieces of at most ``cap`` characters, each cut after the last clause punctuation in
    its second half (or at ``cap``). Linear in the length of the text."""
    n = len(text)
    if n <= cap:
        return [(0, n)]
    spans = []
    start = 0
    while n - start > cap:
        hi = start + cap
        cut = max(text.rfind(ch, start + cap // 2, hi) for ch in _CLAUSE_STOPS)
        end = cut + 1 if cut >= 0 else hi
        spans.append((start, end))
        start = end
    spans.append((start, n))
    return spans


def piece_around(text: str, position: int, cap: int = MAX_PIECE_CHARS) -> tuple[int, int]:
    """The span of :func:`pieces` that holds ``position`` (the last piece for the end)."""
    if len(text) <= cap:
        return 0, len(text)
    spans = _cached_pieces(text, cap)
    i = bisect_right(_ends(text, cap), position)
    return spans[min(i, len(spans) - 1)]


@lru_cache(maxsize=16)
def _cached_pieces(text: str, cap: int) -> tuple[tuple[int, int], ...]:
    return tuple(pieces(text, cap))


@lru_cache(maxsize=16)
def _ends(text: str, cap: int) -> tuple[int, ...]:
    return tuple(end for _, end in _cached_pieces(text, cap))
