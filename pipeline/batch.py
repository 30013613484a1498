"""Bulk ingestion: stream files -> tasks of bounded size -> processed Arrow batches -> one writer.

Nothing holds the whole corpus: paths and JSON Lines records are streamed into tasks of at
most ``batch_size`` documents; a task is read, cleaned and tagged where the CPU is (in this
process, or on a Dask worker), and comes back as a ``PreparedBatch`` of Arrow tables that the
single writer commits in one transaction. A bad file becomes one failure line and the batch
goes on.
"""

from __future__ import annotations

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
from pipeline.ingest.readers import iter_jsonl_lines, record_from_line
from pipeline.process import process_document
from pipeline.schema import ProcessedDocument, RawDocument
from pipeline.store import PreparedBatch, Store, WriteOutcome, content_hash, prepare_batch


@dataclass
class IngestSummary:
    counts: Counter = field(default_factory=Counter)  # ingested/unchanged/replaced/duplicate/failed
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
        order = ("ingested", "unchanged", "replaced", "duplicate", "failed")
        return ", ".join(f"{self.counts.get(k, 0)} {k}" for k in order)


# -- tasks: the unit of work sent to a worker --------------------------------------------------


@dataclass(frozen=True)
class FilesTask:
    paths: list[str]
    known: dict[str, str]  # path -> stored doc_id, to skip unchanged files without processing


@dataclass(frozen=True)
class RecordsTask:
    path: str
    lines: list[tuple[int, str]]  # (1-based line number, raw JSON line)
    known: dict[str, str]


@dataclass
class TaskResult:
    batch: PreparedBatch
    failures: list[ReadFailure]
    unchanged: int
    documents: int


def make_tasks(paths: Iterable[str | os.PathLike], known: dict[str, str], *, batch_size: int, failures: list[ReadFailure]) -> Iterator[FilesTask | RecordsTask]:
    """Stream tasks of at most ``batch_size`` documents. Path errors are appended to ``failures``."""
    pending: list[str] = []
    for item in expand_paths(paths):
        if isinstance(item, ReadFailure):
            failures.append(item)
            continue
        if item.suffix.lower() in JSONL_SUFFIXES and not (item.suffix.lower() == ".json" and _is_json_array(item)):
            lines: list[tuple[int, str]] = []
            for number, line in iter_jsonl_lines(item, failures):
                lines.append((number, line))
                if len(lines) >= batch_size:
                    yield RecordsTask(str(item), lines, _known_for_records(known, item, lines))
                    lines = []
            if lines:
                yield RecordsTask(str(item), lines, _known_for_records(known, item, lines))
            continue
        pending.append(str(item))
        if len(pending) >= batch_size:
            yield FilesTask(pending, {p: known[p] for p in pending if p in known})
            pending = []
    if pending:
        yield FilesTask(pending, {p: known[p] for p in pending if p in known})


def _is_json_array(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")


def _known_for_records(known: dict[str, str], path: Path, lines: list[tuple[int, str]]) -> dict[str, str]:
    keys = (f"{path}#{number}" for number, _ in lines)
    return {k: known[k] for k in keys if k in known}


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
    if isinstance(task, FilesTask):
        raws: Iterable[RawDocument | ReadFailure] = (doc for p in task.paths for doc in read_path(Path(p), read))
    else:
        raws = (record_from_line(Path(task.path), number, line, read) for number, line in task.lines)
    for raw in raws:
        if isinstance(raw, ReadFailure):
            failures.append(raw)
            continue
        if task.known.get(raw.path) == content_hash(raw.raw_text):
            unchanged += 1
            continue
        result = process_raw(raw, entries, extractor, tokenizer)
        if isinstance(result, ReadFailure):
            failures.append(result)
        else:
            processed.append(result)
    return TaskResult(prepare_batch(processed), failures, unchanged, len(processed))


def process_raw(
    raw: RawDocument, manifest: dict[str, dict[str, Any]], extractor: Callable | None, tokenizer: Any = None
) -> ProcessedDocument | ReadFailure:
    """Process one document; an error in any stage becomes a failure naming the document."""
    entry = (manifest.get(raw.doc) or manifest.get(raw.doc.split("#", 1)[0])) if manifest else None
    try:
        return process_document(raw, manifest_entry=entry, extractor=extractor, tokenizer=tokenizer)
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
    if manifest_path:
        _cached_manifest(manifest_path)  # a bad manifest fails before any work starts
    summary = IngestSummary(db=str(db))
    with Store.open(db) as store:
        if settings.store_memory:
            store.con.execute(f"SET memory_limit = '{settings.store_memory}'")
        known = store.known_paths()
        path_failures: list[ReadFailure] = []
        tasks = make_tasks(paths, known, batch_size=settings.batch_size, failures=path_failures)
        kwargs = {"manifest": manifest_path, "read": read, "run_extraction": settings.run_extraction, "segmenter": settings.segmenter}
        if settings.workers > 1 or settings.scheduler:
            from pipeline.parallel import run_distributed

            results = run_distributed(tasks, kwargs, workers=settings.workers, scheduler=settings.scheduler)
        else:
            results = (run_task(task, **kwargs) for task in tasks)
        progress = _progress(settings.progress)
        for result in results:
            for failure in path_failures + result.failures:
                _record_failure(summary, failure, on_failure, settings)
            path_failures.clear()
            summary.counts["unchanged"] += result.unchanged
            for outcome in store.write_prepared(result.batch):
                summary.add(outcome)
            for key in result.batch.keys:
                known[key.path] = key.doc_id
            progress.update(result.documents + result.unchanged + len(result.failures))
        for failure in path_failures:
            _record_failure(summary, failure, on_failure, settings)
        progress.close()
    return summary


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
