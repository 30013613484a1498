"""The rule extractor: frameworks, instruments, tracked terms and stance of one text.

One pass of the lexicon matcher over the characters of a sentence feeds every rule, so the
result does not depend on segmentation. Two adapters run the same :class:`Extractor`:
:func:`extract_sentences` on ``Sentence`` records (ingest: no spaCy Doc is built) and the spaCy
components of :mod:`pipeline.extract.components` (``doc.spans``, ``doc._.stance``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from pipeline.extract.matcher import Hit, Matcher, resolve_longest
from pipeline.extract.stance import Evidence, StanceContext, classify_stance, decide, may_vote, prepare
from pipeline.lexicons import Lexicons, load_lexicons
from pipeline.textview import MAX_PIECE_CHARS, fold, pieces, to_simplified
from pipeline.schema import Mention, Sentence, StanceLabel

LABELLED_KINDS = ("framework", "instrument", "blocker")


@dataclass(frozen=True)
class Extraction:
    """What the rules found in one text; offsets are into that text."""

    frameworks: tuple[Hit, ...]
    instruments: tuple[Hit, ...]
    terms: tuple[Hit, ...]
    stance: str
    stance_evidence: tuple[Evidence, ...]

    def labels(self, kind: str) -> list[str]:
        hits = self.frameworks if kind == "framework" else self.instruments
        return sorted({h.label for h in hits})

    def evidence(self, text: str) -> list[dict]:
        """Evidence for every label: each framework and instrument cue, then the stance cues."""
        rows = [
            {"kind": h.kind, "label": h.label, "cue": text[h.start : h.end], "start": h.start, "end": h.end}
            for h in (*self.frameworks, *self.instruments)
        ]
        rows.sort(key=lambda r: (r["start"], r["end"]))
        return rows + [e.as_dict() for e in self.stance_evidence]


def blocking_spans(labelled: Sequence[Hit]) -> list[tuple[int, int]]:
    """Spans inside which a stance cue does not count: framework names (关税 in 关税与贸易总协定)
    and blocker words, the longer words that hold a short cue (科技战 in 科技战略, 封锁 in 地区封锁)."""
    return [(h.start, h.end) for h in labelled if h.kind in ("framework", "blocker")]


class Extractor:
    """Runs every extraction rule on a text. Built from settings; lexicons and the automaton
    are loaded on first use."""

    def __init__(self, *, lexicon_dir: str | None = None):
        self.lexicon_dir = lexicon_dir
        self._lexicons: Lexicons | None = None
        self._matcher: Matcher | None = None

    @property
    def lexicons(self) -> Lexicons:
        if self._lexicons is None:
            self._lexicons = load_lexicons(self.lexicon_dir)
        return self._lexicons

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            self._matcher = Matcher(self.lexicons.aliases)
        return self._matcher

    def _match(self, text: str, simplified: str | None) -> tuple[str, list[Hit], list[Hit]]:
        """(match view, every hit, the labelled hits kept after overlap resolution)."""
        if simplified is None or len(simplified) != len(text):
            simplified = to_simplified(text)
        view = fold(simplified)
        hits = self.matcher.find(view, simplified)
        return view, hits, resolve_longest(h for h in hits if h.kind in LABELLED_KINDS)

    def stance_context(self, text: str, simplified: str | None = None) -> StanceContext:
        """The sentence as the stance rules see it (for the rules' analysis)."""
        view, hits, labelled = self._match(text, simplified)
        return prepare(text, view, [h for h in hits if h.kind == "stance"], self.lexicons.stance, blocked=blocking_spans(labelled))

    def extract(self, text: str, simplified: str | None = None) -> Extraction:
        """All labels of ``text``; ``simplified`` (same length) saves the t2s conversion.

        A text longer than ``textview.MAX_PIECE_CHARS`` (a "sentence" without sentence
        punctuation) is read in pieces cut at clause punctuation (``textview.pieces``): each
        piece is extracted on its own, offsets shifted back into the text, and the stance is
        decided once over every piece's votes. This bounds the work per piece, so a long text
        costs time linear in its length."""
        if simplified is None or len(simplified) != len(text):
            simplified = to_simplified(text)
        if len(text) > MAX_PIECE_CHARS:
            return self._extract_pieces(text, simplified)
        return self._extract_one(text, simplified)

    def _extract_pieces(self, text: str, simplified: str) -> Extraction:
        frameworks: list[Hit] = []
        instruments: list[Hit] = []
        terms: list[Hit] = []
        evidence: list[Evidence] = []
        for start, end in pieces(text):
            part = self._extract_one(text[start:end], simplified[start:end])
            shift = (lambda hs: [h._replace(start=h.start + start, end=h.end + start) for h in hs]) if start else list
            frameworks += shift(part.frameworks)
            instruments += shift(part.instruments)
            terms += shift(part.terms)
            evidence += [replace(e, start=e.start + start, end=e.end + start) for e in part.stance_evidence]
        votes: dict[str, list[Evidence]] = {}
        for e in evidence:
            votes.setdefault(e.rule, []).append(e)
        return Extraction(tuple(frameworks), tuple(instruments), tuple(terms), decide(votes), tuple(evidence))

    def _extract_one(self, text: str, simplified: str) -> Extraction:
        view = fold(simplified)
        # one pass sorts the hits by kind (most sentences have none or a few)
        labelled_hits: list[Hit] = []
        by_term: dict[str, list[Hit]] = {}
        cues: list[Hit] = []
        for h in self.matcher.find(view, simplified):
            kind = h.alias.kind
            if kind == "stance":
                cues.append(h)
            elif kind == "term":
                by_term.setdefault(h.alias.label, []).append(h)
            elif kind in LABELLED_KINDS:
                labelled_hits.append(h)
        labelled = resolve_longest(labelled_hits) if labelled_hits else []
        frameworks = tuple(h for h in labelled if h.alias.kind == "framework")
        instruments = tuple(h for h in labelled if h.alias.kind == "instrument")
        terms: list[Hit] = []
        for group in by_term.values():
            terms.extend(resolve_longest(group) if len(group) > 1 else group)
        if len(by_term) > 1:
            terms.sort(key=lambda h: (h.start, h.end))
        if not may_vote(view, cues, self.lexicons.stance):
            return Extraction(frameworks, instruments, tuple(terms), "NONE", ())
        stance, evidence = classify_stance(
            text, view, cues, self.lexicons.stance, blocked=blocking_spans(labelled),
        )
        return Extraction(frameworks, instruments, tuple(terms), stance, tuple(evidence))

    def __getstate__(self) -> dict:
        return {"lexicon_dir": self.lexicon_dir}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)


