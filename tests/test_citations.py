"""Marker finding, author-year citations, claim kinds and note resolution."""

import pytest

from pipeline.citations.authoryear import find_author_year
from pipeline.citations.claims import claim_kinds
from pipeline.citations.resolve import CitationError, extract_citations
from pipeline.clean.markers import find_markers, marker_numbers, normalize_marker
from pipeline.schema import Marker, Note, Sentence


def S(i, text, page=1, paragraph=None, section="body", start=None):
    start = i * 100 if start is None else start
    return Sentence(i, section, i if paragraph is None else paragraph, start, start + len(text),
                    text, text, page)


def N(i, marker, text, page=1, kind="footnote", start=None):
    start = 10_000 + i * 100 if start is None else start
    return Note(i, marker, text, kind, page, start, start + len(text))


def M(sentence, marker, page=1, start=None):
    start = sentence * 100 + 5 if start is None else start
    return Marker(sentence, marker, 5, start, start + 1, page)


# ---------------------------------------------------------------- find_markers


@pytest.mark.parametrize(
    "text, expected",
    [
        ("所指出<sup>①</sup>。", ["①"]),
        ("所指出^②。", ["②"]),
        ("所指出③，又见⑳", ["③", "⑳"]),
        ("孤立中国。[1] 从", ["[1]"]),
        ("见［2］与[2-3]和[1,4]", ["[2]", "[2-3]", "[1,4]"]),
        ("经验¹²表明", ["12"]),
        ("<sup>3</sup>", ["3"]),
    ],
)
def test_find_markers(text, expected):
    assert [h.marker for h in find_markers(text)] == expected


@pytest.mark.parametrize(
    "text", ["# 论全球供应链安全的 制度逻辑\\*", "\\* 本文是资助计划的阶段性成果。",
             "标题<sup>*</sup>", "标题*", "访问于[2023-10-17]", "[2024 - 05 - 23]"],
)
def test_star_and_bracketed_dates_are_not_markers(text):
    assert find_markers(text) == []


def test_marker_numbers_and_normalization():
    assert marker_numbers("[2-3]") == [2, 3]
    assert marker_numbers("[1,4]") == [1, 4]
    assert normalize_marker("<sup>①</sup>") == "①"
    assert normalize_marker("［1］") == "[1]"
    assert normalize_marker("¹") == "1"


# ---------------------------------------------------------------- author-year


@pytest.mark.parametrize(
    "text, marker, items",
    [
        ("新政府的贸易议程(钱立言，2021)。", "(钱立言，2021)", [(("钱立言",), "2021")]),
        ("一种“可靠的贸易”(Harlow，2020a)。", "(Harlow，2020a)", [(("Harlow",), "2020a")]),
        ("工厂迁回本土(Reyes & Okafor，2023)。", "(Reyes & Okafor，2023)", [(("Reyes", "Okafor"), "2023")]),
        ("外交政策（周明和方晴，2022）。", "（周明和方晴，2022）", [(("周明", "方晴"), "2022")]),
        ("开放水平提升(孔德和于航, 2019)。", "(孔德和于航, 2019)", [(("孔德", "于航"), "2019")]),
        ("(南方G20研究中心，2024)", "(南方G20研究中心，2024)", [(("南方G20研究中心",), "2024")]),
        ("(Lindqvist & Østergaard，2018)", "(Lindqvist & Østergaard，2018)", [(("Lindqvist", "Østergaard"), "2018")]),
        ("（钱立言，2021；Harlow, 2020b）", "（钱立言，2021；Harlow, 2020b）",
         [(("钱立言",), "2021"), (("Harlow",), "2020b")]),
        ("(Smith et al., 2020)", "(Smith et al., 2020)", [(("Smith",), "2020")]),
    ],
)
def test_find_author_year(text, marker, items):
    [hit] = find_author_year(text)
    assert hit.marker == marker
    assert [tuple(i) for i in hit.items] == items


@pytest.mark.parametrize(
    "text", ["2021年6月成立(2021年9月，2022)", "(见表1，2022)", "(TTC，2021)", "（2022）", "(IPEF)"]
)
def test_not_author_year(text):
    assert find_author_year(text) == []


# ---------------------------------------------------------------- claims


@pytest.mark.parametrize(
    "text, kinds",
    [
        ("2019 年中美货物贸易总额下降了近 8%。", ["percent", "date"]),
        ("两国先后签署合作文件12项。", ["number"]),
        ("沙利文指出：“美国的工业基础被掏空了。”", ["quote", "attribution"]),
        ("据海关总署数据，出口有所下降。", ["attribution"]),
        ("牛津经济研究院的报告显示，进口份额下降。", ["attribution"]),
        ("本文认为，美国的战略效果有限。", []),
        ("“脱钩”是一种政策工具。", []),
    ],
)
def test_claim_kinds(text, kinds):
    assert claim_kinds(text) == kinds


# ---------------------------------------------------------------- resolution


