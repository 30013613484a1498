"""Property tests for pipeline.clean: never raises, idempotent on its own text, offsets map back."""

from __future__ import annotations

import unicodedata

from hypothesis import example, HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.clean import clean_text

CHUNKS = st.sampled_from(
    ["中文", "句子。", "，", " ", "\n", "\n\n", "①", "[1]", "**", "<sup>", "</sup>", "# ", "T T C", "2018 年", "\r\n",
     "《书名？》", "“引号！”", "⼤", "２", "Jake Sullivan", "---", "[a](http://b)", "\\*", "^", "$", "\t"]
)
TEXT = st.one_of(st.text(max_size=300), st.lists(st.one_of(CHUNKS, st.text(max_size=5)), max_size=60).map("".join))


def _maps_back(raw, result):
    assert len(result.text) == len(result.offsets)
    for ch, off in zip(result.text, result.offsets):
        src = raw[off]
        assert (ch.isspace() and src.isspace()) or ch == src or ch in unicodedata.normalize("NFKC", src)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT, st.sampled_from(["text", "markdown", "html"]))
def test_never_raises_and_offsets_map_back(raw, fmt):
    result = clean_text(raw, fmt=fmt)
    _maps_back(raw, result)
    for s in result.sentences:
        assert len(s.simplified) == len(s.text)
        assert 0 <= s.start < s.end <= len(raw)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
@example("**\n\n#\u00a00")  # a no-break space after "#" becomes a heading only after NFKC
def test_idempotent_on_own_output(raw):
    once = clean_text(raw).text
    assert clean_text(once).text == once
