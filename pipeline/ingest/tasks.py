"""The unit of ingest work: tasks of at most ``batch_size`` documents, made by the driver
and run where the CPU is (this process or a Dask worker).

``make_tasks`` streams the tasks of the given paths; ``run_task`` reads, cleans and tags one
task's documents and returns them as a ``PreparedBatch`` for the writer. A JSON Lines record
whose exact bytes are stored already (it moved) is resolved by the driver and never sent.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline import jsonsafe
from pipeline.jsonsafe import RecordError
from pipeline.config import JSONL_SUFFIXES, ReadSettings
from pipeline.errors import PipelineError
from pipeline.ingest.manifest import load_manifest
from pipeline.ingest.process import process_document
from pipeline.lexicons import pinned_lexicons
from pipeline.ingest.readers import ReadFailure, Unchanged, expand_paths, iter_jsonl_spans, name_key, read_path, record_from_line, source_hash
from pipeline.schema import ProcessedDocument, RawDocument
from pipeline.segment import segmenter_for
from pipeline.store import DocKey, PreparedBatch, Store, prepare_batch

@dataclass(frozen=True)
class FilesTask:
    paths: list[str]
    known: dict[str, str]  # name key -> stored source hash: a file that hashes the same is not read again


@dataclass(frozen=True)
class RecordLine:
    """A record of a JSON Lines file, by where it is: the worker reads the bytes itself (the
    driver sends no text)."""

    number: int  # 1-based line number
    offset: int  # byte offset of the line in the file
    length: int  # byte length of the line
    record_id: str | None  # the --id-field value, when the dump has one
    source: str  # source hash of the line (checked again by the worker: the file may change)


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
class Scopes:
    """What this run read whole, so that names it no longer holds can be removed at the end."""

    seen: set[str] = field(default_factory=set)  # every name key met (read, unchanged or failed)
    files: list[str] = field(default_factory=list)  # JSON Lines files read to their end
    folders: list[str] = field(default_factory=list)  # folders walked without a listing error
    broken_folders: set[str] = field(default_factory=set)


def _inputs(entry: dict[str, Any] | None, read: ReadSettings, file: str) -> str:
    """Everything besides a document's bytes that its stored row depends on: the read
    settings, the manifest entry and the file (a record's source is its file's name)."""
    inputs = {"text_field": read.text_field, "id_field": read.id_field, "manifest": entry, "file": file}
    if file.lower().endswith(".pdf"):
        inputs["ocr"] = read.ocr  # a PDF read with --ocr never is read again with --ocr auto
    return json.dumps(inputs, ensure_ascii=False, sort_keys=True, default=str)


def make_tasks(
    paths: Iterable[str | os.PathLike], store: Store, *, batch_size: int, failures: list[ReadFailure],
    read: ReadSettings, manifest: dict[str, dict[str, Any]], scopes: Scopes,
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
    manifest: dict[str, dict[str, Any]], scopes: Scopes,
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

    for number, text, offset, length in iter_jsonl_spans(path, file_failures):
        record_id = None
        if read.id_field:
            record_id, problem = _record_id(text, read.id_field)
            if problem is None and record_id in ids:
                problem = f"duplicate {read.id_field} {record_id!r} (also on line {ids[record_id]})"
            if problem is not None:
                failures.append(ReadFailure(f"{path.name}#{number}", str(path), f"line {number}: {problem}"))
                continue
            ids[record_id] = number
        inputs = _record_inputs(manifest, path.name, record_id, number, read, real) if manifest else file_inputs
        lines.append(RecordLine(number, offset, length, record_id, source_hash(text.encode("utf-8", "surrogatepass"), inputs)))
        if len(lines) >= batch_size:
            yield task(lines)
            lines = []
    if lines:
        yield task(lines)
    ended_early = any("not UTF-8" in f.reason for f in file_failures)
    failures.extend(file_failures)
    if not ended_early:
        scopes.files.append(real)


def _record_inputs(manifest: dict[str, dict[str, Any]], name: str, record_id: str | None, number: int, read: ReadSettings,
                   real: str) -> str:
    """The metadata inputs of one record (its manifest entry, or its file's)."""
    entry = manifest.get(f"{name}#{record_id if record_id is not None else number}") or manifest.get(name)
    return _inputs(entry, read, real)


def _record_id(line: str, id_field: str) -> tuple[str | None, str | None]:
    """The --id-field value of a JSON line, or the problem with it."""
    try:
        record = jsonsafe.loads(line)
    except RecordError as exc:
        return None, str(exc)
    if not isinstance(record, dict) or id_field not in record:
        return None, f"no {id_field!r} field to name the record by (--id-field)"
    value = record[id_field]
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        return None, f"field {id_field!r} must be a non-empty string or an integer to name the record"
    return str(value), None


def _is_json_array(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")


def cached_manifest(manifest: str | None) -> dict[str, dict[str, Any]]:
    """The manifest's entries, read once per process while the file stays the same."""
    if not manifest:
        return {}
    try:
        st = os.stat(manifest)
        stamp = (st.st_size, st.st_mtime_ns)
    except OSError:
        stamp = None  # load_manifest names the problem
    return _manifest(manifest, stamp)


@lru_cache(maxsize=4)
def _manifest(manifest: str, stamp: tuple | None) -> dict[str, dict[str, Any]]:
    return load_manifest(manifest)


def _entry(manifest: dict[str, dict[str, Any]], doc: str) -> dict[str, Any] | None:
    return (manifest.get(doc) or manifest.get(doc.split("#", 1)[0])) if manifest else None


def run_task(
    task: FilesTask | RecordsTask, *, manifest: str | None, read: ReadSettings, run_extraction: bool,
    segmenter: str = "jieba", lexicon_dir: str | None = None,
) -> TaskResult:
    """Read, clean and tag one task's documents; pure CPU work, runs on any worker."""
    entries = cached_manifest(manifest)
    tokenizer = segmenter_for(segmenter, lexicon_dir)
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
        raws = _records(Path(task.path), task.lines, read, entries)
    with pinned_lexicons():  # the lexicon files are checked for edits once per task
        for raw in raws:
            if isinstance(raw, ReadFailure):
                failures.append(raw)
                continue
            seen.append(raw.path)
            if isinstance(raw, Unchanged):
                unchanged += 1
                continue
            result = process_raw(raw, entries, extract=run_extraction, lexicon_dir=lexicon_dir, tokenizer=tokenizer)
            if isinstance(result, ReadFailure):
                failures.append(result)
            else:
                processed.append(result)
    batch = prepare_batch(processed)
    if isinstance(task, RecordsTask):
        batch.keys.extend(task.known)
    return TaskResult(batch, failures, unchanged, len(processed), seen)


def _records(path: Path, lines: list[RecordLine], read: ReadSettings, manifest: dict[str, dict[str, Any]]
             ) -> Iterator[RawDocument | ReadFailure]:
    """The documents of a task's records, read by byte range from the file (one open). A
    record whose bytes no longer hash as the driver found them (the file changed meanwhile)
    is a failure, never a wrong row."""
    real = os.path.realpath(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        for r in lines:
            yield ReadFailure(f"{path.name}#{r.record_id or r.number}", str(path), f"cannot read file ({exc.strerror or exc})")
        return
    with handle:
        for r in lines:
            handle.seek(r.offset)
            data = handle.read(r.length)
            shown = f"{path.name}#{r.record_id if r.record_id is not None else r.number}"
            inputs = _record_inputs(manifest, path.name, r.record_id, r.number, read, real)
            if source_hash(data, inputs) != r.source:
                yield ReadFailure(shown, str(path), f"line {r.number}: the file changed while it was ingested; run the ingest again")
                continue
            yield record_from_line(path, r.number, data.decode("utf-8"), read, record_id=r.record_id, source=r.source)


def process_raw(
    raw: RawDocument, manifest: dict[str, dict[str, Any]], *, extract: bool = True, lexicon_dir: str | None = None,
    tokenizer: Any = None,
) -> ProcessedDocument | ReadFailure:
    """Process one document; an error in any stage becomes a failure naming the document."""
    try:
        return process_document(raw, manifest_entry=_entry(manifest, raw.doc), extract=extract, lexicon_dir=lexicon_dir,
                                tokenizer=tokenizer)
    except PipelineError as exc:
        return ReadFailure(raw.doc, raw.path, str(exc))
    except (RecursionError, MemoryError) as exc:
        return ReadFailure(raw.doc, raw.path, f"document too large or deeply nested to process ({type(exc).__name__})")
    except Exception as exc:  # noqa: BLE001 - a bug in one stage must not stop a long run
        return ReadFailure(raw.doc, raw.path, f"internal error while processing ({type(exc).__name__}: {exc}); please report it")


