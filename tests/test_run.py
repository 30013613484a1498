"""The job behind `make run`: which corpus it takes, and what it leaves behind."""

import json

from pipeline.config import SAMPLE_CORPUS, IngestSettings
from pipeline.run import default_corpus, run_default
from pipeline.store import Store


def test_default_corpus_is_the_shared_one_when_present(tmp_path):
    seeds = tmp_path / "corpus" / "seeds"
    reports = tmp_path / "corpus" / "gov-work-reports"
    seeds.mkdir(parents=True)
    reports.mkdir()
    (seeds / "a.txt").write_text("甲。", encoding="utf-8")
    (seeds / "manifest.jsonl").write_text(json.dumps({"file": "a.txt", "title": "甲"}) + "\n", encoding="utf-8")
    (reports / "r.jsonl").write_text(json.dumps({"content": "乙。"}) + "\n", encoding="utf-8")
    (reports / "README.md").write_text("# about these reports\n", encoding="utf-8")
    parts = default_corpus(tmp_path)
    assert [p.paths for p in parts] == [[seeds / "a.txt"], [reports / "r.jsonl"]]
    assert parts[0].manifest == seeds / "manifest.jsonl" and parts[1].manifest is None


def test_default_corpus_falls_back_to_the_sample(tmp_path):
    [part] = default_corpus(tmp_path / "nowhere")
    assert part.paths and all(p.parent == SAMPLE_CORPUS for p in part.paths)
    assert not any(p.name in ("manifest.jsonl", "README.md") for p in part.paths)


def test_run_ingests_the_sample_and_writes_the_report(tmp_path):
    db = tmp_path / "run.duckdb"
    result = run_default(db=db, shared=tmp_path / "nowhere", report_dir=tmp_path / "report", models_dir=None,
                         settings=IngestSettings(progress=False))
    [(part, summary)] = result.parts
    files = [p for p in part.paths if p.suffix != ".jsonl"]
    records = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in part.paths if p.suffix == ".jsonl")
    assert summary.ok and summary.counts["ingested"] == len(files) + records
    assert (tmp_path / "report" / "index.html").exists() and result.outputs["report"].endswith("index.html")
    assert "model" not in result.outputs
    with Store.open(db, read_only=True) as store:
        assert store.table_counts()["documents"] >= len(part.paths)
    again = run_default(db=db, shared=tmp_path / "nowhere", report_dir=tmp_path / "report", models_dir=None,
                        settings=IngestSettings(progress=False))
    assert again.parts[0][1].counts["ingested"] == 0  # a second run changes nothing
