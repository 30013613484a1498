"""Framework mentions: named international economic arrangements (spec section 1).

The rule is the lexicon: a framework is tagged where one of its aliases matches (longest
match wins against instrument cues, so 关税与贸易总协定 is GATT, not TARIFF).
``policytext_frameworks`` puts them in ``doc.spans["frameworks"]``.
"""

from __future__ import annotations

from spacy.language import Language

SPAN_KEY = "frameworks"


@Language.factory("policytext_frameworks", default_config={"lexicon_dir": None})
def make_frameworks(nlp: Language, name: str, lexicon_dir: str | None):
    from pipeline.extract import doc_extraction, set_spans

    def frameworks_component(doc):
        set_spans(doc, SPAN_KEY, doc_extraction(doc, lexicon_dir).frameworks)
        return doc

    return frameworks_component
