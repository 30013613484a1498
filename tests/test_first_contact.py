"""The rough edges a new user hits (issue 15): each test names the defect it guards."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from analysis_fixture import build_analysis_store
from pipeline.cli import cli
from pipeline.formats import display_width
from pipeline.run import INPUTS_FILE, run_default

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpora" / "sample"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("sample") / "s.duckdb"
    result = CliRunner().invoke(cli, ["ingest", str(SAMPLE), "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    return str(db)


@pytest.fixture(scope="module")
def an_db(tmp_path_factory):
    return str(build_analysis_store(tmp_path_factory.mktemp("an") / "an.duckdb"))


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_folder_manifest_and_readme_are_not_documents(tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(SAMPLE, folder)
    db = tmp_path / "x.duckdb"
    result = run("ingest", folder, "--manifest", folder / "manifest.jsonl", "--db", db, "-q")
    assert result.exit_code == 0, result.output
    docs = json.loads(run("docs", "--db", db, "--json").stdout)
    names = {d["doc"] for d in docs}
    assert "manifest.jsonl" not in " ".join(names) and not any(n.lower().startswith("readme") for n in names)
    # without --manifest the folder's own manifest is used: titles come from it
    db2 = tmp_path / "y.duckdb"
    assert run("ingest", folder, "--db", db2, "-q").exit_code == 0
    titled = {d["doc"]: d["title"] for d in json.loads(run("docs", "--db", db2, "--json").stdout)}
    manifest = [json.loads(line) for line in (SAMPLE / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    assert titled[manifest[0]["file"]] == manifest[0]["title"]


@pytest.mark.parametrize("command", [["kwic", "脱钩"], ["sentences"], ["docs"]])
def test_negative_limit_is_a_usage_error(sample_db, command):
    result = run(*command, "--limit", "-1", "--db", sample_db)
    assert result.exit_code == 2 and "--limit" in result.output and "Traceback" not in result.output


def test_kwic_limit_shows_that_many_and_centres_the_keyword(sample_db):
    result = run("kwic", "脱钩", "--db", sample_db, "--window", "6")
    lines = [line for line in result.stdout.splitlines() if not line.startswith("#")][2:]
    assert len(lines) >= 3
    columns = {display_width(line.split("脱钩")[0]) for line in lines if "脱钩" in line}
    assert len(columns) == 1  # every keyword starts in the same terminal column
    assert len([line for line in run("kwic", "脱钩", "--db", sample_db, "--limit", "2").stdout.splitlines() if "脱钩" in line and not line.startswith("#")]) == 2


def test_docs_table_fits_120_columns_and_has_limit(sample_db):
    out = run("docs", "--db", sample_db).stdout.splitlines()
    assert max(display_width(line) for line in out) <= 120
    assert len(run("docs", "--db", sample_db, "--limit", "2").stdout.splitlines()) == 4  # header, rule, 2 rows


def test_trend_counts_stance_labels(an_db):
    rows = json.loads(run("trend", "stance:DECOUPLING", "--db", an_db, "--json").stdout)
    assert sum(r["count"] for r in rows) == 18 and all(r["count"] == 3 for r in rows)


def test_sentences_by_stance_and_year(an_db):
    rows = json.loads(run("sentences", "--stance", "DECOUPLING", "--where", "year=2023", "--db", an_db, "--json").stdout)
    assert len(rows) == 3 and all("脱钩" in r["text"] for r in rows)


def test_eval_on_an_empty_gold_folder_fails(tmp_path, sample_db):
    (tmp_path / "gold").mkdir()
    result = run("eval", "--gold", tmp_path / "gold", "--db", sample_db)
    assert result.exit_code == 1 and "no gold files" in result.output


def test_audit_kind_is_validated_and_where_filters(sample_db):
    result = run("audit", "--kind", "uncited_claimz", "--db", sample_db)
    assert result.exit_code == 1 and "unknown finding kind" in result.output
    assert run("audit", "--kind", "uncited_claim", "--db", sample_db).exit_code == 0
    rows = json.loads(run("audit", "--where", "source=nowhere", "--db", sample_db, "--json").stdout)
    assert rows == []


def test_csv_and_json_shortcuts(sample_db):
    assert run("docs", "--db", sample_db, "--csv").stdout.startswith("doc,")
    assert isinstance(json.loads(run("docs", "--db", sample_db, "--json").stdout), list)


@pytest.mark.slow  # trains the default model on the sample corpus
def test_make_run_prints_runnable_commands_and_keeps_the_model(tmp_path):
    db = tmp_path / "r.duckdb"
    messages = []
    first = run_default(db=db, shared=tmp_path / "none", report_dir=tmp_path / "report", models_dir=tmp_path / "models",
                        on_progress=messages.append)
    model = Path(first.outputs["model"])
    stamp = (model / INPUTS_FILE).read_text()
    card_time = (model / "README.md").stat().st_mtime
    assert any("training" in m for m in messages)
    messages.clear()
    run_default(db=db, shared=tmp_path / "none", report_dir=tmp_path / "report", models_dir=tmp_path / "models",
                on_progress=messages.append)
    assert any("kept" in m for m in messages) and (model / "README.md").stat().st_mtime == card_time
    assert (model / INPUTS_FILE).read_text() == stamp
    out = run("run", "--db", db, "--shared", tmp_path / "none", "--report-dir", tmp_path / "report",
              "--models-dir", tmp_path / "models", "-q").stdout
    assert "docs --db" in out and "try: policytext docs" not in out


def test_report_audit_table_names_documents_by_title(sample_db, tmp_path):
    from pipeline.report import write_report
    from pipeline.store import Store

    with Store.open(sample_db, read_only=True) as store:
        found = store.query("SELECT DISTINCT d.doc_id, d.title FROM findings f JOIN documents d USING (doc_id)")
        page = write_report(store, tmp_path / "report").read_text(encoding="utf-8")
    assert found
    section = page[page.index('id="findings"'):]
    section = section[: section.index("<h2", 10)] if "<h2" in section[10:] else section
    assert all(r["doc_id"] not in section for r in found)
    assert any(r["title"] in section for r in found) and '<div class="wide">' in section


def test_ingest_summary_counts_failures_by_reason(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"x": 1}\n{"x": 2}\n{"content": "美方推动脱钩。"}\n', encoding="utf-8")
    result = run("ingest", bad, "--db", tmp_path / "b.duckdb", "-q")
    assert result.exit_code == 1
    assert "1 ingested" in result.stdout and "2 failed" in result.stdout
    assert "  2 failed: no 'content' field" in result.stderr
