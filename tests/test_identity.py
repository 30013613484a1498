"""Document identity across re-ingests: a re-ingested corpus ends with exactly the documents of
its current content, whatever was removed, inserted, reordered, swapped or renamed."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.ingest.driver import ingest
from pipeline.config import IngestSettings, ReadSettings
from pipeline.store import CHILD_TABLES, Store

QUIET = IngestSettings(progress=False, run_extraction=False)


def text(i: int) -> str:
    """A short article of its own for every i (written for these tests)."""
    return f"第{i}号评论：美国对华加征关税，两国经贸往来受到冲击。\n\n研究者记录了第{i}次磋商的结果。\n"


def write_dump(path: Path, texts: list[str], ids: list[str] | None = None) -> None:
    rows = [{"title": t[:6], "content": t} | ({"id": ids[n]} if ids else {}) for n, t in enumerate(texts)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def state(db: Path) -> dict:
    """What the store holds, without timestamps: texts with their names and row counts."""
    with Store.open(db, read_only=True) as store:
        q = store.query
        docs = sorted((r["doc_id"], r["doc"], r["path"], r["title"]) for r in q("SELECT doc_id, doc, path, title FROM documents"))
        names = sorted((r["key"], r["doc"], r["doc_id"]) for r in q("SELECT key, doc, doc_id FROM names"))
        rows = {t: sorted(tuple(r.values()) for r in q(f'SELECT doc_id, count(*) AS n FROM "{t}" GROUP BY doc_id')) for t in CHILD_TABLES}
        dangling = q("SELECT count(*) AS n FROM names WHERE doc_id NOT IN (SELECT doc_id FROM documents)")[0]["n"]
        unnamed = q("SELECT count(*) AS n FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM names)")[0]["n"]
    assert dangling == 0 and unnamed == 0
    return {"documents": docs, "names": names, "rows": rows}


def stored_texts(db: Path) -> dict[str, str]:
    """name (doc) -> its text, over every name."""
    with Store.open(db, read_only=True) as store:
        rows = store.query("SELECT n.doc, d.raw_text FROM names n JOIN documents d USING (doc_id)")
    return {r["doc"]: r["raw_text"] for r in rows}


def test_removing_the_first_record_of_a_72_record_dump_keeps_the_other_71(tmp_path):
    dump = tmp_path / "reports.jsonl"
    texts = [text(i) for i in range(72)]
    write_dump(dump, texts)
    db = tmp_path / "s.duckdb"
    assert ingest([dump], db=db, settings=QUIET).counts["ingested"] == 72

    write_dump(dump, texts[1:])
    summary = ingest([dump], db=db, settings=QUIET)

    assert summary.counts["duplicate"] == 0 and summary.counts["removed"] == 1, summary.line()
    assert stored_texts(db) == {f"reports.jsonl#{n + 1}": t for n, t in enumerate(texts[1:])}
    with Store.open(db, read_only=True) as store:
        assert store.table_counts()["documents"] == 71
        assert store.query("SELECT count(*) AS n FROM sentences")[0]["n"] == 71 * 2
    again = ingest([dump], db=db, settings=QUIET)
    assert again.counts["unchanged"] == 71 and again.line().startswith("0 ingested, 71 unchanged")


def test_records_that_only_moved_are_not_processed_again(tmp_path, monkeypatch):
    dump = tmp_path / "reports.jsonl"
    texts = [text(i) for i in range(10)]
    write_dump(dump, texts)
    db = tmp_path / "s.duckdb"
    ingest([dump], db=db, settings=QUIET)
    write_dump(dump, texts[5:] + texts[:5])  # every record moved, none changed

    import pipeline.ingest.tasks as batch

    calls = []
    real = batch.process_raw
    monkeypatch.setattr(batch, "process_raw", lambda raw, *a, **k: calls.append(raw.doc) or real(raw, *a, **k))
    ingest([dump], db=db, settings=QUIET)
    assert calls == []
    assert stored_texts(db) == {f"reports.jsonl#{n + 1}": t for n, t in enumerate(texts[5:] + texts[:5])}


def test_swapping_two_files_keeps_both_texts(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(text(1), encoding="utf-8")
    (corpus / "b.txt").write_text(text(2), encoding="utf-8")
    db = tmp_path / "s.duckdb"
    ingest([corpus], db=db, settings=QUIET)

    (corpus / "a.txt").write_text(text(2), encoding="utf-8")
    (corpus / "b.txt").write_text(text(1), encoding="utf-8")
    summary = ingest([corpus], db=db, settings=QUIET)

    assert summary.counts["replaced"] == 2 and summary.counts["duplicate"] == 0, summary.line()
    assert stored_texts(db) == {"a.txt": text(2), "b.txt": text(1)}


def test_a_folder_given_by_absolute_and_by_relative_path_is_one_corpus(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(4):
        (corpus / f"{i}.txt").write_text(text(i), encoding="utf-8")
    db = tmp_path / "s.duckdb"
    monkeypatch.chdir(tmp_path)
    ingest(["corpus"], db=db, settings=QUIET)
    summary = ingest([str(corpus.resolve())], db=db, settings=QUIET)
    assert summary.counts["unchanged"] == 4 and summary.counts["duplicate"] == 0, summary.line()

    (corpus / "2.txt").write_text(text(20), encoding="utf-8")
    ingest(["./corpus/"], db=db, settings=QUIET)
    texts = stored_texts(db)
    assert texts["2.txt"] == text(20) and text(2) not in texts.values()  # one version, not both
    with Store.open(db, read_only=True) as store:
        assert store.table_counts()["documents"] == 4


def test_a_renamed_file_keeps_one_document_under_its_new_name(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "draft.txt").write_text(text(1), encoding="utf-8")
    db = tmp_path / "s.duckdb"
    ingest([corpus], db=db, settings=QUIET)
    (corpus / "draft.txt").rename(corpus / "final.txt")
    summary = ingest([corpus], db=db, settings=QUIET)
    assert summary.counts["removed"] == 1
    assert stored_texts(db) == {"final.txt": text(1)}


def test_a_file_named_alone_does_not_remove_its_neighbours(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"{i}.txt").write_text(text(i), encoding="utf-8")
    db = tmp_path / "s.duckdb"
    ingest([corpus], db=db, settings=QUIET)
    ingest([corpus / "1.txt"], db=db, settings=QUIET)
    assert len(stored_texts(db)) == 3


def test_id_field_names_records_by_their_id(tmp_path):
    dump = tmp_path / "items.jsonl"
    write_dump(dump, [text(i) for i in range(3)], ids=["a", "b", "c"])
    db = tmp_path / "s.duckdb"
    by_id = IngestSettings(progress=False, run_extraction=False)
    read = ReadSettings(id_field="id")
    ingest([dump], db=db, read=read, settings=by_id)
    write_dump(dump, [text(9), text(0), text(2)], ids=["z", "a", "c"])  # b removed, z inserted at the top
    summary = ingest([dump], db=db, read=read, settings=by_id)
    assert (summary.counts["ingested"], summary.counts["unchanged"], summary.counts["removed"]) == (1, 2, 1), summary.line()
    assert stored_texts(db) == {"items.jsonl#z": text(9), "items.jsonl#a": text(0), "items.jsonl#c": text(2)}


def test_a_duplicate_id_is_a_failure_of_that_record(tmp_path):
    dump = tmp_path / "items.jsonl"
    write_dump(dump, [text(i) for i in range(3)], ids=["a", "b", "a"])
    summary = ingest([dump], db=tmp_path / "s.duckdb", read=ReadSettings(id_field="id"), settings=QUIET)
    assert summary.counts["ingested"] == 2
    [failure] = summary.failures
    assert "line 3: duplicate id 'a' (also on line 1)" in failure.reason


def test_a_record_that_now_fails_keeps_its_stored_version(tmp_path):
    dump = tmp_path / "reports.jsonl"
    write_dump(dump, [text(0), text(1)])
    db = tmp_path / "s.duckdb"
    ingest([dump], db=db, settings=QUIET)
    lines = dump.read_text(encoding="utf-8").splitlines()
    dump.write_text(lines[0] + "\n" + "{broken\n", encoding="utf-8")
    summary = ingest([dump], db=db, settings=QUIET)
    assert summary.counts["failed"] == 1 and summary.counts["removed"] == 0
    assert stored_texts(db) == {"reports.jsonl#1": text(0), "reports.jsonl#2": text(1)}


# -- the property: any sequence of edits ends where a fresh ingest of the final state does --------

EDITS = st.lists(
    st.tuples(
        st.sampled_from(["remove_record", "insert_record", "swap_records", "edit_record", "swap_files", "rename_file",
                         "delete_file", "copy_file", "edit_file", "record_to_file"]),
        st.integers(0, 20), st.integers(0, 20), st.integers(100, 140),
    ),
    min_size=1, max_size=4,
)


class Corpus:
    """A folder of files and one JSON Lines dump, edited in place."""

    def __init__(self, root: Path):
        self.root = root
        self.dump = root / "dump.jsonl"
        root.mkdir(parents=True)
        for i in range(3):
            (root / f"f{i}.txt").write_text(text(i), encoding="utf-8")
        self.records = [text(10 + i) for i in range(5)]
        self.save()

    def save(self) -> None:
        write_dump(self.dump, self.records)

    def files(self) -> list[Path]:
        return sorted(p for p in self.root.glob("*.txt"))

    def apply(self, edit: str, i: int, j: int, fresh: int) -> None:
        recs, files = self.records, self.files()
        if edit == "remove_record" and recs:
            recs.pop(i % len(recs))
        elif edit == "insert_record":
            recs.insert(i % (len(recs) + 1), text(fresh) if j % 3 else (recs[j % len(recs)] if recs else text(fresh)))
        elif edit == "swap_records" and len(recs) > 1:
            a, b = i % len(recs), j % len(recs)
            recs[a], recs[b] = recs[b], recs[a]
        elif edit == "edit_record" and recs:
            recs[i % len(recs)] = text(fresh)
        elif edit == "swap_files" and len(files) > 1:
            a, b = files[i % len(files)], files[j % len(files)]
            ta, tb = a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")
            a.write_text(tb, encoding="utf-8")
            b.write_text(ta, encoding="utf-8")
        elif edit == "rename_file" and files and not (self.root / f"r{fresh}.txt").exists():
            files[i % len(files)].rename(self.root / f"r{fresh}.txt")
        elif edit == "delete_file" and files:
            files[i % len(files)].unlink()
        elif edit == "copy_file" and files and not (self.root / f"c{fresh}.txt").exists():
            shutil.copy(files[i % len(files)], self.root / f"c{fresh}.txt")
        elif edit == "edit_file" and files:
            files[i % len(files)].write_text(text(fresh), encoding="utf-8")
        elif edit == "record_to_file" and recs:
            (self.root / f"x{fresh}.txt").write_text(recs[i % len(recs)], encoding="utf-8")
        self.save()


def _check_edit_sequences(tmp_path_factory, steps, how) -> None:
    base = tmp_path_factory.mktemp("edits")
    corpus = Corpus(base / "corpus")
    db = base / "incremental.duckdb"
    cwd = os.getcwd()
    try:
        os.chdir(base)
        ingest(["corpus"], db=db, settings=QUIET)
        for (edit, i, j, fresh), absolute in zip(steps, how):
            corpus.apply(edit, i, j, fresh)
            ingest([str(corpus.root) if absolute else "corpus"], db=db, settings=QUIET)
    finally:
        os.chdir(cwd)
    fresh_db = base / "fresh.duckdb"
    ingest([corpus.root], db=fresh_db, settings=QUIET)
    assert state(db) == state(fresh_db)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=EDITS, how=st.lists(st.booleans(), min_size=4, max_size=4))
def test_edit_sequences_end_as_a_fresh_ingest(tmp_path_factory, steps, how):
    _check_edit_sequences(tmp_path_factory, steps, how)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=EDITS, how=st.lists(st.booleans(), min_size=4, max_size=4))
def test_edit_sequences_end_as_a_fresh_ingest_200_examples(tmp_path_factory, steps, how):
    _check_edit_sequences(tmp_path_factory, steps, how)
