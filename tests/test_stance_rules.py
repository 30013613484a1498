"""Each stance rule on sentences written for it: the rule decides the label, so removing it or
making it vote the other way changes the label. Filters and the label model too.

The sentences are the project's own (none comes from the seeds or the gold annotations).
"""

import pytest

from pipeline.extract import get_extractor
from pipeline.extract.stance import STANCE_RULES, decide, rule_analysis, vote_matrix

RULES = {lf.name: lf for lf in STANCE_RULES}


def context(text):
    return get_extractor().stance_context(text)


def votes(text):
    ctx = context(text)
    return {lf.name: lf(ctx) for lf in STANCE_RULES if lf(ctx)}


def stance(text):
    return get_extractor().extract(text).stance


# rule -> (a sentence on which it votes, the label the sentence gets)
DECIDING = {
    "mixed_pattern": ("两国经贸关系呈现脱钩与挂钩并存的局面。", "MIXED"),
    "mixed_cue": ("两大经济体之间出现了竞合态势。", "MIXED"),
    "decoupling_cue": ("一些企业开始讨论断链的后果。", "DECOUPLING"),
    "recoupling_cue": ("两国市场相互依存的程度很深。", "RECOUPLING"),
    "negated_decoupling": ("多数分析人士认为两国脱钩并不现实。", "RECOUPLING"),
    "negated_recoupling": ("两国供应链不再相互依存。", "DECOUPLING"),
    "measure_on_china": ("华盛顿宣布对中国商品加征关税。", "DECOUPLING"),
    "cooperation_with_us": ("中美两国企业在新能源领域开展合作。", "RECOUPLING"),
    "reduced_linkage": ("美方试图削弱两国之间的合作纽带。", "DECOUPLING"),
    "negated_reducer": ("美国企业无法摆脱对中国供应商的依赖。", "RECOUPLING"),
    "decoupling_pattern": ("美方把这些企业置于新的规则体系之外。", "DECOUPLING"),
    "recoupling_pattern": ("有学者认为两国已经从脱钩走到再挂钩。", "RECOUPLING"),
}


def test_every_rule_has_a_sentence_it_decides():
    assert set(DECIDING) == set(RULES)


@pytest.mark.parametrize("name", sorted(DECIDING))
def test_rule_votes_and_decides(name):
    text, label = DECIDING[name]
    found = votes(text)
    assert name in found, f"{name} did not vote on {text!r}: {sorted(found)}"
    assert {e.label for e in found[name]} == {RULES[name].label}
    assert stance(text) == label


@pytest.mark.parametrize("name", sorted(DECIDING))
def test_without_the_rule_the_label_changes(name):
    text, label = DECIDING[name]
    ctx = context(text)
    remaining = {lf.name: lf(ctx) for lf in STANCE_RULES if lf.name != name}
    remaining = {k: v for k, v in remaining.items() if v}
    assert decide(remaining) != label


def test_targeted_cue_needs_a_china_target():
    assert stance("华盛顿宣布对所有贸易伙伴加征关税。") == "NONE"
    assert [c.blocked_by for c in context("华盛顿宣布对所有贸易伙伴加征关税。").cues] == ["no-target"]


def test_cooperation_needs_a_china_us_pair():
    assert stance("两家地方企业在新能源领域开展合作。") == "NONE"


def test_negated_measure_is_no_vote():
    assert stance("华盛顿决定降低对中国商品的关税。") == "NONE"


def test_negator_exception_is_not_a_negation():
    assert stance("美国不断推动对华脱钩。") == "DECOUPLING"


def test_non_linkage_peg_takes_a_linkage_word_out():
    assert stance("公务员的奖金与考核挂钩。") == "NONE"
    assert [c.blocked_by for c in context("公务员的奖金与考核挂钩。").cues] == ["non-linkage"]


def test_a_named_concept_is_not_an_assertion():
    assert stance("“脱钩”一词最早出现在经济学文献中。") == "NONE"


def test_a_cue_inside_a_framework_name_does_not_count():
    assert stance("关税与贸易总协定是多边体制的前身。") == "NONE"


