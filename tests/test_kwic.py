import json

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.query.kwic import cooccurring, first_last, kwic
from pipeline.store import Store
from pipeline.query.terms import resolve_term
from trends_fixture import build_store


@pytest.fixture
def db(tmp_path):
    return str(build_store(tmp_path / "k.duckdb"))


@pytest.fixture
def store(db):
    with Store.open(db, read_only=True) as s:
        yield s


def test_every_occurrence_with_context_in_date_order(store):
    rows = kwic(store, resolve_term("保护主义"), window=4)
    assert [(r["doc"], r["sentence"]) for r in rows] == [
        ("a2019.txt", 0), ("a2019.txt", 2), ("c2020.txt", 0), ("d2022.txt", 0), ("d2022.txt", 1), ("e-undated.txt", 1)]
    first = rows[0]
    assert (first["left"], first["match"], first["right"], first["date"]) == ("反对贸易", "保护主义", "。", "2019-03-05")
    assert rows[2]["match"] == "保護主義"  # shown as written
    assert rows[-1]["bucket"] == "undated"


def test_match_across_a_line_wrap_maps_back_to_the_sentence(store):
    rows = kwic(store, resolve_term("供应链"), window=3)
    wrapped = [r for r in rows if r["doc"] == "c2020.txt" and r["sentence"] == 1]
    assert wrapped[0]["match"] == "供应 链" and wrapped[0]["right"] == "安全。"


def test_group_and_mentions(store):
    rows = kwic(store, resolve_term("group:友岸外包"), window=2)
    assert [r["match"] for r in rows] == ["友岸外包", "友岸化", "friend-shoring"]
    rows = kwic(store, resolve_term("framework:IPEF"), window=2)
    assert [(r["left"], r["match"]) for r in rows] == [("推动", "友岸外包")]


def test_first_last_and_cooccurring(store):
    spec = resolve_term("保护主义")
    rows = kwic(store, spec)
    span = first_last(rows)
    assert span["first"] == {"date": "2019-03-05", "doc": "a2019.txt", "sentence": 0}
    assert span["last"]["doc"] == "d2022.txt" and span["undated_docs"] == ["e-undated.txt"]
    partners = {(p["kind"], p["label"]): p["sentences"] for p in cooccurring(store, spec, rows)}
    assert partners[("instrument", "TARIFF")] == 2
    assert partners[("term", "单边主义")] == 1 and partners[("term", "供应链")] == 1


def test_cli_kwic(db):
    result = CliRunner().invoke(cli, ["kwic", "保护主义", "--db", db, "--format", "jsonl", "--window", "3"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 6 and {"bucket", "doc", "date", "sentence", "left", "match", "right"} <= set(rows[0])
    assert "# first: 2019-03-05 a2019.txt sentence 0" in result.stderr
    table = CliRunner().invoke(cli, ["kwic", "保护主义", "--db", db, "--limit", "2"])
    assert "# 6 occurrence(s) of 保护主义; showing 2" in table.stdout
