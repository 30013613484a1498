"""Simplified-Chinese view (OpenCC t2s) of the same length as the original text."""

from __future__ import annotations

import re
from functools import lru_cache

_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


class SimplifiedConverter:
    """Owns one OpenCC converter; ``convert`` always returns a string of the input's length.

    Text without any character that t2s changes on its own is returned as is (most modern
    text), which keeps the converter off the hot path."""

    def __init__(self, config: str = "t2s") -> None:
        self.config = config
        self._cc = None
        self._traditional: re.Pattern | None = None

    def _converter(self):
        if self._cc is None:
            import opencc

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
    """Same-length Simplified view of ``text`` (phrase conversion, per-character fallback)."""
    return _DEFAULT.convert(text)


def needs_conversion(text: str) -> bool:
    """Does ``text`` hold any character that t2s changes (one regex search)?"""
    return _DEFAULT.needs_conversion(text)
