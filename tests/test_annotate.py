"""The annotation loop and the labels table: keys, undo, notes, resume after a kill (in a real
pty), export / import / agreement, and the labelled-set merge with its kappa."""

import json
import os
import pty
import select
import signal
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.store import Store
from pipeline.train.annotate import Item, export_labels, import_labels, latest_labels, run_session, sample_queue, store_agreement
from pipeline.train.labelset import agreement, kappa, merge, set_agreement
from tests.train_fixtures import build_store

ROOT = Path(__file__).resolve().parents[1]


def _items(n=3):
    return [Item(f"d{i}.txt", i, f"第{i}句：中美经贸合作。") for i in range(n)]


def test_session_keys_undo_note_and_skip_are_stored_at_once(tmp_path):
    store = Store.open(tmp_path / "s.duckdb")
    keys = iter(["d", "u", "r", "n", "s", "u", "o", "x", "q"])
    notes = iter(["not sure"])
    shown = []
    result = run_session(store, _items(3), annotator="ana", read_key=lambda: next(keys), write=shown.append,
                         read_line=lambda prompt: next(notes))
    rows = store.query("SELECT doc, label, note FROM labels ORDER BY labelled_at, doc")
    # d undone, r kept on d0; note then skip on d1 undone (note dropped), o on d1; x unknown; q
    assert sorted((r["doc"], r["label"]) for r in rows) == [("d0.txt", "RECOUPLING"), ("d1.txt", "NONE")]
    assert result.answered == 2 and result.undone == 2 and result.quit and result.remaining == 1
    assert any("unknown key 'x'" in s for s in shown)
    keys = iter(["n", "o", "q"])
    run_session(store, _items(3)[2:], annotator="ana", read_key=lambda: next(keys), write=shown.append,
                read_line=lambda prompt: "domestic opening")
    assert store.query("SELECT note FROM labels WHERE doc = 'd2.txt'")[0]["note"] == "domestic opening"


def test_queue_resumes_without_answered_sentences_and_stratifies(tmp_path):
    store = build_store(tmp_path / "s.duckdb")
    first = sample_queue(store, sample="stratified", n=8, annotator="ana")
    assert len(first) == 8 and len({(i.doc, i.text) for i in first}) == 8
    rules = [i.rules for i in first]
    assert rules.count("MIXED") >= 2  # rare label gets its share (fixture: 3 MIXED of 36)
    keys = iter(["d", "r", "q"])
    run_session(store, first, annotator="ana", read_key=lambda: next(keys), write=lambda s: None)
    again = sample_queue(store, sample="stratified", n=8, annotator="ana")
    assert [(i.doc, i.text) for i in again] == [(i.doc, i.text) for i in first[2:]]
    assert len(sample_queue(store, sample="stratified", n=8, annotator="bo")) == 8  # another annotator: whole queue
    assert first[1].before or first[1].after  # context shown


def test_export_import_round_trip_and_agreement(tmp_path):
    store = build_store(tmp_path / "s.duckdb")
    queue = sample_queue(store, sample="random", n=6, annotator="ana")
    for who, keys in (("ana", "drmooo"), ("bo", "drmodd")):
        it = iter(keys)
        run_session(store, queue, annotator=who, read_key=lambda: next(it, "q"), write=lambda s: None)
    rows = export_labels(store)
    assert len(rows) == 12 and {r["annotator"] for r in rows} == {"ana", "bo"}
    path = tmp_path / "ana.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows if r["annotator"] == "ana")
                    + "not json\n", encoding="utf-8")
    other = Store.open(tmp_path / "t.duckdb")
    added, unchanged, errors = import_labels(other, path)
    assert (added, unchanged) == (6, 0) and len(errors) == 1 and "line 7" in errors[0]
    assert import_labels(other, path)[:2] == (0, 6)  # nothing twice
    assert [r["label"] for r in latest_labels(other, annotator="ana")] == [r["stance"] for r in rows if r["annotator"] == "ana"]
    pairs = {(r["a"], r["b"]): r for r in store_agreement(store)}
    assert pairs[("ana", "bo")]["items"] == 6 and pairs[("ana", "bo")]["observed"] == round(4 / 6, 4)
    assert ("ana", "rules") in pairs


def test_kappa_and_set_agreement():
    assert kappa(["A", "B", "A", "B"], ["A", "B", "A", "B"]) == 1.0
    assert kappa(["A", "A"], ["A", "A"]) is None
    assert kappa(["A", "B", "A", "B"], ["B", "A", "B", "A"]) == -1.0
    agree = set_agreement([["TARIFF"], [], ["SANCTION"]], [["TARIFF"], ["TARIFF"], ["SANCTION"]])
    assert agree["exact_set"] == round(2 / 3, 4) and agree["per_label"]["SANCTION"]["kappa"] == 1.0
    assert agree["per_label"]["TARIFF"]["both"] == 1


