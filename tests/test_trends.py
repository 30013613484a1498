import json

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.errors import PipelineError
from pipeline.store import Store
from pipeline.textview import count_han
from benchmarks.queries import benchmark_queries
from pipeline.query.filters import Filters
from pipeline.query.terms import resolve_group, resolve_term, resolve_terms
from pipeline.query.trends import count_by_doc, trend
from trends_fixture import CORPUS, build_store


@pytest.fixture
def db(tmp_path):
    return str(build_store(tmp_path / "t.duckdb"))


@pytest.fixture
def store(db):
    with Store.open(db, read_only=True) as s:
        yield s


def fixture_docs():
    return json.loads(CORPUS.read_text(encoding="utf-8"))["documents"]


def rows_of(result, term):
    return {r["bucket"]: r for r in result.rows if r["term"] == term}


def test_denominator_is_han_characters_of_the_bucket(store):
    expected = {}
    for d in fixture_docs():
        key = str(d["year"]) if d["year"] else "undated"
        expected[key] = expected.get(key, 0) + sum(count_han(t) for t in d["sentences"])
    rows = rows_of(trend(store, resolve_terms(["保护主义"]), measure="per10k"), "保护主义")
    assert {b: r["denominator"] for b, r in rows.items()} == expected
    r2019 = rows["2019"]
    assert r2019["count"] == 2 and r2019["docs"] == 1 and r2019["bucket_docs"] == 2
    assert r2019["measure"] == pytest.approx(2 * 10_000 / expected["2019"], abs=1e-3)


def test_denominator_follows_the_filters(store):
    journal = sum(count_han(t) for d in fixture_docs() if d["source"] == "journal" for t in d["sentences"])
    result = trend(store, resolve_terms(["保护主义"]), by="source", filters=Filters.parse(where=["source=journal"]))
    (row,) = result.rows
    assert (row["bucket"], row["denominator"], row["count"]) == ("journal", journal, 1)
    assert "source=journal" in " ".join(result.header())


def test_measures_docs_and_share(store):
    rows = rows_of(trend(store, resolve_terms(["保护主义"]), measure="share"), "保护主义")
    assert rows["2019"]["measure"] == 0.5 and rows["2022"]["measure"] == 1.0
    rows = rows_of(trend(store, resolve_terms(["保护主义"]), measure="docs"), "保护主义")
    assert rows["2019"]["measure"] == 1


def test_alias_group_counts_every_alias_once(store):
    literal = rows_of(trend(store, resolve_terms(["友岸外包"])), "友岸外包")
    group = rows_of(trend(store, resolve_terms([], ["友岸外包"])), "group:友岸外包")
    assert literal["2019"]["count"] == 1
    assert group["2019"]["count"] == 3  # 友岸外包, 友岸化, friend-shoring
    assert resolve_term("group:友岸外包") == resolve_group("友岸外包")
    # 去风险化 contains 去风险: counted once in the group
    assert rows_of(trend(store, [resolve_group("去风险")]), "group:去风险")["2019"]["count"] == 1


def test_traditional_text_and_query_count(store):
    simplified = rows_of(trend(store, resolve_terms(["保护主义"])), "保护主义")
    traditional = rows_of(trend(store, resolve_terms(["保護主義"])), "保護主義")
    assert simplified["2020"]["count"] == 1  # the 2020 document is written in Traditional
    assert {b: r["count"] for b, r in simplified.items()} == {b: r["count"] for b, r in traditional.items()}


def test_term_broken_by_a_line_wrap_counts_once(store):
    assert rows_of(trend(store, resolve_terms(["供应链"])), "供应链")["2020"]["count"] == 2


def test_smoothing_is_a_centred_moving_average(store):
    result = trend(store, resolve_terms(["保护主义"]), smooth=3)
    rows = rows_of(result, "保护主义")
    assert rows["2019"]["smoothed"] == pytest.approx((2 + 1) / 2)  # 2018 has no documents
    assert rows["2020"]["smoothed"] == pytest.approx((2 + 1) / 2)  # 2021 has no documents
    assert rows["2022"]["smoothed"] == pytest.approx(2)
    assert rows["2019"]["measure"] == 2  # raw kept next to smoothed
    assert rows["undated"]["smoothed"] is None
    assert any("centred moving average" in line for line in result.header())
    with pytest.raises(PipelineError, match="--smooth works over time"):
        trend(store, resolve_terms(["保护主义"]), by="source", smooth=3)


