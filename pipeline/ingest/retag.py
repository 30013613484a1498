"""Re-make the derived rows of stored documents from their stored raw text, without reading files.

A document's rows of a stage are *stale* when the version they were made with
(``documents.<stage>_version``) is not the current one (:mod:`pipeline.ingest.versions`): a
lexicon was edited, or policytext changed. :func:`retag` re-runs the stale stages in batches of
documents; each batch is one transaction (delete the stage's rows of those documents, insert
the new ones, record the new version), so a killed retag loses at most one batch and running it
again finishes the job with the same store as one uninterrupted run. Rows the stage did not
make are kept: a model's stance labels (``source = 'model:…'``) survive a retag of the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import PipelineError
from pipeline.ingest.process import run_audit, run_citations, run_extract, run_terms
from pipeline.ingest.versions import stage_versions
from pipeline.query.filters import Filters
from pipeline.schema import STAGES, Citation, DocumentMeta, Marker, Note, Sentence, record_from_row
from pipeline.segment import segmenter_for
from pipeline.store import Store
from pipeline.store.batch import TableBuilder
from pipeline.store.tables import STAGE_TABLES

# Rows of a stage's table that the stage itself made (others, e.g. a model's stance, stay).
OWN_ROWS = {"extract": {"mentions": "TRUE", "stance": "source = 'rules'"}}
# A stage re-run makes the stages that read its output stale too.
DEPENDENTS = {"citations": ("audit",)}


@dataclass
class RetagSummary:
    stages: dict[str, int] = field(default_factory=dict)  # stage -> documents re-made
    versions: dict[str, str] = field(default_factory=dict)
    documents: int = 0

    def line(self) -> str:
        done = ", ".join(f"{stage} {n}" for stage, n in self.stages.items()) or "nothing was stale"
        return f"{self.documents} document(s) retagged ({done})"


def _check_stages(stages: Iterable[str]) -> tuple[str, ...]:
    stages = tuple(dict.fromkeys(stages))
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise PipelineError(f"unknown stage {unknown[0]!r}; choose from {', '.join(STAGES)}")
    return tuple(s for s in STAGES if s in stages)  # pipeline order: citations before audit


def stale_counts(store: Store, *, lexicon_dir: str | None = None, stages: Iterable[str] = STAGES) -> dict[str, int]:
    """stage -> documents whose rows of that stage were made by another version."""
    versions = stage_versions(lexicon_dir)
    out = {}
    for stage in _check_stages(stages):
        column = f"{stage}_version"
        if not store.has_columns("documents", column):
            out[stage] = store.con.execute("SELECT count(*) FROM documents").fetchone()[0]
            continue
        out[stage] = store.con.execute(
            f'SELECT count(*) FROM documents WHERE "{column}" IS DISTINCT FROM ?', [versions[stage]]
        ).fetchone()[0]
    return out


def _stale_ids(store: Store, stages: Sequence[str], versions: dict[str, str], filters: Filters, force: bool) -> list[str]:
    where, params = filters.sql()
    if force:
        stale, stale_params = "TRUE", []
    else:
        stale = " OR ".join(f'"{s}_version" IS DISTINCT FROM ?' for s in stages)
        stale_params = [versions[s] for s in stages]
    rows = store.con.execute(
        f"SELECT doc_id FROM documents WHERE ({stale}) AND ({where}) ORDER BY doc_id", stale_params + params
    ).fetchall()
    return [r[0] for r in rows]


def _records(store: Store, table: str, record: type, ids: list[str], order: str) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {d: [] for d in ids}
    for row in store.query(f'SELECT * FROM "{table}" WHERE list_contains(?, doc_id) ORDER BY doc_id, {order}', [ids]):
        out[row["doc_id"]].append(record_from_row(record, row))
    return out


def retag(
    store: Store,
    *,
    stages: Iterable[str] = STAGES,
    filters: Filters = Filters(),
    lexicon_dir: str | None = None,
    force: bool = False,
    batch_size: int = 200,
    on_progress: Callable[[int, int], None] | None = None,
) -> RetagSummary:
    """Re-make the stale (or, with ``force``, all) rows of ``stages`` for the documents that
    pass ``filters``. ``on_progress(done, total)`` is called after every batch."""
    if store.read_only:
        raise PipelineError(f"{store.path}: opened read-only; open it for writing to retag")
    if batch_size < 1:
        raise PipelineError(f"--batch-size {batch_size}: give at least 1")
    chosen = _check_stages(stages)
    versions = stage_versions(lexicon_dir)
    summary = RetagSummary(versions={s: versions[s] for s in chosen})
    ids = _stale_ids(store, chosen, versions, filters, force)
    tokenizer = segmenter_for("jieba", lexicon_dir)
    done = 0
    for start in range(0, len(ids), batch_size):
        batch = ids[start:start + batch_size]
        made = _retag_batch(store, batch, chosen, versions, force, lexicon_dir, tokenizer)
        for stage, n in made.items():
            summary.stages[stage] = summary.stages.get(stage, 0) + n
        done += len(batch)
        if on_progress:
            on_progress(done, len(ids))
    summary.documents = len(ids)
    return summary


def _retag_batch(store: Store, ids: list[str], stages: Sequence[str], versions: dict[str, str], force: bool,
                 lexicon_dir: str | None, tokenizer: Any) -> dict[str, int]:
    current = {r["doc_id"]: r for r in store.query(
        "SELECT * EXCLUDE (raw_text) FROM documents WHERE list_contains(?, doc_id)", [ids])}
    todo = {s: [d for d in ids if force or current[d].get(f"{s}_version") != versions[s]] for s in stages}
    for stage in list(todo):  # a re-made stage makes its readers stale too
        for dependent in DEPENDENTS.get(stage, ()):
            if dependent in todo:
                todo[dependent] = list(dict.fromkeys(todo[dependent] + todo[stage]))
    sentences = _records(store, "sentences", Sentence, ids, "idx")
    markers = _records(store, "markers", Marker, ids, "sentence, position") if {"citations", "audit"} & set(todo) else {}
    notes = _records(store, "notes", Note, ids, "idx") if {"citations", "audit"} & set(todo) else {}
    made: dict[str, dict[str, list[Any]]] = {s: {} for s in todo}
    cites: dict[str, list[Citation]] = {}
    for doc_id in ids:
        row, sents = current[doc_id], sentences[doc_id]
        if doc_id in todo.get("extract", ()):
            mentions, stance = run_extract(sents, lexicon_dir=lexicon_dir)
            made["extract"][doc_id] = [mentions, stance]
        if doc_id in todo.get("citations", ()):
            cites[doc_id] = run_citations(row["doc"], sents, markers[doc_id], notes[doc_id])
            made["citations"][doc_id] = [cites[doc_id]]
        if doc_id in todo.get("audit", ()):
            if doc_id not in cites:
                stored = store.query("SELECT * FROM citations WHERE doc_id = ? ORDER BY sentence, position", [doc_id])
                cites[doc_id] = [record_from_row(Citation, r, doc=row["doc"]) for r in stored]
            meta = record_from_row(DocumentMeta, row)
            made["audit"][doc_id] = [run_audit(row["doc"], meta, sents, markers[doc_id], notes[doc_id], cites[doc_id],
                                               tokenizer=tokenizer)]
        if doc_id in todo.get("terms", ()):
            made["terms"][doc_id] = [run_terms(sents, lexicon_dir=lexicon_dir)]
    with store.transaction():
        for stage, by_doc in made.items():
            if not by_doc:
                continue
            stage_ids = list(by_doc)
            tables = ["mentions", "stance"] if stage == "extract" else [STAGE_TABLES[stage]]
            for k, table in enumerate(tables):
                own = OWN_ROWS.get(stage, {}).get(table, "TRUE")
                store.con.execute(f'DELETE FROM "{table}" WHERE list_contains(?, doc_id) AND {own}', [stage_ids])
                builder = TableBuilder(table)
                for doc_id, outputs in by_doc.items():
                    builder.add(outputs[k], doc_id=doc_id, version=versions[stage])
                arrow = builder.arrow()
                if arrow.num_rows:
                    store.append_arrow(table, arrow)
            store.con.execute(f'UPDATE documents SET "{stage}_version" = ? WHERE list_contains(?, doc_id)', [versions[stage], stage_ids])
    return {stage: len(by_doc) for stage, by_doc in made.items()}