def get_extractor(lexicon_dir: str | None = None) -> Extractor:
    """The shared extractor of a lexicon directory: built once while its files stay the same
    (an edited lexicon gives a new one)."""
    lexicons = load_lexicons(lexicon_dir)
    return _extractor(lexicons.directory, lexicons.fingerprint)


@lru_cache(maxsize=8)
def _extractor(directory: str, fingerprint: str) -> Extractor:
    return Extractor(lexicon_dir=directory)


def extract_sentences(
    sentences: Sequence[Sentence], *, extractor: Extractor | None = None
) -> tuple[list[Mention], list[StanceLabel]]:
    """Mentions (kinds framework, instrument, term; offsets into each sentence's text) and one
    rule-based stance label per sentence. Uses ``Sentence.simplified``; no spaCy Doc is built."""
    extractor = extractor or get_extractor()
    mentions: list[Mention] = []
    stances: list[StanceLabel] = []
    for sentence in sentences:
        text = sentence.text
        result = extractor.extract(text, sentence.simplified)
        for hit in (*result.frameworks, *result.instruments, *result.terms):
            mentions.append(Mention(sentence.index, hit.kind, hit.label, text[hit.start : hit.end], hit.start, hit.end))
        cues = json.dumps([e.as_dict() for e in result.stance_evidence], ensure_ascii=False) if result.stance_evidence else "[]"
        stances.append(StanceLabel(sentence.index, result.stance, "rules", cues))
    return mentions, stances
