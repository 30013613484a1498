"""The public Python API: one function per command of the CLI, taking the same options as
keyword arguments and returning pandas DataFrames (listings, trends, statistics) or the
library's summary records (ingest, retag, train, export).

    import policytext as pt                      # or: from pipeline.api import ingest, docs, trend
    pt.ingest(["corpora/sample"], db="sample.duckdb")
    pt.docs(db="sample.duckdb")                  # a DataFrame
    pt.trend(["脱钩", "stance:DECOUPLING"], db="sample.duckdb", by="year")

``pipeline.ingest``, ``pipeline.train``, ``pipeline.export`` and ``pipeline.audit`` are
sub-packages (the data flow's folders), so ``from pipeline import ingest`` gives the folder,
not this function: import the functions from ``pipeline.api`` or the ``policytext`` package.
Every function opens the store named by ``db`` (read-only where it only reads) and closes it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pipeline.config import DEFAULT_DB, IngestSettings, ReadSettings
from pipeline.errors import PipelineError

DB = str | os.PathLike


def _store(db: DB, read_only: bool = True):
    from pipeline.store import Store

    return Store.open(db, read_only=read_only)


def _frame(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None):
    import pandas as pd

    frame = pd.DataFrame(list(rows))
    if frame.empty and columns:
        frame = pd.DataFrame(columns=list(columns))
    return frame


def _filters(since: int | None = None, until: int | None = None, where: Iterable[str] | str = ()):
    from pipeline.query.filters import Filters

    return Filters.parse(since=since, until=until, where=[where] if isinstance(where, str) else list(where))


def check_limit(limit: int | None, name: str = "--limit") -> int | None:
    """``None`` (no limit) or a positive count; anything else is a usage error."""
    if limit is not None and limit < 1:
        raise PipelineError(f"{name} {limit}: give a positive number of rows (or leave it out for all)")
    return limit


def ingest(paths: Iterable[str | os.PathLike] | str, *, db: DB = DEFAULT_DB, manifest: str | None = None,
           text_field: str = "content", id_field: str | None = None, strict: bool = False, extract: bool = True,
           workers: int = 1, lexicons: str | None = None, progress: bool = False, on_failure=None):
    """Ingest files, folders and globs; returns the :class:`IngestSummary` (``.counts``, ``.failures``)."""
    from pipeline.ingest.driver import ingest as run

    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    return run([str(p) for p in paths], db=db, manifest=manifest, read=ReadSettings(text_field=text_field, id_field=id_field),
               settings=IngestSettings(strict=strict, run_extraction=extract, workers=workers, lexicon_dir=lexicons, progress=progress),
               on_failure=on_failure)


def retag(*, db: DB = DEFAULT_DB, stages: Sequence[str] = ("extract", "citations", "audit", "terms"), where: Iterable[str] = (),
          since: int | None = None, until: int | None = None, force: bool = False, lexicons: str | None = None):
    """Re-make derived rows after a lexicon edit; returns the :class:`RetagSummary`."""
    from pipeline.ingest.retag import retag as run

    with _store(db, read_only=False) as store:
        return run(store, stages=stages, filters=_filters(since, until, where), lexicon_dir=lexicons, force=force)


def docs(*, db: DB = DEFAULT_DB, source: str | None = None, limit: int | None = None):
    """The stored documents (one row each)."""
    from pipeline.query.listing import list_documents

    with _store(db) as store:
        return _frame(list_documents(store, source=source, limit=check_limit(limit)))


def sentences(doc: str | None = None, *, db: DB = DEFAULT_DB, section: str | None = None, stance: str | None = None,
              where: Iterable[str] = (), limit: int | None = None):
    """Sentences of one document (as ``docs`` names it) or all; ``stance`` keeps the rules' label."""
    from pipeline.query.listing import list_sentences

    with _store(db) as store:
        return _frame(list_sentences(store, doc, section=section, limit=check_limit(limit), stance=stance, filters=_filters(where=where)))


def trend(terms: Sequence[str] | str = (), *, db: DB = DEFAULT_DB, groups: Sequence[str] = (), by: str = "year",
          measure: str = "count", smooth: int | None = None, since: int | None = None, until: int | None = None,
          where: Iterable[str] = ()):
    """Frequency of terms (literal, ``group:ID``, ``framework:ID``, ``instrument:ID``, ``stance:LABEL``)."""
    from pipeline.query.terms import resolve_terms
    from pipeline.query.trends import trend as run

    terms = [terms] if isinstance(terms, str) else list(terms)
    with _store(db) as store:
        result = run(store, resolve_terms(terms, groups), by=by, measure=measure, smooth=smooth, filters=_filters(since, until, where))
    frame = _frame(result.rows)
    frame.attrs["notes"] = result.header()
    return frame


def kwic(terms: Sequence[str] | str, *, db: DB = DEFAULT_DB, window: int = 20, unit: str = "chars", regex: bool = False,
         by: str = "year", since: int | None = None, until: int | None = None, where: Iterable[str] = (), limit: int | None = None):
    """Concordance of one or more terms (or regular expressions with ``regex=True``);
    ``window`` counts characters or, with ``unit="tokens"``, jieba tokens."""
    from pipeline.query.kwic import concordance

    with _store(db) as store:
        rows = concordance(store, [terms] if isinstance(terms, str) else list(terms), window=window, unit=unit, regex=regex,
                           by=by, filters=_filters(since, until, where), limit=check_limit(limit))
    return _frame(rows)


