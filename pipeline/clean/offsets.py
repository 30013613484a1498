"""MappedText: a cleaned view of a raw text that remembers, per character, its raw offset.

Steps only delete characters or substitute one character for one character (NFKC may
expand a character; every output character then maps to the source character), so every
cleaned character maps back to a raw character that is identical after NFKC (whitespace
maps to raw whitespace).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import chain
from typing import Callable, Iterable


@dataclass(frozen=True)
class MappedText:
    """``text[i]`` came from ``raw[offsets[i]]``."""

    text: str
    offsets: list[int]

    @classmethod
    def from_raw(cls, raw: str) -> "MappedText":
        return cls(raw, list(range(len(raw))))

    @classmethod
    def empty(cls) -> "MappedText":
        return cls("", [])

    def __len__(self) -> int:
        return len(self.text)

    def slice(self, start: int, end: int) -> "MappedText":
        return MappedText(self.text[start:end], self.offsets[start:end])

    def raw_span(self) -> tuple[int, int]:
        """Raw [start, end) covered by this text (end is one past the last char)."""
        if not self.offsets:
            return (0, 0)
        return (self.offsets[0], max(self.offsets[-1], self.offsets[0]) + 1)

    def keep(self, spans: Iterable[tuple[int, int]]) -> "MappedText":
        """Keep only the given sorted, non-overlapping [start, end) spans."""
        spans = list(spans)
        text = "".join(self.text[a:b] for a, b in spans)
        offsets = list(chain.from_iterable(self.offsets[a:b] for a, b in spans))
        return MappedText(text, offsets)

    def delete(self, spans: Iterable[tuple[int, int]]) -> "MappedText":
        """Delete the given sorted, possibly touching [start, end) spans."""
        kept, pos = [], 0
        for a, b in spans:
            if a > pos:
                kept.append((pos, a))
            pos = max(pos, b)
        if pos == 0 and not kept:
            return self
        if pos < len(self.text):
            kept.append((pos, len(self.text)))
        return self.keep(kept)

    def delete_matches(self, pattern: re.Pattern, group: int = 0) -> "MappedText":
        """Delete every match of ``pattern`` (or of one of its groups)."""
        spans = [m.span(group) for m in pattern.finditer(self.text) if m.start(group) >= 0]
        return self.delete(spans) if spans else self

    def substitute(self, pattern: re.Pattern, repl: Callable[[str], str]) -> "MappedText":
        """Replace each match by ``repl(match)``; the replacement must keep the length."""
        if not pattern.search(self.text):
            return self
        chars = list(self.text)
        for m in pattern.finditer(self.text):
            new = repl(m.group(0))
            if len(new) != len(m.group(0)):
                raise ValueError(f"substitution must keep length: {m.group(0)!r} -> {new!r}")
            chars[m.start():m.end()] = new
        return MappedText("".join(chars), self.offsets)

    @staticmethod
    def concat(parts: Iterable["MappedText"]) -> "MappedText":
        parts = list(parts)
        return MappedText("".join(p.text for p in parts), list(chain.from_iterable(p.offsets for p in parts)))

    @staticmethod
    def char(ch: str, offset: int) -> "MappedText":
        return MappedText(ch, [offset])
