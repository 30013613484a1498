import json

import pytest
from click.testing import CliRunner

from pipeline.cli import cli

ARTICLE = "美国推动友岸外包。\n\n中美两国经济仍然相互依存。\n"


@pytest.fixture
def runner():
    return CliRunner()


def test_every_command_has_help(runner):
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert command.help and "Example:" in command.help, f"{name} has no help with an example"


def test_ingest_docs_sentences_round_trip(runner, write, tmp_path):
    db = str(tmp_path / "s.duckdb")
    path = write("a.txt", ARTICLE)
    result = runner.invoke(cli, ["ingest", str(path), "--db", db, "-q"])
    assert result.exit_code == 0, result.output
    assert "1 ingested" in result.output
    docs = runner.invoke(cli, ["docs", "--db", db, "--format", "jsonl"])
    (record,) = [json.loads(line) for line in docs.output.splitlines()]
    assert record["doc"] == "a.txt"
    assert {"title", "authors", "venue", "published", "date_source"} <= set(record)
    sents = runner.invoke(cli, ["sentences", "a.txt", "--db", db, "--format", "jsonl"])
    rows = [json.loads(line) for line in sents.output.splitlines()]
    assert [r["text"] for r in rows] == ["美国推动友岸外包。", "中美两国经济仍然相互依存。"]
    assert {"doc", "section", "index", "start", "end", "text"} <= set(rows[0])


def test_failed_file_gives_exit_1_and_names_the_file(runner, write, tmp_path):
    db = str(tmp_path / "s.duckdb")
    good = write("a.txt", ARTICLE)
    bad = write("empty.txt", b"")
    result = runner.invoke(cli, ["ingest", str(good), str(bad), "--db", db, "-q"])
    assert result.exit_code == 1
    assert f"FAILED {bad}: empty file" in result.output
    assert "1 ingested" in result.output and "1 failed" in result.output


def test_strict_stops_at_first_failure(runner, write, tmp_path):
    db = str(tmp_path / "s.duckdb")
    bad = write("empty.txt", b"")
    result = runner.invoke(cli, ["ingest", str(bad), "--db", db, "--strict", "-q"])
    assert result.exit_code == 1
    assert "Error: stopped at the first failure (--strict)" in result.output


def test_unknown_document_is_a_clear_error(runner, write, tmp_path):
    db = str(tmp_path / "s.duckdb")
    runner.invoke(cli, ["ingest", str(write("a.txt", ARTICLE)), "--db", db, "-q"])
    result = runner.invoke(cli, ["sentences", "nope.txt", "--db", db])
    assert result.exit_code == 1
    assert "Error: no document 'nope.txt' in the store" in result.output


def test_query_before_ingest_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(cli, ["docs", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "no store here yet" in result.output


def test_export_writes_parquet(runner, write, tmp_path):
    import pyarrow.parquet as pq

    db = str(tmp_path / "s.duckdb")
    runner.invoke(cli, ["ingest", str(write("a.txt", ARTICLE)), "--db", db, "-q"])
    out = tmp_path / "export"
    result = runner.invoke(cli, ["export", "--db", db, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert pq.read_table(out / "sentences.parquet").num_rows == 2
