"""Lexicon matching on characters, independent of segmentation.

One Aho-Corasick automaton (pyahocorasick) holds every alias key; it runs over the match
view of a text (Simplified, width/case-folded, same length as the text), so Traditional
text, full-width Latin, terms with spaces or hyphens (``U.S.-EU TTC``) and terms that a
segmenter would split all match. Latin aliases need ASCII word boundaries (``TPP`` does not
match inside ``CPTPP``); case-sensitive aliases are checked against the cased view.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import ahocorasick

from pipeline.lexicons import Alias
from pipeline.textview import fold


class Hit(NamedTuple):
    """A lexicon match: ``start``/``end`` are offsets into the text."""

    start: int
    end: int
    alias: Alias

    @property
    def label(self) -> str:
        return self.alias.label

    @property
    def kind(self) -> str:
        return self.alias.kind


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class Matcher:
    """Finds every alias occurrence; overlap resolution is left to :func:`resolve_longest`."""

    def __init__(self, aliases: Iterable[Alias]):
        groups: dict[str, list[Alias]] = {}
        for alias in aliases:
            groups.setdefault(alias.key, []).append(alias)
        self._automaton = ahocorasick.Automaton()
        for key, group in groups.items():
            self._automaton.add_word(key, (len(key), tuple(group)))
        self._automaton.make_automaton()

    def find(self, view: str, simplified: str) -> list[Hit]:
        """All hits in ``view`` (the match view of the text); ``simplified`` is the
        un-folded Simplified view, used only for case-sensitive aliases."""
        hits: list[Hit] = []
        size = len(view)
        cased: str | None = None
        for last, (length, group) in self._automaton.iter(view):
            start, end = last - length + 1, last + 1
            for alias in group:
                if alias.latin_start and start > 0 and _is_word_char(view[start - 1]):
                    continue
                if alias.latin_end and end < size and _is_word_char(view[end]):
                    continue
                if alias.case_sensitive:
                    if cased is None:
                        cased = fold(simplified, lower=False)
                    if cased[start:end] != alias.cased:
                        continue
                hits.append(Hit(start, end, alias))
        return hits


def resolve_longest(hits: Iterable[Hit]) -> list[Hit]:
    """Keep non-overlapping hits, longest first (leftmost on ties); returned in text order.
    Hits with the same span but different labels are all kept.

    Linear in the hits and their lengths: the distinct spans are sorted once (longest, then
    leftmost) and each is checked against an occupancy map of the characters already taken
    (``bytearray.find`` over the span, bounded by the longest alias), instead of against
    every kept span."""
    by_span: dict[tuple[int, int], list[Hit]] = {}
    for hit in hits:
        by_span.setdefault((hit.start, hit.end), []).append(hit)
    if not by_span:
        return []
    if len(by_span) == 1:
        ((span, group),) = by_span.items()
        return _distinct_labels(group)
    low = min(s for s, _ in by_span)
    taken = bytearray(max(e for _, e in by_span) - low)
    kept: list[tuple[int, int]] = []
    for start, end in sorted(by_span, key=lambda span: (span[0] - span[1], span[0])):
        a, b = start - low, end - low
        if taken.find(1, a, b) != -1:
            continue
        taken[a:b] = b"\x01" * (b - a)
        kept.append((start, end))
    kept.sort()
    return [hit for span in kept for hit in _distinct_labels(by_span[span])]


def _distinct_labels(group: list[Hit]) -> list[Hit]:
    """The hits of one span, the first of each label (in the order given)."""
    if len(group) == 1:
        return group
    seen: set[str] = set()
    out = []
    for hit in group:
        if hit.label not in seen:
            seen.add(hit.label)
            out.append(hit)
    return out
