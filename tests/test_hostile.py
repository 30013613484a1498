"""Hostile input: every file of tests/hostile.py is ingested correctly or reported with its
path and a specific reason; nothing crashes the run; no stored row is lost or duplicated."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from pipeline.ingest.driver import ingest
from pipeline.config import IngestSettings
from pipeline.store import CHILD_TABLES, Store

from hostile import Expect, article, integrity_problems, write_corpus


SETTINGS = IngestSettings(progress=False, batch_size=8)
INTERNAL = ("internal error", "Traceback")


def _snapshot(db: Path) -> dict[str, dict[str, int]]:
    """doc_id -> {table: rows} for every stored document."""
    with Store.open(db, read_only=True) as store:
        out: dict[str, dict[str, int]] = {r["doc_id"]: {} for r in store.query("SELECT doc_id FROM documents")}
        for table in CHILD_TABLES:
            for row in store.query(f'SELECT doc_id, count(*) AS n FROM "{table}" GROUP BY doc_id'):
                out.setdefault(row["doc_id"], {})[table] = row["n"]
    return out


def run_hostile(tmp_path: Path, *, large: bool = False) -> tuple[str, list[str]]:
    """Ingest the hostile corpus into a store that already holds good documents.
    Returns (summary line, list of mismatches)."""
    good = tmp_path / "good"
    good.mkdir()
    for i in range(3):
        (good / f"good-{i}.txt").write_text(article(i, 4), encoding="utf-8")
    db = tmp_path / "hostile.duckdb"
    first = ingest([good], db=db, settings=SETTINGS)
    assert first.counts["ingested"] == 3, first.line()
    before = _snapshot(db)

    corpus = tmp_path / "corpus"
    expects, n_files = write_corpus(corpus, large=large)
    crashes = 0
    try:
        summary = ingest([corpus], db=db, settings=SETTINGS)
    except Exception as exc:  # noqa: BLE001 - a crash is what this test looks for
        pytest.fail(f"ingest crashed on the hostile corpus: {type(exc).__name__}: {exc}")

    prefix = str(corpus) + os.sep

    def rel(path: str) -> str:
        assert path.startswith(prefix), f"reported path {path!r} is not inside the corpus"
        return path[len(prefix):]

    failures: dict[str, str] = {}
    for f in summary.failures:
        key = rel(f.path)
        base = os.path.basename(f.path)
        if f.doc != base and f.doc.startswith(base + "#"):
            key += f.doc[len(base):]
        failures[key] = f.reason
        if any(marker in f.reason for marker in INTERNAL):
            crashes += 1
    duplicates = {rel(d.path): d.detail for d in summary.duplicates}
    with Store.open(db, read_only=True) as store:
        stored = {rel(r["path"]): r["raw_text"] for r in store.query("SELECT path, raw_text FROM documents") if r["path"].startswith(prefix)}

    problems: list[str] = []
    groups: dict[str, list[Expect]] = {}
    for e in expects:
        where = f"{e.key!r} ({e.what or e.outcome})"
        if e.outcome == "ingested":
            if e.key not in stored:
                problems.append(f"{where}: expected ingested, got {failures.get(e.key) or duplicates.get(e.key) or 'nothing'}")
            elif e.text is not None and stored[e.key] != e.text:
                problems.append(f"{where}: stored text differs from the original ({stored[e.key][:40]!r} vs {e.text[:40]!r})")
            elif e.contains is not None and e.contains not in stored[e.key]:
                problems.append(f"{where}: stored text lacks {e.contains[:30]!r}")
        elif e.outcome == "failed":
            if e.key not in failures:
                got = "stored" if e.key in stored else "duplicate" if e.key in duplicates else "no report"
                problems.append(f"{where}: expected a failure mentioning {e.reason!r}, got {got}")
            elif e.reason.lower() not in failures[e.key].lower():
                problems.append(f"{where}: reason {failures[e.key]!r} lacks {e.reason!r}")
        elif e.outcome == "duplicate":
            groups.setdefault(e.group, []).append(e)
        elif e.outcome == "skipped":
            if e.key in stored or e.key in failures or e.key in duplicates:
                problems.append(f"{where}: expected to be skipped")
    for name, members in groups.items():
        kept = [m.key for m in members if m.key in stored]
        dups = [m.key for m in members if m.key in duplicates]
        if len(kept) != 1 or len(dups) != len(members) - 1:
            problems.append(f"duplicate group {name}: stored {kept}, duplicates {dups}")
    known = {e.key for e in expects}
    for key in set(stored) | set(failures) | set(duplicates):
        if key not in known:
            problems.append(f"{key!r}: an outcome nobody expected (stored={key in stored}, failed={failures.get(key)!r})")

    after = _snapshot(db)
    lost = sum(
        max(0, n - after.get(doc_id, {}).get(table, 0)) for doc_id, tables in before.items() for table, n in tables.items()
    ) + sum(1 for doc_id in before if doc_id not in after)
    if lost:
        problems.append(f"{lost} rows of the documents stored before were lost")
    problems += integrity_problems(db)

    outcomes = Counter(e.outcome for e in expects)
    line = (
        f"hostile: {n_files} files tried ({len(expects)} items counting JSON Lines records), "
        f"{len(stored)} ingested, {len(failures)} reported with reasons, {len(duplicates)} duplicates, "
        f"{outcomes['skipped']} skipped by design, {crashes} crashes, {lost} rows lost"
    )
    if crashes:
        problems += [f"{k!r}: {r}" for k, r in failures.items() if any(m in r for m in INTERNAL)]
    return line, problems


def test_hostile_corpus(tmp_path):
    line, problems = run_hostile(tmp_path)
    print("\n" + line)
    assert not problems, "\n".join(problems)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_hostile_corpus_with_large_files(tmp_path):
    """Adds the 50 MB single line and the 10 MB JSON Lines record."""
    line, problems = run_hostile(tmp_path, large=True)
    print("\n" + line)
    assert not problems, "\n".join(problems)


def test_generator_writes_at_least_200_files(tmp_path):
    expects, n_files = write_corpus(tmp_path / "c")
    assert n_files >= 200
    assert len({e.key for e in expects}) == len(expects)
    assert {e.outcome for e in expects} == {"ingested", "failed", "duplicate", "skipped"}
