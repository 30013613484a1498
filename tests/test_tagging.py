import io
import json
from pathlib import Path

import pytest

from pipeline.errors import PipelineError
from pipeline.eval.tags import format_tag_scores, score_tags
from pipeline.extract.tagger import Tagger, tag_jsonl

DATA = Path(__file__).parent / "data" / "tagging"


@pytest.fixture(scope="module")
def tagger():
    return Tagger()


def test_tag_text_shape(tagger):
    tags = tagger.tag_text("美国通过IPEF推动友岸外包，排除中国。")
    assert tags["frameworks"] == ["IPEF"]
    assert tags["instruments"] == ["SUPPLY_CHAIN_RELOCATION"]
    assert tags["stance"] == "DECOUPLING"
    kinds = {(e["kind"], e["label"]) for e in tags["evidence"]}
    assert ("framework", "IPEF") in kinds and ("stance", "DECOUPLING") in kinds


def test_tag_record_needs_string_text(tagger):
    with pytest.raises(PipelineError, match=r"line 7: field 'text' must be a string"):
        tagger.tag_record({"text": 3}, line=7)


def test_tag_records_passes_fields_through(tagger):
    (out,) = tagger.tag_records([{"id": "a", "text": "世贸组织"}])
    assert out["id"] == "a" and out["frameworks"] == ["WTO"]


def test_jsonl_round_trip_with_malformed_lines(tagger):
    sink = io.StringIO()
    with open(DATA / "sample.jsonl", encoding="utf-8") as source:
        report = tag_jsonl(source, sink, tagger=tagger, name="sample.jsonl")
    rows = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert [r["id"] for r in rows] == [1, 2, 5]
    assert report.tagged == 3
    assert report.errors[0].startswith("sample.jsonl: line 3: invalid JSON")
    assert report.errors[1] == "sample.jsonl: line 4: field 'text' must be a string (no such field)"
    traditional = rows[1]
    assert traditional["instruments"] == ["EXPORT_CONTROL", "TARIFF"]
    assert traditional["stance"] == "DECOUPLING"
    for row in rows:
        for e in row["evidence"]:
            assert row["text"][e["start"] : e["end"]] == e["cue"]
    assert rows[2]["stance"] == "RECOUPLING"


def test_score_tags():
    gold = [{"text": "a", "frameworks": ["IPEF"], "instruments": [], "stance": "NONE"},
            {"text": "b", "frameworks": ["TTC"], "instruments": ["TARIFF"], "stance": "DECOUPLING"}]
    pred = [{"frameworks": ["IPEF"], "instruments": ["TARIFF"], "stance": "NONE"},
            {"frameworks": ["TTC"], "instruments": ["TARIFF"], "stance": "MIXED"}]
    scores = score_tags(gold, pred)
    assert scores["frameworks"]["micro"]["f1"] == 1.0
    assert scores["instruments"]["micro"]["precision"] == 0.5
    assert scores["stance"]["accuracy"] == 0.5
    assert scores["stance"]["confusion"]["DECOUPLING"]["MIXED"] == 1
    assert sorted((w["text"], w["errors"]) for w in scores["worst"]) == [("a", 1), ("b", 1)]
    assert "stance: accuracy 0.500" in format_tag_scores(scores)


def test_score_tags_length_mismatch():
    with pytest.raises(PipelineError, match="gold has 1 records but predictions have 0"):
        score_tags([{"frameworks": [], "instruments": [], "stance": "NONE"}], [])