def keyness(target: str, *, db: DB = DEFAULT_DB, reference: str | None = None, where: Iterable[str] = (),
            measure: str = "chi2", min_count: int = 5, top: int | None = 20):
    """Words key to ``target`` (``year=2023``, ``source=…``, ``stance=DECOUPLING``) against
    ``reference`` (default: the rest), quanteda-style chi² (Yates) and G² (Williams)."""
    from pipeline.query.keyness import Part, keyness as run, with_base

    base = _filters(where=where)
    with _store(db) as store:
        result = run(store, with_base(Part.parse(target), base), with_base(Part.parse(reference), base),
                     measure=measure, min_count=min_count, top=top)
    frame = _frame(result.rows)
    frame.attrs["notes"] = result.header()
    return frame


def top_terms(*, db: DB = DEFAULT_DB, by: str = "year", top: int = 10, since: int | None = None, until: int | None = None,
              where: Iterable[str] = ()):
    """The most frequent jieba tokens (stop words out) per year, month, source or venue."""
    from pipeline.query.tokens import top_terms as run

    with _store(db) as store:
        return _frame(run(store, by=by, top=top, filters=_filters(since, until, where)))


def collocations(*, db: DB = DEFAULT_DB, size: int = 2, min_count: int = 5, top: int = 30, since: int | None = None,
                 until: int | None = None, where: Iterable[str] = ()):
    """Adjacent token pairs (or triples) ranked by log-likelihood, with PMI."""
    from pipeline.query.tokens import collocations as run

    with _store(db) as store:
        return _frame(run(store, size=size, min_count=min_count, top=top, filters=_filters(since, until, where)))


def emerging(*, db: DB = DEFAULT_DB, since: int | None = None, by: str = "year", where: Iterable[str] = (),
             min_count: int = 5, top: int = 50, exclude_known: bool = False):
    """Phrases new or bursting per period (character n-grams with cohesion and boundary entropy)."""
    from pipeline.query.emerging import emerging as run

    with _store(db) as store:
        result = run(store, since=since, by=by, filters=_filters(where=where), min_count=min_count, top=top, exclude_known=exclude_known)
    frame = _frame(result.rows)
    frame.attrs["notes"] = result.header()
    return frame


def audit(*, db: DB = DEFAULT_DB, doc: str | None = None, kinds: Sequence[str] = (), where: Iterable[str] = ()):
    """Findings of the claim audit (validated kinds; ``where`` filters documents)."""
    from pipeline.query.listing import list_findings

    with _store(db) as store:
        return _frame(list_findings(store, doc, kinds=tuple(kinds), filters=_filters(where=where)))


def query(sql: str, *, db: DB = DEFAULT_DB):
    """Any read-only SQL over the store (the connection is opened read-only)."""
    from pipeline.query.listing import read_only_query

    return _frame(read_only_query(db, sql))


def export(*, db: DB = DEFAULT_DB, out: str | os.PathLike, partition_by: str = "year", tokens: bool = True) -> dict[str, Path]:
    """Write the Parquet dataset and its data card; returns table -> path."""
    from pipeline.export.dataset import export_dataset

    with _store(db) as store:
        return export_dataset(store, out, partition_by=partition_by, tokens=tokens)


def train(*, db: DB = DEFAULT_DB, out: str | os.PathLike = "models/default", tasks: Sequence[str] = (), gold: str | None = None,
          classifier: str = "svm", folds: int = 5, evaluate: bool = True, on_progress=None):
    """Train sentence classifiers on the rules' labels; returns the :class:`TrainResult`."""
    from pipeline.train import DEFAULT_TASKS, TrainSettings, train_model

    with _store(db) as store:
        return train_model(store, out, tasks=tuple(tasks) or DEFAULT_TASKS, gold_dir=gold,
                           settings=TrainSettings(classifier=classifier, folds=folds), evaluate=evaluate, on_progress=on_progress)


def tag(texts: Iterable[str] | str, *, model: str | None = None, combine: bool = False) -> list[dict[str, Any]]:
    """Tag sentences that were never ingested: frameworks, instruments, stance, evidence."""
    from pipeline.train.predict import make_tagger

    texts = [texts] if isinstance(texts, str) else list(texts)
    tagger = make_tagger(model, combine=combine)
    return [{"text": t, **tagger.tag_text(t)} for t in texts]


def annotate(*args, **kwargs):
    """Labelling sentences is interactive: use the terminal command ``policytext annotate``."""
    raise PipelineError("annotate is a terminal command (it asks for labels line by line): run `policytext annotate --help`")


__all__ = ["ingest", "retag", "docs", "sentences", "trend", "kwic", "keyness", "top_terms", "collocations", "emerging",
           "audit", "query", "export", "train", "tag", "annotate", "check_limit"]
