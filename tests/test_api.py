"""The public Python API: every command is a function returning DataFrames or records."""

from __future__ import annotations

import pandas as pd
import pytest

import policytext as pt
from analysis_fixture import build_analysis_store
from pipeline import api
from pipeline.errors import PipelineError

COMMANDS = ("ingest", "retag", "docs", "sentences", "trend", "kwic", "keyness", "emerging", "audit", "export",
            "train", "tag", "annotate", "query", "top_terms", "collocations")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return str(build_analysis_store(tmp_path_factory.mktemp("api") / "api.duckdb"))


def test_every_command_is_a_top_level_function():
    for name in COMMANDS:
        assert callable(getattr(pt, name)) and getattr(pt, name) is getattr(api, name)


def test_annotate_says_it_is_a_terminal_command():
    with pytest.raises(PipelineError, match="annotate is a terminal command"):
        pt.annotate()


def test_listings_are_dataframes(db):
    docs = pt.docs(db=db, limit=4)
    assert isinstance(docs, pd.DataFrame) and len(docs) == 4
    trend = pt.trend("stance:DECOUPLING", db=db)
    assert trend["count"].sum() == 18 and trend.attrs["notes"]
    with pytest.raises(PipelineError, match="--limit"):
        pt.sentences(db=db, limit=0)


def test_kwic_regex_several_terms_and_token_window(db):
    both = pt.kwic(["脱钩", "晴岚互联"], db=db, window=3)
    assert set(both["term"]) == {"脱钩", "晴岚互联"}
    assert list(both["date"]) == sorted(both["date"])  # merged in date order
    found = pt.kwic("晴岚.联", db=db, regex=True, limit=5)
    assert len(found) == 5 and set(found["match"]) == {"晴岚互联"}
    tokens = pt.kwic("脱钩", db=db, window=1, unit="tokens", limit=1)
    assert tokens.loc[0, "left"] == "对华" and tokens.loc[0, "right"] == "，"
    with pytest.raises(PipelineError, match="regular expression"):
        pt.kwic("(", db=db, regex=True)
