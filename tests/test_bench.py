"""The benchmark's corpus generator and the fast segmentation backend (tiny inputs)."""

import json
import random

import pytest

from benchmarks.bench import Corpus, generate_corpus, load_sources, vary
from pipeline.errors import PipelineError
from pipeline.segment import Segmenter

SEED_TEXT = "美国的新贸易政策\n刘慧\n" + "\n".join(f"第{i}段：2023年美国对华加征关税，涉及{i * 7}项商品。" for i in range(40))


@pytest.fixture
def shared(tmp_path):
    (tmp_path / "corpus" / "seeds").mkdir(parents=True)
    (tmp_path / "corpus" / "gov-work-reports").mkdir()
    (tmp_path / "corpus" / "seeds" / "000_a.txt").write_text(SEED_TEXT, encoding="utf-8")
    record = {"title": "2024年政府工作报告", "content": "\n".join(f"推进高水平对外开放{i}。" for i in range(50))}
    (tmp_path / "corpus" / "gov-work-reports" / "r.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return tmp_path


def test_generated_corpus_has_the_size_and_count_asked(shared, tmp_path):
    corpus = generate_corpus(shared, tmp_path / "out", size_mb=0.1, files=40, parts=4)
    assert isinstance(corpus, Corpus) and len(corpus.parts) == 4
    assert 30 <= corpus.files + corpus.records <= 40
    assert 0.07e6 <= corpus.bytes <= 0.14e6
    texts = list(corpus.texts())
    assert len(texts) == corpus.files + corpus.records
    assert sum(len(t.encode()) for t in texts) == corpus.bytes
    assert len(set(texts)) > len(texts) * 0.9  # varied, so the store does not dedupe them away


def test_vary_keeps_title_and_years(shared):
    text = vary(SEED_TEXT, random.Random(1), target=200)
    assert text.startswith("美国的新贸易政策\n刘慧\n")
    assert "2023年" in text and len(text) < len(SEED_TEXT)


def test_no_sources_is_a_clear_error(tmp_path):
    with pytest.raises(PipelineError, match="no seeds/\\*.txt or gov-work-reports/\\*.jsonl"):
        load_sources(tmp_path)


@pytest.mark.parametrize(
    "text",
    [
        "文章编号：1002-6649 (2024) 03-0002-23",
        "载《亚太经济》，2023年第1期，第1-9页。",
        "见https://www.whitehouse.gov/briefing-room/2021/06/08/。",
        "美欧大型民用飞机合作框架（US-EUCFLCA）2021年6月启动，增长3.5%。",
        "美国推动友岸外包和去风险，对华加征关税，IPEF与美欧TTC。",
    ],
)
def test_rjieba_tokens_equal_jieba_tokens(text):
    assert Segmenter(backend="rjieba").cut(text) == Segmenter().cut(text)


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(PipelineError, match="unknown segmenter backend 'thulac'; choose one of jieba, rjieba"):
        Segmenter(backend="thulac").cut("关税")
