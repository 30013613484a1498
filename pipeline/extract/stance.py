"""Stance on China-US economic linkage: DECOUPLING, RECOUPLING, MIXED or NONE.

The rules are small named labelling functions (snorkel's shape): each looks at one sentence
and votes for one label with the evidence that made it vote, or abstains (returns no
evidence). Cues, word lists and patterns live in ``lexicons/stance.yaml``.

``prepare`` reads a sentence once: the cue hits of the matcher, each annotated with what the
filters found (negated; inside a framework's name; a linkage word tied to a non-economic peg
such as 与价值观挂钩; a concept only named, such as “脱钩”一词; a targeted cue without its
China target; covered by a pattern or a reduced linkage). The labelling functions then read
those annotations; :data:`STANCE_RULES` lists them, and :func:`decide` (the label model) turns
their votes into one label:

- a MIXED vote (a both-ways pattern or cue) gives MIXED;
- strong votes in both directions give MIXED; strong votes in one direction give it;
- weak (targeted) votes only: the larger side, a tie is MIXED; no vote is NONE.

:func:`apply_rules` gives the sentences × rules matrix and :func:`rule_analysis` the coverage,
overlap, conflict and accuracy of every rule against gold labels (snorkel's ``LFAnalysis``),
which ``policytext eval --rules`` prints.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

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
STRONG, WEAK = "strong", "weak"


@dataclass(frozen=True)
class Evidence:
    """Why a label was given: the cue and its offsets in the sentence, and the rule."""

    kind: str  # framework | instrument | stance
    label: str
    cue: str
    start: int
    end: int
    rule: str = ""

    def as_dict(self) -> dict:
        return {"kind": self.kind, "label": self.label, "cue": self.cue, "start": self.start, "end": self.end,
                "rule": self.rule}


# -- reading a sentence once ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Compiled:
    negator: re.Pattern[str]
    post_negator: re.Pattern[str]
    reducer: re.Pattern[str]
    china: re.Pattern[str]
    pair: re.Pattern[str]
    any_pattern: re.Pattern[str] | None  # every pattern, mixed pattern and the reducer in one regex
    economic: re.Pattern[str]
    non_economic: re.Pattern[str]


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!)"


_COMPILED: dict[int, tuple[StanceRules, _Compiled]] = {}


def _compiled(rules: StanceRules) -> _Compiled:
    """The compiled word lists, cached by identity: hashing a StanceRules (tuples of every
    word list) on each sentence cost more than the rules themselves."""
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
    reducer = re.compile(f"({_alternation(rules.reducers)})[^{clause}]{{0,{REDUCER_GAP}}}?({_alternation(rules.linkage)})")
    return _Compiled(
        negator=negator,
        post_negator=re.compile(_alternation(rules.post_negators)),
        reducer=reducer,
        china=re.compile(_alternation(rules.china_targets)),
        pair=re.compile(_alternation(rules.pair_targets)),
        any_pattern=_union([p for _, p in rules.patterns] + list(rules.mixed_patterns) + [reducer]),
        economic=re.compile(_alternation(rules.economic_context)),
        non_economic=re.compile(_alternation(rules.non_economic_context)),
    )


def _union(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One regex that matches somewhere iff one of ``patterns`` does (None when they cannot be
    joined: flags differ or a pattern refers to its own groups)."""
    if any(p.flags != patterns[0].flags or re.search(r"\\\d|\(\?P=|\(\?\(", p.pattern) for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), patterns[0].flags)
    except re.error:
        return None


def may_vote(view: str, cue_hits: Sequence[Hit], rules: StanceRules) -> bool:
    """False when no labelling function can vote on the sentence (no stance cue, no pattern or
    reducer match): its stance is NONE without reading it further. One regex pass."""
    if cue_hits:
        return True
    union = _compiled(rules).any_pattern
    return union is None or union.search(view) is not None


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


class _Spans:
    """Spans asked "is [start, end) inside one of you?" in O(log n): sorted by start, with the
    running maximum of the ends (a span holding it exists iff some span starting at or before
    ``start`` ends at or after ``end``)."""

    def __init__(self, spans: Sequence[tuple[int, int]]):
        ordered = sorted(spans)
        self.starts = [s for s, _ in ordered]
        self.reach: list[int] = []
        top = -1
        for _, e in ordered:
            top = max(top, e)
            self.reach.append(top)

    def holds(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, start)
        return i > 0 and self.reach[i - 1] >= end


