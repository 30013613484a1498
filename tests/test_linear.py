"""Linear time on pathological input: overlap resolution, marker search, long sentences,
nested markup, table cells. Correctness checks are fast; the n-vs-4n time ratios (measured
back to back in one process, generous bound: a quadratic stage gives ~16) are slow tests."""

import io
import random
import time
from typing import NamedTuple

import pytest

from pipeline.citations.resolve import claim_text
from pipeline.clean import clean_text
from pipeline.clean.markers import find_markers
from pipeline.extract import get_extractor
from pipeline.extract.matcher import Hit, resolve_longest
from pipeline.formats import write_records
from pipeline.ingest.html import html_to_text
from pipeline.textview import MAX_PIECE_CHARS, piece_around, pieces


class _Alias(NamedTuple):
    label: str
    kind: str = "framework"


def _reference_resolve(hits):
    """The definition: longest first (leftmost on ties), a hit overlapping a kept hit of
    another span is dropped, same span and label kept once."""
    kept, taken = [], []
    for hit in sorted(hits, key=lambda h: (h.start - h.end, h.start)):
        if any(hit.start < e and s < hit.end and (s, e) != (hit.start, hit.end) for s, e in taken):
            continue
        if any(k.label == hit.label and (k.start, k.end) == (hit.start, hit.end) for k in kept):
            continue
        kept.append(hit)
        taken.append((hit.start, hit.end))
    return sorted(kept, key=lambda h: (h.start, h.end))


def test_resolve_longest_agrees_with_its_definition():
    rng = random.Random(7)
    for _ in range(3000):
        hits = []
        for _ in range(rng.randint(0, 10)):
            s = rng.randint(0, 15)
            hits.append(Hit(s, s + rng.randint(1, 5), _Alias(rng.choice("abc"))))
        assert resolve_longest(hits) == _reference_resolve(hits)


def test_resolve_longest_on_many_overlapping_hits_keeps_a_tiling():
    # 30,000 hits of length 3 at every offset: the greedy keeps every third one
    hits = [Hit(i, i + 3, _Alias("x")) for i in range(30_000)]
    kept = resolve_longest(hits)
    assert [h.start for h in kept] == list(range(0, 30_000, 3))


def _ratio(fn, small, large, repeat=3):
    def best(arg):
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn(arg)
            times.append(time.perf_counter() - t0)
        return min(times)

    return best(large) / max(best(small), 1e-6)


@pytest.mark.slow
def test_resolve_longest_time_grows_linearly():
    make = lambda n: [Hit(i, i + 2 + i % 3, _Alias("x")) for i in range(n)]  # noqa: E731
    small, large = make(20_000), make(80_000)
    assert _ratio(resolve_longest, small, large) < 8  # quadratic: ~16


@pytest.mark.slow
def test_marker_search_time_grows_linearly():
    unit = "供应链[1]产业②文字¹"
    assert _ratio(find_markers, unit * 5_000, unit * 20_000) < 8


def test_markers_of_every_style_found_once():
    hits = find_markers("甲[1]乙②丙[3-5]丁")
    assert [h.marker for h in hits] == ["[1]", "②", "[3-5]"]


def test_pieces_cover_a_long_text_and_cut_at_clause_punctuation():
    text = ("一二三四五六七八九，" * 300)  # 3,000 characters, a comma every 10
    spans = pieces(text)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a == b for (_, a), (b, _) in zip(spans, spans[1:]))  # contiguous
    assert all(e - s <= MAX_PIECE_CHARS for s, e in spans)
    assert all(text[e - 1] == "，" for s, e in spans[:-1])
    no_punct = "字" * 2500
    assert pieces(no_punct) == [(0, 1000), (1000, 2000), (2000, 2500)]
    assert piece_around(no_punct, 1500) == (1000, 2000) and piece_around(no_punct, 2500) == (2000, 2500)


