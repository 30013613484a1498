"""keyness, top-terms, collocations, emerging, query: on a store written for these tests."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from scipy.stats import chi2_contingency

from analysis_fixture import build_analysis_store
from pipeline.cli import cli
from pipeline.errors import PipelineError
from pipeline.query.emerging import add_to_lexicon, emerging
from pipeline.query.keyness import Part, chi2_yates, g2_williams, keyness
from pipeline.query.tokens import collocations, log_likelihood, top_terms
from pipeline.store import Store


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return str(build_analysis_store(tmp_path_factory.mktemp("an") / "an.duckdb"))


def test_chi2_is_yates_corrected_and_signed():
    table = [[30, 10], [970, 990]]
    expected = chi2_contingency(table, correction=True)[0]
    assert chi2_yates(30, 10, 970, 990) == pytest.approx(expected)
    assert chi2_yates(10, 30, 990, 970) == pytest.approx(-expected)


def test_g2_has_williams_correction():
    a, b, c, d = 30, 10, 970, 990
    raw = chi2_contingency([[a, b], [c, d]], correction=False, lambda_="log-likelihood")[0]
    n = a + b + c + d
    q = 1 + (n / (a + b) + n / (c + d) - 1) * (n / (a + c) + n / (b + d) - 1) / (6 * n)
    assert g2_williams(a, b, c, d) == pytest.approx(raw / q)
    assert log_likelihood(a, b, c, d) == pytest.approx(raw)


def test_keyness_of_a_period_finds_its_new_word(db):
    with Store.open(db, read_only=True) as store:
        result = keyness(store, Part.parse("year=2023-2024"), Part.parse("year=2019-2022"), min_count=2)
    top = result.rows[0]
    assert top["word"] in ("晴岚", "互联", "晴岚互联")
    assert top["count_reference"] == 0 and top["count_target"] > 0 and top["chi2"] > 0
    assert {"g2", "log_ratio", "pmi", "per10k_target"} <= set(top)


def test_keyness_by_stance_and_bad_target(db):
    with Store.open(db, read_only=True) as store:
        rows = keyness(store, Part.parse("stance=DECOUPLING"), min_count=2).rows
        assert any(r["word"] == "芯片" for r in rows[:5])
        with pytest.raises(PipelineError, match="no sentences"):
            keyness(store, Part.parse("year=1990"))
    with pytest.raises(PipelineError, match="COLUMN=VALUE"):
        Part.parse("2023")


def test_top_terms_and_collocations(db):
    with Store.open(db, read_only=True) as store:
        rows = top_terms(store, by="source", top=3)
        assert {r["bucket"] for r in rows} == {"alpha", "beta"} and all(r["rank"] <= 3 for r in rows)
        assert not any(r["term"] in ("的", "了", "和") for r in rows)
        pairs = collocations(store, min_count=3, top=50)
        assert any(p["collocation"] == "晴岚 互联" or p["collocation"].startswith("晴岚") for p in pairs) or pairs


def test_emerging_finds_the_coinage_in_its_first_year(db):
    with Store.open(db, read_only=True) as store:
        result = emerging(store, since=2021, min_count=3, top=10)
    first = [r for r in result.rows if r["period"] == "2023"]
    assert first, result.notes
    assert "晴岚互联" in [r["phrase"] for r in first[:3]]
    row = next(r for r in first if r["phrase"] == "晴岚互联")
    assert row["new"] and row["before"] == 0 and row["first_seen"] == "2023-01-15"
    assert row["first_source"] == "alpha" and row["kwic"].startswith("policytext kwic 晴岚互联")
    assert row["per_period"] == {"2023": 12, "2024": 24}
    # fragments of it (晴岚互, 岚互联) are not listed beside it
    assert not any(r["phrase"] in ("晴岚互", "岚互联") for r in first)
    assert not any(r["period"] == "2021" and r["phrase"] == "晴岚互联" for r in result.rows)


def test_emerging_add_to_lexicon(tmp_path):
    (tmp_path / "terms.yaml").write_text("kind: term\nlabels:\n  脱钩: [脱钩]\n", encoding="utf-8")
    add_to_lexicon("晴岚互联", tmp_path)
    assert "晴岚互联: [晴岚互联]" in (tmp_path / "terms.yaml").read_text(encoding="utf-8")
    with pytest.raises(PipelineError, match="already tracked"):
        add_to_lexicon("晴岚互联", tmp_path)


def test_cli_keyness_emerging_query(db):
    runner = CliRunner()
    out = runner.invoke(cli, ["keyness", "year=2023-2024", "--reference", "year=2019-2022", "--db", db, "--min-count", "2", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)[0]["count_reference"] == 0
    out = runner.invoke(cli, ["emerging", "--since", "2022", "--min-count", "3", "--db", db])
    assert out.exit_code == 0 and "晴岚互联" in out.output
    out = runner.invoke(cli, ["query", "SELECT source, count(*) AS n FROM documents GROUP BY 1 ORDER BY 1", "--db", db, "--csv"])
    assert out.exit_code == 0 and out.stdout.splitlines() == ["source,n", "alpha,18", "beta,18"]


def test_query_is_read_only(db):
    runner = CliRunner()
    for sql in ("DELETE FROM documents", "COPY documents TO '/tmp/policytext-leak.csv'"):
        out = runner.invoke(cli, ["query", sql, "--db", db])
        assert out.exit_code == 1 and "Error: query:" in out.output
    with Store.open(db, read_only=True) as store:
        assert store.query("SELECT count(*) AS n FROM documents")[0]["n"] == 36