def _inside(spans: Sequence[tuple[int, int]] | _Spans, start: int, end: int) -> bool:
    if not isinstance(spans, _Spans):
        spans = _Spans(spans)
    return spans.holds(start, end)


@dataclass(frozen=True)
class Cue:
    """A stance cue of the lexicon found in the sentence, with what the filters found."""

    hit: Hit
    polarity: str  # the cue's own polarity in the lexicon
    mode: str  # strong | targeted
    negated: bool  # an odd number of negators before it or a post-negator after it
    blocked_by: str | None  # the filter that takes it out: framework, pattern, reduced, non-linkage, concept, no-target, non-economic


@dataclass
class StanceContext:
    """One sentence as the labelling functions see it."""

    text: str
    view: str  # match view (Simplified, folded), same length as text
    rules: StanceRules
    has_china: bool
    has_pair: bool
    has_economic: bool = True  # not a non-economic field (气候, 疫情, 防务) without an economic word (经贸, 投资)
    reduced: list[tuple[Evidence, bool]] = field(default_factory=list)  # (reducer + linkage, negated)
    patterns: list[Evidence] = field(default_factory=list)  # lexicon patterns, with their polarity
    mixed: list[Evidence] = field(default_factory=list)  # explicit both-ways patterns
    cues: list[Cue] = field(default_factory=list)

    def evidence(self, hit: Hit, label: str, rule: str) -> Evidence:
        return Evidence("stance", label, self.text[hit.start:hit.end], hit.start, hit.end, rule)


def prepare(text: str, view: str, cue_hits: Sequence[Hit], rules: StanceRules, *,
            blocked: Sequence[tuple[int, int]] = ()) -> StanceContext:
    """Read one sentence for the labelling functions. ``cue_hits`` are the stance-kind hits of
    the matcher; ``blocked`` the spans (framework names) inside which cues do not count."""
    compiled = _compiled(rules)
    ctx = StanceContext(text, view, rules, compiled.china.search(view) is not None, compiled.pair.search(view) is not None,
                        compiled.economic.search(view) is not None or compiled.non_economic.search(view) is None)
    for pattern in rules.mixed_patterns:
        m = pattern.search(view)
        if m:
            ctx.mixed.append(Evidence("stance", "MIXED", text[m.start():m.end()], m.start(), m.end(), "mixed_pattern"))
    if ctx.has_pair or ctx.has_china:
        for m in compiled.reducer.finditer(view):
            negated = _negations(compiled, _clause_before(view, m.start(), NEGATION_WINDOW)) % 2 == 1
            ctx.reduced.append((Evidence("stance", "", text[m.start():m.end()], m.start(), m.end(), "reducer"), negated))
    reduced_spans = _Spans([(e.start, e.end) for e, _ in ctx.reduced])
    for polarity, pattern in rules.patterns:
        for m in pattern.finditer(view):
            if not _inside(reduced_spans, m.start(), m.end()):
                ctx.patterns.append(Evidence("stance", polarity, text[m.start():m.end()], m.start(), m.end(), "pattern"))
    pattern_spans = _Spans([(e.start, e.end) for e in ctx.patterns])
    blocked = _Spans(blocked)
    # a cue inside a framework's name (关税 in 关税与贸易总协定) is out before overlaps are resolved
    ctx.cues += [Cue(h, h.alias.label, h.alias.mode, False, "framework") for h in cue_hits if _inside(blocked, h.start, h.end)]
    for hit in resolve_longest(h for h in cue_hits if not _inside(blocked, h.start, h.end)):
        alias = hit.alias
        polarity, mode = alias.label, alias.mode
        # the negation window runs through quotes and enumeration commas (反对保护主义和“脱钩断链”)
        flips = _negations(compiled, _clause_before(view, hit.start, NEGATION_WINDOW, _PUNCT))
        if flips % 2 == 0 and _negations(compiled, view[max(0, hit.start - 1):hit.start]):
            flips += 1  # 不冲突不对抗: the negator right before the cue denies it, whatever came before
        if compiled.post_negator.search(_clause_after(view, hit.end, POST_WINDOW)):
            flips += 1
        blocked_by = None
        if _inside(pattern_spans, hit.start, hit.end):
            blocked_by = "pattern"  # 从脱钩到再挂钩 is one vote, the pattern's
        elif polarity == "RECOUPLING" and _inside(reduced_spans, hit.start, hit.end):
            blocked_by = "reduced"  # 减少…合作: the reducer's vote
        elif alias.key in LINKAGE_WORDS and any(w in _clause_before(view, hit.start, 10) for w in rules.non_linkage):
            blocked_by = "non-linkage"  # 与价值观挂钩, 美元与黄金脱钩: not China-US linkage
        elif alias.key in LINKAGE_WORDS and any(w in _clause_around(view, hit.start, hit.end) for w in rules.concept_markers):
            blocked_by = "concept"  # the concept is named or studied, not asserted
        elif mode == "targeted" and not (ctx.has_china if polarity == "DECOUPLING" else ctx.has_pair):
            blocked_by = "no-target"
        elif mode == "targeted" and polarity == "RECOUPLING" and not ctx.has_economic:
            blocked_by = "non-economic"  # 中美在气候领域的合作: cooperation on climate or health is not linkage
        ctx.cues.append(Cue(hit, polarity, mode, flips % 2 == 1, blocked_by))
    return ctx