def test_a_cue_covered_by_a_pattern_votes_once_with_the_pattern():
    found = votes("有学者认为两国已经从脱钩走到再挂钩。")
    assert "recoupling_pattern" in found and "decoupling_cue" not in found and "recoupling_cue" not in found


def test_a_reduced_linkage_word_is_not_a_recoupling_cue():
    found = votes("美方试图削弱两国之间的合作纽带。")
    assert "cooperation_with_us" not in found and "recoupling_cue" not in found


@pytest.mark.parametrize(
    "cast, label",
    [
        ({}, "NONE"),
        ({"decoupling_cue": ["DECOUPLING"], "recoupling_cue": ["RECOUPLING"]}, "MIXED"),  # strong both ways
        ({"decoupling_cue": ["DECOUPLING"], "cooperation_with_us": ["RECOUPLING"]}, "DECOUPLING"),  # strong beats weak
        ({"measure_on_china": ["DECOUPLING", "DECOUPLING"], "cooperation_with_us": ["RECOUPLING"]}, "DECOUPLING"),
        ({"measure_on_china": ["DECOUPLING"], "cooperation_with_us": ["RECOUPLING"]}, "MIXED"),  # weak tie
        ({"mixed_cue": ["MIXED"], "decoupling_cue": ["DECOUPLING"]}, "MIXED"),
    ],
)
def test_decide(cast, label):
    from pipeline.extract.stance import Evidence

    votes_ = {name: [Evidence("stance", lab, "x", 0, 1, name) for lab in labels] for name, labels in cast.items()}
    assert decide(votes_) == label


def test_rule_analysis_counts_coverage_conflicts_and_accuracy():
    texts = [DECIDING["decoupling_cue"][0], DECIDING["recoupling_cue"][0], "今天天气很好。",
             "一些企业开始讨论断链的后果，但两国市场仍然相互依存。"]
    matrix = vote_matrix([context(t) for t in texts])
    rows = {r["rule"]: r for r in rule_analysis(matrix, ["DECOUPLING", "RECOUPLING", "NONE", "MIXED"])}
    dec = rows["decoupling_cue"]
    assert (dec["votes"], dec["coverage"], dec["conflicts"], dec["correct"], dec["incorrect"]) == (2, 0.5, 0.25, 1, 1)
    assert rows["mixed_pattern"]["votes"] == 0 and rows["mixed_pattern"]["accuracy"] is None


# -- filters found from the labelled set's misfires (train split) ---------------------------------


def test_cooperation_with_a_third_party_is_no_vote():
    assert stance("两国企业在新能源领域开展务实合作，非洲多国代表出席。") == "NONE"
    assert stance("中德两国企业在新能源领域开展务实合作。") == "RECOUPLING"


def test_domestic_opening_slogan_needs_a_us_west_counterpart():
    assert stance("全省上下坚持深化改革开放，推动高质量发展。") == "NONE"
    assert stance("中方愿同美方一道扩大开放，推动中美经贸关系发展。") == "RECOUPLING"


def test_cooperation_on_a_non_economic_field_is_no_vote():
    assert stance("中美两国在气候领域保持沟通合作。") == "NONE"
    assert [c.blocked_by for c in context("中美两国在气候领域保持沟通合作。").cues if c.polarity == "RECOUPLING"] == ["non-economic"]
    assert stance("中美两国在气候和能源投资领域保持合作。") == "RECOUPLING"


def test_generic_confrontation_words_need_a_china_target():
    assert stance("某国宣布延长对邻国的封锁。") == "NONE"
    assert stance("美国对中国实施封锁。") == "DECOUPLING"


def test_a_longer_word_holds_a_short_cue():
    assert stance("全省实施科技战略，打破地区封锁。") == "NONE"
    assert get_extractor().extract("全省实施科技战略。").instruments == ()


def test_adjacent_negator_denies_the_cue_in_a_parallel_phrase():
    ctx = context("双方致力于发展不冲突不对抗的中美关系。")
    assert [c.negated for c in ctx.cues if c.hit.alias.key == "对抗"] == [True]


def test_negation_reaches_through_quotes_and_enumerations():
    assert stance("我们反对保护主义和“脱钩断链”。") == "RECOUPLING"
