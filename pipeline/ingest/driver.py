"""The ingest driver: the only writer. Tasks go to this process or to Dask workers; every
result is committed in one transaction; once the run is through, the names that the files and
folders read whole no longer hold are removed, then every text no name points at.

Identity: a document is its text (``doc_id``, a hash of it); the files and records it was read
from are its *names* (``names`` table). A re-ingest points every name at its current text, so
records that were removed, inserted, reordered or swapped, files renamed or given by another
path end up exactly as a fresh ingest of the current content.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import IngestSettings, ReadSettings
from pipeline.errors import PipelineError
from pipeline.ingest.dask_runner import run_distributed
from pipeline.ingest.retag import stale_counts
from pipeline.ingest.readers import ReadFailure, folder_manifest
from pipeline.ingest.tasks import Scopes, cached_manifest, make_tasks, run_task
from pipeline.schema import STAGES
from pipeline.segment import SEGMENTERS
from pipeline.store import Store, WriteOutcome

OUTCOMES = ("ingested", "unchanged", "replaced", "duplicate", "removed", "failed")


@dataclass
class IngestSummary:
    counts: Counter = field(default_factory=Counter)  # ingested/unchanged/replaced/duplicate/removed/failed
    failures: list[ReadFailure] = field(default_factory=list)
    duplicates: list[WriteOutcome] = field(default_factory=list)
    db: str = ""
    stale: dict[str, int] = field(default_factory=dict)  # stage -> documents made by another version

    @property
    def notes(self) -> list[str]:
        """What the user should know besides the counts (stale rows and how to re-make them)."""
        stale = {stage: n for stage, n in self.stale.items() if n}
        if not stale:
            return []
        most = max(stale.values())
        which = ", ".join(f"{stage} {n:,}" for stage, n in stale.items())
        return [f"{most:,} document(s) were tagged with older rules or lexicons ({which}); run policytext retag --db {self.db}"]

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

    def failure_reasons(self) -> list[tuple[str, int]]:
        """The failures' reasons (line numbers and quoted values generalised) with their counts."""
        import re

        counts = Counter(re.sub(r"\d+", "N", re.sub(r"^line \d+: ", "", f.reason))[:90] for f in self.failures)
        return counts.most_common()

    def line(self) -> str:
        return ", ".join(f"{self.counts.get(k, 0)} {k}" for k in OUTCOMES if k != "removed" or self.counts.get(k))


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
    if settings.segmenter not in SEGMENTERS:
        raise PipelineError(f"unknown segmenter {settings.segmenter!r}; choose one of {', '.join(SEGMENTERS)}")
    paths = [str(p) for p in paths]
    if manifest is None:  # a folder's own manifest.jsonl / manifest.csv describes its files
        manifest = folder_manifest(paths)
    manifest_path = str(manifest) if manifest else None
    entries = cached_manifest(manifest_path)  # a bad manifest fails before any work starts
    summary = IngestSummary(db=str(db))
    with Store.open(db) as store:
        if settings.store_memory:
            store.con.execute(f"SET memory_limit = '{settings.store_memory}'")
        store.remove_unnamed()  # texts an interrupted run had moved names away from
        path_failures: list[ReadFailure] = [
            ReadFailure(f"{Path(manifest_path).name}#{line}", manifest_path, f"manifest line {line}: {reason}; its entry is not used")
            for line, reason in getattr(entries, "problems", ())
        ]
        scopes = Scopes()
        tasks = make_tasks(paths, store, batch_size=settings.batch_size, failures=path_failures, read=read,
                           manifest=entries, scopes=scopes)
        kwargs = {"manifest": manifest_path, "read": read, "run_extraction": settings.run_extraction,
                  "segmenter": settings.segmenter, "lexicon_dir": settings.lexicon_dir}
        if settings.workers > 1 or settings.scheduler:
            # the writer only appends prepared Arrow batches: one DuckDB thread leaves the cores
            # to the workers (DuckDB would otherwise start a thread per core)
            store.con.execute("SET threads = 1")
            results = run_distributed(run_task, tasks, kwargs, workers=settings.workers, scheduler=settings.scheduler)
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
            progress.set_postfix_str(f"{len(written)} written, {summary.counts['unchanged']} unchanged, {summary.counts['failed']} failed")
        for failure in path_failures:
            _record_failure(summary, failure, on_failure, settings)
        progress.close()
        store.con.execute("RESET threads")
        summary.counts["removed"] += _remove_gone(store, scopes)
        for outcome in _settle(store, written):
            summary.add(outcome)
        stages = [s for s in STAGES if settings.run_extraction or s != "extract"]
        summary.stale = stale_counts(store, lexicon_dir=settings.lexicon_dir, stages=stages)
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


def _remove_gone(store: Store, scopes: Scopes) -> int:
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

    def set_postfix_str(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(enabled: bool):
    if not enabled:
        return _NoProgress()
    from tqdm import tqdm

    # stays on screen at the end, with the running count of each outcome beside the rate
    return tqdm(desc="ingest", unit="doc", leave=True, mininterval=0.2, dynamic_ncols=True)
