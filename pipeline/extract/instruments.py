"""Policy-instrument mentions (spec section 2): the category of each cue term found.

Generic words (该法案, 限制) are not cues; terms that contain a cue but are something else
(非关税壁垒, 关税与贸易总协定) block it. ``policytext_instruments`` puts the mentions in
``doc.spans["instruments"]``.
"""

from __future__ import annotations

from spacy.language import Language

SPAN_KEY = "instruments"


@Language.factory("policytext_instruments", default_config={"lexicon_dir": None})
def make_instruments(nlp: Language, name: str, lexicon_dir: str | None):
    from pipeline.extract import doc_extraction, set_spans

    def instruments_component(doc):
        set_spans(doc, SPAN_KEY, doc_extraction(doc, lexicon_dir).instruments)
        return doc

    return instruments_component
