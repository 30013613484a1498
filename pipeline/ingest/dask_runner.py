"""Distributed ingestion on Dask: workers read, clean and tag; the caller is the only writer.

``run_distributed`` keeps at most ``2 × workers`` tasks in flight, so memory stays bounded
however large the corpus, and yields results as they complete (order does not matter: every
task is committed in its own transaction and documents are keyed by content hash).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any

from pipeline.errors import PipelineError


@contextmanager
def dask_client(*, workers: int, scheduler: str | None):
    """A client on an existing scheduler, or on a local cluster of worker processes."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise PipelineError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from exc
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(
        n_workers=max(1, workers),
        threads_per_worker=1,  # jieba and the cleaner are pure Python: one thread per process
        processes=True,
        dashboard_address=None,
        memory_limit=0,
        silence_logs=40,
    )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def run_distributed(
    task_fn: Callable[..., Any], tasks: Iterable[Any], kwargs: dict[str, Any], *, workers: int, scheduler: str | None
) -> Iterator[Any]:
    """``task_fn(task, **kwargs)`` for every task on the cluster; results as they complete."""
    from distributed import as_completed

    tasks = iter(tasks)
    with dask_client(workers=workers, scheduler=scheduler) as client:
        slots = max(2, 2 * (len(client.scheduler_info().get("workers", {})) or workers or os.cpu_count() or 1))
        initial = [client.submit(task_fn, task, pure=False, **kwargs) for task in islice(tasks, slots)]
        pending = as_completed(initial)
        for future in pending:
            result = future.result()
            future.release()
            for task in islice(tasks, 1):
                pending.add(client.submit(task_fn, task, pure=False, **kwargs))
            yield result
