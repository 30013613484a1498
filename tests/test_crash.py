"""Crash safety: SIGKILL an ingest at random moments, re-run it, and the store must equal
the store of a clean run; a second ingest on a busy store refuses cleanly."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hostile import article, integrity_problems, store_fingerprint


ROOT = Path(__file__).resolve().parents[1]
SEED = 20240801
N_DOCS = 300


def _corpus(root: Path) -> Path:
    """A few hundred small documents, one JSON Lines file and a duplicate pair."""
    corpus = root / "corpus"
    corpus.mkdir()
    for i in range(N_DOCS):
        (corpus / f"doc-{i:03d}.txt").write_text(article(i, 2 + i % 5), encoding="utf-8")
    (corpus / "copy-of-doc-007.txt").write_text(article(7, 2 + 7 % 5), encoding="utf-8")
    import json

    lines = [json.dumps({"title": f"记录{i}", "content": article(10_000 + i, 2)}, ensure_ascii=False) for i in range(40)]
    (corpus / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus


def _command(corpus: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "pipeline", "ingest", str(corpus), "--db", str(db), "--quiet", "--batch-size", "16"]


def _run(corpus: Path, db: Path) -> subprocess.CompletedProcess:
    done = subprocess.run(_command(corpus, db), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def _start(corpus: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen(_command(corpus, db), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("crash")
    corpus = _corpus(root)
    db = root / "clean.duckdb"
    started = time.monotonic()
    _run(corpus, db)
    elapsed = time.monotonic() - started
    assert not integrity_problems(db)
    return corpus, store_fingerprint(db), elapsed, root


def _kill_trials(clean_run, trials: int) -> list[str]:
    """Each trial kills the ingest once or twice at seeded random moments, then lets it finish.
    Returns one line per trial that differs from the clean run."""
    corpus, clean, elapsed, root = clean_run
    rng = random.Random(SEED)
    differing = []
    for trial in range(trials):
        db = root / f"trial-{trial}.duckdb"
        moments = []
        for _ in range(1 if trial % 3 else 2):
            moment = rng.uniform(0.2, max(0.5, elapsed * 1.1))
            process = _start(corpus, db)
            time.sleep(moment)
            process.send_signal(signal.SIGKILL)
            process.communicate()
            moments.append(f"{moment:.2f}s")
        _run(corpus, db)
        problems = integrity_problems(db)
        got = store_fingerprint(db)
        if got != clean:
            diff = [k for k in clean if clean[k] != got[k]]
            problems.append(f"differs from the clean run in {diff} (documents {len(got['documents'])} vs {len(clean['documents'])})")
        if problems:
            differing.append(f"trial {trial} (killed at {', '.join(moments)}): {'; '.join(problems)}")
    identical = trials - len(differing)
    print(f"\ncrash-resume: {identical} of {trials} trials identical to the clean run")
    return differing


def test_killed_ingest_resumes_to_the_clean_store(clean_run):
    assert not _kill_trials(clean_run, 3)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_killed_ingest_resumes_to_the_clean_store_20_trials(clean_run):
    assert not _kill_trials(clean_run, 20)


def test_second_ingest_on_a_busy_store_refuses_and_does_no_harm(clean_run):
    corpus, clean, elapsed, root = clean_run
    db = root / "busy.duckdb"
    _run(corpus, db)
    # another policytext process holds the store for writing while the second ingest starts
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import time; from pipeline.store import Store; s = Store.open({str(db)!r}); "
                               "print('ready', flush=True); time.sleep(60)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        second = subprocess.run(_command(corpus, db), cwd=ROOT, capture_output=True, text=True, timeout=120)
    finally:
        holder.kill()
        holder.wait()
    assert second.returncode == 1
    assert "in use by another policytext process" in second.stderr
    assert "Traceback" not in second.stderr
    assert not integrity_problems(db)
    assert store_fingerprint(db) == clean


def test_readers_during_a_write_are_refused_cleanly(tmp_path):
    """The documented decision: while a writer holds the store, readers stop at once with the
    "in use" line (DuckDB's single-writer file lock); they never read a half-written batch."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(article(1, 2), encoding="utf-8")
    db = tmp_path / "s.duckdb"
    _run(corpus, db)
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import time; from pipeline.store import Store; s = Store.open({str(db)!r}); "
                               "print('ready', flush=True); time.sleep(60)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        for command in (["docs"], ["trend", "中国"], ["kwic", "中国"]):
            done = subprocess.run([sys.executable, "-m", "pipeline", *command, "--db", str(db)], cwd=ROOT,
                                  capture_output=True, text=True, timeout=120)
            assert done.returncode == 1 and "in use by another policytext process" in done.stderr, (command, done.stderr)
            assert "Traceback" not in done.stderr
    finally:
        holder.kill()
        holder.wait()
