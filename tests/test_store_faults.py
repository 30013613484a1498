"""Store and file-system faults on every command: one clear line, exit status 1, no traceback,
and the file is never overwritten."""

from __future__ import annotations

import errno
import hashlib
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config import IngestSettings
from pipeline.ingest.driver import ingest

from hostile import article

ROOT = Path(__file__).resolve().parents[1]
READERS = [["docs"], ["sentences"], ["citations"], ["audit"], ["trend", "中国"], ["kwic", "中国"]]
WRITERS = [["retag", "-q"], ["recount-terms"], ["predict", "--model", "models/none"]]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def good_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    corpus = root / "corpus"
    corpus.mkdir()
    for i in range(12):
        (corpus / f"d{i:02d}.txt").write_text(article(i, 4), encoding="utf-8")
    db = root / "good.duckdb"
    ingest([corpus], db=db, settings=IngestSettings(progress=False, batch_size=4))
    return corpus, db


def _bad_files(root: Path, good: Path) -> dict[str, Path]:
    files = {}
    files["sqlite"] = root / "sq.db"
    files["sqlite"].write_bytes(b"SQLite format 3\x00" + bytes(4080))
    files["foreign"] = root / "foreign.duckdb"
    con = duckdb.connect(str(files["foreign"]))
    con.execute("CREATE TABLE accounts (id INTEGER)")
    con.close()
    files["text"] = root / "notes.duckdb"
    files["text"].write_text("just some notes\n" * 50, encoding="utf-8")
    data = good.read_bytes()
    for cut in (0.3, 0.6, 0.95):
        files[f"truncated-{cut}"] = root / f"trunc-{cut}.duckdb"
        files[f"truncated-{cut}"].write_bytes(data[: int(len(data) * cut)])
    files["garbled"] = root / "garbled.duckdb"
    files["garbled"].write_bytes(data[:4096 * 3] + bytes(b ^ 0x5A for b in data[4096 * 3:]))
    return files


EXPECT = {"sqlite": "a SQLite database", "foreign": "without policytext tables", "text": "not a DuckDB file",
          "truncated-0.3": "damaged", "truncated-0.6": "damaged", "truncated-0.95": "damaged", "garbled": "damaged"}


@pytest.mark.parametrize("command", READERS + WRITERS + [["ingest", "CORPUS", "-q"], ["export", "--out", "OUT"], ["report", "--out", "OUT"], ["train", "--out", "OUT", "--no-eval"]])
def test_a_db_that_is_not_a_good_store_gives_one_line(good_store, tmp_path, command):
    corpus, good = good_store
    files = _bad_files(tmp_path, good)
    for kind, path in files.items():
        before = _digest(path)
        args = [str(corpus) if a == "CORPUS" else str(tmp_path / f"out-{uuid.uuid4().hex[:6]}") if a == "OUT" else a for a in command]
        result = CliRunner().invoke(cli, [*args, "--db", str(path)])
        assert result.exit_code == 1, (kind, command, result.output, result.exception)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), (kind, command, result.stderr)
        assert EXPECT[kind] in lines[0], (kind, command, lines[0])
        assert _digest(path) == before, f"{kind}: {command} changed the file"
        assert not Path(str(path) + ".wal").exists()


@pytest.mark.parametrize("db", ["", ":memory:", ":memory:x"])
@pytest.mark.parametrize("command", [["ingest", "CORPUS", "-q"], ["retag", "-q"], ["predict", "--model", "m"], ["docs"]])
def test_no_file_name_is_refused(good_store, db, command):
    corpus, _ = good_store
    args = [str(corpus) if a == "CORPUS" else a for a in command]
    result = CliRunner().invoke(cli, [*args, "--db", db])
    assert result.exit_code == 1 and "name a store file" in result.stderr and "ingested" not in result.output


