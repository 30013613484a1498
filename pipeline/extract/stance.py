"""Stance on China-US economic linkage: DECOUPLING, RECOUPLING, MIXED or NONE.

Small named rules over the cue hits of one sentence (cues, word lists and patterns live in
``lexicons/stance.yaml``):

- ``cue``: a strong cue votes for its polarity; a targeted cue only when the sentence names
  a China target (DECOUPLING) or a China-US pair (RECOUPLING);
- ``negated``: a negator just before a cue (难以全面脱钩), or a post-negator just after it
  (脱钩并不现实), flips DECOUPLING <-> RECOUPLING; two negators cancel (不会放弃遏制);
- ``reducer``: a reducing verb before a linkage word (削弱…合作, 摆脱…依赖) votes DECOUPLING,
  or RECOUPLING when negated (无法摆脱…依赖);
- ``pattern``: a regular expression of the lexicon votes for its polarity (cues inside it
  are not counted again: 从脱钩到再挂钩 is one RECOUPLING vote);
- ``mixed``: an explicit both-ways pattern (脱钩与挂钩并存) decides MIXED.

Votes in both directions give MIXED; no vote gives NONE.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pipeline.extract.matcher import Hit, resolve_longest
from pipeline.lexicons import StanceRules

LINKAGE_WORDS = ("脱钩", "挂钩", "decoupling")  # bare cues that also name a concept or a peg
FLIP = {"DECOUPLING": "RECOUPLING", "RECOUPLING": "DECOUPLING", "MIXED": "MIXED"}
_CLAUSE_END = "，。；：！？,;:!?、（）()“”\"《》\n"
_PUNCT = "，。；：！？,;:!?\n"
_SENTENCE_END = "。；！？;!?\n"
NEGATION_WINDOW = 12
POST_WINDOW = 10
REDUCER_GAP = 14


@dataclass(frozen=True)
class Evidence:
    """Why a label was given: the cue and its offsets in the sentence."""

    kind: str  # framework | instrument | stance
    label: str
    cue: str
    start: int
    end: int
    rule: str = ""

    def as_dict(self) -> dict:
        return {"kind": self.kind, "label": self.label, "cue": self.cue, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class _Compiled:
    negator: re.Pattern[str]
    post_negator: re.Pattern[str]
    reducer: re.Pattern[str]
    china: re.Pattern[str]
    pair: re.Pattern[str]
    non_linkage: tuple[str, ...]


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!)"


_COMPILED: dict[int, tuple[StanceRules, _Compiled]] = {}


def _compiled(rules: StanceRules) -> _Compiled:
    """The compiled rules, cached by identity: hashing a StanceRules (tuples of every word
    list) on each sentence cost more than the rules themselves."""
    cached = _COMPILED.get(id(rules))
    if cached is None or cached[0] is not rules:
        if len(_COMPILED) >= 8:
            _COMPILED.clear()
        cached = _COMPILED[id(rules)] = (rules, _compile(rules))
    return cached[1]


def _compile(rules: StanceRules) -> _Compiled:
    # exceptions are listed first so that 不断 / 未来 / 非美 are consumed and not counted
    negator = re.compile(f"(?P<skip>{_alternation(rules.negator_exceptions)})|(?P<neg>{_alternation(rules.negators)})")
    clause = re.escape(_CLAUSE_END)
    reducer = re.compile(
        f"({_alternation(rules.reducers)})[^{clause}]{{0,{REDUCER_GAP}}}?({_alternation(rules.linkage)})"
    )
    return _Compiled(
        negator=negator,
        post_negator=re.compile(_alternation(rules.post_negators)),
        reducer=reducer,
        china=re.compile(_alternation(rules.china_targets)),
        pair=re.compile(_alternation(rules.pair_targets)),
        non_linkage=rules.non_linkage,
    )


def _clause_before(view: str, start: int, width: int, stops: str = _CLAUSE_END) -> str:
    window = view[max(0, start - width) : start]
    for i in range(len(window) - 1, -1, -1):
        if window[i] in stops:
            return window[i + 1 :]
    return window


def _clause_after(view: str, end: int, width: int, stops: str = _SENTENCE_END) -> str:
    window = view[end : end + width]
    for i, ch in enumerate(window):
        if ch in stops:
            return window[:i]
    return window


def _clause_around(view: str, start: int, end: int, width: int = 12) -> str:
    """The clause around a cue; quotes do not end it (“脱钩”一词)."""
    return _clause_before(view, start, width, _PUNCT) + view[start:end] + _clause_after(view, end, width, _PUNCT)


def _negations(compiled: _Compiled, window: str) -> int:
    return sum(1 for m in compiled.negator.finditer(window) if m.lastgroup == "neg")


def classify_stance(
    text: str, view: str, cue_hits: list[Hit], rules: StanceRules, *, blocked: list[tuple[int, int]] = ()
) -> tuple[str, list[Evidence]]:
    """Stance label of one sentence and the evidence that decided it.

    ``cue_hits`` are the stance-kind hits of the matcher; ``blocked`` are spans (framework
    names) inside which cues do not count.
    """
    compiled = _compiled(rules)
    evidence: list[Evidence] = []

    for pattern in rules.mixed_patterns:
        m = pattern.search(view)
        if m:
            return "MIXED", [Evidence("stance", "MIXED", text[m.start() : m.end()], m.start(), m.end(), "mixed")]

    has_china = compiled.china.search(view) is not None
    has_pair = compiled.pair.search(view) is not None

    # reducer + linkage word: 削弱…合作纽带 -> DECOUPLING, 无法摆脱…依赖 -> RECOUPLING
    reduced: list[tuple[int, int]] = []
    for m in compiled.reducer.finditer(view) if has_pair or has_china else ():
        polarity = "DECOUPLING"
        if _negations(compiled, _clause_before(view, m.start(), NEGATION_WINDOW)) % 2:
            polarity = "RECOUPLING"
        reduced.append((m.start(), m.end()))
        evidence.append(Evidence("stance", polarity, text[m.start() : m.end()], m.start(), m.end(), "reducer"))

    def inside(spans, start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in spans)

    # lexicon patterns first: a cue inside a pattern (从脱钩到再挂钩) is not counted again
    patterned: list[tuple[int, int]] = []
    for polarity, pattern in rules.patterns:
        for m in pattern.finditer(view):
            if not inside(reduced, m.start(), m.end()):
                patterned.append((m.start(), m.end()))
                evidence.append(Evidence("stance", polarity, text[m.start() : m.end()], m.start(), m.end(), "pattern"))

    for hit in resolve_longest(h for h in cue_hits if not inside(blocked, h.start, h.end)):
        alias = hit.alias
        polarity = alias.label
        if inside(patterned, hit.start, hit.end) or (polarity == "RECOUPLING" and inside(reduced, hit.start, hit.end)):
            continue  # already counted by a pattern or as a reduced linkage
        if alias.key in LINKAGE_WORDS:
            if any(w in _clause_before(view, hit.start, 10) for w in compiled.non_linkage):
                continue  # 与价值观挂钩, 美元与黄金脱钩: not China-US linkage
            if any(w in _clause_around(view, hit.start, hit.end) for w in rules.concept_markers):
                continue  # the concept is named or studied, not asserted
        if alias.mode == "targeted":
            if polarity == "DECOUPLING" and not has_china:
                continue
            if polarity == "RECOUPLING" and not has_pair:
                continue
        rule = "targeted" if alias.mode == "targeted" else "cue"
        flips = _negations(compiled, _clause_before(view, hit.start, NEGATION_WINDOW))
        if compiled.post_negator.search(_clause_after(view, hit.end, POST_WINDOW)):
            flips += 1
        if flips % 2:
            if alias.mode == "targeted":
                continue  # 降低关税, 豁免: a denied measure is no vote either way
            polarity, rule = FLIP[polarity], "negated"
        evidence.append(Evidence("stance", polarity, text[hit.start : hit.end], hit.start, hit.end, rule))


    label = decide(evidence)
    evidence.sort(key=lambda e: e.start)
    return label, evidence


def decide(evidence: list[Evidence]) -> str:
    """MIXED when both directions have a strong vote (or a MIXED cue fired); otherwise the
    direction with strong votes; with only weak (targeted) votes, the larger side."""
    if not evidence:
        return "NONE"
    if any(e.label == "MIXED" for e in evidence):
        return "MIXED"
    strong = {e.label for e in evidence if e.rule != "targeted"}
    if {"DECOUPLING", "RECOUPLING"} <= strong:
        return "MIXED"
    if strong:
        return strong.pop()
    votes = Counter(e.label for e in evidence)
    if not votes:
        return "NONE"
    dec, rec = votes["DECOUPLING"], votes["RECOUPLING"]
    return "MIXED" if dec == rec else ("DECOUPLING" if dec > rec else "RECOUPLING")