def test_undated_documents_are_counted_not_dropped(store):
    result = trend(store, resolve_terms(["供应链"]))
    assert rows_of(result, "供应链")["undated"]["count"] == 1
    assert "1 undated document(s)" in " ".join(result.header())
    limited = trend(store, resolve_terms(["供应链"]), filters=Filters.parse(since=2020))
    assert "undated" not in rows_of(limited, "供应链")
    assert "1 undated document(s) left out by --since/--until" in limited.header()


def test_by_month_and_doc(store):
    months = {r["bucket"] for r in trend(store, resolve_terms(["保护主义"]), by="month").rows}
    assert months == {"2019-03", "2019-11", "2020-??", "2022-03", "undated"}
    by_doc = trend(store, resolve_terms(["保护主义"]), by="doc").rows
    assert {r["doc"]: r["count"] for r in by_doc} == {"a2019.txt": 2, "b2019.txt": 0, "c2020.txt": 1, "d2022.txt": 2, "e-undated.txt": 1}


def test_framework_and_instrument_ids_count_mentions(store):
    rows = rows_of(trend(store, resolve_terms(["instrument:TARIFF"])), "instrument:TARIFF")
    assert (rows["2019"]["count"], rows["2022"]["count"], rows["2020"]["count"]) == (1, 1, 0)


def test_unknown_ids_name_the_fix():
    with pytest.raises(PipelineError, match="no alias group '友岸外bao'"):
        resolve_group("友岸外bao")
    with pytest.raises(PipelineError, match="no framework id 'IPFE'.*did you mean IPEF"):
        resolve_term("framework:IPFE")
    with pytest.raises(PipelineError, match="--where 'lang=zh'"):
        Filters.parse(where=["lang=zh"])


def test_count_by_doc_keeps_working(store):
    counts = count_by_doc(store, ["保护主义", "供应链"])
    assert counts[("c2020.txt", "供应链")] == 2 and counts[("e-undated.txt", "保护主义")] == 1


def test_benchmark_queries_reports_times(store):
    result = benchmark_queries(store, repeat=1)
    assert result["sentences"] == 12 and all(isinstance(v, float) for k, v in result.items() if k != "sentences")


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "table"])
def test_cli_formats(db, fmt):
    result = CliRunner().invoke(cli, ["trend", "保护主义", "--group", "友岸外包", "--db", db, "--format", fmt, "--measure", "per10k"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    if fmt == "jsonl":
        rows = [json.loads(line) for line in out.splitlines()]
    elif fmt == "json":
        rows = json.loads(out)
    elif fmt == "csv":
        import csv
        import io

        rows = list(csv.DictReader(io.StringIO(out)))
    else:
        assert out.startswith("# denominator = Han characters")
        assert "bucket" in out and "undated" in out
        return
    assert "# denominator = Han characters" in result.stderr
    assert {"bucket", "term", "count", "docs", "denominator", "measure"} <= set(rows[0])
    assert {r["term"] for r in rows} == {"保护主义", "group:友岸外包"}


def test_cli_plot_and_errors(db, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["trend", "保护主义", "--db", db, "--plot", str(tmp_path / "t.svg")])
    assert result.exit_code == 0, result.output
    assert "<svg" in (tmp_path / "t.svg").read_text(encoding="utf-8")
    result = runner.invoke(cli, ["trend", "保护主义", "--db", db, "--plot", str(tmp_path / "t.gif")])
    assert result.exit_code == 1 and "use a .png, .svg or .html file name" in result.output
    result = runner.invoke(cli, ["trend", "--db", db])
    assert result.exit_code == 1 and "Error: give at least one TERM or --group ID" in result.output
