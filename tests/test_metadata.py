import pytest

from pipeline.ingest.manifest import load_manifest
from pipeline.ingest.metadata import chinese_number, infer_date_from_title, resolve_metadata
from pipeline.errors import PipelineError
from pipeline.schema import RawDocument


@pytest.mark.parametrize("text, value", [("一", 1), ("十", 10), ("十四", 14), ("二十", 20), ("二十三", 23), ("19", 19)])
def test_chinese_numbers(text, value):
    assert chinese_number(text) == value


def test_npc_session_in_title_gives_the_year():
    year, why = infer_date_from_title("第十三届全国人民代表大会第二次会议关于政府工作报告的决议", {})
    assert year == 2019 and "session 2" in why


def test_irregular_npc_calendar_comes_from_the_table():
    # the 2nd NPC held no session in 1961: its third session met in 1962
    assert infer_date_from_title("第二届全国人民代表大会第三次会议关于政府工作报告的决议", {})[0] == 1962


def test_cpc_congress_from_record_field_or_title():
    assert infer_date_from_title("某报告", {"congress": 19})[0] == 2017
    assert infer_date_from_title("全面开创社会主义现代化建设的新局面 (十二大)", {})[0] == 1982


def raw(text, **metadata):
    return RawDocument(doc="x.txt", path="/tmp/x.txt", raw_text=text, metadata=metadata)


def test_date_sources_in_order_of_trust():
    meta = resolve_metadata(raw("正文。", year="2020"), None, {"published": "2021-03"})
    assert (meta.published, meta.year, meta.date_source) == ("2021-03", 2021, "manifest")
    meta = resolve_metadata(raw("正文。", year="2020"), None, None)
    assert (meta.year, meta.date_source) == (2020, "record")
    meta = resolve_metadata(raw("文章编号：1002-6649 (2024) 03-0002-23\n正文。"), None, None)
    assert (meta.year, meta.date_source) == (2024, "text")
    assert "文章编号" in meta.date_evidence
    meta = resolve_metadata(raw("正文。", title="第十四届全国人民代表大会第三次会议关于政府工作报告的决议", year=None), None, None)
    assert (meta.year, meta.date_source) == (2025, "inferred")
    meta = resolve_metadata(raw("没有日期的正文。"), None, None)
    assert meta.year is None and meta.date_source is None


def test_manifest_csv_and_jsonl(write):
    csv_path = write("m.csv", "file,title,authors,published\na.txt,标题,张三;李四,2023\n")
    assert load_manifest(csv_path)["a.txt"] == {"title": "标题", "authors": ["张三", "李四"], "published": "2023", "venue": None, "source": None}
    jsonl_path = write("m.jsonl", '{"file": "b.txt", "title": "题", "authors": ["王五"], "published": 2022}\n')
    assert load_manifest(jsonl_path)["b.txt"]["published"] == "2022"


def test_manifest_errors_name_the_line_and_drop_only_its_entry(write):
    path = write("m.jsonl", '{"file": "a.txt"}\n{broken\n')
    manifest = load_manifest(path)
    assert list(manifest) == ["a.txt"] and [(n, r.split(" (")[0]) for n, r in manifest.problems] == [(2, "invalid JSON")]
    path = write("n.jsonl", '{"title": "no file"}\n')
    assert [(n, r.split(" (")[0]) for n, r in load_manifest(path).problems] == [(1, "no 'file' column")]
    with pytest.raises(PipelineError, match=r"n.txt: manifest must be .csv or .jsonl"):
        load_manifest(write("n.txt", "x"))
