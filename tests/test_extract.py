import pytest

from pipeline.extract import extract_sentences, get_extractor
from pipeline.extract.components import build_nlp
from pipeline.schema import Sentence


def labels(text, kind):
    return get_extractor().extract(text).labels(kind)


def stance(text):
    return get_extractor().extract(text).stance


@pytest.mark.parametrize(
    "text, expected",
    [
        ("中国申请加入CPTPP。", ["CPTPP"]),  # TPP must not match inside CPTPP
        ("美国退出TPP后。", ["TPP"]),
        ("美欧通过U.S.-EU TTC协调。", ["TTC"]),
        ("韩国考虑加入Chip 4。", ["CHIP4"]),
        ("《印度—太平洋经济繁荣框架》于2022年启动。", ["IPEF"]),
        ("该框架与自贸协定不同。", []),  # generic words are not frameworks
        ("关税与贸易总协定是世贸组织的前身。", ["GATT", "WTO"]),
        ("ＩＰＥＦ成员国。", ["IPEF"]),  # full-width Latin
    ],
)
def test_frameworks(text, expected):
    assert labels(text, "framework") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("美国加征301关税并扩大实体清单。", ["EXPORT_CONTROL", "TARIFF"]),
        ("关税与贸易总协定规定了多边规则。", []),  # 关税 inside GATT's name
        ("欧盟发起反补贴调查。", ["TRADE_REMEDY"]),
        ("《芯片与科学法案》提供补贴。", ["SUBSIDY_INDUSTRIAL_POLICY"]),
        ("该法案引入了这一措施。", []),
    ],
)
def test_instruments(text, expected):
    assert labels(text, "instrument") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("美国推动对华脱钩。", "DECOUPLING"),
        ("中美之间难以全面脱钩。", "RECOUPLING"),  # negation flips
        ("与中国脱钩并不现实。", "RECOUPLING"),  # post-negation
        ("不寻求脱钩，而是去风险。", "MIXED"),
        ("中美经贸关系将呈现脱钩与挂钩并存的趋势。", "MIXED"),
        ("推动中美经贸关系进入边脱钩，边挂钩的新模式。", "MIXED"),
        ("企业薪酬与价值观挂钩。", "NONE"),  # not China-US linkage
        ("美国对中国商品加征关税。", "DECOUPLING"),  # measure aimed at China
        ("美国对所有贸易伙伴加征关税。", "NONE"),  # no China target
        ("美国不断加征对华关税。", "DECOUPLING"),  # 不断 is not a negation
        ("中美两国相互依存。", "RECOUPLING"),
        ("本文讨论“脱钩”一词的含义。", "NONE"),  # naming the concept
    ],
)
def test_stance(text, expected):
    assert stance(text) == expected


def test_traditional_sentence():
    result = get_extractor().extract("美國通過印太經濟架構推動友岸外包，對華加徵關稅。")
    assert result.labels("framework") == ["IPEF"]
    assert set(result.labels("instrument")) >= {"TARIFF", "SUPPLY_CHAIN_RELOCATION"}
    assert result.stance == "DECOUPLING"


def test_stance_evidence_offsets_point_at_cue():
    text = "美国推动对华脱钩。"
    for e in get_extractor().extract(text).stance_evidence:
        assert text[e.start : e.end] == e.cue


def test_extract_sentences_records():
    text = "美國推動「脫鉤」與友岸外包"
    sentence = Sentence(index=3, section="body", paragraph=0, start=0, end=len(text), text=text,
                        simplified="美国推动「脱钩」与友岸外包")
    mentions, stances = extract_sentences([sentence])
    assert {(m.kind, m.label) for m in mentions} >= {("term", "脱钩"), ("term", "友岸外包"), ("term", "友岸"),
                                                      ("instrument", "SUPPLY_CHAIN_RELOCATION")}
    assert all(text[m.start : m.end] == m.surface for m in mentions)
    assert stances[0].sentence == 3 and stances[0].label == "DECOUPLING" and stances[0].source == "rules"


def test_spacy_components():
    nlp = build_nlp()
    doc = nlp("美国通过印太经济框架对华实施出口管制。")
    assert [(s.text, s.label_) for s in doc.spans["frameworks"]] == [("印太经济框架", "IPEF")]
    assert [s.label_ for s in doc.spans["instruments"]] == ["EXPORT_CONTROL"]
    assert doc._.stance == "DECOUPLING" and doc._.stance_evidence


def test_nlp_gives_the_labels_ingest_stores():
    import pipeline

    nlp = pipeline.nlp()
    text = "美國推動印太經濟框架，對華加徵關稅並擴大實體清單。"
    doc = nlp(text)
    extraction = get_extractor().extract(text)
    assert sorted({s.label_ for s in doc.spans["frameworks"]}) == extraction.labels("framework") == ["IPEF"]
    assert sorted({s.label_ for s in doc.spans["instruments"]}) == extraction.labels("instrument")
    assert doc._.stance == extraction.stance == "DECOUPLING"
    assert nlp.pipe_names == ["policytext_frameworks", "policytext_instruments", "policytext_stance"]