# -- the labelling functions ------------------------------------------------------------------------


@dataclass(frozen=True)
class LabellingFunction:
    """A named rule: ``vote(ctx)`` returns the evidence for ``label`` (empty: abstain)."""

    name: str
    label: str
    strength: str  # strong votes decide alone; weak ones are counted
    vote: Callable[[StanceContext], list[Evidence]]
    doc: str = ""

    def __call__(self, ctx: StanceContext) -> list[Evidence]:
        return self.vote(ctx)


def _cues(ctx: StanceContext, *, polarity: str, mode: str, negated: bool | None) -> list[Cue]:
    return [c for c in ctx.cues if c.blocked_by is None and c.polarity == polarity and c.mode == mode
            and (negated is None or c.negated == negated)]


def _cue_rule(name: str, polarity: str, mode: str, negated: bool | None, doc: str) -> LabellingFunction:
    """Votes for the cues of ``polarity`` and ``mode`` that are (``negated``) or are not denied
    (``None``: either; a denied both-ways cue is still both ways)."""
    label = FLIP[polarity] if negated else polarity
    strength = WEAK if mode == "targeted" else STRONG

    def vote(ctx: StanceContext) -> list[Evidence]:
        if mode == "targeted" and negated:
            return []  # 降低关税, 豁免: a denied measure is no vote either way
        return [ctx.evidence(c.hit, label, name) for c in _cues(ctx, polarity=polarity, mode=mode, negated=negated)]

    return LabellingFunction(name, label, strength, vote, doc)


def _mixed_pattern(ctx: StanceContext) -> list[Evidence]:
    return list(ctx.mixed)


def _pattern_rule(name: str, polarity: str, doc: str) -> LabellingFunction:
    def vote(ctx: StanceContext) -> list[Evidence]:
        return [Evidence(e.kind, polarity, e.cue, e.start, e.end, name) for e in ctx.patterns if e.label == polarity]

    return LabellingFunction(name, polarity, STRONG, vote, doc)


def _reducer_rule(name: str, negated: bool, doc: str) -> LabellingFunction:
    label = "RECOUPLING" if negated else "DECOUPLING"

    def vote(ctx: StanceContext) -> list[Evidence]:
        return [Evidence(e.kind, label, e.cue, e.start, e.end, name) for e, neg in ctx.reduced if neg == negated]

    return LabellingFunction(name, label, STRONG, vote, doc)


STANCE_RULES: tuple[LabellingFunction, ...] = (
    LabellingFunction("mixed_pattern", "MIXED", STRONG, _mixed_pattern, "an explicit both-ways pattern: 脱钩与挂钩并存, 边脱钩边挂钩"),
    _cue_rule("mixed_cue", "MIXED", "strong", None, "a both-ways cue: 竞合, 既竞争又合作"),
    _cue_rule("decoupling_cue", "DECOUPLING", "strong", False, "a decoupling cue: 脱钩, 断链, 去风险, 小院高墙"),
    _cue_rule("recoupling_cue", "RECOUPLING", "strong", False, "a recoupling cue: 再挂钩, 相互依存, 反对脱钩"),
    _cue_rule("negated_decoupling", "DECOUPLING", "strong", True, "a denied decoupling cue: 难以全面脱钩, 脱钩并不现实"),
    _cue_rule("negated_recoupling", "RECOUPLING", "strong", True, "a denied recoupling cue: 不再相互依存"),
    _cue_rule("measure_on_china", "DECOUPLING", "targeted", False, "a restrictive measure aimed at China: 对华加征关税, 实体清单"),
    _cue_rule("cooperation_with_us", "RECOUPLING", "targeted", False, "cooperation of a China-US pair: 中美经贸合作, 重启磋商"),
    _reducer_rule("reduced_linkage", False, "a reducing verb before a linkage word: 削弱…合作, 摆脱…依赖"),
    _reducer_rule("negated_reducer", True, "a denied reduction: 无法摆脱…依赖"),
    _pattern_rule("decoupling_pattern", "DECOUPLING", "a pattern of the lexicon: 排除在…之外, 减少对华…依赖"),
    _pattern_rule("recoupling_pattern", "RECOUPLING", "a pattern of the lexicon: 难以与中国脱钩, 从脱钩到再挂钩"),
)


