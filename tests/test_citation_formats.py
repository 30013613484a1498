"""Reference lists and footnote blocks whatever the line breaks, inline web notes,
back-references resolved for citations and for the audit. Texts written for these tests."""

import pytest

from pipeline.audit import audit_document
from pipeline.citations import extract_citations
from pipeline.citations.backrefs import resolve_back_references
from pipeline.clean import clean_text
from pipeline.schema import DocumentMeta, Note

ENTRIES = [
    "钟甲, 罗乙. 港口贸易的韧性[J]. 航运经济评论, 2019, 7(4): 33-41.",
    "QUILL A. Freight rates and war risk[J]. Maritime Letters, 2020, 12(3): 1-9.",
    "罗乙. 跨境支付与货币替代[D]. 宁波: 东海大学, 2012.",
    "港口局. 年度统计公报[EB/OL]. (2023-01-05)[2023-02-01]. https://port.example.cn/a/1.html.",
    "MORROW B. Harbours of the north[M]. Leeds: Quayside Press, 2018: 4-9.",
]
BODY = "".join(f"第{i + 1}个判断见于文献[{i + 1}]。" for i in range(len(ENTRIES)))


def _list(layout: str) -> str:
    numbered = [f"[{i + 1}] {e}" for i, e in enumerate(ENTRIES)]
    if layout == "one-per-line":
        refs = "\n".join(numbered)
    elif layout == "one-line":
        refs = " ".join(numbered)
    else:  # hard-wrapped at 24 characters, final periods dropped on some entries
        refs = "\n".join(
            "\n".join(e[k:k + 24] for k in range(0, len(e), 24)).rstrip(".") if i % 2 else
            "\n".join(e[k:k + 24] for k in range(0, len(e), 24))
            for i, e in enumerate(numbered))
    return f"引言\n\n{BODY}\n\n参考文献\n{refs}\n"


def _cite(text):
    c = clean_text(text)
    return c, extract_citations("t", c.sentences, c.markers, c.notes)


@pytest.mark.parametrize("layout", ["one-per-line", "one-line", "hard-wrapped"])
def test_every_reference_list_entry_is_linked_whatever_the_line_breaks(layout):
    c, cits = _cite(_list(layout))
    assert len([n for n in c.notes if n.kind == "reference"]) == len(ENTRIES)
    assert [x.marker for x in cits] == [f"[{i + 1}]" for i in range(len(ENTRIES))]
    assert all(x.note is not None for x in cits)
    assert [x.reference.type for x in cits] == ["J", "J", "D", "EB", "M"]
    assert cits[2].reference.publisher == "东海大学"


def test_footnote_block_of_consecutive_circled_notes_stays_on_one_page():
    body = "港口吞吐量上升。①关税随后下调。②航运价格回落。③"
    block = "\n".join([
        "①钟甲：《港口与关税》，宁波：甬江出版社，2019年，第3页。",
        "②QUILL A. Freight rates and war risk[J]. Maritime Letters,",
        "2020, 12(3): 1-9.",
        "③罗乙：《航运史》，载《航运经济评论》，2011年第2期，第8页。",
    ])
    c, cits = _cite(f"引言\n\n{body}\n\n{block}\n")
    assert [n.marker for n in c.notes] == ["①", "②", "③"]
    assert len({n.page for n in c.notes}) == 1
    assert [x.reference.title for x in cits] == ["港口与关税", "Freight rates and war risk", "航运史"]
    assert cits[1].reference.container == "Maritime Letters"


def test_inline_notes_in_scraped_web_text_are_found_and_linked():
    page = ("引言\n\n关税摩擦由此升级。(1)钟甲：《港口与关税》，宁波：甬江出版社，2019年，第3页。"
            "此后，双方重启谈判。（2）罗乙：《航运史》，载《航运经济评论》，2011年第2期，第8页。谈判延续至今。\n")
    c, cits = _cite(page)
    assert [s.text for s in c.sentences if s.section == "body"] == ["关税摩擦由此升级。", "此后，双方重启谈判。", "谈判延续至今。"]
    assert [(x.marker, x.claim, x.reference.title) for x in cits] == [
        ("(1)", "关税摩擦由此升级。", "港口与关税"), ("(2)", "此后，双方重启谈判。", "航运史")]


FULL_ZH = "钟甲：《港口与关税》，宁波：甬江出版社，2019年，第3页。"
FULL_EN = "Ada Quill, “Freight Rates,” Maritime Letters, vol. 12, no. 3, 2020, pp. 1-9."


@pytest.mark.parametrize("back,form,title,pages", [
    ("同上，第5页。", "同上", "港口与关税", "5"),
    ("同上书，第6页。", "同上书", "港口与关税", "6"),
    ("同前注①，第7页。", "同前注", "港口与关税", "7"),
    ("参见前注①。", "前注", "港口与关税", None),
    ("钟甲：前引书，第8页。", "前引书", "港口与关税", "8"),
    ("钟甲：前揭书，第9页。", "前揭书", "港口与关税", "9"),
    ("钟甲：《港口与关税》，第10页。", "short form", "港口与关税", "10"),
    ("Quill, op. cit., p. 4.", "op. cit.", "Freight Rates", "4"),
    ("Quill, supra note 2, at 5.", "supra note", "Freight Rates", "5"),
])
def test_back_references_resolve_to_the_full_note(back, form, title, pages):
    if form in ("同上", "同上书"):
        texts = [FULL_EN, FULL_ZH, back]
    else:
        texts = [FULL_ZH, FULL_EN, back]
    notes = [Note(i, "①②③"[i], t, "footnote", 1, i * 100, i * 100 + 50) for i, t in enumerate(texts)]
    ref = resolve_back_references(notes)[2][0]
    assert (ref.back_reference, ref.title, ref.pages) == (form, title, pages)
    assert ref.text == back


def test_ibid_follows_the_previous_note():
    notes = [Note(0, "①", FULL_EN, "footnote", 1, 0, 10), Note(1, "②", "Ibid., p. 3.", "footnote", 1, 20, 30)]
    ref = resolve_back_references(notes)[1][0]
    assert (ref.back_reference, ref.title, ref.container, ref.pages) == ("ibid", "Freight Rates", "Maritime Letters", "3")


def test_audit_uses_the_resolved_reference():
    text = ("引言\n\n港口吞吐量在2019年上升了三成。①关税随后下调了两成。②\n\n"
            "①钟甲：《港口与关税》，宁波：甬江出版社，2019年，第3页。\n②同上，第5页。\n")
    c, cits = _cite(text)
    assert cits[1].reference.back_reference == "同上" and cits[1].reference.publisher == "甬江出版社"
    findings = audit_document("t", DocumentMeta(), c.sentences, c.markers, c.notes, cits)
    assert not [f for f in findings if f.kind == "INCOMPLETE_REFERENCE"]
