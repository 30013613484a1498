"""One bad record never takes the batch down: each becomes one failure line naming the file and
line, the other records are stored (with --workers 1 and 2, in a JSONL or CSV --manifest, in
`tag`); impossible dates and NaN/Infinity never reach the store; names cannot forge lines."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config import IngestSettings
from pipeline.ingest.driver import ingest
from pipeline.store import Store

from hostile import article

HUGE = "7" * 5000  # above Python's 4,300-digit limit for int()


def _records(tmp_path):
    lines = [
        json.dumps({"content": article(1, 2)}, ensure_ascii=False),
        '{"content": "x", "n": ' + HUGE + "}",
        json.dumps({"content": article(3, 2), "nested": {"deep": [1, {"n": 2}]}, "score": 1.5}, ensure_ascii=False)[:-1] + ', "bad": NaN, "inf": Infinity, "big": 1e999}',
        json.dumps({"content": ["a", "list"]}),
        json.dumps({"content": {"an": "object"}}),
        json.dumps({"content": article(6, 2), "published": "2023-13-45"}, ensure_ascii=False),
        json.dumps({"content": article(7, 2), "published": "2024-02-30", "title": {"not": "text"}}, ensure_ascii=False),
        json.dumps({"content": article(8, 2), "published": "2024-02-29"}, ensure_ascii=False),
    ]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "dump.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus


@pytest.mark.parametrize("workers", [1, 2])
def test_bad_records_fail_alone(tmp_path, workers):
    corpus = _records(tmp_path)
    db = tmp_path / "s.duckdb"
    summary = ingest([corpus], db=db, settings=IngestSettings(progress=False, run_extraction=False, workers=workers))
    reasons = {f.doc: f.reason for f in summary.failures}
    assert set(reasons) == {"dump.jsonl#2", "dump.jsonl#4", "dump.jsonl#5"}
    assert "4,300" in reasons["dump.jsonl#2"] and "line 2" in reasons["dump.jsonl#2"]
    assert "JSON list" in reasons["dump.jsonl#4"] and "JSON dict" in reasons["dump.jsonl#5"]
    with Store.open(db, read_only=True) as store:
        rows = {r["doc"]: r for r in store.query("SELECT doc, published, year, date_evidence, title, metadata FROM documents")}
    assert set(rows) == {"dump.jsonl#1", "dump.jsonl#3", "dump.jsonl#6", "dump.jsonl#7", "dump.jsonl#8"}
    # impossible dates are not publication dates; the note says why
    for doc, value in (("dump.jsonl#6", "2023-13-45"), ("dump.jsonl#7", "2024-02-30")):
        assert rows[doc]["published"] is None and rows[doc]["year"] is None
        assert value in rows[doc]["date_evidence"] and "not a calendar date" in rows[doc]["date_evidence"]
    assert rows["dump.jsonl#8"]["published"] == "2024-02-29"
    # NaN / Infinity / 1e999 are not JSON: stored as null, and the metadata column stays JSON
    metadata = rows["dump.jsonl#3"]["metadata"]
    assert "NaN" not in metadata and "Infinity" not in metadata
    parsed = json.loads(metadata, parse_constant=lambda c: pytest.fail(f"{c} in stored metadata"))
    assert parsed["bad"] is None and parsed["inf"] is None and parsed["big"] is None and parsed["score"] == 1.5


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_bad_manifest_line_fails_alone(tmp_path, suffix):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"a{i}.txt").write_text(article(i, 2), encoding="utf-8")
    manifest = tmp_path / f"m{suffix}"
    if suffix == ".jsonl":
        manifest.write_text('{"file": "a0.txt", "title": "甲"}\n{"file": "a1.txt", "n": ' + HUGE + '}\n[1, 2]\n'
                            '{"file": 5}\n{"file": "a2.txt", "title": "丙"}\n', encoding="utf-8")
    else:
        manifest.write_text(f'file,title\na0.txt,甲\na1.txt,"{"长" * 200_000}"\na2.txt,丙\n', encoding="utf-8")
    db = tmp_path / "s.duckdb"
    summary = ingest([corpus], db=db, manifest=manifest, settings=IngestSettings(progress=False, run_extraction=False))
    assert summary.counts["ingested"] == 3
    assert summary.failures and all(f.path == str(manifest) and "manifest line" in f.reason for f in summary.failures)
    assert any(("4,300" if suffix == ".jsonl" else "field limit") in f.reason for f in summary.failures)
    with Store.open(db, read_only=True) as store:
        titles = dict(store.con.execute("SELECT doc, title FROM documents").fetchall())
    assert titles["a0.txt"] == "甲" and titles["a2.txt"] == "丙"


def test_tag_reports_a_huge_number_and_tags_the_rest(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "美国推动脱钩。"}\n{"text": "合作。", "n": ' + HUGE + '}\n{"text": "扩大开放。", "x": NaN}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["tag", str(source)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "line 2" in result.stderr and "4,300" in result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in out] == ["美国推动脱钩。", "扩大开放。"] and out[1]["x"] is None


def test_a_file_name_cannot_forge_a_failed_line(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty\nFAILED forged.txt: fake.txt").write_bytes(b"")
    (corpus / "ok.txt").write_text(article(1, 2), encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(corpus), "--db", str(tmp_path / "s.duckdb"), "-q", "--no-extract"])
    assert result.exit_code == 1
    failed = [line for line in result.stderr.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and "\\x0aFAILED forged.txt" in failed[0]
