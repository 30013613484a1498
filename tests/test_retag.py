"""policytext retag: a lexicon edit changes exactly the rows it affects; an up-to-date store is
left alone; a killed retag finished by a second run equals one uninterrupted run."""

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.config import LEXICON_DIR, IngestSettings
from pipeline.ingest.driver import ingest
from pipeline.ingest.retag import retag, stale_counts
from pipeline.store import Store

ROOT = Path(__file__).resolve().parents[1]
TEXTS = {
    "a.txt": "区域伙伴关系论坛讨论了港口合作。\n\n美国推动对华脱钩。\n",
    "b.txt": "两国企业在新能源领域开展合作。\n\n会议讨论了气候议题。\n",
    "c.txt": "今天的天气很好。\n\n区域伙伴关系论坛明年再次召开。\n",
}
NEW_ALIAS = "区域伙伴关系论坛"  # added to OTHER_FRAMEWORK by the tests, in a copy of the lexicons


def derived(db, *, with_version=False):
    """The derived rows of a store, version left out unless asked (what made them is not what they say)."""
    with Store.open(db, read_only=True) as store:
        q = store.query
        cols = "d.doc, m.sentence, m.kind, m.label, m.surface, m.start" + (", m.version" if with_version else "")
        mentions = sorted(tuple(r.values()) for r in q(f"SELECT {cols} FROM mentions m JOIN documents d USING (doc_id)"))
        stance = sorted(tuple(r.values()) for r in q("SELECT d.doc, s.sentence, s.label, s.source FROM stance s JOIN documents d USING (doc_id)"))
        findings = sorted(tuple(r.values()) for r in q("SELECT d.doc, f.kind, f.sentence FROM findings f JOIN documents d USING (doc_id)"))
        counts = sorted(tuple(r.values()) for r in q("SELECT d.doc, t.sentence, t.key, t.n FROM term_counts t JOIN documents d USING (doc_id)"))
    return {"mentions": mentions, "stance": stance, "findings": findings, "term_counts": counts}


@pytest.fixture
def store(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    db = tmp_path / "s.duckdb"
    ingest([folder], db=db, settings=IngestSettings(progress=False))
    lexicons = tmp_path / "lexicons"
    shutil.copytree(LEXICON_DIR, lexicons, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return db, lexicons


def add_alias(lexicons: Path) -> None:
    path = lexicons / "frameworks.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  OTHER_FRAMEWORK:" in text
    head, tail = text.split("  OTHER_FRAMEWORK:", 1)
    tail = tail.replace("aliases: [", f"aliases: [{NEW_ALIAS}, ", 1)
    path.write_text(head + "  OTHER_FRAMEWORK:" + tail, encoding="utf-8")


def test_an_up_to_date_store_is_left_alone(store):
    db, lexicons = store
    before = derived(db, with_version=True)
    with Store.open(db) as s:
        assert stale_counts(s) == {"extract": 0, "citations": 0, "audit": 0, "terms": 0}
        summary = retag(s)
    assert summary.documents == 0 and derived(db, with_version=True) == before


def test_a_lexicon_edit_changes_exactly_the_rows_it_affects(store):
    db, lexicons = store
    before = derived(db)
    add_alias(lexicons)
    with Store.open(db) as s:
        assert stale_counts(s, lexicon_dir=str(lexicons))["extract"] == 3
        summary = retag(s, lexicon_dir=str(lexicons), stages=["extract"])
        assert summary.stages == {"extract": 3}
        assert stale_counts(s, lexicon_dir=str(lexicons), stages=["extract"]) == {"extract": 0}
        versions = {r["version"] for r in s.query("SELECT DISTINCT version FROM mentions")}
    after = derived(db)
    added = set(after["mentions"]) - set(before["mentions"])
    assert set(before["mentions"]) - set(after["mentions"]) == set()
    assert sorted((m[0], m[1], m[3], m[4]) for m in added) == [("a.txt", 0, "OTHER_FRAMEWORK", NEW_ALIAS),
                                                               ("c.txt", 1, "OTHER_FRAMEWORK", NEW_ALIAS)]
    assert after["stance"] == before["stance"] and after["term_counts"] == before["term_counts"]
    assert len(versions) == 1  # every mention now says which lexicons made it
    with Store.open(db) as s:
        assert retag(s, lexicon_dir=str(lexicons), stages=["extract"]).documents == 0  # a re-run is a no-op


def test_a_models_stance_rows_survive_a_retag_of_the_rules(store):
    db, lexicons = store
    with Store.open(db) as s:
        s.con.execute("INSERT INTO stance SELECT doc_id, sentence, 'NONE', 'model:x', NULL, 0.9, 'm1' FROM stance")
        retag(s, force=True, stages=["extract"])
        assert s.query("SELECT count(*) AS n FROM stance WHERE source = 'model:x'")[0]["n"] == 6


def test_unknown_stage_is_a_clear_error(store):
    db, _ = store
    from pipeline.errors import PipelineError

    with Store.open(db) as s, pytest.raises(PipelineError, match="unknown stage 'tagging'; choose from extract, citations, audit, terms"):
        retag(s, stages=["tagging"])


def _big_store(tmp_path: Path) -> Path:
    folder = tmp_path / "big"
    folder.mkdir()
    rng = random.Random(7)
    pieces = ["美国推动对华脱钩。", "两国企业开展合作。", "区域伙伴关系论坛讨论港口。", "今天天气很好。", "华盛顿对中国商品加征关税。"]
    for i in range(240):
        (folder / f"d{i:03d}.txt").write_text("\n\n".join(rng.choice(pieces) + f"第{i}号。" for _ in range(6)), encoding="utf-8")
    db = tmp_path / "big.duckdb"
    ingest([folder], db=db, settings=IngestSettings(progress=False))
    return db


def _retag_command(db: Path, lexicons: Path) -> list[str]:
    return [sys.executable, "-m", "pipeline", "retag", "--db", str(db), "--lexicons", str(lexicons), "--batch-size", "10", "-q"]


def test_a_killed_retag_finished_by_a_rerun_equals_one_run(tmp_path):
    db = _big_store(tmp_path)
    lexicons = tmp_path / "lexicons"
    shutil.copytree(LEXICON_DIR, lexicons, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    add_alias(lexicons)
    clean = tmp_path / "clean.duckdb"
    shutil.copy(db, clean)
    started = time.monotonic()
    subprocess.run(_retag_command(clean, lexicons), cwd=ROOT, check=True, capture_output=True, timeout=300)
    elapsed = time.monotonic() - started
    expected = derived(clean, with_version=True)
    for trial, moment in enumerate((0.6, 0.75, 0.9)):
        copy = tmp_path / f"killed-{trial}.duckdb"
        shutil.copy(db, copy)
        process = subprocess.Popen(_retag_command(copy, lexicons), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(elapsed * moment)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        subprocess.run(_retag_command(copy, lexicons), cwd=ROOT, check=True, capture_output=True, timeout=300)
        assert derived(copy, with_version=True) == expected, f"trial {trial}: killed at {elapsed * moment:.1f}s"