def test_circled_numbering_restarts_each_page():
    sents = [S(0, "甲观点。", page=1), S(1, "乙观点。", page=2), S(2, "丙观点。", page=2)]
    notes = [N(0, "①", "张三：《甲》，《刊》2020年第1期。", page=1),
             N(1, "①", "李四：《乙》，《刊》2021年第2期。", page=2),
             N(2, "②", "王五：《丙》，《刊》2022年第3期。", page=2)]
    markers = [M(0, "①", 1), M(1, "①", 2), M(2, "②", 2)]
    cites = extract_citations("d", sents, markers, notes)
    assert [(c.marker, c.note_index, c.resolution) for c in cites] == [
        ("①", 0, "same-page"), ("①", 1, "same-page"), ("②", 2, "same-page")]
    ref = cites[1].reference
    assert ref.title == "乙" and ref.authors == ["李四"] and ref.year == 2021


def test_note_continued_across_a_page_is_one_note():
    # the cleaner joins the continuation into the note of the page where it started
    text = "秦川：《论中美关系》，《外交评论》2018 年第 4 期；贺迁：《从规则竞争到规则分化》《当代亚太》2021 年第 2 期，第 33—58 页。"
    sents = [S(0, "学者认为美国将继续推动脱钩。", page=3)]
    cites = extract_citations("d", sents, [M(0, "⑤", 3)], [N(0, "⑤", text, page=3)])
    assert cites[0].note == text
    assert cites[0].reference.title == "论中美关系"


def test_marker_without_note_is_kept_dangling():
    cites = extract_citations("d", [S(0, "某观点。", page=4)], [M(0, "③", 4)], [N(0, "③", "x", page=5)])
    assert cites[0].note is None and cites[0].note_index is None


def test_numbered_markers_without_reference_list():
    cites = extract_citations("d", [S(0, "孤立中国。")], [M(0, "[1]")], [])
    assert (cites[0].marker, cites[0].note, cites[0].resolution) == ("[1]", None, "no-reference-list")


def test_numbered_range_resolves_to_each_reference():
    refs = [N(i, f"[{i + 1}]", f"作者{i}：《书{i}》，北京：某出版社，2010年。", page=None, kind="reference")
            for i in range(4)]
    cites = extract_citations("d", [S(0, "多项研究表明。")], [M(0, "[2-3]")], refs)
    assert [(c.marker, c.note_index) for c in cites] == [("[2-3]", 1), ("[2-3]", 2)]


def test_author_year_resolves_by_author_and_year():
    refs = [N(0, None, "钱立言：《美国贸易政策》，《国际经贸探索》2021年第1期，第1-10页。", None, "reference"),
            N(1, None, "Harlow S. “First,” Trade Review, 2020.", None, "reference"),
            N(2, None, "Harlow S. “Second,” Trade Review, 2020.", None, "reference")]
    sents = [S(0, "重构政策(钱立言，2021)。"), S(1, "可靠的贸易(Harlow，2020b)。"), S(2, "无从查考(王五，2020)。")]
    cites = extract_citations("d", sents, [], refs)
    assert [(c.marker, c.note_index) for c in cites] == [
        ("(钱立言，2021)", 0), ("(Harlow，2020b)", 2), ("(王五，2020)", None)]


def test_author_year_without_reference_list_is_kept():
    cites = extract_citations("d", [S(0, "转而构建新框架(柯远和蓝田，2020)。")], [], [])
    assert cites[0].note is None and cites[0].cited_authors == ["柯远", "蓝田"]


def test_standalone_mode_reads_markers_from_text():
    sents = [S(0, "演讲所指出<sup>①</sup>。", page=1)]
    cites = extract_citations("d", sents, None, [N(0, "①", "某某：《演讲》，某网站。", page=1)])
    assert cites[0].note_index == 0


def test_pages_unknown_uses_nearest_following_note():
    # roundtable: each section has its own ① after its text, no page numbers
    sents = [S(0, "甲。", page=None, start=0), S(1, "乙。", page=None, start=500)]
    notes = [N(0, "①", "甲注", page=None, start=100), N(1, "①", "乙注", page=None, start=600)]
    markers = [Marker(0, "①", 1, 2, 3, None), Marker(1, "①", 1, 502, 503, None)]
    assert [c.note for c in extract_citations("d", sents, markers, notes)] == ["甲注", "乙注"]


def test_marker_for_unknown_sentence_is_a_precise_error():
    with pytest.raises(CitationError, match=r"\[C001\] d: marker '①' .* sentence 7"):
        extract_citations("d", [S(0, "x")], [M(7, "①")], [])


def test_note_block_printed_before_its_text_is_aligned_in_order():
    # extraction put page 4's note block before the rest of page 4's text, so the marker
    # sits on "page 5"; page 5 has its own ① further down
    sents = [S(0, "鲍德温称之为漂移。", page=5, start=1000), S(1, "占出口的约1/4。", page=6, start=3000)]
    notes = [N(0, "①", "Baldwin 注", page=4, start=900), N(1, "①", "海关注", page=5, start=2000)]
    markers = [Marker(0, "①", 3, 1003, 1004, 5), Marker(1, "①", 3, 3003, 3004, 6)]
    cites = extract_citations("d", sents, markers, notes)
    assert [(c.note, c.resolution) for c in cites] == [("Baldwin 注", "adjacent-page"), ("海关注", "adjacent-page")]
