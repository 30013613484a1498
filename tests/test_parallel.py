"""Distributed ingestion gives the same store as one process; memory stays bounded."""

import json

import duckdb
import pytest

from pipeline.ingest.driver import ingest
from pipeline.ingest.tasks import FilesTask, RecordsTask, Scopes, make_tasks
from pipeline.config import SAMPLE_CORPUS, IngestSettings, ReadSettings
from pipeline.store import TABLES, Store

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    """A local Dask cluster of 2 worker processes, as `dask scheduler` + 2 `dask worker`s."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40) as c:
        yield c


def snapshot(db):
    """Every table's rows, sorted, without the ingestion time."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for table, columns in TABLES.items():
            names = ", ".join(f'"{c}"' for c, _ in columns if c != "ingested_at")
            out[table] = sorted(map(repr, con.execute(f'SELECT {names} FROM "{table}"').fetchall()))
        return out
    finally:
        con.close()


def test_cluster_ingest_equals_single_process(cluster, tmp_path):
    paths = [SAMPLE_CORPUS]
    manifest = SAMPLE_CORPUS / "manifest.jsonl"
    one = ingest(paths, db=tmp_path / "one.duckdb", manifest=manifest, settings=IngestSettings(progress=False, batch_size=2))
    many = ingest(
        paths, db=tmp_path / "many.duckdb", manifest=manifest,
        settings=IngestSettings(progress=False, batch_size=2, scheduler=cluster.scheduler_address),
    )
    assert one.counts == many.counts
    assert one.counts["ingested"] >= 4
    expected, got = snapshot(tmp_path / "one.duckdb"), snapshot(tmp_path / "many.duckdb")
    assert {t: len(rows) for t, rows in got.items()} == {t: len(rows) for t, rows in expected.items()}
    for table in TABLES:
        assert got[table] == expected[table], table
    assert expected["sentences"] and expected["mentions"] and expected["stance"]


def test_rjieba_backend_gives_the_same_store(cluster, tmp_path):
    paths = [SAMPLE_CORPUS]
    ingest(paths, db=tmp_path / "jieba.duckdb", settings=IngestSettings(progress=False))
    ingest(paths, db=tmp_path / "rjieba.duckdb", settings=IngestSettings(progress=False, segmenter="rjieba", scheduler=cluster.scheduler_address))
    assert snapshot(tmp_path / "rjieba.duckdb") == snapshot(tmp_path / "jieba.duckdb")


def test_unknown_segmenter_is_a_clear_error(tmp_path):
    from pipeline.errors import PipelineError

    with pytest.raises(PipelineError, match="unknown segmenter 'pkuseg'; choose one of jieba, rjieba"):
        ingest([SAMPLE_CORPUS], db=tmp_path / "x.duckdb", settings=IngestSettings(progress=False, segmenter="pkuseg"))


def test_at_most_two_tasks_per_worker_in_flight(cluster):
    from pipeline.ingest.dask_runner import run_distributed
    from pipeline.ingest.tasks import run_task

    pulled = [0]
    ahead: list[int] = []

    def tasks():
        for _ in range(12):
            pulled[0] += 1
            yield FilesTask([], {})

    kwargs = {"manifest": None, "read": ReadSettings(), "run_extraction": False}
    done = 0
    for _ in run_distributed(run_task, tasks(), kwargs, workers=2, scheduler=cluster.scheduler_address):
        done += 1
        ahead.append(pulled[0] - done)  # submitted but not yet handed to the writer
    assert done == 12
    assert max(ahead) <= 2 * 2


def test_jsonl_is_read_incrementally(tmp_path):
    """make_tasks yields the first batch of a JSON Lines file before reading the rest: a
    non-UTF-8 line near the end is only seen when the stream gets there."""
    dump = tmp_path / "dump.jsonl"
    lines = [json.dumps({"content": f"第{i}条。美国对华加征关税。"}, ensure_ascii=False).encode() for i in range(1000)]
    lines[900] = b'{"content": "\xff\xfe"}'
    dump.write_bytes(b"\n".join(lines) + b"\n")
    failures = []
    store = Store.open(tmp_path / "s.duckdb")
    tasks = make_tasks([dump], store, batch_size=10, failures=failures, read=ReadSettings(), manifest={}, scopes=Scopes())
    first = next(tasks)
    assert isinstance(first, RecordsTask) and [r.number for r in first.lines] == list(range(1, 11))
    assert failures == []
    rest = list(tasks)
    assert all(len(t.lines) <= 10 for t in rest)
    assert 800 < sum(len(t.lines) for t in [first, *rest]) <= 900  # decoding runs a chunk ahead
    assert len(failures) == 1 and "not UTF-8" in failures[0].reason


def test_files_are_batched(tmp_path):
    for i in range(5):
        (tmp_path / f"{i}.txt").write_text(f"第{i}篇。", encoding="utf-8")
    store = Store.open(tmp_path / "s.duckdb")
    tasks = list(make_tasks([tmp_path], store, batch_size=2, failures=[], read=ReadSettings(), manifest={}, scopes=Scopes()))
    assert [len(t.paths) for t in tasks] == [2, 2, 1]
