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


# -- safe output: stored text is data in every writer --------------------------------------------

XSS = "</script><script>document.title='pwned'</script>"
CARD_INJECTION = "src\n# Injected heading\n<script>alert(1)</script> [click](javascript:alert(1)) ![x](http://evil.example/x.png)"
FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tlead", "\rlead"]
TERMINAL = "标题\x1b[2J\x1b]0;owned\x07\u202egnp.exe\u2066x\u2069"


@pytest.fixture
def hostile_store(tmp_path):
    from trends_fixture import build_store

    db = build_store(tmp_path / "h.duckdb")
    with Store.open(db) as store:
        store.con.execute("UPDATE documents SET source = ?, venue = ? WHERE doc_id = 'fixture0000'", [XSS, XSS])
        store.con.execute("UPDATE documents SET source = ?, title = ? WHERE doc_id = 'fixture0001'", [CARD_INJECTION, TERMINAL])
        store.con.execute("UPDATE documents SET title = ?, venue = ? WHERE doc_id = 'fixture0002'", [FORMULAS[0], FORMULAS[1]])
        store.con.execute("UPDATE documents SET title = ?, venue = ? WHERE doc_id = 'fixture0003'", [FORMULAS[2], FORMULAS[3]])
    return db


def _script_bodies(html_text: str) -> list[str]:
    return re.findall(r"<script[^>]*>(.*?)</script>", html_text, flags=re.S)


def test_trend_plot_html_keeps_stored_source_out_of_live_script(hostile_store, tmp_path):
    from pipeline.query.terms import resolve_terms
    from pipeline.query.trends import trend
    from pipeline.report.charts import save_trend_plot

    with Store.open(hostile_store, read_only=True) as store:
        result = trend(store, resolve_terms(["脱钩"], ()), by="source")
    assert any(r["bucket"] == XSS for r in result.rows)
    out = save_trend_plot(result, tmp_path / "plot.html")
    text = out.read_text(encoding="utf-8")
    assert "pwned" in text  # the data is there …
    assert "<script>document.title" not in text  # … but never as markup
    bodies = _script_bodies(text)
    assert len(bodies) == 3  # the spec as a JSON data block, vega's bundle, the renderer
    spec_block = re.search(r'<script type="application/json"[^>]*>(.*?)</script>', text, flags=re.S).group(1)
    assert "<" not in spec_block and XSS in json.dumps(json.loads(spec_block), ensure_ascii=False)


def test_data_card_is_inert_markdown(hostile_store, tmp_path):
    from pipeline.export.dataset import export_dataset

    with Store.open(hostile_store, read_only=True) as store:
        export_dataset(store, tmp_path / "out", tokens=False)
    card = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "Injected heading" in card  # the source is listed …
    assert [line for line in card.splitlines() if "Injected" in line and line.lstrip().startswith("#")] == []
    assert not re.search(r"(?<!\\)<script", card)
    assert not re.search(r"(?<!\\)\]\(javascript:", card) and not re.search(r"(?<!\\)!\[", card)
    assert "\n# Injected" not in card and "</script><script>" not in card


def test_every_csv_cell_is_neutralised(hostile_store):
    from click.testing import CliRunner

    from pipeline.cli import cli
    from pipeline.formats import write_records
    import csv
    import io

    buffer = io.StringIO()
    write_records([{"a": value, "n": -3} for value in FORMULAS], "csv", buffer)
    cells = [row["a"] for row in csv.DictReader(io.StringIO(buffer.getvalue()))]
    assert [c[1:] for c in cells] == FORMULAS and all(c.startswith("'") for c in cells)
    assert ",-3" in buffer.getvalue()  # numbers stay numbers
    for command in (["docs"], ["sentences"], ["kwic", "脱钩"], ["trend", "脱钩", "--by", "venue"]):
        result = CliRunner().invoke(cli, [*command, "--db", str(hostile_store), "--format", "csv"])
        assert result.exit_code == 0, result.output
        for row in csv.reader(io.StringIO(result.stdout)):
            for cell in row:
                assert not (cell.startswith(("=", "+", "@", "\t", "\r")) or (cell.startswith("-") and not _number(cell))), (command, cell)


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_terminal_tables_show_controls_and_bidi_overrides_as_escapes(hostile_store):
    from click.testing import CliRunner

    from pipeline.cli import cli

    result = CliRunner().invoke(cli, ["docs", "--db", str(hostile_store)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", result.output)
    assert "\\x1b[2J" in result.output  # the docs table cuts titles short: the bidi override is checked below
    wide = CliRunner().invoke(cli, ["query", "SELECT title FROM documents", "--db", str(hostile_store)])
    assert wide.exit_code == 0, wide.output
    assert "\x1b" not in wide.output and not re.search("[\u202a-\u202e\u2066-\u2069]", wide.output)
    assert "\\x1b[2J" in wide.output and "\\u202e" in wide.output
