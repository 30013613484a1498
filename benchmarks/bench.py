"""The bulk benchmark behind ``make bench``: generate a corpus, ingest it, query it, report.

One run prints (and writes as ``bench-YYYYmmdd-HHMMSS.json``): plain ``jieba.lcut``
throughput on the generated text, our end-to-end ingest at 1 and 2 workers, the ratios,
the rjieba backend's token agreement with jieba on the whole shared corpus, peak RSS (whole
run, and ingesting the full corpus vs a tenth of it), store size, and ``trend``/``kwic``
timings over the resulting store. Every ingest runs as the real CLI in a child process, so
its RSS (workers included) and CPU are measured from outside.

The corpus is generated from ``../shared/corpus`` (seeds and government reports) into a
temporary directory and deleted afterwards (``--keep`` keeps it); nothing is committed.

Example: python -m benchmarks.bench --shared ../shared --out bench-results --size-mb 20
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import click

from benchmarks.pdf import format_pdf_speed, pdf_speed
from pipeline.errors import PipelineError

MB = 1_000_000
_NUMBER = re.compile(r"(?<![\d年])\d{1,3}(?:\.\d+)?(?![\d年])")  # not years: trends keep their buckets
# The stage functions whose cumulative time the profile reports, in pipeline order.
STAGES = {
    "read": ("pipeline/ingest/readers.py", ("read_path", "record_from_line")),
    "clean": ("pipeline/clean/__init__.py", ("clean_text",)),
    "metadata": ("pipeline/ingest/metadata.py", ("resolve_metadata",)),
    "extract (frameworks, instruments, stance)": ("pipeline/extract/extractor.py", ("extract_sentences",)),
    "citations": ("pipeline/citations/resolve.py", ("extract_citations",)),
    "audit (incl. segmentation)": ("pipeline/audit/checks.py", ("audit_document",)),
    "arrow batch": ("pipeline/store/batch.py", ("prepare_batch",)),
    "store write (DuckDB)": ("pipeline/store/store.py", ("write_prepared",)),
}


# -- the corpus ------------------------------------------------------------------------------


@dataclass
class Corpus:
    """A generated corpus: ``parts`` are directories of text files plus one JSON Lines file each."""

    root: Path
    parts: list[Path]
    files: int = 0
    records: int = 0
    bytes: int = 0

    def texts(self, parts: list[Path] | None = None) -> Iterator[str]:
        """Every document's text, streamed (files and JSON Lines records)."""
        for part in parts or self.parts:
            for path in sorted(part.iterdir()):
                if path.suffix == ".jsonl":
                    with path.open(encoding="utf-8") as handle:
                        for line in handle:
                            yield json.loads(line)["content"]
                else:
                    yield path.read_text(encoding="utf-8")


def load_sources(shared: Path) -> list[str]:
    """The texts the corpus is made from: the seeds and every government/congress report."""
    corpus = shared / "corpus"
    seeds = sorted((corpus / "seeds").glob("*.txt"))
    reports = sorted((corpus / "gov-work-reports").glob("*.jsonl"))
    if not seeds and not reports:
        raise PipelineError(f"{corpus}: no seeds/*.txt or gov-work-reports/*.jsonl to build a corpus from; pass --shared")
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    for path in reports:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                texts.append(f"{record.get('title', '')}\n\n{record['content']}")
    return texts


