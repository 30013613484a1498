"""Length-preserving text views used for matching: the Simplified script (OpenCC t2s) and
a *match view* that also folds full-width forms, dash variants and ASCII case.

Every function here returns a string of the same length as its input, so an offset found
in a view is an offset into the original text.
"""

from __future__ import annotations

from functools import lru_cache

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\ufe63"
_SPACES = "\u3000\u00a0\u2002\u2003\u2009\u202f"


def _fold_table(lower: bool) -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII -> ASCII
        ch = chr(code - 0xFEE0)
        table[code] = ch.lower() if lower else ch
    for ch in _DASHES:
        table[ord(ch)] = "-"
    for ch in _SPACES:
        table[ord(ch)] = " "
    table[ord("\u00b7")] = "."  # middle dot in "U·S" style abbreviations is rare; keep 1:1
    if lower:
        for code in range(ord("A"), ord("Z") + 1):
            table[code] = chr(code + 32)
    return table


_FOLD_LOWER = _fold_table(lower=True)
_FOLD_CASED = _fold_table(lower=False)


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # imported lazily: only needed when a text is not Simplified already

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Simplified-Chinese view of ``text`` with the same length (falls back to converting
    character by character if a phrase conversion changed the length)."""
    if text.isascii():
        return text
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    convert = _t2s().convert
    return "".join(c if len(c) == 1 else ch for ch, c in ((ch, convert(ch)) for ch in text))


def fold(simplified: str, *, lower: bool = True) -> str:
    """Fold width, dashes, odd spaces and (by default) ASCII case; length-preserving."""
    return simplified.translate(_FOLD_LOWER if lower else _FOLD_CASED)


def match_view(text: str, simplified: str | None = None) -> str:
    """The view lexicon keys are matched against."""
    if simplified is None or len(simplified) != len(text):
        simplified = to_simplified(text)
    return fold(simplified)
