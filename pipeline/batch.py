"""Bulk ingestion: stream files -> tasks of bounded size -> processed Arrow batches -> one writer.

Nothing holds the whole corpus: paths and JSON Lines records are streamed into tasks of at
most ``batch_size`` documents; a task is read, cleaned and tagged where the CPU is (in this
process, or on a Dask worker), and comes back as a ``PreparedBatch`` of Arrow tables that the
single writer commits in one transaction. A bad file becomes one failure line and the batch
goes on.

Identity: a document is its text (``doc_id``, a hash of it); the files and records it was read
from are its *names* (``names`` table). A re-ingest points every name at its current text, so
records that were removed, inserted, reordered or swapped, files renamed or given by another
path end up exactly as a fresh ingest of the current content: once the whole run is through,
the names a re-read file or folder no longer holds are removed, then every document no name
points at.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.config import JSONL_SUFFIXES, IngestSettings, ReadSettings
from pipeline.errors import PipelineError
from pipeline.ingest import ReadFailure, expand_paths, load_manifest, read_path
from pipeline.ingest.readers import Unchanged, iter_jsonl_lines, name_key, record_from_line, source_hash
from pipeline.process import process_document
from pipeline.schema import ProcessedDocument, RawDocument
from pipeline.store import DocKey, PreparedBatch, Store, WriteOutcome, prepare_batch

OUTCOMES = ("ingested", "unchanged", "replaced", "duplicate", "removed", "failed")


@dataclass
class IngestSummary:
    counts: Counter = field(default_factory=Counter)  # ingested/unchanged/replaced/duplicate/removed/failed
    failures: list[ReadFailure] = field(default_factory=list)
    duplicates: list[WriteOutcome] = field(default_factory=list)
    db: str = ""

    @property
    def ok(self) -> bool:
        return not self.failures

    def add(self, outcome: WriteOutcome) -> None:
        self.counts[outcome.status] += 1
        if outcome.status == "duplicate":
            self.duplicates.append(outcome)

    def fail(self, failure: ReadFailure) -> None:
        self.counts["failed"] += 1
        self.failures.append(failure)

    def line(self) -> str:
        return ", ".join(f"{self.counts.get(k, 0)} {k}" for k in OUTCOMES if k != "removed" or self.counts.get(k))


# -- tasks: the unit of work sent to a worker --------------------------------------------------


@dataclass(frozen=True)
class FilesTask:
    paths: list[str]
    known: dict[str, str]  # name key -> stored source hash: a file that hashes the same is not read again


@dataclass(frozen=True)
class RecordLine:
    number: int  # 1-based line number
    text: str  # the raw JSON line
    record_id: str | None  # the --id-field value, when the dump has one
    source: str  # source hash of the line


@dataclass(frozen=True)
class RecordsTask:
    path: str
    lines: list[RecordLine]  # the records to read and process
    known: list[DocKey]  # records whose exact bytes are stored already: only their names are written


@dataclass
class TaskResult:
    batch: PreparedBatch
    failures: list[ReadFailure]
    unchanged: int
    documents: int
    seen: list[str] = field(default_factory=list)  # name keys the worker found (records of a JSON array)


@dataclass
class _Scopes:
    """What this run read whole, so that names it no longer holds can be removed at the end."""

    seen: set[str] = field(default_factory=set)  # every name key met (read, unchanged or failed)
    files: list[str] = field(default_factory=list)  # JSON Lines files read to their end
    folders: list[str] = field(default_factory=list)  # folders walked without a listing error
    broken_folders: set[str] = field(default_factory=set)


def _inputs(entry: dict[str, Any] | None, read: ReadSettings, file: str) -> str:
    """Everything besides a document's bytes that its stored row depends on: the read
    settings, the manifest entry and the file (a record's source is its file's name)."""
    return json.dumps({"text_field": read.text_field, "id_field": read.id_field, "manifest": entry, "file": file},
                      ensure_ascii=False, sort_keys=True, default=str)


def make_tasks(
    paths: Iterable[str | os.PathLike], store: Store, *, batch_size: int, failures: list[ReadFailure],
    read: ReadSettings, manifest: dict[str, dict[str, Any]], scopes: _Scopes,
) -> Iterator[FilesTask | RecordsTask]:
    """Stream tasks of at most ``batch_size`` documents. Path errors are appended to ``failures``."""
    pending: list[str] = []

    def files_task(batch: list[str]) -> FilesTask:
        keys = [name_key(os.path.realpath(p)) for p in batch]
        scopes.seen.update(keys)
        return FilesTask(batch, store.sources_of(keys))

    for item in expand_paths(paths, roots=scopes.folders, broken=scopes.broken_folders):
        if isinstance(item, ReadFailure):
            failures.append(item)
            continue
        if item.suffix.lower() in JSONL_SUFFIXES and not (item.suffix.lower() == ".json" and _is_json_array(item)):
            yield from _record_tasks(item, store, batch_size=batch_size, failures=failures, read=read, manifest=manifest, scopes=scopes)
            continue
        pending.append(str(item))
        if len(pending) >= batch_size:
            yield files_task(pending)
            pending = []
    if pending:
        yield files_task(pending)


def _record_tasks(
    path: Path, store: Store, *, batch_size: int, failures: list[ReadFailure], read: ReadSettings,
    manifest: dict[str, dict[str, Any]], scopes: _Scopes,
) -> Iterator[RecordsTask]:
    """Tasks of the records of one JSON Lines file. A record whose bytes are stored already
    (under any name: a record that moved) is not sent to a worker, only its name is written."""
    real = os.path.realpath(path)
    file_inputs = _inputs(manifest.get(path.name), read, real)
    ids: dict[str, int] = {}
    lines: list[RecordLine] = []
    file_failures: list[ReadFailure] = []

    def task(batch: list[RecordLine]) -> RecordsTask:
        known = store.names_of_sources([r.source for r in batch])
        todo, named = [], []
        for r in batch:
            label = r.record_id if r.record_id is not None else r.number
            key = name_key(real, label)
            scopes.seen.add(key)
            if r.source in known:
                doc_id, meta = known[r.source]
                named.append(DocKey(f"{path.name}#{label}", key, doc_id, real, r.number, r.source, processed=False, meta=meta))
            else:
                todo.append(r)
        return RecordsTask(str(path), todo, named)

    for number, text in iter_jsonl_lines(path, file_failures):
        record_id = None
        if read.id_field:
            record_id, problem = _record_id(text, read.id_field)
            if problem is None and record_id in ids:
                problem = f"duplicate {read.id_field} {record_id!r} (also on line {ids[record_id]})"
            if problem is not None:
                failures.append(ReadFailure(f"{path.name}#{number}", str(path), f"line {number}: {problem}"))
                continue
            ids[record_id] = number
        inputs = _inputs(manifest.get(f"{path.name}#{record_id if record_id is not None else number}") or manifest.get(path.name), read, real) \
            if manifest else file_inputs
        lines.append(RecordLine(number, text, record_id, source_hash(text.encode("utf-8", "surrogatepass"), inputs)))
        if len(lines) >= batch_size:
            yield task(lines)
            lines = []
    if lines:
        yield task(lines)
    ended_early = any("not UTF-8" in f.reason for f in file_failures)
    failures.extend(file_failures)
    if not ended_early:
        scopes.files.append(real)


def _record_id(line: str, id_field: str) -> tuple[str | None, str | None]:
    """The --id-field value of a JSON line, or the problem with it."""
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        return None, f"invalid JSON ({getattr(exc, 'msg', type(exc).__name__)})"
    if not isinstance(record, dict) or id_field not in record:
        return None, f"no {id_field!r} field to name the record by (--id-field)"
    value = record[id_field]
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        return None, f"field {id_field!r} must be a non-empty string or an integer to name the record"
    return str(value), None


def _is_json_array(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")


@lru_cache(maxsize=4)
def _cached_manifest(manifest: str | None) -> dict[str, dict[str, Any]]:
    return load_manifest(manifest) if manifest else {}


@lru_cache(maxsize=1)
def _extractor() -> Callable:
    """The rule extractor, built once per process (jieba tokenizer, automata)."""
    from pipeline.tagging import extract_sentences

    return extract_sentences


@lru_cache(maxsize=2)
def _segmenter(backend: str):
    """The lexicon-aware segmenter of this backend, built once per process."""
    from pipeline.segment import Segmenter

    return Segmenter(backend=backend)


def _entry(manifest: dict[str, dict[str, Any]], doc: str) -> dict[str, Any] | None:
    return (manifest.get(doc) or manifest.get(doc.split("#", 1)[0])) if manifest else None


def run_task(
    task: FilesTask | RecordsTask, *, manifest: str | None, read: ReadSettings, run_extraction: bool, segmenter: str = "jieba"
) -> TaskResult:
    """Read, clean and tag one task's documents; pure CPU work, runs on any worker."""
    entries = _cached_manifest(manifest)
    extractor = _extractor() if run_extraction else None
    tokenizer = _segmenter(segmenter)
    failures: list[ReadFailure] = []
    processed: list[ProcessedDocument] = []
    unchanged = 0
    seen: list[str] = []
    if isinstance(task, FilesTask):
        raws: Iterable[RawDocument | ReadFailure | Unchanged] = (
            doc for p in task.paths
            for doc in read_path(Path(p), read, inputs=_inputs(_entry(entries, Path(p).name), read, os.path.realpath(p)),
                                 known_source=task.known.get(name_key(os.path.realpath(p))))
        )
    else:
        path = Path(task.path)
        raws = (record_from_line(path, r.number, r.text, read, record_id=r.record_id, source=r.source) for r in task.lines)
    for raw in raws:
        if isinstance(raw, ReadFailure):
            failures.append(raw)
            continue
        seen.append(raw.path)
        if isinstance(raw, Unchanged):
            unchanged += 1
            continue
        result = process_raw(raw, entries, extractor, tokenizer)
        if isinstance(result, ReadFailure):
            failures.append(result)
        else:
            processed.append(result)
    batch = prepare_batch(processed)
    if isinstance(task, RecordsTask):
        batch.keys.extend(task.known)
    return TaskResult(batch, failures, unchanged, len(processed), seen)


