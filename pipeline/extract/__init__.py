"""Extraction: frameworks, instruments, stance and tracked terms of every sentence.

- ``matcher``: one Aho-Corasick pass over the characters for every lexicon alias;
- ``stance``: the stance rules (small named labelling functions) and how their votes decide;
- ``extractor``: runs both on a text (``Extractor``) or on sentences (``extract_sentences``);
- ``components``: the same as spaCy components (imported on demand: spaCy is not needed to ingest);
- ``tagger``: ``policytext tag`` over JSON Lines;
- ``terms``: the tracked-term counter that ingest and ``trend`` share.
"""

from pipeline.extract.extractor import Extraction, Extractor, extract_sentences, get_extractor

__all__ = ["Extraction", "Extractor", "extract_sentences", "get_extractor"]