def test_sqlite_file_is_refused_before_duckdb_sees_it(tmp_path, monkeypatch):
    import pipeline.store.store as store_module

    path = tmp_path / "sq.db"
    path.write_bytes(b"SQLite format 3\x00" + bytes(4080))
    monkeypatch.setattr(store_module.duckdb, "connect", lambda *a, **k: pytest.fail("DuckDB opened a SQLite file"))
    result = CliRunner().invoke(cli, ["docs", "--db", str(path)])
    assert result.exit_code == 1 and "a SQLite database" in result.stderr


def test_unwritable_outputs_give_one_line(good_store, tmp_path):
    _, db = good_store
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for args in (["trend", "中国", "--plot", str(blocker / "p.html")], ["export", "--out", str(blocker / "e")],
                 ["report", "--out", str(blocker / "r")], ["train", "--out", str(blocker / "m"), "--no-eval"]):
        result = CliRunner().invoke(cli, [*args, "--db", str(db)])
        assert result.exit_code in (1, 2), (args, result.output)
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
        assert "Traceback" not in result.output and len(errors) == 1 and "a-file" in errors[0], (args, result.stderr)


def test_enospc_at_the_writer_says_what_was_committed(good_store, tmp_path, monkeypatch):
    """A file-system wrapper: the third batch write fails with ENOSPC."""
    import pipeline.store.store as store_module

    corpus, _ = good_store
    db = tmp_path / "s.duckdb"
    real = store_module.Store.write_prepared
    calls = {"n": 0}

    def write_prepared(self, batch):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(db))
        return real(self, batch)

    monkeypatch.setattr(store_module.Store, "write_prepared", write_prepared)
    result = CliRunner().invoke(cli, ["ingest", str(corpus), "--db", str(db), "-q", "--batch-size", "4", "--no-extract"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no space left" in result.stderr and "8 documents committed" in result.stderr
    monkeypatch.setattr(store_module.Store, "write_prepared", real)
    again = CliRunner().invoke(cli, ["ingest", str(corpus), "--db", str(db), "-q", "--batch-size", "4", "--no-extract"])
    assert again.exit_code == 0 and "4 ingested, 8 unchanged" in again.output


def _tmpfs(where: Path, size: str) -> bool:
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    return done.returncode == 0


def test_enospc_on_a_small_tmpfs_keeps_the_committed_store_and_a_rerun_completes(tmp_path):
    disk = tmp_path / "disk"
    if not _tmpfs(disk, "3m"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        for i in range(400):
            (corpus / f"d{i:03d}.txt").write_text(article(i, 6), encoding="utf-8")
        db = disk / "s.duckdb"
        command = [sys.executable, "-m", "pipeline", "ingest", str(corpus), "--db", str(db), "-q", "--batch-size", "16", "--no-extract"]
        full = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert full.returncode == 1 and "Traceback" not in full.stderr, full.stderr[-1500:]
        assert "no space left on the device" in full.stderr
        committed = int(full.stderr.split(" documents committed")[0].rsplit("(", 1)[1])
        assert 0 < committed < 400
        moved = tmp_path / "s.duckdb"
        shutil.copy(db, moved)
        if Path(str(db) + ".wal").exists():
            shutil.copy(str(db) + ".wal", str(moved) + ".wal")
        listed = subprocess.run([sys.executable, "-m", "pipeline", "docs", "--db", str(moved), "--format", "jsonl"], cwd=ROOT, capture_output=True, text=True)
        assert listed.returncode == 0 and len(listed.stdout.splitlines()) >= committed
        command[command.index(str(db))] = str(moved)
        rerun = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert rerun.returncode == 0, rerun.stderr[-1500:]
        assert "unchanged" in rerun.stdout
        listed = subprocess.run([sys.executable, "-m", "pipeline", "docs", "--db", str(moved), "--format", "jsonl"], cwd=ROOT, capture_output=True, text=True)
        assert len(listed.stdout.splitlines()) == 400
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)
