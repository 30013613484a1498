import pickle

import pytest

from pipeline.segment import Segmenter, jieba_can_hold


@pytest.fixture(scope="module")
def segmenter():
    return Segmenter()


def test_every_lexicon_term_is_one_token_in_context(segmenter):
    words = segmenter.user_words()
    assert "芯片与科学法案" in words and "301关税" in words and "Chip4" in words
    broken = [w for w in words if w not in segmenter.cut(f"我们认为{w}的影响")]
    assert broken == []


def test_terms_with_spaces_are_left_to_the_matcher(segmenter):
    assert not jieba_can_hold("U.S.-EU TTC")
    assert "U.S.-EU TTC" not in segmenter.user_words()


def test_doc_from_tokens_keeps_text(segmenter):
    text = "美国通过美欧TTC协调出口管制 and IPEF。"
    doc = segmenter.make_doc(text)
    assert doc.text == text
    assert "出口管制" in [t.text for t in doc]


def test_traditional_term_is_one_token(segmenter):
    assert "加徵關稅" in segmenter.cut("美國對華加徵關稅")


def test_pickles_as_settings_and_rebuilds(segmenter):
    copy = pickle.loads(pickle.dumps(segmenter))
    assert copy._tokenizer is None
    assert copy.cut("推动友岸外包") == ["推动", "友岸外包"]
