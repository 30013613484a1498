"""The exported dataset: the store's tables as hive-partitioned Parquet, plus a data card.

Layout of ``out_dir`` (each table a directory of Parquet files, one sub-directory per year,
so a large corpus can be read lazily, one year at a time)::

    README.md                       the data card, generated from the exported data
    documents.parquet/year=2023/…   one row per document (raw text kept apart, in texts)
    texts.parquet/year=2023/…       doc_id -> raw_text (offsets in every table point into it)
    sentences.parquet/year=2023/…   sentences with ``tokens`` (jieba words, domain dictionary)
    mentions.parquet/…  stance.parquet/…  notes.parquet/…  and every other table of the store

Every table with a ``doc_id`` also gets the document's ``year`` and ``source`` columns, and is
partitioned by ``year_part`` (the year; ``year_part=0`` holds documents of unknown year, whose
``year`` column stays null), or by ``source_part`` with ``partition_by="source"``.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.errors import StoreError
from pipeline.formats import visible
from pipeline.train.artefact import git_revision
from pipeline.segment import segmenter_for
from pipeline.store import TABLES, Store

PARTITION_KEYS = ("year", "source")
UNKNOWN = {"year": 0, "source": "unknown"}  # partition of documents without a year / source
CARD = "README.md"
TEXTS = "texts"
_TOKENS_UDF = "policytext_tokens"

# What each column means; the card lists every exported column, described or not.
FIELDS: dict[str, str] = {
    "doc_id": "document key: hash of the raw text (joins every table)",
    "doc": "public document name: file name, or FILE#N for line N of a JSON Lines corpus",
    "path": "where the document was read from",
    "title": "title (manifest, record or text)",
    "authors": "list of authors",
    "venue": "journal, site or issuing body",
    "published": "publication date as found: YYYY, YYYY-MM or YYYY-MM-DD",
    "year": "publication year (null when unknown)",
    "year_part": "partition key: the year, 0 when unknown (directory year_part=N)",
    "source_part": "partition key: the source, 'unknown' when none (directory source_part=NAME)",
    "date_source": "where the date came from: manifest, record, text, inferred",
    "date_evidence": "the text or rule that gave the date",
    "source": "collection the document came from (corpus name, site)",
    "encoding": "detected encoding of the raw file",
    "n_chars": "characters in the raw text",
    "n_han": "Han characters in the cleaned sentences",
    "n_sentences": "sentences of the document",
    "metadata": "JSON object of unrecognised record/manifest fields",
    "raw_text": "the raw text, unmodified; all start/end offsets point into it",
    "ingested_at": "when the document was stored (UTC)",
    "idx": "position of the row within its document (0-based)",
    "kind": "kind of the row (section role, note kind, mention kind framework|instrument|term)",
    "page": "page number, when the source had pages",
    "start": "start offset (raw text for sections/sentences/notes/markers; sentence text for mentions)",
    "end": "end offset, exclusive (same reference as start)",
    "text": "cleaned text (original script)",
    "simplified": "Simplified-Chinese view of text, same length, used for matching",
    "section": "section role of the sentence: title, abstract, body, note, …",
    "paragraph": "paragraph number of the sentence",
    "tokens": "jieba words of the sentence (pipeline.segment.Segmenter, lexicon terms kept whole), as spelled in text",
    "marker": "footnote/reference marker as printed (①, [2], 3)",
    "sentence": "idx of the sentence the row belongs to",
    "position": "where the marker stood in the sentence text",
    "label": "label id (spec/labels.md): framework/instrument id, term, or stance",
    "surface": "the matched text",
    "evidence": "JSON: the cues (rules) or class probabilities (model) behind the label",
    "score": "model probability of the label (null for rules)",
}


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _quoted(columns: list[str], alias: str) -> str:
    return ", ".join(f'{alias}."{c}"' for c in columns)


def _tokens_function(store: Store) -> None:
    """Register a DuckDB function ``policytext_tokens(text, simplified)``: words of the
    simplified view, spelled as in ``text`` (the two have the same length)."""
    import duckdb

    segmenter = segmenter_for()

    def tokens(text: str | None, simplified: str | None) -> list[str] | None:
        if text is None:
            return None
        view = simplified if simplified is not None and len(simplified) == len(text) else text
        out, pos = [], 0
        for word in segmenter.cut(view):
            surface = text[pos : pos + len(word)] if view is not text else word
            pos += len(word)
            if surface.strip():
                out.append(surface)
        return out

    try:
        store.con.remove_function(_TOKENS_UDF)
    except (duckdb.InvalidInputException, duckdb.CatalogException):
        pass
    store.con.create_function(_TOKENS_UDF, tokens, ["VARCHAR", "VARCHAR"], "VARCHAR[]", null_handling="special")


def _table_names(store: Store) -> list[str]:
    """The store's tables: those declared in ``TABLES`` first, then any other one present."""
    present = [r["table_name"] for r in store.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")]
    return [t for t in TABLES if t in present] + sorted(t for t in present if t not in TABLES)


def _columns(store: Store, table: str) -> list[str]:
    return [r["column_name"] for r in store.query(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", [table])]


def export_dataset(store: Store, out_dir: str | Path, *, partition_by: str = "year", tokens: bool = True) -> dict[str, Path]:
    """Write every table as Parquet partitioned by ``partition_by`` (year or source), the raw
    texts apart in ``texts``, and the data card ``README.md``. Returns name -> path."""
    if partition_by not in PARTITION_KEYS:
        raise StoreError(f"cannot partition by {partition_by!r}; use one of {', '.join(PARTITION_KEYS)}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise StoreError(f"{out}: exists and is not a directory; choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    if tokens:
        _tokens_function(store)
    written: dict[str, Path] = {}
    exported: dict[str, list[str]] = {}
    key = f"{partition_by}_part"
    bucket = f"coalesce(d.{partition_by}, {UNKNOWN[partition_by]!r}) AS {key}"
    for table in _table_names(store) + [TEXTS]:
        target = out / f"{table}.parquet"
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        columns = _columns(store, "documents" if table == TEXTS else table)
        if table == TEXTS:
            select = f"SELECT d.doc_id, d.year, d.source, d.raw_text, {bucket} FROM documents d"
        elif table == "documents":
            select = f"SELECT {_quoted([c for c in columns if c != 'raw_text'], 'd')}, {bucket} FROM documents d"
        elif "doc_id" in columns:
            extra = [k for k in ("year", "source") if k not in columns]
            added = "".join(f', d."{k}"' for k in extra)
            token_col = f", {_TOKENS_UDF}(t.text, t.simplified) AS tokens" if table == "sentences" and tokens else ""
            select = (f"SELECT {_quoted(columns, 't')}{token_col}{added}, {bucket} FROM \"{table}\" t "
                      "LEFT JOIN documents d ON d.doc_id = t.doc_id")
        else:
            target.mkdir(parents=True)
            store.con.execute(f"COPY (SELECT * FROM \"{table}\") TO '{_sql_path(target / 'data_0.parquet')}' (FORMAT PARQUET)")
            written[table], exported[table] = target, columns
            continue
        store.con.execute(f"COPY ({select}) TO '{_sql_path(target)}' (FORMAT PARQUET, PARTITION_BY ({key}), OVERWRITE_OR_IGNORE)")
        if not target.exists():  # an empty table writes no partition; keep an empty file with the schema
            target.mkdir(parents=True)
            store.con.execute(f"COPY ({select} LIMIT 0) TO '{_sql_path(target / 'data_0.parquet')}' (FORMAT PARQUET)")
        written[table] = target
        exported[table] = [d[0] for d in store.con.execute(f"SELECT * FROM ({select}) LIMIT 0").description]
    card = out / CARD
    card.write_text(render_card(store, out, exported, partition_by=partition_by), encoding="utf-8")
    written["card"] = card
    return written


def read_table(out_dir: str | Path, table: str):
    """One exported table as a ``pyarrow.Table`` (all partitions)."""
    import pyarrow.parquet as pq

    return pq.read_table(Path(out_dir) / f"{table}.parquet")


# -- the data card ----------------------------------------------------------------------------------


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")


def md_text(value: Any) -> str:
    """Stored text as inert Markdown inline text: one line (controls become spaces), every
    Markdown/HTML metacharacter backslash-escaped, so a ``source`` cannot add a heading, a
    ``<script>``, a link or a remote image to the card."""
    text = visible(" ".join(str(value).split())) if value is not None else ""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("&", "&amp;")


def _rows(store: Store, sql: str) -> list[dict[str, Any]]:
    """Rows with every text value made inert for the card."""
    return [{k: md_text(v) if isinstance(v, str) else v for k, v in row.items()} for row in store.query(sql)]


def _code(text: str) -> str:
    """A Python string literal that cannot end the code fence it stands in."""
    return repr(visible(text)).replace("`", "\\x60")


def render_card(store: Store, out: Path, exported: dict[str, list[str]], *, partition_by: str) -> str:
    """The data card, from the store's contents: fields, label sources, counts, provenance."""

    counts = {t: store.con.execute(f'SELECT count(*) FROM "{t if t != TEXTS else "documents"}"').fetchone()[0] for t in exported}
    years = _rows(store, "SELECT min(year) AS lo, max(year) AS hi, count(*) FILTER (WHERE year IS NULL) AS unknown FROM documents")[0]
    sources = _rows(store, "SELECT coalesce(source, '(none)') AS source, count(*) AS n, min(year) AS lo, max(year) AS hi FROM documents GROUP BY 1 ORDER BY 2 DESC")
    lines = [
        "# policytext dataset", "",
        "Chinese policy and commentary texts on US–China trade, cleaned, segmented and labelled by "
        "policytext: documents, sentences (with jieba tokens), lexicon mentions (frameworks, policy "
        "instruments, tracked terms), stance labels, notes and whatever else the store holds.", "",
        f"Made {datetime.now(timezone.utc).replace(microsecond=0).isoformat()} by `policytext export` "
        f"(policytext {__version__}, code revision `{git_revision() or 'unknown'}`) from the store "
        f"{md_text(Path(store.path).name)}.", "",
        "## Contents", "",
        f"{counts.get('documents', 0)} documents, years {years['lo']}–{years['hi']}"
        + (f" ({years['unknown']} of unknown year)" if years["unknown"] else "") + ".", "",
        "| source | documents | years |", "|---|---|---|",
    ]
    lines += [f"| {s['source']} | {s['n']} | {s['lo']}–{s['hi']} |" for s in sources]
    lines += ["", "| table | rows | directory |", "|---|---|---|"]
    lines += [f"| {t} | {counts[t]} | `{t}.parquet/` |" for t in exported]
    lines += ["", "## Labels and where they come from", "",
              "Label ids follow `spec/labels.md` (frameworks, policy instruments, stance: "
              "DECOUPLING, RECOUPLING, MIXED, NONE).", ""]
    if "stance" in exported:
        stance = _rows(store, "SELECT source, label, count(*) AS n FROM stance GROUP BY 1, 2 ORDER BY 1, 2")
        lines += ["Stance, one row per sentence and source. `rules`: the lexicon rules "
                  "(`evidence` lists the cues that fired); `model:NAME`: a trained classifier "
                  "(`score` its probability, `evidence` every class probability).", "",
                  "| source | label | sentences |", "|---|---|---|"]
        lines += [f"| {r['source']} | {r['label']} | {r['n']} |" for r in stance] + [""]
    if "mentions" in exported:
        mentions = _rows(store, "SELECT kind, label, count(*) AS n FROM mentions GROUP BY 1, 2 ORDER BY 1, 3 DESC")
        lines += ["Mentions: matches of the lexicons (`pipeline/lexicons/`) in a sentence; "
                  "`start`/`end` are offsets into the sentence text.", "",
                  "| kind | label | mentions |", "|---|---|---|"]
        lines += [f"| {r['kind']} | {r['label']} | {r['n']} |" for r in mentions] + [""]
    lines += ["## Fields", ""]
    for table, columns in exported.items():
        lines += [f"### {table}", ""]
        lines += [f"- `{c}`: {FIELDS.get(c, '(see pipeline/store.py)')}" for c in columns]
        lines.append("")
    lines += [
        "## How it was made", "",
        "1. Read: text, Markdown, HTML, PDF and JSON Lines files; raw text kept unmodified (`texts`).",
        "2. Clean: hard line wraps joined, spaces between Chinese characters removed, page headers "
        "and captions dropped, footnotes split off as notes; every sentence keeps offsets into the raw text.",
        "3. Segment: `pipeline.segment.Segmenter`, jieba with a dictionary built from the lexicons.",
        "4. Extract: lexicon rules tag frameworks, instruments, tracked terms and stance; trained "
        "models may add stance rows with source `model:NAME`.", "",
        "## Reading it", "",
        f"Partitioned by `{partition_by}_part` (hive-style directories `{partition_by}_part=…`), so a "
        "reader can load one partition at a time; the true (nullable) `year` and `source` are columns "
        "inside the files.", "",
        "```python",
        "import duckdb",
        f"duckdb.sql(\"SELECT * FROM read_parquet({_code(out.name + '/sentences.parquet/**/*.parquet')}, hive_partitioning=true) WHERE year >= 2018\")",
        "",
        "import pandas as pd",
        f"sentences = pd.read_parquet({_code(out.name + '/sentences.parquet')})",
        "```", "",
    ]
    return "\n".join(lines)