def vary(text: str, rng: random.Random, target: int | None) -> str:
    """A light variant: a window of about ``target`` characters of paragraphs (the whole text
    when None), a few neighbouring paragraphs swapped, small numbers substituted."""
    paragraphs = [p for p in text.split("\n") if p.strip()]
    if target is not None and len(text) > target:
        head = paragraphs[:2]  # the title (and author line) stay, so metadata is found
        start = rng.randrange(2, max(3, len(paragraphs)))
        body, size = [], 0
        for p in paragraphs[start:] + paragraphs[2:start]:
            body.append(p)
            size += len(p)
            if size >= target:
                break
        paragraphs = head + body
    for _ in range(max(1, len(paragraphs) // 20)):
        i = rng.randrange(2, len(paragraphs)) if len(paragraphs) > 3 else 0
        if 2 <= i < len(paragraphs) - 1:
            paragraphs[i], paragraphs[i + 1] = paragraphs[i + 1], paragraphs[i]
    body = "\n".join(paragraphs)
    return _NUMBER.sub(lambda m: str(rng.randint(1, 999)) if rng.random() < 0.5 else m.group(0), body) + "\n"


def generate_corpus(shared: Path, out: Path, *, size_mb: float, files: int, parts: int = 20, seed: int = 0) -> Corpus:
    """About ``size_mb`` MB (UTF-8) in about ``files`` documents, in ``parts`` directories of
    text files, a tenth of each part's documents as records of one JSON Lines file."""
    sources = load_sources(shared)
    weights = [len(t) for t in sources]
    rng = random.Random(seed)
    corpus = Corpus(out, [])
    total = int(size_mb * MB)
    per_part = max(1, files // parts)
    n = 0
    for k in range(parts):
        part = out / f"part{k:02d}"
        part.mkdir(parents=True, exist_ok=True)
        corpus.parts.append(part)
        part_budget = total * (k + 1) // parts
        with (part / "records.jsonl").open("w", encoding="utf-8") as jsonl:
            for j in range(per_part):
                if corpus.bytes >= part_budget and j:
                    break
                left_docs = max(1, files - n)
                target_bytes = max(2_000, (total - corpus.bytes) // left_docs)
                source = rng.choices(sources, weights)[0]
                # chars ~ bytes / 3 for Chinese; vary the size +-50 %
                text = vary(source, rng, int(target_bytes / 3 * rng.uniform(0.5, 1.5)))
                size = len(text.encode("utf-8"))
                if j % 10 == 9:
                    jsonl.write(json.dumps({"title": text.split("\n", 1)[0], "content": text}, ensure_ascii=False) + "\n")
                    corpus.records += 1
                else:
                    (part / f"doc{n:06d}.txt").write_text(text, encoding="utf-8")
                    corpus.files += 1
                corpus.bytes += size
                n += 1
    return corpus


# -- measuring -------------------------------------------------------------------------------


class RssSampler:
    """Samples the RSS of a process and all its descendants every ``interval`` seconds."""

    def __init__(self, pid: int | None = None, interval: float = 0.1):
        self.pid = pid or os.getpid()
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> int:
        import psutil

        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        rss = 0
        for proc in procs:
            try:
                rss += proc.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        self.peak = max(self.peak, rss)
        return rss

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _load() -> float:
    return round(os.getloadavg()[0], 2)


@dataclass
class IngestRun:
    label: str
    workers: int
    segmenter: str
    bytes: int
    documents: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    store_mb: float = 0.0
    sentences: int = 0
    summary: str = ""
    load: list[float] = field(default_factory=list)

    @property
    def mb_s(self) -> float:
        return self.bytes / MB / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label, "workers": self.workers, "segmenter": self.segmenter, "mb": round(self.bytes / MB, 2),
            "documents": self.documents, "seconds": round(self.seconds, 2), "cpu_seconds": round(self.cpu_seconds, 2),
            "mb_per_s": round(self.mb_s, 3), "docs_per_s": round(self.documents / self.seconds, 1) if self.seconds else 0,
            "mb_per_cpu_s": round(self.bytes / MB / self.cpu_seconds, 3) if self.cpu_seconds else 0,
            "peak_rss_mb": round(self.peak_rss_mb, 1), "store_mb": round(self.store_mb, 1), "sentences": self.sentences,
            "summary": self.summary, "load_before_after": self.load,
        }


def run_ingest(paths: list[Path], db: Path, *, label: str, nbytes: int, workers: int = 1, segmenter: str = "jieba", batch_size: int = 64) -> IngestRun:
    """Run ``policytext ingest`` in a child process; time it and sample its process tree's RSS."""
    for stale in (db, Path(f"{db}.wal")):
        stale.unlink(missing_ok=True)
    command = [
        sys.executable, "-m", "pipeline", "ingest", *map(str, paths), "--db", str(db), "--workers", str(workers),
        "--segmenter", segmenter, "--batch-size", str(batch_size), "--quiet",
    ]
    run = IngestRun(label, workers, segmenter, nbytes, load=[_load()])
    cpu = _cpu_children()
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with RssSampler(child.pid) as sampler:
        out, err = child.communicate()
    run.seconds = time.perf_counter() - started
    run.cpu_seconds = _cpu_children() - cpu
    run.peak_rss_mb = sampler.peak / 2**20
    run.load.append(_load())
    lines = [line for line in out.splitlines() if "->" in line]
    if child.returncode not in (0, 1) or not lines:
        raise PipelineError(f"ingest {label} failed (exit {child.returncode}): {err.strip()[-2000:]}")
    run.summary = lines[-1]
    run.store_mb = sum(p.stat().st_size for p in (db, Path(f"{db}.wal")) if p.exists()) / 2**20
    from pipeline.store import Store

    with Store.open(db, read_only=True) as store:
        run.documents = store.con.execute("SELECT (SELECT count(*) FROM documents) + (SELECT count(*) FROM duplicates)").fetchone()[0]
        run.sentences = store.con.execute("SELECT count(*) FROM sentences").fetchone()[0]
    return run


def jieba_throughput(texts: Iterator[str]) -> dict[str, Any]:
    """Plain ``jieba.lcut`` (jieba's global tokenizer, default dictionary), one process."""
    import logging
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba
    logging.getLogger("jieba").setLevel(logging.WARNING)
    jieba.lcut("预热")  # load the dictionary outside the timing
    nbytes = seconds = cpu = 0.0
    for text in texts:
        nbytes += len(text.encode("utf-8"))
        t0, c0 = time.perf_counter(), time.process_time()
        jieba.lcut(text)
        seconds += time.perf_counter() - t0
        cpu += time.process_time() - c0
    return {"mb": round(nbytes / MB, 2), "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "mb_per_s": round(nbytes / MB / seconds, 3), "mb_per_cpu_s": round(nbytes / MB / cpu, 3)}


def segmenter_agreement(shared: Path) -> dict[str, Any]:
    """Sentence-level token agreement of the rjieba backend with jieba (both with the lexicon
    user dictionary) on every sentence of the shared corpus, and each one's speed."""
    from pipeline.clean import clean_text
    from pipeline.segment import Segmenter

    sentences = [s.text for text in load_sources(shared) for s in clean_text(text).sentences]
    nbytes = sum(len(s.encode("utf-8")) for s in sentences)
    result: dict[str, Any] = {"sentences": len(sentences), "mb": round(nbytes / MB, 2)}
    tokens = {}
    for backend in ("jieba", "rjieba"):
        segmenter = Segmenter(backend=backend)
        segmenter.cut("预热")
        started = time.process_time()
        tokens[backend] = [segmenter.cut(s) for s in sentences]
        result[f"{backend}_mb_per_cpu_s"] = round(nbytes / MB / (time.process_time() - started), 3)
    differ = [i for i, (a, b) in enumerate(zip(tokens["jieba"], tokens["rjieba"])) if a != b]
    result["agreement"] = round(1 - len(differ) / len(sentences), 6) if sentences else 1.0
    result["differing"] = len(differ)
    result["examples"] = [sentences[i][:80] for i in differ[:3]]
    return result


def time_queries(db: Path) -> dict[str, Any]:
    """``trend`` and ``kwic`` over the store: the library functions of pipeline.query.trends/kwic."""
    from pipeline.store import Store
    from benchmarks.queries import benchmark_queries
    from pipeline.query.terms import resolve_terms

    out: dict[str, Any] = {"source": "pipeline.query.trends.benchmark_queries + pipeline.query.kwic.kwic (library calls, best of 3)"}
    with Store.open(db, read_only=True) as store:
        out["trend"] = benchmark_queries(store, repeat=3)
        from pipeline.query.kwic import kwic

        for name, kwargs in {"kwic 保护主义 (all lines)": {}, "kwic 供应链 --limit 50": {"limit": 50}}.items():
            spec = resolve_terms([name.split()[1]])[0]
            best, rows = float("inf"), []
            for _ in range(3):
                started = time.perf_counter()
                rows = kwic(store, spec, **kwargs)
                best = min(best, time.perf_counter() - started)
            out[name] = {"seconds": round(best, 4), "lines": len(rows)}
    return out


def profile_stages(paths: list[Path], db: Path, out: Path) -> dict[str, Any]:
    """cProfile one in-process ingest of ``paths``; cumulative seconds per pipeline stage."""
    from pipeline.ingest.driver import ingest
    from pipeline.segment import segmenter_for
    from pipeline.config import IngestSettings

    warm = next(p for p in paths[0].iterdir() if p.suffix == ".txt")
    ingest([warm], db=db.with_suffix(".warm.duckdb"), settings=IngestSettings(progress=False))  # imports, automata
    segmenter_for("jieba").cut("预热")  # the audit's tokenizer: built once per process, not a per-document cost
    for stale in (db, Path(f"{db}.wal")):
        stale.unlink(missing_ok=True)
    profiler = cProfile.Profile(time.process_time)  # CPU, not wall: other work on the machine does not count
    started = time.process_time()
    profiler.enable()
    ingest(paths, db=db, settings=IngestSettings(progress=False))
    profiler.disable()
    total = time.process_time() - started
    out.mkdir(parents=True, exist_ok=True)
    dump = out / "ingest.prof"
    profiler.dump_stats(str(dump))
    stats = pstats.Stats(profiler).stats  # (file, line, name) -> (cc, nc, tt, ct, callers)
    stages: dict[str, float] = {}
    for stage, (suffix, names) in STAGES.items():
        stages[stage] = round(sum(v[3] for (file, _, name), v in stats.items() if file.endswith(suffix) and name in names), 2)
    stages["total (profiled)"] = round(total, 2)
    top = sorted(((v[2], f"{Path(file).name}:{name}") for (file, _, name), v in stats.items()), reverse=True)[:12]
    return {"stages_seconds": stages, "top_self_seconds": [[name, round(t, 2)] for t, name in top], "profile": str(dump)}


# -- the real bulk corpus (CCTV Xinwen Lianbo, JSON Lines) ---------------------------------------

REAL_CORPUS = Path("corpus") / "cctv-xinwenlianbo"


def real_files(shared: Path) -> list[Path]:
    folder = shared / REAL_CORPUS
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise PipelineError(f"no {REAL_CORPUS}/*.jsonl under {shared}: the real-corpus benchmark needs it (or --no-real)")
    return files


def real_slice(files: list[Path], out: Path, mb: float | None) -> tuple[list[Path], int, int]:
    """The first ``mb`` MB of the real corpus as one JSON Lines file in ``out`` (``None``: the
    files themselves). Returns (paths, bytes, records)."""
    if mb is None:
        nbytes = sum(f.stat().st_size for f in files)
        records = sum(1 for f in files for line in f.open("rb") if line.strip())
        return files, nbytes, records
    out.parent.mkdir(parents=True, exist_ok=True)
    nbytes = records = 0
    with out.open("wb") as sink:
        for f in files:
            with f.open("rb") as source:
                for line in source:
                    if nbytes >= mb * MB:
                        return [out], nbytes, records
                    if line.strip():
                        sink.write(line)
                        nbytes += len(line)
                        records += 1
    return [out], nbytes, records


def real_texts(paths: list[Path]) -> Iterator[str]:
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield json.loads(line).get("content") or ""


def store_checks(db: Path) -> dict[str, Any]:
    """Documents, undated documents and names of a store (the real corpus must be all dated)."""
    from pipeline.store import Store

    with Store.open(db, read_only=True) as store:
        docs, undated = store.con.execute("SELECT count(*), count(*) FILTER (WHERE published IS NULL) FROM documents").fetchone()
        names = store.con.execute("SELECT count(*) FROM names").fetchone()[0]
    return {"documents": docs, "undated": undated, "names": names}


def run_retag(db: Path) -> dict[str, Any]:
    """``policytext retag --force`` (every stage of every document) in a child process."""
    command = [sys.executable, "-m", "pipeline", "retag", "--db", str(db), "--force", "--quiet"]
    started = time.perf_counter()
    child = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise PipelineError(f"retag failed (exit {child.returncode}): {child.stderr.strip()[-2000:]}")
    docs = store_checks(db)["documents"]
    return {"seconds": round(seconds, 2), "documents": docs, "docs_per_s": round(docs / seconds, 1) if seconds else 0,
            "output": child.stdout.strip()[-300:]}


def _failed(summary: str) -> int:
    m = re.search(r"(\d+) failed", summary)
    return int(m.group(1)) if m else 0


def run_real_benchmark(*, shared: Path, workdir: Path, full_mb: float | None, slice_mb: float, backends: list[str],
                       echo=print) -> dict[str, Any]:
    """The real dated corpus: plain jieba.lcut on its text, ingest of the whole corpus (or
    ``full_mb`` of it) at 1 and 2 workers with each backend, a ``slice_mb`` slice at 1 worker
    (peak RSS full vs slice), store size, failures and undated documents, retag, queries."""
    files = real_files(shared)
    full, full_bytes, full_records = real_slice(files, workdir / "real" / "full.jsonl", full_mb)
    small, small_bytes, small_records = real_slice(files, workdir / "real" / "slice.jsonl", slice_mb)
    result: dict[str, Any] = {"corpus": {"files": [str(f) for f in full], "mb": round(full_bytes / MB, 2), "records": full_records,
                                         "slice_mb": round(small_bytes / MB, 2), "slice_records": small_records}}
    echo(f"real corpus: plain jieba.lcut on {full_bytes / MB:.0f} MB …")
    result["jieba"] = jieba_throughput(real_texts(full))
    runs: dict[str, IngestRun] = {}
    for backend in backends:
        for workers in (1, 2):
            label = f"real, {workers} worker{'s' if workers > 1 else ''}, {backend}"
            echo(f"ingest {label} ({full_bytes / MB:.0f} MB) …")
            runs[label] = run_ingest(full, workdir / f"real-{workers}-{backend}.duckdb", label=label, nbytes=full_bytes,
                                     workers=workers, segmenter=backend)
    label = f"real slice, 1 worker, {backends[0]}"
    echo(f"ingest {label} ({small_bytes / MB:.0f} MB) …")
    runs[label] = run_ingest(small, workdir / "real-slice.duckdb", label=label, nbytes=small_bytes, workers=1, segmenter=backends[0])
    result["ingest"] = {k: v.as_dict() for k, v in runs.items()}
    main_db = workdir / f"real-1-{backends[0]}.duckdb"
    main = runs[f"real, 1 worker, {backends[0]}"]
    result["checks"] = {**store_checks(main_db), "records": full_records, "failed": _failed(main.summary)}
    echo("retag --force on the real store …")
    result["retag"] = run_retag(main_db)
    echo("trend and kwic on the real store …")
    result["queries"] = time_queries(main_db)
    jieba_mb_s = result["jieba"]["mb_per_s"]
    ratios: dict[str, float] = {}
    for backend in backends:
        one, two = runs[f"real, 1 worker, {backend}"], runs[f"real, 2 workers, {backend}"]
        ratios[f"{backend}_1worker_vs_jieba_lcut"] = round(one.mb_s / jieba_mb_s, 3) if jieba_mb_s else 0.0
        ratios[f"{backend}_2workers_vs_1"] = round(two.mb_s / one.mb_s, 3) if one.mb_s else 0.0
    ratios["peak_rss_full_vs_slice"] = round(main.peak_rss_mb / runs[label].peak_rss_mb, 3) if runs[label].peak_rss_mb else 0.0
    result["ratios"] = ratios
    return result


def format_real(r: dict[str, Any]) -> list[str]:
    c, ratios, checks = r["corpus"], r["ratios"], r["checks"]
    lines = [f"real corpus: {c['mb']} MB, {c['records']} records (slice {c['slice_mb']} MB, {c['slice_records']} records)",
             f"  plain jieba.lcut: {r['jieba']['mb_per_s']} MB/s wall ({r['jieba']['mb_per_cpu_s']} MB per CPU-second)"]
    for label, run in r["ingest"].items():
        lines.append(f"  ingest {label:<28} {run['mb']:>7} MB  {run['seconds']:>7.1f} s  {run['mb_per_s']:>6.3f} MB/s  "
                     f"{run['docs_per_s']:>7.1f} docs/s  peak RSS {run['peak_rss_mb']:>6.0f} MB  store {run['store_mb']:>6.0f} MB  "
                     f"load {run['load_before_after']}")
    for key, value in ratios.items():
        target = {"1worker_vs_jieba_lcut": ">= 1.5 (jieba) / >= 3 (rjieba)", "2workers_vs_1": ">= 1.7",
                  "peak_rss_full_vs_slice": "<= 1.5"}
        lines.append(f"  ratio {key}: {value}  (target {next((t for k, t in target.items() if key.endswith(k)), '')})")
    lines.append(f"  checks: {checks['records']} records, {checks['failed']} failed, {checks['documents']} documents, "
                 f"{checks['undated']} undated (target: 0 failed, 0 undated)")
    lines.append(f"  retag --force: {r['retag']['seconds']} s, {r['retag']['docs_per_s']} docs/s")
    for name, seconds in r["queries"]["trend"].items():
        lines.append(f"  {name}: {seconds}" + (" s" if name != "sentences" else " sentences"))
    for name, value in r["queries"].items():
        if name.startswith("kwic"):
            lines.append(f"  {name}: {value['seconds']} s ({value['lines']} lines)")
    return lines


# -- the run ---------------------------------------------------------------------------------


def run_benchmark(*, shared: Path, out: Path, size_mb: float, files: int, workdir: Path, segmenters: bool = True, echo=print,
                  real: bool = True, real_mb: float | None = None, real_slice_mb: float = 13.0) -> dict[str, Any]:
    """Everything ``make bench`` measures, as one dict (also written to ``out``)."""
    results: dict[str, Any] = {"started": datetime.now().isoformat(timespec="seconds"), "cpus": os.cpu_count(), "load_start": _load()}
    with RssSampler() as whole:
        echo(f"generating ~{size_mb:g} MB / ~{files} documents in {workdir} …")
        corpus = generate_corpus(shared, workdir / "corpus", size_mb=size_mb, files=files)
        results["corpus"] = {"mb": round(corpus.bytes / MB, 2), "files": corpus.files, "jsonl_records": corpus.records, "parts": len(corpus.parts)}
        small = corpus.parts[: max(1, len(corpus.parts) // 10)]
        small_bytes = sum(len(t.encode("utf-8")) for t in corpus.texts(small))

        echo("plain jieba.lcut on the same text …")
        results["jieba"] = jieba_throughput(corpus.texts())
        if segmenters:
            echo("rjieba vs jieba token agreement on the shared corpus …")
            results["segmenter_agreement"] = segmenter_agreement(shared)

        runs = [
            ("small, 1 worker", small, small_bytes, 1, "jieba"),
            ("small, 1 worker, rjieba", small, small_bytes, 1, "rjieba"),
            ("full, 1 worker", corpus.parts, corpus.bytes, 1, "jieba"),
            ("full, 2 workers", corpus.parts, corpus.bytes, 2, "jieba"),
        ]
        ingests: dict[str, IngestRun] = {}
        for label, parts, nbytes, workers, backend in runs:
            if backend != "jieba" and not segmenters:
                continue
            echo(f"ingest {label} ({nbytes / MB:.1f} MB) …")
            db = workdir / f"{label.replace(' ', '').replace(',', '-')}.duckdb"
            ingests[label] = run_ingest(parts, db, label=label, nbytes=nbytes, workers=workers, segmenter=backend)
        results["ingest"] = {k: v.as_dict() for k, v in ingests.items()}

        echo("trend and kwic queries …")
        full_db = workdir / "full-1worker.duckdb"
        results["queries"] = time_queries(full_db)
        echo("PDF ingest speed (text-layer variants of SHARED/pdf) …")
        results["pdf"] = pdf_speed(shared, workdir)
        echo("profiling an in-process ingest of one part …")
        results["profile"] = profile_stages(small[:1], workdir / "profile.duckdb", out)
        if real:
            results["real"] = run_real_benchmark(shared=shared, workdir=workdir, full_mb=real_mb, slice_mb=real_slice_mb,
                                                 backends=["jieba", "rjieba"] if segmenters else ["jieba"], echo=echo)

    one, two, small_run = ingests["full, 1 worker"], ingests["full, 2 workers"], ingests["small, 1 worker"]
    jieba_mb_s = results["jieba"]["mb_per_s"]
    ratios = {
        "pipeline_1worker_vs_jieba": round(one.mb_s / jieba_mb_s, 3),
        "pipeline_1worker_vs_jieba_cpu": round((one.bytes / MB / one.cpu_seconds) / results["jieba"]["mb_per_cpu_s"], 3),
        "workers2_vs_1": round(two.mb_s / one.mb_s, 3),
        "peak_rss_full_vs_small": round(one.peak_rss_mb / small_run.peak_rss_mb, 3),
    }
    if "small, 1 worker, rjieba" in ingests:
        fast = ingests["small, 1 worker, rjieba"]
        ratios["pipeline_rjieba_1worker_vs_jieba"] = round(fast.mb_s / jieba_mb_s, 3)
        ratios["rjieba_segmenter_vs_jieba_lcut_cpu"] = round(results["segmenter_agreement"]["rjieba_mb_per_cpu_s"] / results["jieba"]["mb_per_cpu_s"], 3)
    results["ratios"] = ratios
    results["peak_rss_whole_run_mb"] = round(whole.peak / 2**20, 1)
    results["load_end"] = _load()
    cores = os.cpu_count() or 1
    busy = [load for run in ingests.values() for load in run.load]
    busy += [load for run in results.get("real", {}).get("ingest", {}).values() for load in run["load_before_after"]]
    results["comparable"] = max([results["load_start"], results["load_end"], *busy]) <= cores
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"bench-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    results["written"] = str(path)
    return results


def format_report(r: dict[str, Any]) -> str:
    """The human-readable summary of a benchmark result."""
    j, ing, q, ratios = r["jieba"], r["ingest"], r["queries"], r["ratios"]
    lines = [
        f"corpus: {r['corpus']['mb']} MB, {r['corpus']['files']} files + {r['corpus']['jsonl_records']} JSON Lines records; "
        f"{r['cpus']} CPUs, load {r['load_start']} at start, {r['load_end']} at end",
        f"plain jieba.lcut, 1 process: {j['mb_per_s']} MB/s wall ({j['mb_per_cpu_s']} MB per CPU-second)",
    ]
    for label, run in ing.items():
        lines.append(
            f"ingest {label:<24} {run['mb']:>7} MB  {run['seconds']:>7.1f} s  {run['mb_per_s']:>6.3f} MB/s  "
            f"{run['docs_per_s']:>6.1f} docs/s  peak RSS {run['peak_rss_mb']:>6.0f} MB  load {run['load_before_after']}"
        )
    full = ing["full, 1 worker"]
    lines += [
        f"ratio pipeline (1 worker) / jieba: {ratios['pipeline_1worker_vs_jieba']} wall, {ratios['pipeline_1worker_vs_jieba_cpu']} per CPU-second (target >= 0.8)",
        f"ratio 2 workers / 1 worker: {ratios['workers2_vs_1']} (target >= 1.8)",
        f"peak RSS full / small ingest: {ratios['peak_rss_full_vs_small']} (target <= 1.5)",
    ]
    if "segmenter_agreement" in r:
        a = r["segmenter_agreement"]
        lines += [
            f"rjieba vs jieba: {a['agreement'] * 100:.3f}% of {a['sentences']} shared-corpus sentences tokenised identically "
            f"({a['differing']} differ); segmenter speed jieba {a['jieba_mb_per_cpu_s']} / rjieba {a['rjieba_mb_per_cpu_s']} MB per CPU-second",
            f"ratio rjieba segmenter / plain jieba.lcut: {ratios['rjieba_segmenter_vs_jieba_lcut_cpu']} (target >= 3); "
            f"end-to-end ingest with --segmenter rjieba / jieba.lcut: {ratios['pipeline_rjieba_1worker_vs_jieba']}",
        ]
    lines.append(f"peak RSS of the whole run (this process and all children): {r['peak_rss_whole_run_mb']} MB")
    lines.append(f"store: {full['store_mb']} MB, {full['sentences']} sentences, {full['documents']} documents ({full['summary']})")
    lines.append(f"queries ({q['source']}):")
    for name, seconds in q["trend"].items():
        lines.append(f"  {name}: {seconds}" + (" s" if name != "sentences" else " sentences"))
    for name, value in q.items():
        if name.startswith("kwic"):
            lines.append(f"  {name}: {value['seconds']} s ({value['lines']} lines)")
    lines.append("where an in-process ingest spends its CPU (cProfile, cumulative seconds):")
    for stage, seconds in r["profile"]["stages_seconds"].items():
        lines.append(f"  {stage}: {seconds}")
    if r.get("pdf"):
        lines += format_pdf_speed(r["pdf"])
    if "real" in r:
        lines += format_real(r["real"])
    lines.append(f"results: {r['written']}")
    if not r.get("comparable", True):
        lines.append(f"** the machine was busy (load average above its {r['cpus']} cores during the run): these figures are NOT comparable **")
    return "\n".join(lines)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--shared", type=click.Path(exists=True, file_okay=False, path_type=Path), default="../shared", show_default=True, help="The shared data directory (corpus/seeds, corpus/gov-work-reports).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default="bench-results", show_default=True, help="Where the JSON results (and the profile) go.")
@click.option("--size-mb", type=float, default=20.0, show_default=True, help="Size of the generated corpus (UTF-8 MB).")
@click.option("--files", type=int, help="Documents in the generated corpus  [default: 100 per MB]")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), help="Where to generate the corpus and stores (default: a temporary directory).")
@click.option("--keep", is_flag=True, help="Keep the generated corpus and stores.")
@click.option("--no-segmenters", is_flag=True, help="Skip the rjieba agreement and ingest.")
@click.option("--no-real", is_flag=True, help="Skip the real corpus (corpus/cctv-xinwenlianbo).")
@click.option("--real-mb", type=float, help="Use only the first MB of the real corpus  [default: all of it, ~132 MB]")
@click.option("--real-slice-mb", type=float, default=13.0, show_default=True, help="The slice whose peak RSS the full run is compared with.")
def main(shared, out, size_mb, files, workdir, keep, no_segmenters, no_real, real_mb, real_slice_mb):
    """Generate a bulk corpus, ingest it at 1 and 2 workers, query it, print the figures.

    Example: python -m benchmarks.bench --shared ../shared --size-mb 20
    """
    if size_mb <= 0:
        raise click.ClickException(f"--size-mb {size_mb}: give a positive size")
    files = files or max(20, int(size_mb * 100))
    temporary = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="policytext-bench-")) if temporary else workdir
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        results = run_benchmark(shared=shared, out=out, size_mb=size_mb, files=files, workdir=workdir,
                                segmenters=not no_segmenters, echo=lambda m: click.echo(m, err=True),
                                real=not no_real, real_mb=real_mb, real_slice_mb=real_slice_mb)
    except PipelineError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        if temporary and not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    click.echo(format_report(results))


if __name__ == "__main__":
    main()