def process_raw(
    raw: RawDocument, manifest: dict[str, dict[str, Any]], extractor: Callable | None, tokenizer: Any = None
) -> ProcessedDocument | ReadFailure:
    """Process one document; an error in any stage becomes a failure naming the document."""
    try:
        return process_document(raw, manifest_entry=_entry(manifest, raw.doc), extractor=extractor, tokenizer=tokenizer)
    except PipelineError as exc:
        return ReadFailure(raw.doc, raw.path, str(exc))
    except (RecursionError, MemoryError) as exc:
        return ReadFailure(raw.doc, raw.path, f"document too large or deeply nested to process ({type(exc).__name__})")
    except Exception as exc:  # noqa: BLE001 - a bug in one stage must not stop a long run
        return ReadFailure(raw.doc, raw.path, f"internal error while processing ({type(exc).__name__}: {exc}); please report it")


# -- the driver: one writer, local or distributed workers ---------------------------------------


def ingest(
    paths: Iterable[str | os.PathLike],
    *,
    db: str | Path,
    manifest: str | Path | None = None,
    read: ReadSettings = ReadSettings(),
    settings: IngestSettings = IngestSettings(),
    on_failure: Callable[[ReadFailure], None] | None = None,
) -> IngestSummary:
    """Ingest files, directories and globs into the store at ``db``. Returns the summary.

    ``settings.workers`` > 1 or ``settings.scheduler`` runs the CPU work on Dask workers;
    the store is written only here, one transaction per task. ``on_failure`` is called with
    each failure as it happens (the CLI prints it)."""
    from pipeline.segment import SEGMENTERS

    if settings.segmenter not in SEGMENTERS:
        raise PipelineError(f"unknown segmenter {settings.segmenter!r}; choose one of {', '.join(SEGMENTERS)}")
    manifest_path = str(manifest) if manifest else None
    entries = _cached_manifest(manifest_path)  # a bad manifest fails before any work starts
    summary = IngestSummary(db=str(db))
    with Store.open(db) as store:
        if settings.store_memory:
            store.con.execute(f"SET memory_limit = '{settings.store_memory}'")
        store.remove_unnamed()  # texts an interrupted run had moved names away from
        path_failures: list[ReadFailure] = []
        scopes = _Scopes()
        tasks = make_tasks(paths, store, batch_size=settings.batch_size, failures=path_failures, read=read,
                           manifest=entries, scopes=scopes)
        kwargs = {"manifest": manifest_path, "read": read, "run_extraction": settings.run_extraction, "segmenter": settings.segmenter}
        if settings.workers > 1 or settings.scheduler:
            from pipeline.parallel import run_distributed

            results = run_distributed(tasks, kwargs, workers=settings.workers, scheduler=settings.scheduler)
        else:
            results = (run_task(task, **kwargs) for task in tasks)
        progress = _progress(settings.progress)
        written: dict[str, WriteOutcome] = {}  # name key -> outcome, settled once the run is through
        for result in results:
            for failure in path_failures + result.failures:
                _record_failure(summary, failure, on_failure, settings)
            path_failures.clear()
            scopes.seen.update(result.seen)
            summary.counts["unchanged"] += result.unchanged
            for outcome in store.write_prepared(result.batch):
                if outcome.status == "unchanged":
                    summary.add(outcome)
                else:
                    written[outcome.path] = outcome
            progress.update(result.documents + result.unchanged + len(result.failures))
        for failure in path_failures:
            _record_failure(summary, failure, on_failure, settings)
        progress.close()
        summary.counts["removed"] += _remove_gone(store, scopes)
        for outcome in _settle(store, written):
            summary.add(outcome)
    return summary


