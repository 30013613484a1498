"""Each audit finding on a tiny hand-written article: one case that triggers it, one that must not."""

import pytest

from pipeline.audit import AuditError, KnownDocument, audit_document, summarize_findings
from pipeline.audit.checks import best_passage
from pipeline.audit.html import format_findings_html
from pipeline.citations.resolve import extract_citations
from pipeline.schema import DocumentMeta, Marker, Note, Sentence

META = DocumentMeta(title="美国贸易政策研究", authors=["赵六"], published="2023-06", year=2023)
JOURNAL = "张三：《美国关税政策的演变》，《国际贸易》2021年第3期，第1-9页。"


def S(i, text, page=1, paragraph=None):
    return Sentence(i, "body", i if paragraph is None else paragraph, i * 100, i * 100 + len(text),
                    text, text, page)


def N(i, marker, text, page=1, kind="footnote"):
    return Note(i, marker, text, kind, page, 10_000 + i * 100, 10_000 + i * 100 + len(text))


def M(sentence, marker, page=1):
    return Marker(sentence, marker, 3, sentence * 100 + 3, sentence * 100 + 4, page)


def run(sentences, markers, notes, meta=META, **kw):
    cites = extract_citations("d", sentences, markers, notes)
    return audit_document("d", meta, sentences, markers, notes, cites, **kw)


def kinds(findings, kind):
    return [f for f in findings if f.kind == kind]


CITED = ([S(0, "美国关税政策不断演变。")], [M(0, "①")], [N(0, "①", JOURNAL)])


def test_clean_article_has_no_findings():
    assert run(*CITED) == []


@pytest.mark.parametrize(
    "kind, case, clean",
    [
        ("UNCITED_CLAIM",  # in a document that cites elsewhere
         ([S(0, "2019年出口下降了8%。", paragraph=0), S(1, "美国关税政策不断演变。", paragraph=1)], [M(1, "①")], [N(0, "①", JOURNAL)]),
         # a citation in the same paragraph covers the claim
         ([S(0, "2019年出口下降了8%。", paragraph=0), S(1, "美国关税政策不断演变。", paragraph=0)],
          [M(1, "①")], [N(0, "①", JOURNAL)])),
        ("DANGLING_MARKER",
         ([S(0, "美国关税政策不断演变。", page=1)], [M(0, "①", page=1)], [N(0, "①", JOURNAL, page=2)]),
         CITED),
        ("ORPHAN_NOTE",
         ([S(0, "美国关税政策不断演变。")], [], [N(0, "①", JOURNAL)]),
         CITED),
        ("DATE_MISMATCH",
         ([S(0, "2023年4月27日，沙利文发表演讲。")], [M(0, "①")],
          [N(0, "①", "“Remarks by Sullivan”, The White House, April 28, 2023. https://www.whitehouse.gov/x. [2023-05-01]")]),
         ([S(0, "2023年4月27日，沙利文发表演讲。")], [M(0, "①")],
          [N(0, "①", "“Remarks by Sullivan”, The White House, April 27, 2023. https://www.whitehouse.gov/x. [2023-05-01]")])),
        ("ANACHRONISM",
         ([S(0, "美国关税政策不断演变。")], [M(0, "①")],
          [N(0, "①", "张三：《美国关税政策的演变》，《国际贸易》2024年第3期，第1-9页。")]),
         CITED),
        ("INCOMPLETE_REFERENCE",
         ([S(0, "美国关税政策不断演变。")], [M(0, "①")], [N(0, "①", "张三：《美国关税政策的演变》，《国际贸易》2021年第3期。")]),
         CITED),
        ("DUPLICATE_NOTE",
         ([S(0, "美国关税政策不断演变。"), S(1, "美国关税继续演变。")], [M(0, "①"), M(1, "②")],
          [N(0, "①", JOURNAL), N(1, "②", JOURNAL)]),
         # the same source cited again on another page is normal footnote practice
         ([S(0, "美国关税政策不断演变。", page=1), S(1, "美国关税继续演变。", page=2)],
          [M(0, "①", 1), M(1, "①", 2)], [N(0, "①", JOURNAL, page=1), N(1, "①", JOURNAL, page=2)])),
        ("SELF_CITATION",
         ([S(0, "美国关税政策不断演变。")], [M(0, "①")],
          [N(0, "①", "赵六：《美国关税政策的演变》，《国际贸易》2021年第3期，第1-9页。")]),
         CITED),
        ("MALFORMED_URL",
         ([S(0, "美国发布了供应链报告。")], [M(0, "①")],
          [N(0, "①", "“Supply Chain Report”, The White House, 2021. https://www.whitehouse.gov/supply - chain - report. [2022-01-02]")]),
         ([S(0, "美国发布了供应链报告。")], [M(0, "①")],
          [N(0, "①", "“Supply Chain Report”, The White House, 2021. https://www.whitehouse.gov/supply-chain-report. [2022-01-02]")])),
        ("TOPIC_MISMATCH",
         ([S(0, "欧洲农业补贴引发争议。")], [M(0, "①")], [N(0, "①", JOURNAL)]),
         CITED),
    ],
)
def test_finding_triggers_and_does_not(kind, case, clean):
    found = kinds(run(*case), kind)
    assert found, f"{kind} not reported"
    assert all(f.doc == "d" and f.explanation for f in found)
    assert not kinds(run(*clean), kind), f"{kind} reported on the clean case"


