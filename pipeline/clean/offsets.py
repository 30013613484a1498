"""MappedText: a cleaned view of a raw text that remembers, per character, its raw offset.

Steps only delete characters or substitute one character for one character (NFKC may
expand a character; every output character then maps to the source character), so every
cleaned character maps back to a raw character that is identical after NFKC (whitespace
maps to raw whitespace).

The offsets are a numpy ``int64`` array, so slicing, deleting and concatenating cost one
vectorised call, not a Python step per character; deletions of regex matches are single
``re.sub`` passes on the text.
"""

from __future__ import annotations

import re
from array import array
from typing import Callable, Iterable, Sequence

import numpy as np

_EMPTY = np.zeros(0, dtype=np.int64)


class MappedText:
    """``text[i]`` came from ``raw[offsets[i]]``."""

    __slots__ = ("text", "offsets")

    def __init__(self, text: str, offsets: np.ndarray | Sequence[int]) -> None:
        self.text = text
        self.offsets = offsets if isinstance(offsets, np.ndarray) else np.asarray(offsets, dtype=np.int64).reshape(-1)
        if len(self.offsets) != len(text):
            raise ValueError(f"MappedText: {len(text)} characters but {len(self.offsets)} offsets")

    def __repr__(self) -> str:
        return f"MappedText({self.text!r})"

    @classmethod
    def from_raw(cls, raw: str) -> "MappedText":
        return cls(raw, np.arange(len(raw), dtype=np.int64))

    @classmethod
    def empty(cls) -> "MappedText":
        return cls("", _EMPTY)

    def __len__(self) -> int:
        return len(self.text)

    def offset_list(self) -> list[int]:
        return self.offsets.tolist()

    def offset_array(self) -> array:
        """The offsets as a compact ``array('i')`` (what ``CleanResult.offsets`` holds)."""
        return array("i", self.offsets.astype(np.int32).tobytes())

    def slice(self, start: int, end: int) -> "MappedText":
        return MappedText(self.text[start:end], self.offsets[start:end])

    def raw_span(self) -> tuple[int, int]:
        """Raw [start, end) covered by this text (end is one past the last char)."""
        return span_of(self.offsets, 0, len(self.text))

    def keep(self, spans: Iterable[tuple[int, int]]) -> "MappedText":
        """Keep only the given sorted, non-overlapping [start, end) spans."""
        spans = list(spans)
        if not spans:
            return MappedText.empty()
        text = "".join([self.text[a:b] for a, b in spans])
        offsets = np.concatenate([self.offsets[a:b] for a, b in spans])
        return MappedText(text, offsets)

    def delete(self, spans: Iterable[tuple[int, int]]) -> "MappedText":
        """Delete the given sorted, possibly touching or overlapping [start, end) spans."""
        spans = [(a, b) for a, b in spans if b > a]
        if not spans:
            return self
        n = len(self.text)
        if len(spans) <= 32:
            kept, pos = [], 0
            for a, b in spans:
                if a > pos:
                    kept.append((pos, a))
                pos = max(pos, b)
            if pos < n:
                kept.append((pos, n))
            return self.keep(kept)
        arr = np.asarray(spans, dtype=np.int64)
        cover = np.cumsum(np.bincount(arr[:, 0], minlength=n + 1)[: n + 1] - np.bincount(arr[:, 1], minlength=n + 1)[: n + 1])
        mask = cover[:n] == 0
        return MappedText(_mask_text(self.text, mask), self.offsets[mask])

    def delete_matches(self, pattern: re.Pattern, group: int = 0) -> "MappedText":
        """Delete every match of ``pattern`` (or of one of its groups)."""
        if group == 0:
            spans = [m.span() for m in pattern.finditer(self.text)]
            return self.delete(spans) if spans else self
        spans = [m.span(group) for m in pattern.finditer(self.text) if m.start(group) >= 0]
        return self.delete(spans) if spans else self

    def substitute(self, pattern: re.Pattern, repl: Callable[[str], str]) -> "MappedText":
        """Replace each match by ``repl(match)``; the replacement must keep the length."""

        def one(m: re.Match) -> str:
            new = repl(m.group(0))
            if len(new) != len(m.group(0)):
                raise ValueError(f"substitution must keep length: {m.group(0)!r} -> {new!r}")
            return new

        text = pattern.sub(one, self.text)
        return self if text == self.text else MappedText(text, self.offsets)

    @staticmethod
    def concat(parts: Iterable["MappedText"]) -> "MappedText":
        parts = list(parts)
        if not parts:
            return MappedText.empty()
        return MappedText("".join([p.text for p in parts]), np.concatenate([p.offsets for p in parts]))

    @staticmethod
    def char(ch: str, offset: int) -> "MappedText":
        return MappedText(ch, np.full(len(ch), offset, dtype=np.int64))


def span_of(offsets: np.ndarray, start: int, end: int) -> tuple[int, int]:
    """Raw [start, end) covered by ``offsets[start:end]``."""
    if end <= start:
        return (0, 0)
    a = int(offsets[start])
    return (a, max(int(offsets[end - 1]), a) + 1)


def _mask_text(text: str, mask: np.ndarray) -> str:
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return codes[mask].tobytes().decode("utf-32-le", "surrogatepass")
