"""Tests for pipeline.clean: one block per step, tiny hand-written fixtures."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from pipeline.clean import clean_text
from pipeline.clean.normalize import nfkc
from pipeline.clean.offsets import MappedText
from pipeline.clean.sentences import split_points
from pipeline.textview import to_simplified
from pipeline.clean.spacing import despace

DATA = Path(__file__).parent / "data" / "clean"


def sentences(result, kind="body"):
    return [s.text for s in result.sentences if s.section == kind]


def wrap(paragraphs: list[str], width: int = 20, *, double: bool = True) -> list[str]:
    """Hard-wrap paragraphs at ``width`` characters, one output line per wrapped line."""
    lines = []
    for p in paragraphs:
        lines += [p[i:i + width] for i in range(0, len(p), width)]
    return lines


def join_lines(lines: list[str], *, double: bool = True) -> str:
    return ("\n\n" if double else "\n").join(lines) + "\n"


def assert_offsets_map_back(raw: str, result) -> None:
    assert len(result.text) == len(result.offsets)
    for ch, off in zip(result.text, result.offsets):
        src = raw[off]
        if ch.isspace():
            assert src.isspace()
        else:
            assert ch == src or ch in unicodedata.normalize("NFKC", src), (ch, src)


# --- normalize -------------------------------------------------------------------------

def test_nfkc_kangxi_and_fullwidth_digits_keep_punctuation_and_markers():
    mt = nfkc(MappedText.from_raw("⼤家在２０２４年，（见①）…"))
    assert mt.text == "大家在2024年，（见①）…"
    assert mt.offsets.tolist() == list(range(len(mt.text)))


def test_nfkc_expansion_maps_every_char_to_source():
    mt = nfkc(MappedText.from_raw("aﬁb"))
    assert mt.text == "afib"
    assert mt.offsets.tolist() == [0, 1, 1, 2]


def test_raw_text_is_not_modified_and_result_is_nfkc():
    raw = "⼤国经济在２０２３年增长。"
    result = clean_text(raw)
    assert raw == "⼤国经济在２０２３年增长。"
    assert sentences(result) == ["大国经济在2023年增长。"]
    assert result.sentences[0].start == 0 and result.sentences[0].end == len(raw)


# --- line joining ----------------------------------------------------------------------

LONG_A = "港口吞吐量在运价波动和航线调整的共同作用下起伏不定，沿海城市纷纷扩建集装箱码头，内陆口岸则把铁路联运当作降低物流成本的主要办法之一。"
LONG_B = "在航运格局不断变化的背景下，港口管理部门也调整了收费方式，部分码头推出夜间作业优惠，另一些码头则与船公司签订长期协议，以稳定货源为首要目标。"


@pytest.mark.parametrize("double", [True, False])
def test_hard_wrapped_lines_are_joined(double):
    raw = join_lines(wrap([LONG_A, LONG_B]), double=double)
    result = clean_text(raw)
    assert LONG_A in sentences(result)
    assert any(s.startswith("在航运格局不断变化的背景下") for s in sentences(result))


def test_wrapped_heading_is_not_joined_to_the_paragraph():
    raw = join_lines(wrap([LONG_B]) + ["一、问题的提出"] + wrap([LONG_A, LONG_B]))
    result = clean_text(raw)
    assert "一、问题的提出" in sentences(result)
    assert sentences(result)[-2] == LONG_A


def test_real_paragraphs_of_clean_text_are_not_joined():
    raw = "同志们：\n\n第一部分是经济发展的总体情况\n\n第二段讲的是今后的工作任务。\n\n第三段讲的是政府自身建设。\n"
    result = clean_text(raw)
    assert sentences(result) == ["同志们：", "第一部分是经济发展的总体情况", "第二段讲的是今后的工作任务。", "第三段讲的是政府自身建设。"]
    assert len({s.paragraph for s in result.sentences}) == 4


# --- spacing ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "raw, expected",
    [
        ("从 而 优 化 全 球 资 源", "从而优化全球资源"),
        ("自 2018 年 10 月以来", "自2018年10月以来"),
        ("美欧 T T C 和 I P E F 框架", "美欧TTC和IPEF框架"),
        ("沙利文（Jake Sullivan）指出", "沙利文（Jake Sullivan）指出"),
        ("“ 协 调 单 边 主 义 ”", "“协调单边主义”"),
    ],
)
def test_despace(raw, expected):
    assert despace(MappedText.from_raw(raw)).text == expected


# --- page furniture --------------------------------------------------------------------

def test_running_header_and_page_number_are_dropped():
    header = "张三 李四 一个很长的论文标题：关于测试的研究"
    body = ["这是正文的第一段，讲述一些事情。", header, "17", "这是正文的第二段，讲述另外一些事情。", header]
    raw = "\n\n".join(body) + "\n"
    result = clean_text(raw)
    assert result.title_hint == "张三李四一个很长的论文标题：关于测试的研究"
    assert sentences(result) == ["这是正文的第一段，讲述一些事情。", "这是正文的第二段，讲述另外一些事情。"]
    assert result.dropped == {"header": 2, "pagenum": 1}
    assert "17" not in result.text and header not in result.text


def test_photo_caption_between_broken_lines_is_dropped():
    para = LONG_A + LONG_B + LONG_A
    lines = wrap([para])
    caption = "2022年6月15日，这是一张照片的说明文字，它比正文的一行宽得多得多得多。"
    # the caption sits between two halves of a wrapped body line; the next page starts with a space
    k = 6
    raw = "\n\n".join(lines[:k]) + "\n\n" + caption + "\n " + "\n\n".join(lines[k:]) + "\n"
    result = clean_text(raw)
    assert result.dropped.get("caption") == 1
    assert [s.kind for s in result.sections].count("caption") == 1
    text = "".join(sentences(result))
    assert text == para


# --- markup ----------------------------------------------------------------------------

def test_markdown_markup_is_stripped():
    raw = (DATA / "markdown_article.md").read_text(encoding="utf-8")
    result = clean_text(raw, fmt="markdown")
    kinds = {s.kind for s in result.sections}
    assert {"title", "abstract", "meta", "body", "note"} <= kinds
    title = next(s for s in result.sections if s.kind == "title")
    assert title.text == "一个测试标题*"
    assert sentences(result, "abstract") == ["这是一段摘要。", "它有两句话。"]
    body = sentences(result)
    assert "正文还引用了一个网站。" in body
    assert not any("**" in s or "<sup>" in s or "#" in s for s in body)


def test_markdown_detected_in_plain_text_mode():
    raw = (DATA / "markdown_article.md").read_text(encoding="utf-8")
    assert clean_text(raw).text == clean_text(raw, fmt="markdown").text


# --- notes and markers -----------------------------------------------------------------

def test_footnote_block_inside_a_sentence_is_extracted_and_sentence_rejoined():
    raw = (DATA / "markdown_article.md").read_text(encoding="utf-8")
    result = clean_text(raw, fmt="markdown")
    assert "近年来，研究者建立了许多新的分析框架。" in sentences(result)
    assert [n.marker for n in result.notes] == ["①"]
    assert result.notes[0].text == "张三：《测试方法研究》，载《测试学报》，2020年第1期。"
    assert result.notes[0].kind == "footnote"


def test_markers_are_removed_and_returned_author_year_stays():
    raw = (DATA / "markdown_article.md").read_text(encoding="utf-8")
    result = clean_text(raw, fmt="markdown")
    body = sentences(result)
    assert "这里是正文，提到了沙利文（Jake Sullivan）的演讲。" in body
    assert "作者认为效果有限(钱立言，2021)。" in body
    assert "这些框架各有不同，也有相同之处。" in body
    by_marker = {m.marker: m for m in result.markers}
    assert set(by_marker) == {"①", "[1]", "[2-3]"}
    circled = by_marker["①"]
    sent = result.sentences[circled.sentence]
    assert sent.text[: circled.position] == "这里是正文，提到了沙利文（Jake Sullivan）的演讲"
    assert raw[circled.start:circled.end] == "①"
    assert circled.page == result.notes[0].page
    assert by_marker["[1]"].page == result.notes[0].page + 1


def test_bracketed_marker_forms():
    result = clean_text("有研究指出[1,4]，也有不同看法[2-3]。另见^⑤。")
    assert [m.marker for m in result.markers] == ["[1,4]", "[2-3]", "⑤"]
    assert sentences(result) == ["有研究指出，也有不同看法。", "另见。"]


def test_note_continued_on_next_page_is_joined():
    text1 = LONG_A + "这一句话引用了文献①，并且一直写到页面的最后一行没有结束，因为它要翻页继续写下去"
    pad = "长" * ((-len(text1)) % 20)  # the last line of a page is a full line
    body1 = wrap([text1 + pad])
    body2 = wrap(["写完了这句话。" + LONG_B + "这里有新一页的标记①而且它需要被找到。"])
    note1 = ["① 张三：《一篇很长的文章的题目》，《某某学报》2020年第1期，第1—10页；李四：", "《另一篇文章》，《学报》。"]
    # next page: starts with a space; its footnote block begins with the carried-over note text
    raw = "\n\n".join(body1) + "\n" + "\n".join(note1) + "\n " + "\n\n".join(body2) + "\n\n" \
        + "2021年第2期。\n① 王五：《第三篇文章》。\n"
    result = clean_text(raw)
    notes = [(n.marker, n.text, n.page) for n in result.notes]
    assert notes[0][0] == "①" and notes[0][1].endswith("《另一篇文章》，《学报》。2021年第2期。")
    assert notes[1][:2] == ("①", "王五：《第三篇文章》。")
    assert notes[0][2] != notes[1][2]
    joined = "".join(sentences(result))
    assert "因为它要翻页继续写下去" + pad + "写完了这句话。" in joined
    pages = {m.page for m in result.markers}
    assert pages == {notes[0][2], notes[1][2]}


# --- sentences -------------------------------------------------------------------------

def test_sentence_split_keeps_closing_quotes_and_protects_book_titles():
    text = "他说：“我们会成功的！”然后离开了。《谁动了我的奶酪？》是一本书。真的吗?是的!"
    ends = split_points(text)
    parts = [text[a:b] for a, b in zip([0] + ends[:-1], ends)]
    assert parts == ["他说：“我们会成功的！”", "然后离开了。", "《谁动了我的奶酪？》是一本书。", "真的吗?", "是的!"]


def test_question_mark_inside_url_does_not_split():
    assert len(split_points("见https://a.org/x.cfm?id=70。")) == 1


def test_simplified_view_has_same_length():
    for text in ["漢語國際關係", "乾隆年間的發展", "中国", "後來的事"]:
        out = to_simplified(text)
        assert len(out) == len(text)
    result = clean_text("國務院政府工作報告。")
    assert result.sentences[0].simplified == "国务院政府工作报告。"
    assert result.sentences[0].text == "國務院政府工作報告。"


# --- interface and invariants ----------------------------------------------------------

def test_unknown_format_is_rejected_with_the_value():
    with pytest.raises(ValueError, match="unknown fmt 'pdf'"):
        clean_text("x", fmt="pdf")


@pytest.mark.parametrize("raw", ["", "\n\n", "   ", "a", "①", "\r\n\r\n中文\r\n", "**", "[1]", "<sup></sup>"])
def test_degenerate_inputs(raw):
    result = clean_text(raw)
    assert_offsets_map_back(raw, result)


def test_offsets_and_sentence_spans_map_back_on_fixture():
    raw = (DATA / "markdown_article.md").read_text(encoding="utf-8")
    result = clean_text(raw)
    assert_offsets_map_back(raw, result)
    for s in result.sentences:
        assert 0 <= s.start < s.end <= len(raw)
        assert raw[s.start] == s.text[0] or s.text[0] in unicodedata.normalize("NFKC", raw[s.start])
    for m in result.markers:
        assert m.marker.strip("[]^") in raw[m.start:m.end] or raw[m.start:m.end] in m.marker


# --- paragraphs, tables and idempotency ------------------------------------------------

def test_cleaned_text_separates_paragraphs_with_a_blank_line():
    raw = (DATA / "paragraphs_and_table.txt").read_text(encoding="utf-8")
    result = clean_text(raw)
    paragraphs = result.text.split("\n\n")
    assert "\n" not in "".join(paragraphs)
    assert paragraphs[2] == "全球贸易规则的变化，这一过程仍在持续"
    assert paragraphs[3] == "本段另起一行，讲述第二个问题。它有两句话。"


def test_clean_is_idempotent_on_a_paragraph_without_final_punctuation_and_a_table():
    raw = (DATA / "paragraphs_and_table.txt").read_text(encoding="utf-8")
    once = clean_text(raw)
    twice = clean_text(once.text)
    assert twice.text == once.text
    assert [(s.kind, s.text) for s in twice.sections] == [(s.kind, s.text) for s in once.sections]


def test_tables_figures_and_sources_are_table_sections_not_body():
    raw = (DATA / "paragraphs_and_table.txt").read_text(encoding="utf-8")
    result = clean_text(raw)
    table = [s.text for s in result.sections if s.kind == "table"]
    assert table == ["表1三类合作框架的比较", "类型\t名称\t时间", "宏观框架\t贸易和技术理事会\t2021年",
                     "科技框架\t芯片联盟\t2022年", "资料来源：作者整理。", "图2贸易差额的变化", "数据来源：统计局数据库。"]
    body = sentences(result)
    assert not any("来源" in s or "芯片联盟" in s or s.startswith(("表", "图")) for s in body)
    assert body[-1] == "最后一段正文在这里结束，它比前面的段落短一些。"
    # table rows are still sentences of kind "table", so term counts see them
    assert "科技框架\t芯片联盟\t2022年" in sentences(result, "table")


def test_a_figure_reference_inside_body_text_is_not_a_table():
    raw = "图 1 显示，贸易差额在过去十年中持续扩大，这一趋势值得注意。\n\n下一段正文。\n"
    result = clean_text(raw)
    assert sentences(result) == ["图1显示，贸易差额在过去十年中持续扩大，这一趋势值得注意。", "下一段正文。"]


def test_lone_newlines_inside_a_sentence_are_joined_in_blank_line_separated_text():
    # web pages (Wikisource) break a line around every inline link
    raw = "会议听取了总理所作的\n政府工作报告\n。会议充分肯定过去一年的工作。\n\n会议号召全国人民团结奋斗。\n"
    result = clean_text(raw)
    assert sentences(result) == ["会议听取了总理所作的政府工作报告。", "会议充分肯定过去一年的工作。", "会议号召全国人民团结奋斗。"]
    assert clean_text(result.text).text == result.text


def test_offsets_are_a_compact_int_array():
    result = clean_text("第一段。\n\n第二段。")
    assert result.text == "第一段。\n\n第二段。"
    assert list(result.offsets) == list(range(len(result.text)))