def test_a_long_sentence_is_stored_whole_and_extracted_in_pieces():
    cue = "美国对华加征关税推动脱钩"
    text = "前言" + cue * 400 + "。"  # one sentence of ~4,800 characters
    cleaned = clean_text(text)
    assert len(cleaned.sentences) == 1 and cleaned.sentences[0].text == text
    result = get_extractor().extract(text)
    starts = [h.start for h in result.instruments]
    # every repetition is found once, with offsets into the whole sentence
    assert len(starts) >= 400 and starts == sorted(starts) and max(starts) > 4000
    assert all(text[h.start:h.end] in cue for h in result.instruments)
    assert result.stance == "DECOUPLING"
    assert all(text[e.start:e.end] == e.cue for e in result.stance_evidence)


def test_claim_of_a_citation_in_a_giant_sentence_is_its_piece():
    sentence = "字" * 5000
    claim = claim_text(sentence, 2500)
    assert 0 < len(claim) <= MAX_PIECE_CHARS and claim_text("短句。", 1) == "短句。"


def test_hundred_thousand_nested_sup_read_in_linear_time():
    n = 100_000
    html = "<html><body><p>美国" + "<sup>" * n + "1" + "</sup>" * n + "脱钩</p></body></html>"
    assert html_to_text(html, "deep.html") == "美国<sup>1</sup>脱钩"


@pytest.mark.slow
def test_nested_sup_time_grows_linearly():
    make = lambda n: "<html><body><p>甲" + "<sup>" * n + "1" + "</sup>" * n + "乙</p></body></html>"  # noqa: E731
    assert _ratio(lambda h: html_to_text(h, "x.html"), make(10_000), make(40_000), repeat=1) < 8


def test_a_huge_table_cell_is_cut_to_its_width_quickly():
    out = io.StringIO()
    write_records([{"text": "中" * 40_000}, {"text": "short"}], "table", out, max_width=48)
    rows = out.getvalue().splitlines()
    assert rows[2].rstrip() == "中" * 23 + "…" and rows[3].rstrip() == "short"


def test_a_document_above_the_size_cap_is_refused_with_its_size(tmp_path):
    from pipeline.config import ReadSettings
    from pipeline.ingest.readers import ReadFailure, read_path

    path = tmp_path / "big.txt"
    path.write_text("字" * 200, encoding="utf-8")
    (failure,) = read_path(path, ReadSettings(max_record_chars=100))
    assert isinstance(failure, ReadFailure) and "200 characters, more than the limit 100" in failure.reason


def test_workers_read_records_by_byte_range_and_refuse_a_changed_file(tmp_path):
    import json

    from pipeline.config import ReadSettings
    from pipeline.ingest.readers import iter_jsonl_spans
    from pipeline.ingest.tasks import RecordsTask, run_task

    path = tmp_path / "dump.jsonl"
    records = [{"content": f"美国对华加征关税{i}。", "published": "2024-01-0" + str(i + 1)} for i in range(3)]
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode() + b"\n")
    spans = list(iter_jsonl_spans(path, []))
    data = path.read_bytes()
    assert [data[o:o + n].decode() for _, _, o, n in spans] == [line for _, line, _, _ in spans]  # BOM skipped

    from pipeline.ingest.tasks import Scopes, make_tasks
    from pipeline.store import Store

    with Store.open(tmp_path / "s.duckdb") as store:
        (task,) = make_tasks([path], store, batch_size=10, failures=[], read=ReadSettings(), manifest={}, scopes=Scopes())
    lines = task.lines
    assert [(r.offset, r.length) for r in lines] == [(o, n) for _, _, o, n in spans]  # the task carries no text
    result = run_task(RecordsTask(str(path), lines, []), manifest=None, read=ReadSettings(), run_extraction=True)
    assert result.documents == 3 and not result.failures
    path.write_bytes(data.replace("关税1".encode(), "关税9".encode()))  # same length, other bytes
    result = run_task(RecordsTask(str(path), lines, []), manifest=None, read=ReadSettings(), run_extraction=True)
    assert result.documents == 2 and "changed while it was ingested" in result.failures[0].reason
