"""Untrusted input: no pickle anywhere, manifests cannot make the ingester read files, the
store is written only inside a transaction."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.ingest.driver import ingest
from pipeline.config import IngestSettings
from pipeline.store import Store

from hostile import article

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"
SETTINGS = IngestSettings(progress=False, run_extraction=False)


def test_no_pickle_loading_in_the_package():
    pattern = re.compile(r"\bimport pickle\b|\bfrom pickle\b|pickle\.loads?\(|joblib\.load|torch\.load|cloudpickle|dill\.load|\bshelve\b|np\.load\(.*allow_pickle\s*=\s*True")
    hits = [
        f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}"
        for path in PACKAGE.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert not hits, "\n".join(hits)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_manifest_entries_cannot_make_the_ingester_read_files(tmp_path, suffix):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("机密文件内容，不应被读取。", encoding="utf-8")
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(article(1), encoding="utf-8")
    targets = ["../../etc/passwd", "/etc/passwd", str(secret), "../outside/secret.txt", "a.txt"]
    manifest = tmp_path / f"manifest{suffix}"
    if suffix == ".jsonl":
        manifest.write_text("\n".join(json.dumps({"file": t, "title": "标题", "path": str(secret)}) for t in targets), encoding="utf-8")
    else:
        manifest.write_text("file,title,path\n" + "\n".join(f"{t},标题,{secret}" for t in targets), encoding="utf-8")
    db = tmp_path / "s.duckdb"
    summary = ingest([folder], db=db, manifest=manifest, settings=SETTINGS)
    assert summary.counts["ingested"] == 1 and not summary.failures
    with Store.open(db, read_only=True) as store:
        rows = store.query("SELECT path, raw_text FROM documents")
    assert [r["path"] for r in rows] == [str(folder / "a.txt")]
    assert "机密" not in rows[0]["raw_text"] and "root:" not in rows[0]["raw_text"]


def test_jsonl_record_fields_cannot_make_the_ingester_read_files(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"content": article(2), "path": "/etc/passwd", "file": "../../etc/passwd"}) + "\n", encoding="utf-8")
    db = tmp_path / "s.duckdb"
    ingest([corpus], db=db, settings=SETTINGS)
    with Store.open(db, read_only=True) as store:
        (row,) = store.query("SELECT path, raw_text FROM documents")
    assert row["path"] == f"{corpus}#1" and "root:" not in row["raw_text"]


class _Recording:
    """A DuckDB connection that records writes made outside BEGIN … COMMIT/ROLLBACK."""

    WRITE = re.compile(r"^\s*(INSERT|DELETE|UPDATE|CREATE|DROP|ALTER)\b", re.I)

    def __init__(self, con):
        self._con = con
        self.open = False
        self.outside: list[str] = []
        self.inside = 0

    def execute(self, sql, *args, **kwargs):
        head = sql.strip().split()[0].upper() if sql.strip() else ""
        if head == "BEGIN":
            self.open = True
        elif head in ("COMMIT", "ROLLBACK"):
            self.open = False
        elif self.WRITE.match(sql):
            if self.open:
                self.inside += 1
            else:
                self.outside.append(sql[:80])
        self._con.execute(sql, *args, **kwargs)
        return self

    def __getattr__(self, name):
        return getattr(self._con, name)


def test_store_is_written_only_inside_transactions(tmp_path, monkeypatch):
    import duckdb

    import pipeline.store.store as store_module

    recorders: list[_Recording] = []
    real_connect = duckdb.connect

    def connect(*args, **kwargs):
        recorder = _Recording(real_connect(*args, **kwargs))
        recorders.append(recorder)
        return recorder

    monkeypatch.setattr(store_module.duckdb, "connect", connect)
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.txt").write_text(article(1), encoding="utf-8")
    (folder / "b.txt").write_text(article(1), encoding="utf-8")  # a duplicate
    db = tmp_path / "s.duckdb"
    ingest([folder], db=db, settings=IngestSettings(progress=False))
    (folder / "a.txt").write_text(article(3), encoding="utf-8")  # a replacement
    ingest([folder], db=db, settings=IngestSettings(progress=False))
    assert recorders and sum(r.inside for r in recorders) > 0
    assert [sql for r in recorders for sql in r.outside] == []
