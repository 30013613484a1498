"""Properties on arbitrary input (hypothesis, fixed small budget): the cleaner, the marker and
reference parsers, the tagger and the readers never raise on any string or byte string;
the cleaner is idempotent and its offsets map back to the raw text. ``-m slow`` runs more."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import ReadSettings
from pipeline.errors import ReadError
from pipeline.citations import authoryear, references
from pipeline.clean import clean_text, markers
from pipeline.extract.tagger import Tagger
from pipeline.ingest import ReadFailure
from pipeline.ingest.encoding import decode_bytes
from pipeline.ingest.html import html_to_text
from pipeline.ingest.readers import record_from_line
from pipeline.schema import RawDocument

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
SLOW = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Arbitrary Unicode (all planes, no surrogates), and text built from the pieces that steer the
# cleaner: markers, note lines, markup, full-width forms, line breaks.
PIECES = st.sampled_from([
    "中美", "脱钩。", "，", "\n", "\n\n", "\r\n", "\f", "\u3000", "①", "⑳", "[1]", "[2-3]", "¹", "<sup>3</sup>",
    "# ", "**", "---", "[^1]: ", "注释：", "参考文献", "《标题》", "“引语”", "⼤", "２０２４年", "美國", "脫鉤",
    "张三、李四：《中美关系》，载《国际经济评论》，2023年第1期，第1-16页。", "http://x.cn/a b", "[EB/OL]. [2023-10-17]",
])
TEXT = st.one_of(st.text(max_size=200), st.lists(st.one_of(PIECES, st.text(max_size=4)), max_size=40).map("".join))


def _check_clean(raw: str, fmt: str) -> None:
    result = clean_text(raw, fmt=fmt)
    assert len(result.offsets) == len(result.text)
    for ch, offset in zip(result.text, result.offsets):
        src = raw[offset]
        assert ch == src or (ch.isspace() and src.isspace()) or ch in unicodedata.normalize("NFKC", src), (ch, src, offset)
    assert clean_text(result.text, fmt="text").text == result.text  # idempotent on its own output
    for s in result.sentences:
        assert 0 <= s.start < s.end <= len(raw)
        assert len(s.simplified) == len(s.text)


@FAST
@given(TEXT, st.sampled_from(["text", "markdown", "html"]))
def test_cleaner_never_raises_is_idempotent_and_maps_back(raw, fmt):
    _check_clean(raw, fmt)


@pytest.mark.slow
@SLOW
@given(TEXT, st.sampled_from(["text", "markdown", "html"]))
def test_cleaner_properties_large_budget(raw, fmt):
    _check_clean(raw, fmt)


def _parsers(text: str) -> None:
    ref = references.parse_reference(text)
    assert ref.text == text
    references.parse_references(text)
    for hit in markers.find_markers(text):
        assert 0 <= hit.start < hit.end <= len(text) and hit.marker
    authoryear.find_author_year(text)


@FAST
@given(TEXT)
def test_reference_and_marker_parsers_never_raise(text):
    _parsers(text)


@pytest.mark.slow
@SLOW
@given(TEXT)
def test_parsers_large_budget(text):
    _parsers(text)


_TAGGER = None


def _tag(text: str) -> None:
    global _TAGGER
    if _TAGGER is None:
        _TAGGER = Tagger()
    out = _TAGGER.tag_text(text)
    for item in out["evidence"]:
        assert 0 <= item["start"] <= item["end"] <= len(text)


@FAST
@given(TEXT)
def test_tag_never_raises(text):
    _tag(text)


@pytest.mark.slow
@SLOW
@given(TEXT)
def test_tag_never_raises_large_budget(text):
    _tag(text)


@FAST
@given(st.binary(max_size=400))
def test_decoder_raises_only_read_errors(data):
    try:
        text, encoding = decode_bytes(data, "x.txt")
    except ReadError as exc:
        assert exc.path == "x.txt" and exc.reason
    else:
        assert text.strip() and "\x00" not in text
        text.encode("utf-8")  # storable


@FAST
@given(st.text(max_size=300))
def test_decoder_round_trips_utf8(text):
    if text.strip() and "\x00" not in text:
        assert decode_bytes(text.encode("utf-8"), "x.txt") == (text, "utf-8")


@FAST
@given(st.one_of(st.text(max_size=300), st.lists(st.sampled_from(["<div>", "</div>", "<p>", "<sup>", "</sup>", "<script>", "<!--", "&amp", "中美", "<article>", "<br/>"]), max_size=80).map("".join)))
def test_html_reader_raises_only_read_errors(html):
    try:
        text = html_to_text(html, "x.html")
    except ReadError as exc:
        assert "x.html" in str(exc)
    else:
        assert text.strip()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


@FAST
@given(st.one_of(st.text(max_size=200), JSON_VALUES.map(json.dumps), st.dictionaries(st.sampled_from(["content", "title", "authors", "year"]), JSON_VALUES).map(json.dumps)))
def test_jsonl_record_reader_never_raises(line):
    item = record_from_line(Path("c.jsonl"), 1, line, ReadSettings())
    assert isinstance(item, (RawDocument, ReadFailure))
    if isinstance(item, ReadFailure):
        assert item.reason.startswith("line 1")


@FAST
@given(st.dictionaries(st.sampled_from(["title", "authors", "author", "venue", "journal", "source", "type", "published", "date", "year", "congress", "extra"]), JSON_VALUES, max_size=6))
def test_any_record_metadata_is_processed_and_storable(metadata):
    """Non-string titles, dict venues, float years: metadata never crashes a batch."""
    from pipeline.ingest.tasks import process_raw
    from pipeline.store import prepare_batch

    raw = RawDocument(doc="c.jsonl#1", path="c.jsonl#1", raw_text="美国推动友岸外包。两国经济相互依存。", metadata=metadata)
    result = process_raw(raw, {}, extract=False)
    assert not isinstance(result, ReadFailure), result
    prepare_batch([result])
