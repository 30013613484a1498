"""spaCy components over the rule extractor, registered when this module is imported.

- ``policytext_frameworks`` puts framework mentions in ``doc.spans["frameworks"]``;
- ``policytext_instruments`` puts policy-instrument mentions in ``doc.spans["instruments"]``;
- ``policytext_stance`` sets ``doc._.stance`` (DECOUPLING, RECOUPLING, MIXED, NONE),
  ``doc._.stance_evidence`` (the cues that decided it) and ``doc.spans["stance_cues"]``.

``doc._.extraction`` holds ``(extractor, Extraction)``: the same result with the exact
character offsets of every cue (a span is aligned outward to token boundaries).

Each component loads its lexicons in ``initialize`` (``nlp.initialize()``), as spaCy
components do, and runs the same :class:`~pipeline.extract.extractor.Extractor` that ingest
stores labels with, so ``doc.spans`` holds exactly the labels of the store. The three
components share one extraction per Doc. Use :func:`build_nlp` for a pipeline whose tokens
are the project's segmenter's (lexicon terms stay whole).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.extractor import Extraction, Extractor, get_extractor
from pipeline.extract.matcher import Hit
from pipeline.segment import Segmenter

FRAMEWORKS_KEY = "frameworks"
INSTRUMENTS_KEY = "instruments"
STANCE_CUES_KEY = "stance_cues"
for _name in ("stance", "stance_evidence", "extraction"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class _RuleComponent:
    """Shared shape: settings stored by ``__init__``, the extractor built by ``initialize``."""

    def __init__(self, nlp: Language, name: str, *, lexicon_dir: str | None = None):
        self.name = name
        self.lexicon_dir = lexicon_dir
        self.extractor: Extractor | None = None

    def initialize(self, get_examples: Any = None, *, nlp: Language | None = None, lexicon_dir: str | None = None) -> None:
        """Load the lexicons and build the automaton (``lexicon_dir`` overrides the config)."""
        if lexicon_dir is not None:
            self.lexicon_dir = lexicon_dir
        self.extractor = get_extractor(self.lexicon_dir)
        self.extractor.matcher  # noqa: B018 - load now, not on the first Doc

    def extraction(self, doc: Doc) -> Extraction:
        """The rules' result for ``doc``, computed once per Doc (``doc._.extraction``: every
        label with the exact offsets of its cue). An edited lexicon file is read again."""
        self.extractor = get_extractor(self.lexicon_dir)
        cached = doc._.extraction
        if cached is None or cached[0] is not self.extractor:
            cached = (self.extractor, self.extractor.extract(doc.text))
            doc._.extraction = cached
        return cached[1]


def set_spans(doc: Doc, key: str, hits: Iterable[Hit]) -> None:
    """Put hits in ``doc.spans[key]`` with their label, aligned outward to token boundaries."""
    spans = []
    for hit in hits:
        span = doc.char_span(hit.start, hit.end, label=hit.label, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    doc.spans[key] = spans


@Language.factory("policytext_frameworks", assigns=["doc.spans"], default_config={"lexicon_dir": None})
def make_frameworks(nlp: Language, name: str, lexicon_dir: str | None) -> "FrameworkTagger":
    return FrameworkTagger(nlp, name, lexicon_dir=lexicon_dir)


class FrameworkTagger(_RuleComponent):
    """Named international economic arrangements (spec section 1): a framework is tagged where
    one of its aliases matches; the longest match wins (关税与贸易总协定 is GATT, not TARIFF)."""

    def __call__(self, doc: Doc) -> Doc:
        set_spans(doc, FRAMEWORKS_KEY, self.extraction(doc).frameworks)
        return doc


@Language.factory("policytext_instruments", assigns=["doc.spans"], default_config={"lexicon_dir": None})
def make_instruments(nlp: Language, name: str, lexicon_dir: str | None) -> "InstrumentTagger":
    return InstrumentTagger(nlp, name, lexicon_dir=lexicon_dir)


class InstrumentTagger(_RuleComponent):
    """Policy instruments (spec section 2): the category of each cue term. Terms that contain
    a cue but are something else (非关税壁垒) block it."""

    def __call__(self, doc: Doc) -> Doc:
        set_spans(doc, INSTRUMENTS_KEY, self.extraction(doc).instruments)
        return doc


@Language.factory(
    "policytext_stance",
    assigns=["doc._.stance", "doc._.stance_evidence", "doc.spans"],
    default_config={"lexicon_dir": None},
)
def make_stance(nlp: Language, name: str, lexicon_dir: str | None) -> "StanceTagger":
    return StanceTagger(nlp, name, lexicon_dir=lexicon_dir)


class StanceTagger(_RuleComponent):
    """Stance on China-US economic linkage (spec section 3) from the stance rules."""

    def __call__(self, doc: Doc) -> Doc:
        result = self.extraction(doc)
        doc._.stance = result.stance
        doc._.stance_evidence = [e.as_dict() for e in result.stance_evidence]
        spans = []
        for e in result.stance_evidence:
            span = doc.char_span(e.start, e.end, label=e.label, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans[STANCE_CUES_KEY] = spans
        return doc


COMPONENTS = ("policytext_frameworks", "policytext_instruments", "policytext_stance")


def build_nlp(*, segmenter: Any = None, lexicon_dir: str | None = None) -> Language:
    """A blank ``zh`` pipeline with the lexicon-aware tokenizer and the three components,
    initialized (lexicons loaded)."""
    segmenter = segmenter or Segmenter(lexicon_dir=lexicon_dir)
    nlp = segmenter.nlp
    for name in COMPONENTS:
        if name not in nlp.pipe_names:
            nlp.add_pipe(name, config={"lexicon_dir": lexicon_dir})
    nlp.initialize()
    return nlp
