"""The scorers behind every `make eval` figure, on tiny stores and gold files written for them."""

import json

import pytest

from pipeline.eval.citations import score_citations, score_reference_fields
from pipeline.eval.report import run_all
from pipeline.eval.rules import analyse_rules, format_rule_analysis
from pipeline.eval.sentences import format_sentence_scores, score_sentences, score_terms
from pipeline.ingest.driver import ingest
from pipeline.config import IngestSettings
from pipeline.store import Store

ARTICLE = "摘要：本文讨论港口与航运。\n\n第一段讲港口的吞吐量。第二段讲集装箱的运价。\n\n美国对华加征关税，推动两国脱钩。\n"


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    db = tmp_path / "s.duckdb"
    ingest([path], db=db, settings=IngestSettings(progress=False))
    return db


def test_score_sentences_counts_exact_matches_whitespace_ignored(store_path):
    gold = [{"doc": "a.txt", "text": "第一段讲港口的 吞吐量。"}, {"doc": "a.txt", "text": "第二段讲集装箱的运价。"},
            {"doc": "a.txt", "text": "没有这一句。"}, {"doc": "b.txt", "text": "第一段讲港口的吞吐量。"}]
    with Store.open(store_path, read_only=True) as store:
        result = score_sentences(store, gold)
    assert (result["gold"], result["found"], result["body_only"]) == (4, 2, 2)
    assert result["rate"] == 0.5
    assert [m["text"] for m in result["misses"]] == ["没有这一句。", "第一段讲港口的吞吐量。"]
    assert "sentences: 2/4 gold sentences" in format_sentence_scores(result)


def test_score_terms_compares_every_pair():
    counts = {("a.txt", "关税"): 2, ("a.txt", "脱钩"): 0}
    gold = [{"doc": "a.txt", "term": "关税", "count": 2}, {"doc": "a.txt", "term": "脱钩", "count": 1},
            {"doc": "b.txt", "term": "关税", "count": 0}]
    result = score_terms(counts, gold)
    assert (result["pairs"], result["equal"]) == (3, 2)
    assert result["misses"] == [{"doc": "a.txt", "term": "脱钩", "gold": 1, "counted": 0}]


def test_score_citations_recall_precision_and_links():
    gold = [
        {"doc": "d", "marker": "①", "claim": "甲 观点。", "note": "注一"},
        {"doc": "d", "marker": "②", "claim": "乙观点。", "note": "注二"},
        {"doc": "d", "marker": "③", "claim": "丙观点。", "note": None},
    ]
    predicted = [
        {"doc": "d", "marker": "①", "claim": "甲观点。", "note": "注 一"},  # found, linked (whitespace ignored)
        {"doc": "d", "marker": "②", "claim": "乙观点。", "note": "别的注"},  # found, wrong link
        {"doc": "d", "marker": "④", "claim": "丁观点。", "note": None},  # not in gold
    ]
    scores = score_citations(gold, predicted)
    assert (scores["found"], scores["linked"]) == (2, 1)
    assert scores["recall"] == pytest.approx(2 / 3) and scores["precision"] == pytest.approx(2 / 3)
    assert scores["link_accuracy"] == 0.5
    assert [m["marker"] for m in scores["missed"]] == ["③"]
    assert scores["wrong_links"][0]["predicted_note"] == "别的注"


def test_score_citations_uses_each_prediction_once():
    gold = [{"doc": "d", "marker": "①", "claim": "甲。", "note": "注"}] * 2
    scores = score_citations(gold, [{"doc": "d", "marker": "①", "claim": "甲。", "note": "注"}])
    assert scores["found"] == 1 and scores["recall"] == 0.5


def test_score_reference_fields_per_field():
    text = "王某：《港口经济》，北京：某出版社，2015年。"
    right = [{"text": text, "expected": {"authors": ["王某"], "title": "港口经济", "year": 2015}}]
    scores = score_reference_fields(right, fields=("authors", "title", "year"))
    assert (scores["tp"], scores["fp"], scores["fn"], scores["f1"]) == (3, 0, 0, 1.0)
    wrong = [{"text": text, "expected": {"authors": ["王某"], "title": "别的书", "year": 2015}}]
    scores = score_reference_fields(wrong, fields=("authors", "title", "year"))
    assert scores["per_field"]["title"] == {"fp": 1, "fn": 1} and scores["f1"] == pytest.approx(2 / 3)


def test_rule_analysis_table_on_labelled_records():
    records = [{"text": "两国市场相互依存的程度很深。", "stance": "RECOUPLING"}, {"text": "今天下雨。", "stance": "NONE"}]
    rows = {r["rule"]: r for r in analyse_rules(records)}
    assert rows["recoupling_cue"]["votes"] == 1 and rows["recoupling_cue"]["accuracy"] == 1.0
    table = format_rule_analysis(list(rows.values()), n=2)
    assert table.splitlines()[0].startswith("stance rules on 2 labelled sentences")
    assert any(line.startswith("recoupling_cue") for line in table.splitlines())


def test_run_all_prints_a_block_per_gold_file(store_path, tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "sentences.jsonl").write_text(json.dumps(
        {"doc": "a.txt", "text": "美国对华加征关税，推动两国脱钩。", "frameworks": [], "instruments": ["TARIFF"],
         "stance": "DECOUPLING"}, ensure_ascii=False) + "\n", encoding="utf-8")
    (gold / "terms.jsonl").write_text(json.dumps({"doc": "a.txt", "term": "关税", "count": 1}, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    blocks = list(run_all(db=store_path, gold=gold))
    assert blocks[0].startswith("sentences: 1/1")
    assert blocks[1].startswith("terms: 1/1")
    assert any(b.startswith("sentences: 1") and "stance: accuracy 1.000" in b for b in blocks[2:])