def _settle(store: Store, written: dict[str, WriteOutcome]) -> list[WriteOutcome]:
    """The outcomes of the names this run wrote, as the finished store has them: a name whose
    text is stored under another, first name is a duplicate of it (which name comes first is
    only known once every name of the run is in)."""
    if not written:
        return []
    rows = store.con.execute(
        "SELECT n.key, d.path, d.doc FROM names n JOIN documents d USING (doc_id) WHERE list_contains(?, n.key)",
        [list(written)],
    ).fetchall()
    primary = {key: (path, doc) for key, path, doc in rows}
    settled = []
    for key, outcome in written.items():
        first = primary.get(key)
        if first is not None and first[0] != key:
            outcome = WriteOutcome(outcome.doc, key, "duplicate", f"same text as {first[1]}")
        elif outcome.status == "duplicate":
            outcome = WriteOutcome(outcome.doc, key, "ingested")
        settled.append(outcome)
    return settled


def _remove_gone(store: Store, scopes: _Scopes) -> int:
    """After a complete run: drop the names that the files and folders read whole no longer
    hold, then the documents no name points at. Returns how many names went."""
    removed = 0
    for file in scopes.files:
        removed += store.remove_names(file=file, keep=scopes.seen)
    for folder in scopes.folders:
        if folder not in scopes.broken_folders:
            removed += store.remove_names(folder=folder, keep=scopes.seen)
    store.remove_unnamed()
    return removed


def _record_failure(summary: IngestSummary, failure: ReadFailure, on_failure, settings: IngestSettings) -> None:
    summary.fail(failure)
    if on_failure:
        on_failure(failure)
    if settings.strict:
        raise PipelineError(f"stopped at the first failure (--strict): {failure}")


class _NoProgress:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(enabled: bool):
    if not enabled:
        return _NoProgress()
    from tqdm import tqdm

    return tqdm(desc="ingest", unit="doc", leave=False, mininterval=0.5)
