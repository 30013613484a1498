"""parse_reference: field-level F1 on hand-written notes, URL repair, never raising."""

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.eval.citations import score_reference_fields
from pipeline.citations.references import (
    find_dates,
    find_urls,
    is_malformed_url,
    parse_reference,
    parse_references,
    repair_url,
)

SAMPLE = Path(__file__).parent / "data" / "citations" / "references_sample.jsonl"


def test_field_f1_on_hand_written_notes():
    samples = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line]
    assert len(samples) >= 40
    scores = score_reference_fields(samples)
    assert scores["f1"] >= 0.90, scores["errors"][:10]


def test_chinese_journal_note():
    r = parse_reference("张三、李四：《标题研究》，载《某某研究》，2023年第1期，第1-16页。")
    assert (r.type, r.authors, r.title, r.container) == ("journal", ["张三", "李四"], "标题研究", "某某研究")
    assert (r.year, r.issue, r.pages) == (2023, "1", "1-16")


def test_english_journal_note():
    r = parse_reference("Jane Roe, “A Title,” Journal of Trade, vol. 6, no. 2, 2024, pp. 121-160.")
    assert r.type == "journal" and r.authors == ["Jane Roe"] and r.title == "A Title"
    assert (r.container, r.volume, r.issue, r.pages, r.year) == ("Journal of Trade", "6", "2", "121-160", 2024)


def test_spaced_url_and_access_date_are_repaired():
    r = parse_reference(
        "“Trans - Pacific Deal”, Example Institute, March 3, 2016. "
        "https://www.example.org/trans - pacific - deal/#toc - 14.[2023 - 10 - 17]"
    )
    assert r.url == "https://www.example.org/trans-pacific-deal/#toc-14"
    assert r.url_repaired
    assert r.access_date == "2023-10-17"
    assert r.date == "2016-03-03"
    assert r.title == "Trans-Pacific Deal"


def test_url_broken_by_line_wrap():
    assert repair_url("see https://ustr.gov/about-us/press-\noffice/releases now") == (
        "https://ustr.gov/about-us/press-office/releases"
    )
    # a plain word after a line break is not part of the URL
    urls = find_urls("https://example.org/report.pdf\nAccessed today")
    assert urls[0][0] == "https://example.org/report.pdf"


def test_markdown_link_and_escapes():
    r = parse_reference(
        "“T”, The White House, April 27, 2023. [https://www.whitehouse.gov/a/2023/04/27.\\[2023-10-17\\]]"
        "(https://www.whitehouse.gov/a/2023/04/27/[2023-10-17])"
    )
    assert r.url == "https://www.whitehouse.gov/a/2023/04/27"
    assert r.access_date == "2023-10-17"


def test_data_and_explanatory_notes():
    assert parse_reference("数据来源：某某统计局。").type == "data"
    assert parse_reference("资料来源：笔者整理。").type == "data"
    assert parse_reference("这里的框架是指无需国会批准的行政安排。").type == "note"


def test_several_works_in_one_note():
    refs = parse_references("甲：《书一》，北京：某出版社，2010年；乙：《文二》，《某刊》2011年第2期。")
    assert [r.title for r in refs] == ["书一", "文二"]


def test_dates_and_malformed_urls():
    assert [d for d, _, _ in find_dates("2019 年 9 月 25 日与 April 27, 2023 和 09 January 2024")] == [
        "2019-09-25", "2023-04-27", "2024-01-09"]
    assert is_malformed_url("https://example.org/x") is None
    assert is_malformed_url("https://localhost/x")
    assert is_malformed_url("https://exa mple.org")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("《》“”\"()（）[]［］，,。.:：;；- /0123456789年月日第期页httpswww.张三abcPp ①\n\\*_<>")), max_size=120))
def test_parse_reference_never_raises(text):
    r = parse_reference(text)
    assert r.text == text
    parse_references(text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_parse_reference_never_raises_on_any_text(text):
    parse_reference(text)
    repair_url(text)


def test_non_string_input_does_not_raise():
    assert parse_reference(None).text == ""  # type: ignore[arg-type]


def test_explanatory_text_before_a_citation_is_not_taken_for_authors():
    ref = parse_reference("这一说法在冷战后期流行甚广。张明：《贸易政策的历史演变》，《经济研究》2001年第2期，第10—20页。")
    assert ref.authors == ["张明"]
    assert ref.title == "贸易政策的历史演变" and ref.container == "经济研究"
