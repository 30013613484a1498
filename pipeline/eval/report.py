"""``policytext eval``: every score the project has against gold, as printable blocks."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from pipeline.eval.sentences import format_sentence_scores, format_term_scores, read_jsonl, score_sentences, score_terms
from pipeline.query.listing import list_citations
from pipeline.eval.citations import format_citation_scores, score_citations
from pipeline.eval.tags import format_tag_scores, score_tags
from pipeline.store import Store
from pipeline.extract.tagger import Tagger
from pipeline.query.trends import count_by_doc


def run_all(*, db: str | Path, gold: Path) -> Iterator[str]:
    sentences_path, terms_path = gold / "sentences.jsonl", gold / "terms.jsonl"
    with Store.open(db, read_only=True) as store:
        if sentences_path.exists():
            yield format_sentence_scores(score_sentences(store, read_jsonl(sentences_path)))
        if terms_path.exists():
            gold_terms = read_jsonl(terms_path)
            counts = count_by_doc(store, sorted({row["term"] for row in gold_terms}))
            yield format_term_scores(score_terms(counts, gold_terms))
        citations_path = gold / "citations.jsonl"
        if citations_path.exists():
            predicted = list_citations(store)
            yield format_citation_scores(score_citations(read_jsonl(citations_path), predicted))
    sentences_gold = read_jsonl(sentences_path) if sentences_path.exists() else []
    if sentences_gold:
        tagger = Tagger()
        predicted_tags = [tagger.tag_text(row["text"]) for row in sentences_gold]
        yield format_tag_scores(score_tags(sentences_gold, predicted_tags))
