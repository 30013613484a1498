"""Per-sentence counts of the tracked terms, made once at ingest so ``trend`` need not scan text.

The counts follow ``trends.TermSpec`` exactly, on the Simplified text with every whitespace
character (``store.WHITESPACE``) removed:

- ``literal:TEXT``: every tracked term id and every alias, as typed by a user of ``trend``
  (``normalise_term``): non-overlapping leftmost occurrences, case-sensitive;
- ``group:ID``: the aliases of one tracked term, leftmost-longest and without overlaps, each
  alias case-sensitive or not as the lexicon says (the regular expression of the group).

One Aho-Corasick pass (pyahocorasick) over the cased text finds every case-sensitive needle
and every needle without cased letters; a second pass over the case-folded text, only for
sentences with Latin letters, finds the case-insensitive ones. The greedy selection runs in
Python only for sentences with a match. ``lexicon_hash`` names the needle set and the rules,
so a store knows whether its counts fit the current lexicon.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import ahocorasick

from pipeline.schema import Sentence, TermCount
from pipeline.store import WHITESPACE

# Bump when the counting rules change: stores counted under other rules fall back to the scan.
RULES_VERSION = "terms-v1: leftmost non-overlapping literals; leftmost-longest groups; RE2 ASCII case folding"
# The case-insensitive matches of ASCII letters in RE2 (DuckDB's regex engine, which the scan
# uses): a-z, A-Z, plus U+017F LATIN SMALL LETTER LONG S (~ s) and U+212A KELVIN SIGN (~ k).
_CASE_FOLD = {**{c: c + 32 for c in range(ord("A"), ord("Z") + 1)}, 0x017F: ord("s"), 0x212A: ord("k")}
_HAS_FOLDABLE = re.compile("[A-Za-z\u017f\u212a]")


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


def normalise_term(text: str) -> str:
    """A query string as it is looked for: Simplified, whitespace removed."""
    return WHITESPACE.sub("", _t2s().convert(text))


def term_groups(lexicons=None) -> dict[str, tuple[tuple[str, bool], ...]]:
    """Tracked term id -> its aliases as (whitespace-free Simplified text, case-sensitive)."""
    from pipeline.lexicons import load_lexicons

    groups: dict[str, dict[tuple[str, bool], None]] = {}
    for alias in (lexicons or load_lexicons()).of_kind("term"):
        text = "".join(alias.cased.split())
        groups.setdefault(alias.label, {})[(text, alias.case_sensitive)] = None
    return {label: tuple(needles) for label, needles in groups.items()}


def literal_key(needle: str) -> str:
    return f"literal:{needle}"


def group_key(label: str) -> str:
    return f"group:{label}"


def _caseless(text: str) -> bool:
    """No character of ``text`` has another case (Han, digits, punctuation)."""
    return text.lower() == text.upper() and not _HAS_FOLDABLE.search(text)


def _ascii_case(text: str) -> bool:
    """Every cased character of ``text`` is an ASCII letter: the case fold above is exact."""
    return all(ch.isascii() or (ch.lower() == ch.upper() and ch not in "\u017f\u212a") for ch in text)


class TermCounter:
    """Counts literal needles and alias groups in sentences; build once per process
    (``TermCounter.from_lexicons()``), then call :meth:`count` per sentence."""

    def __init__(self, literals: Iterable[str], groups: Mapping[str, Sequence[tuple[str, bool]]]):
        self.literals = tuple(dict.fromkeys(n for n in literals if n))
        self.groups = {label: tuple(needles) for label, needles in groups.items()
                       if needles and all(text and (cs or _ascii_case(text)) for text, cs in needles)}
        # A group with a case-insensitive needle whose case RE2 folds beyond ASCII is not
        # precounted (trend scans it): the fold below would not be exact.
        self.skipped_groups = tuple(label for label in groups if label not in self.groups)
        self.lexicon_hash = self._hash()
        self._literal_set = frozenset(self.literals)
        # needle text -> (is a literal, indices of the groups it belongs to)
        exact: dict[str, tuple[bool, list[int]]] = {n: (True, []) for n in self.literals}
        folded: dict[str, list[int]] = {}
        self._labels = list(self.groups)
        for g, label in enumerate(self._labels):
            for text, case_sensitive in self.groups[label]:
                if case_sensitive or _caseless(text):
                    exact.setdefault(text, (False, []))[1].append(g)
                else:
                    folded.setdefault(text.translate(_CASE_FOLD), []).append(g)
        self._exact = _automaton({k: (len(k), lit, tuple(gs)) for k, (lit, gs) in exact.items()}) if exact else None
        self._folded = _automaton({k: (len(k), tuple(gs)) for k, gs in folded.items()}) if folded else None

    @classmethod
    def from_lexicons(cls, lexicons=None) -> "TermCounter":
        """Every tracked term id and alias as a literal (as ``trend TEXT`` resolves it, and as
        the group spells it), every tracked term as a group."""
        from pipeline.lexicons import load_lexicons

        lexicons = lexicons or load_lexicons()
        groups = term_groups(lexicons)
        literals: list[str] = []
        for alias in lexicons.of_kind("term"):
            literals += [normalise_term(alias.label), normalise_term(alias.text)]
        literals += [text for needles in groups.values() for text, _ in needles]
        return cls(literals, groups)

    def _hash(self) -> str:
        spec = {
            "rules": RULES_VERSION,
            "whitespace": WHITESPACE.pattern,
            "literals": sorted(self.literals),
            "groups": {label: sorted(map(list, needles)) for label, needles in sorted(self.groups.items())},
        }
        return hashlib.sha256(json.dumps(spec, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:12]

    def keys(self) -> list[str]:
        return [literal_key(n) for n in self.literals] + [group_key(g) for g in self.groups]

    def has_literal(self, needle: str) -> bool:
        return needle in self._literal_set

    def count(self, simplified: str) -> dict[str, int]:
        """key -> occurrences (> 0) in one sentence's Simplified text."""
        stripped = WHITESPACE.sub("", simplified)
        spans: dict[int, list[tuple[int, int]]] = {}
        found: set[str] = set()
        for last, (length, is_literal, gs) in self._exact.iter(stripped) if self._exact is not None else ():
            start = last - length + 1
            if is_literal:
                found.add(stripped[start:last + 1])
            for g in gs:
                spans.setdefault(g, []).append((start, -length))
        if self._folded is not None and _HAS_FOLDABLE.search(stripped):
            for last, (length, gs) in self._folded.iter(stripped.translate(_CASE_FOLD)):
                for g in gs:
                    spans.setdefault(g, []).append((last - length + 1, -length))
        counts = {literal_key(n): stripped.count(n) for n in found}
        for g, hits in spans.items():
            hits.sort()
            n, free = 0, 0
            for start, negative_length in hits:  # leftmost first, the longest at a start first
                if start >= free:
                    n += 1
                    free = start - negative_length
            counts[group_key(self._labels[g])] = n
        return counts

    def count_sentences(self, sentences: Iterable[Sentence]) -> list[TermCount]:
        """One ``TermCount`` per (sentence, key) with a count > 0."""
        return [TermCount(s.index, key, n) for s in sentences for key, n in self.count(s.simplified).items()]


def _automaton(words: Mapping[str, tuple]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for key, value in words.items():
        automaton.add_word(key, value)
    automaton.make_automaton()
    return automaton


@lru_cache(maxsize=4)
def default_term_counter(directory: str | None = None) -> TermCounter:
    """The counter of the lexicons in ``directory`` (default: the packaged ones), built once."""
    from pipeline.lexicons import load_lexicons

    return TermCounter.from_lexicons(load_lexicons(directory))
