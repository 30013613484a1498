"""The main job behind ``make run``: ingest the default corpus, then the stages built on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.ingest.driver import IngestSummary, ingest
from pipeline.report import write_report
from pipeline.store import Store
from pipeline.train.trainer import DEFAULT_MODEL_NAME, DEFAULT_RUN_SETTINGS, train_default
from pipeline.config import ALL_SUFFIXES, MODELS_DIR, SAMPLE_CORPUS, IngestSettings


@dataclass(frozen=True)
class CorpusPart:
    paths: list[Path]
    manifest: Path | None


@dataclass
class RunResult:
    db: str
    parts: list[tuple[CorpusPart, IngestSummary]] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)


def default_corpus(shared: str | Path | None) -> list[CorpusPart]:
    """The shared seeds (with their manifest) and gov-work-reports when ../shared/corpus exists;
    otherwise the project's own sample corpus."""
    corpus = Path(shared) / "corpus" if shared else None
    if corpus is not None and corpus.is_dir():
        parts = []
        seeds = corpus / "seeds"
        if seeds.is_dir():
            manifest = seeds / "manifest.jsonl"
            parts.append(CorpusPart(sorted(seeds.glob("*.txt")), manifest if manifest.exists() else None))
        reports = corpus / "gov-work-reports"
        if reports.is_dir():
            parts.append(CorpusPart(sorted(reports.glob("*.jsonl")), None))
        if parts:
            return parts
    manifest = SAMPLE_CORPUS / "manifest.jsonl"
    files = sorted(
        p for p in SAMPLE_CORPUS.iterdir()
        if p.suffix.lower() in ALL_SUFFIXES and p.name not in (manifest.name, "README.md")
    )
    return [CorpusPart(files, manifest if manifest.exists() else None)]


def run_default(
    *,
    db: str | Path,
    shared: str | Path | None,
    report_dir: str | Path = "report",
    models_dir: str | Path | None = MODELS_DIR,
    settings: IngestSettings = IngestSettings(),
    on_failure=None,
    on_progress=None,
) -> RunResult:
    """Ingest the default corpus, train the default stance model on the rules' labels over
    the whole store (``models_dir=None`` skips it), then write the HTML report."""

    progress = on_progress or (lambda message: None)
    result = RunResult(db=str(db))
    for part in default_corpus(shared):
        summary = ingest(part.paths, db=db, manifest=part.manifest, settings=settings, on_failure=on_failure)
        result.parts.append((part, summary))
    with Store.open(db, read_only=True) as store:
        if models_dir is not None:
            inputs = training_inputs(store)
            model_dir = Path(models_dir) / DEFAULT_MODEL_NAME
            stamp = model_dir / INPUTS_FILE
            if stamp.exists() and stamp.read_text(encoding="utf-8").strip() == inputs and (model_dir / "README.md").exists():
                progress(f"model: {model_dir} kept (same documents, rules and settings as when it was trained)")
            else:
                progress(f"training the default model on {store.query('SELECT count(*) AS n FROM sentences')[0]['n']:,} sentences "
                         "(a few minutes on a large store)")
                model_dir = Path(train_default(store, models_dir, on_progress=progress))
                (model_dir / INPUTS_FILE).write_text(inputs + "\n", encoding="utf-8")
            result.outputs["model"] = str(model_dir.resolve())
        progress("writing the report")
        result.outputs["report"] = str(write_report(store, report_dir).resolve())
    return result


INPUTS_FILE = "inputs.sha256"


def training_inputs(store: Store) -> str:
    """What the default model is trained from: the stored documents (their content ids), the
    rule and lexicon versions and the training settings. Equal -> the model need not change."""
    import hashlib

    from pipeline.ingest.versions import stage_versions

    ids = store.query("SELECT coalesce(string_agg(doc_id, ',' ORDER BY doc_id), '') AS ids FROM documents")[0]["ids"]
    digest = hashlib.sha256(ids.encode())
    digest.update(repr(sorted(stage_versions().items())).encode())
    digest.update(repr(DEFAULT_RUN_SETTINGS).encode())
    return digest.hexdigest()