def test_author_year_with_wrong_year_is_a_date_mismatch():
    refs = [N(0, None, "钱立言：《美国贸易政策》，《国际经贸探索》2021年第1期，第1-10页。", None, "reference")]
    sents = [S(0, "重构贸易政策(钱立言，2022)。")]
    [f] = kinds(run(sents, [], refs), "DATE_MISMATCH")
    assert "2022" in f.explanation and "2021" in f.explanation
    ok = [N(0, None, "钱立言：《美国贸易政策》，《国际经贸探索》2022年第1期，第1-10页。", None, "reference")]
    assert not kinds(run(sents, [], ok), "DATE_MISMATCH")


def test_access_date_before_source_is_an_anachronism():
    note = "“Fact Sheet”, The White House, May 3, 2022. https://www.whitehouse.gov/f. [2022-01-02]"
    found = kinds(run([S(0, "美国发布了情况说明。")], [M(0, "①")], [N(0, "①", note)]), "ANACHRONISM")
    assert any("accessed 2022-01-02" in f.explanation for f in found)


def test_short_form_repeat_is_not_incomplete():
    full = "鲁某：《近代关税自主运动史》，南京：某某出版社，2017 年，第 1—5 页。"
    short = "鲁某：《近代关税自主运动史》，第 9—12 页。"
    sents = [S(0, "重商主义传统。", page=1), S(1, "重商主义回归。", page=2)]
    found = run(sents, [M(0, "①", 1), M(1, "①", 2)], [N(0, "①", full, 1), N(1, "①", short, 2)])
    assert not kinds(found, "INCOMPLETE_REFERENCE")


def test_linked_source_finds_best_passage():
    known = [KnownDocument(
        doc="other.txt", title="美国关税政策的演变", authors=("张三",), year=2021,
        passages=("欧洲农业政策与本文无关。", "美国关税政策在二战后不断演变，平均税率持续下降。"))]
    sents = [S(0, "美国关税政策不断演变，平均税率下降。")]
    [f] = kinds(run(sents, [M(0, "①")], [N(0, "①", JOURNAL)], known_documents=known), "LINKED_SOURCE")
    assert f.linked_doc == "other.txt" and f.evidence.startswith("美国关税政策在二战后") and f.score > 0
    unrelated = [KnownDocument("x.txt", "欧洲农业政策", ("李四",), 2019, ("无关",))]
    assert not kinds(run(sents, [M(0, "①")], [N(0, "①", JOURNAL)], known_documents=unrelated), "LINKED_SOURCE")


def test_best_passage_empty_inputs():
    assert best_passage("美国关税", []) == (None, 0.0)


def test_unknown_check_is_a_precise_error():
    with pytest.raises(AuditError, match=r"\[A001\] unknown audit check\(s\) \['NOPE'\]"):
        audit_document("d", META, [], [], [], [], checks=["NOPE"])


def test_html_escapes_article_text():
    sents = [S(0, "<script>alert(1)</script>增长了8%。", paragraph=0), S(1, "美国关税政策不断演变。", paragraph=1)]
    findings = run(sents, [M(1, "①")], [N(0, "①", JOURNAL)])
    page = format_findings_html(findings, sentences={("d", 0): sents[0].text})
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert summarize_findings(findings) == {"UNCITED_CLAIM": 1}


def test_no_uncited_claims_where_nothing_is_cited():
    """A government report or news item without markers, notes or citations is not expected to
    cite: its numbers are not UNCITED_CLAIM findings (issue 15: 2,678 such findings)."""
    sents = [S(0, "2019年出口下降了8%。", paragraph=0), S(1, "全年增长5.2%。", paragraph=1)]
    assert kinds(run(sents, [], []), "UNCITED_CLAIM") == []