def decide(votes: dict[str, list[Evidence]], rules: Sequence[LabellingFunction] | None = None) -> str:
    """The label of one sentence from the rules' votes (see the module docstring)."""
    strength = {r.name: r.strength for r in (STANCE_RULES if rules is None else rules)}
    cast = [(e.label, strength.get(name, STRONG)) for name, evidence in votes.items() for e in evidence]
    if not cast:
        return "NONE"
    if any(label == "MIXED" for label, _ in cast):
        return "MIXED"
    strong = {label for label, s in cast if s == STRONG}
    if {"DECOUPLING", "RECOUPLING"} <= strong:
        return "MIXED"
    if strong:
        return strong.pop()
    weak = Counter(label for label, _ in cast)
    dec, rec = weak["DECOUPLING"], weak["RECOUPLING"]
    return "MIXED" if dec == rec else ("DECOUPLING" if dec > rec else "RECOUPLING")


def classify_stance(
    text: str, view: str, cue_hits: list[Hit], rules: StanceRules, *, blocked: Sequence[tuple[int, int]] = (),
    labelling_functions: Sequence[LabellingFunction] | None = None,
) -> tuple[str, list[Evidence]]:
    """Stance label of one sentence and the evidence that decided it (``labelling_functions``:
    default :data:`STANCE_RULES`)."""
    labelling_functions = STANCE_RULES if labelling_functions is None else labelling_functions
    ctx = prepare(text, view, cue_hits, rules, blocked=blocked)
    votes = {lf.name: lf(ctx) for lf in labelling_functions}
    votes = {name: evidence for name, evidence in votes.items() if evidence}
    evidence = sorted((e for es in votes.values() for e in es), key=lambda e: (e.start, e.end))
    return decide(votes, labelling_functions), evidence


# -- applier and analysis -----------------------------------------------------------------------------


ABSTAIN = None


def vote_matrix(contexts: Sequence[StanceContext], rules: Sequence[LabellingFunction] | None = None) -> list[list[str | None]]:
    """sentences × rules: the label each rule votes for on each sentence, or ``ABSTAIN``."""
    rules = STANCE_RULES if rules is None else rules
    matrix = []
    for ctx in contexts:
        row = []
        for lf in rules:
            evidence = lf(ctx)
            row.append(evidence[0].label if evidence else ABSTAIN)
        matrix.append(row)
    return matrix


def rule_analysis(matrix: Sequence[Sequence[str | None]], gold: Sequence[str] | None = None,
                  rules: Sequence[LabellingFunction] | None = None) -> list[dict]:
    """Per rule: coverage (share of sentences it votes on), overlaps (share where it and another
    rule vote), conflicts (share where another rule votes another label), and against ``gold``:
    correct, incorrect and empirical accuracy of its votes."""
    rules = STANCE_RULES if rules is None else rules
    n = len(matrix) or 1
    out = []
    for j, lf in enumerate(rules):
        voted = [i for i, row in enumerate(matrix) if row[j] is not ABSTAIN]
        overlap = [i for i in voted if any(v is not ABSTAIN for k, v in enumerate(matrix[i]) if k != j)]
        conflict = [i for i in voted if any(v is not ABSTAIN and v != matrix[i][j] for k, v in enumerate(matrix[i]) if k != j)]
        row = {"rule": lf.name, "label": lf.label, "strength": lf.strength, "votes": len(voted),
               "coverage": round(len(voted) / n, 4), "overlaps": round(len(overlap) / n, 4), "conflicts": round(len(conflict) / n, 4)}
        if gold is not None:
            correct = sum(1 for i in voted if gold[i] == matrix[i][j])
            row.update(correct=correct, incorrect=len(voted) - correct,
                       accuracy=round(correct / len(voted), 4) if voted else None)
        out.append(row)
    return out
