import pytest

from pipeline.ingest.driver import ingest
from pipeline.config import IngestSettings
from pipeline.errors import StoreError, StoreLockedError
from pipeline.store import Store

ARTICLE_A = "美国推动友岸外包。\n\n中美两国经济仍然相互依存，全面脱钩难以实现。\n"
ARTICLE_B = "美国对华加征关税。\n\n出口管制范围不断扩大。\n"
SETTINGS = IngestSettings(progress=False)


def counts(db):
    with Store.open(db, read_only=True) as store:
        return store.table_counts()


def test_reingest_is_a_no_op(write, tmp_path):
    a = write("a.txt", ARTICLE_A)
    db = tmp_path / "s.duckdb"
    first = ingest([a], db=db, settings=SETTINGS)
    before = counts(db)
    second = ingest([a], db=db, settings=SETTINGS)
    assert first.counts["ingested"] == 1
    assert second.counts["unchanged"] == 1 and second.counts["ingested"] == 0
    assert counts(db) == before


def test_changed_file_replaces_its_rows(write, tmp_path):
    a = write("a.txt", ARTICLE_A)
    db = tmp_path / "s.duckdb"
    ingest([a], db=db, settings=SETTINGS)
    write("a.txt", ARTICLE_B)
    summary = ingest([a], db=db, settings=SETTINGS)
    assert summary.counts["replaced"] == 1
    with Store.open(db, read_only=True) as store:
        texts = [r["text"] for r in store.query("SELECT text FROM sentences ORDER BY idx")]
        assert store.table_counts()["documents"] == 1
    assert any("关税" in t for t in texts) and not any("友岸外包" in t for t in texts)


def test_same_text_under_two_names_is_stored_once(write, tmp_path):
    a = write("a.txt", ARTICLE_A)
    b = write("copy of a.txt", ARTICLE_A)
    db = tmp_path / "s.duckdb"
    summary = ingest([a, b], db=db, settings=SETTINGS)
    assert summary.counts["ingested"] == 1 and summary.counts["duplicate"] == 1
    assert "same text as a.txt" in summary.duplicates[0].detail
    assert counts(db)["documents"] == 1
    assert ingest([a, b], db=db, settings=SETTINGS).counts["unchanged"] == 2


def test_bad_file_does_not_lose_stored_rows(write, tmp_path):
    a = write("a.txt", ARTICLE_A)
    db = tmp_path / "s.duckdb"
    ingest([a], db=db, settings=SETTINGS)
    before = counts(db)
    bad = write("bad.txt", b"\x89PNG\r\n\x1a\n\x00\x00")
    good = write("b.txt", ARTICLE_B)
    summary = ingest([bad, good], db=db, settings=SETTINGS)
    assert summary.counts["failed"] == 1 and summary.counts["ingested"] == 1
    assert counts(db)["documents"] == before["documents"] + 1


def test_offsets_point_into_raw_text(write, tmp_path):
    db = tmp_path / "s.duckdb"
    ingest([write("a.txt", ARTICLE_A)], db=db, settings=SETTINGS)
    with Store.open(db, read_only=True) as store:
        raw = store.query("SELECT raw_text FROM documents")[0]["raw_text"]
        for row in store.query("SELECT start, \"end\", text FROM sentences"):
            assert raw[row["start"]] == row["text"][0]
            assert raw[row["end"] - 1] == row["text"][-1]


def test_second_writer_gets_a_clear_error(tmp_path):
    db = tmp_path / "s.duckdb"
    import subprocess
    import sys
    import textwrap

    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import time, duckdb
            con = duckdb.connect({str(db)!r})
            print("ready", flush=True)
            time.sleep(30)
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLockedError, match="in use by another policytext process"):
            Store.open(db)
    finally:
        holder.kill()
        holder.wait()


def test_read_only_open_of_missing_store(tmp_path):
    with pytest.raises(StoreError, match="no store here yet"):
        Store.open(tmp_path / "none.duckdb", read_only=True)