def test_merge_keeps_agreed_takes_adjudicated_and_holds_back_the_rest():
    sample = {k: {"doc": f"f#{k}", "text": k, "split": "train"} for k in ("S1", "S2", "S3", "S4")}
    a = {"S1": {"stance": "NONE", "instruments": [], "frameworks": []},
         "S2": {"stance": "DECOUPLING", "instruments": ["TARIFF"], "frameworks": []},
         "S3": {"stance": "MIXED", "instruments": [], "frameworks": []}}
    b = {"S1": {"stance": "NONE", "instruments": ["SANCTION"], "frameworks": []},
         "S2": {"stance": "NONE", "instruments": [], "frameworks": []},
         "S3": {"stance": "RECOUPLING", "instruments": [], "frameworks": []},
         "S4": {"stance": "RECOUPLING", "instruments": [], "frameworks": []}}
    rows, pending = merge(sample, {"A": a, "B": b}, {"S2": {"id": "S2", "stance": "DECOUPLING"}})
    by = {r["id"]: r for r in rows}
    assert pending == ["S3"]
    assert by["S1"]["instruments"] == ["SANCTION"] and by["S1"]["annotators"] == ["A", "B"]
    assert by["S2"]["stance"] == "DECOUPLING" and by["S2"]["adjudicated"]
    assert by["S4"]["annotators"] == ["B"] and not by["S4"]["adjudicated"]
    assert agreement({"A": a, "B": b})["pairs"]["A~B"]["stance"]["items"] == 3


# -- a real terminal -------------------------------------------------------------------------------------


def _spawn(args, cwd):
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.chdir(cwd)
        os.execv(sys.executable, [sys.executable, "-m", "pipeline", *args])
    return pid, fd


def _read_until(fd, needle, timeout=60.0, settle=0.3, prompt=True):
    """Output up to ``needle``; then a pause so the program is waiting for its key (a key typed
    while the terminal is still in line mode would wait for Enter)."""
    out = b""
    deadline = time.time() + timeout
    def seen():
        at = out.find(needle.encode())
        return at >= 0 and (not prompt or b"q=quit" in out[at:])

    while not seen():
        left = deadline - time.time()
        if left <= 0:
            raise AssertionError(f"timed out waiting for {needle!r}; got {out.decode(errors='replace')[-500:]}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    time.sleep(settle)
    return out.decode(errors="replace")


@pytest.mark.slow
def test_annotate_in_a_pty_keys_undo_and_resume_after_kill(tmp_path):
    db = tmp_path / "s.duckdb"
    build_store(db).close()
    args = ["annotate", "--db", str(db), "--n", "5", "--annotator", "ana", "--sample", "random"]
    pid, fd = _spawn(args, ROOT)
    _read_until(fd, "[1/5]")
    os.write(fd, b"d")
    _read_until(fd, "[2/5]")
    os.write(fd, b"u")  # back to the first
    _read_until(fd, "undone")  # back to the first
    os.write(fd, b"r")
    _read_until(fd, "[2/5]")
    os.write(fd, b"m")
    _read_until(fd, "[3/5]")
    os.kill(pid, signal.SIGKILL)  # a crash: the two answers are already committed
    os.waitpid(pid, 0)
    os.close(fd)
    with Store.open(db, read_only=True) as store:
        labels = [r["label"] for r in store.query("SELECT label FROM labels ORDER BY labelled_at, id")]
    assert sorted(labels) == ["MIXED", "RECOUPLING"]
    pid, fd = _spawn(args, ROOT)
    _read_until(fd, "[1/3]")  # resumed: three left
    os.write(fd, b"o")
    _read_until(fd, "[2/3]")
    os.write(fd, b"q")
    tail = _read_until(fd, "left in this sample", prompt=False)
    os.waitpid(pid, 0)
    os.close(fd)
    assert "1 labelled" in tail and "2 left" in tail
    with Store.open(db, read_only=True) as store:
        assert store.query("SELECT count(*) AS n FROM labels")[0]["n"] == 3


def test_cli_labels_commands(tmp_path):
    db = tmp_path / "s.duckdb"
    store = build_store(db)
    queue = sample_queue(store, sample="random", n=3, annotator="ana")
    keys = iter("dro")
    run_session(store, queue, annotator="ana", read_key=lambda: next(keys, "q"), write=lambda s: None)
    store.close()
    runner = CliRunner()
    exported = runner.invoke(cli, ["labels", "export", "--db", str(db)])
    assert exported.exit_code == 0 and len(exported.output.splitlines()) == 3
    target = tmp_path / "x.jsonl"
    target.write_text(exported.output, encoding="utf-8")
    imported = runner.invoke(cli, ["labels", "import", str(target), "--db", str(db), "--annotator", "copy"])
    assert imported.exit_code == 0 and "3 added" in imported.output
    agree = runner.invoke(cli, ["labels", "agreement", "--db", str(db), "--format", "jsonl"])
    rows = [json.loads(x) for x in agree.stdout.splitlines() if x.startswith("{")]
    assert {"a": "ana", "b": "copy", "items": 3, "kappa": 1.0, "observed": 1.0} in rows
