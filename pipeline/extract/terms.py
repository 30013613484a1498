"""The one term counter: what ingest precounts into ``term_counts`` and what ``trend`` and
``kwic`` count and show for any other term.

Counting is on the counting view of a sentence (:func:`pipeline.textview.squash` of its
Simplified text: every whitespace character removed, so a term broken by a line wrap or spaced
out counts once):

- a *literal* needle (``trend 脱钩``): non-overlapping leftmost occurrences, case-sensitive
  (as ``str.count``; 挂钩 also counts inside 再挂钩);
- a *group* (``--group 友岸外包``: every alias of a tracked term): leftmost-longest matches
  without overlaps, each alias case-sensitive or not (ASCII case) as the lexicon says.

One Aho-Corasick pass (pyahocorasick) over the view finds every exact needle; a second pass
over its ASCII-lower-cased copy, only for sentences with Latin letters, finds the
case-insensitive ones. :attr:`TermCounter.version` names the needle set and this module's code,
so a store knows whether its precounts were made by this counter.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import ahocorasick

from pipeline.lexicons import load_lexicons
from pipeline.schema import Sentence, TermCount
from pipeline.textview import query_view, squash

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_HAS_ASCII_LETTER = re.compile("[A-Za-z]")
_SOURCE_HASH = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


def literal_key(needle: str) -> str:
    return f"literal:{needle}"


def group_key(label: str) -> str:
    return f"group:{label}"


def term_groups(lexicons=None) -> dict[str, tuple[tuple[str, bool], ...]]:
    """Tracked term id -> its aliases as (counting-view text, case-sensitive)."""
    groups: dict[str, dict[tuple[str, bool], None]] = {}
    for alias in (lexicons or load_lexicons()).of_kind("term"):
        groups.setdefault(alias.label, {})[(squash(alias.cased), alias.case_sensitive)] = None
    return {label: tuple(needles) for label, needles in groups.items()}


def _caseless(text: str) -> bool:
    return not _HAS_ASCII_LETTER.search(text)


class TermCounter:
    """Counts literal needles and alias groups in sentences. Build once (``from_lexicons()``
    for the tracked terms, or with the needles of a query), then call :meth:`count` or
    :meth:`spans` per sentence."""

    def __init__(self, literals: Iterable[str] = (), groups: Mapping[str, Sequence[tuple[str, bool]]] | None = None):
        self.literals = tuple(dict.fromkeys(n for n in literals if n))
        self.groups = {label: tuple(dict.fromkeys(n for n in needles if n[0])) for label, needles in (groups or {}).items()}
        self.groups = {label: needles for label, needles in self.groups.items() if needles}
        self.version = self._hash()
        self._literal_set = frozenset(self.literals)
        self._labels = list(self.groups)
        # needle text -> (is a literal, indices of the groups it belongs to)
        exact: dict[str, tuple[bool, list[int]]] = {n: (True, []) for n in self.literals}
        folded: dict[str, list[int]] = {}
        for g, label in enumerate(self._labels):
            for text, case_sensitive in self.groups[label]:
                if case_sensitive or _caseless(text):
                    exact.setdefault(text, (False, []))[1].append(g)
                else:
                    folded.setdefault(text.translate(_ASCII_LOWER), []).append(g)
        self._exact = _automaton({k: (len(k), lit, tuple(gs)) for k, (lit, gs) in exact.items()}) if exact else None
        self._folded = _automaton({k: (len(k), tuple(gs)) for k, gs in folded.items()}) if folded else None

    @classmethod
    def from_lexicons(cls, lexicons=None) -> "TermCounter":
        """Every tracked term id and alias as a literal (as ``trend TEXT`` reads it, and as the
        group spells it), every tracked term as a group."""
        lexicons = lexicons or load_lexicons()
        groups = term_groups(lexicons)
        literals: list[str] = []
        for alias in lexicons.of_kind("term"):
            literals += [query_view(alias.label), query_view(alias.text)]
        literals += [text for needles in groups.values() for text, _ in needles]
        return cls(literals, groups)

    def _hash(self) -> str:
        spec = {
            "code": _SOURCE_HASH,
            "literals": sorted(self.literals),
            "groups": {label: sorted(map(list, needles)) for label, needles in sorted(self.groups.items())},
        }
        return hashlib.sha256(json.dumps(spec, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:12]

    def keys(self) -> list[str]:
        return [literal_key(n) for n in self.literals] + [group_key(g) for g in self.groups]

    def has_literal(self, needle: str) -> bool:
        return needle in self._literal_set

    def has_group(self, label: str, needles: Sequence[tuple[str, bool]]) -> bool:
        return set(self.groups.get(label, ())) == set(needles)

    def spans(self, view: str) -> dict[str, list[tuple[int, int]]]:
        """key -> (start, end) of every counted occurrence in a counting view (``squash`` of a
        Simplified text), left to right."""
        by_group: dict[int, list[tuple[int, int]]] = {}
        found: set[str] = set()
        for last, (length, is_literal, gs) in self._exact.iter(view) if self._exact is not None else ():
            start = last - length + 1
            if is_literal:
                found.add(view[start:last + 1])
            for g in gs:
                by_group.setdefault(g, []).append((start, -length))
        if self._folded is not None and _HAS_ASCII_LETTER.search(view):
            for last, (length, gs) in self._folded.iter(view.translate(_ASCII_LOWER)):
                for g in gs:
                    by_group.setdefault(g, []).append((last - length + 1, -length))
        out: dict[str, list[tuple[int, int]]] = {}
        for needle in found:
            spans, at = [], view.find(needle)
            while at >= 0:  # leftmost, non-overlapping
                spans.append((at, at + len(needle)))
                at = view.find(needle, at + len(needle))
            out[literal_key(needle)] = spans
        for g, hits in by_group.items():
            hits.sort()
            spans, free = [], 0
            for start, negative_length in hits:  # leftmost first, the longest at a start first
                if start >= free:
                    free = start - negative_length
                    spans.append((start, free))
            out[group_key(self._labels[g])] = spans
        return out

    def count(self, simplified: str) -> dict[str, int]:
        """key -> occurrences (> 0) in one sentence's Simplified text."""
        return {key: len(spans) for key, spans in self.spans(squash(simplified)).items() if spans}

    def count_sentences(self, sentences: Iterable[Sentence]) -> list[TermCount]:
        """One ``TermCount`` per (sentence, key) with a count > 0."""
        return [TermCount(s.index, key, n) for s in sentences for key, n in self.count(s.simplified).items()]


def _automaton(words: Mapping[str, tuple]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for key, value in words.items():
        automaton.add_word(key, value)
    automaton.make_automaton()
    return automaton


def default_term_counter(directory: str | None = None) -> TermCounter:
    """The counter of the tracked terms of the lexicons in ``directory`` (default: the packaged
    ones); built once while the files stay the same."""
    lexicons = load_lexicons(directory)
    return _counter(lexicons.directory, lexicons.fingerprint)


@lru_cache(maxsize=4)
def _counter(directory: str, fingerprint: str) -> TermCounter:
    return TermCounter.from_lexicons(load_lexicons(directory))
