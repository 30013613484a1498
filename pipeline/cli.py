"""The command line: a thin click layer over the library. Only this module prints."""

from __future__ import annotations

import sys
from functools import wraps
from pathlib import Path

import click

from pipeline.config import DEFAULT_DB, DEFAULT_SHARED, IngestSettings, ReadSettings
from pipeline.errors import PipelineError
from pipeline.formats import FORMATS

lexicons_option = click.option(
    "--lexicons", "lexicon_dir", type=click.Path(exists=True, file_okay=False),
    help="A lexicon folder of your own (a copy of pipeline/lexicons/ to edit); default: the packaged lexicons.",
)


db_option = click.option("--db", type=click.Path(dir_okay=False), default=str(DEFAULT_DB), show_default=True, help="DuckDB store file.")


def domain_errors(func):
    """Turn PipelineError into click's `Error: …` with exit status 1."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except PipelineError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


def _open(db: str, *, read_only: bool = True):
    from pipeline.store import Store

    return Store.open(db, read_only=read_only)


def _print_failure(failure) -> None:
    click.echo(f"FAILED {failure.path}: {failure.reason}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policytext")
def cli():
    """policytext: Chinese policy texts on US-China trade -> a queryable dataset.

    Example: policytext ingest ../shared/corpus/seeds --manifest ../shared/corpus/seeds/manifest.jsonl
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False), help="CSV or JSONL keyed by file name: title, authors, venue, published, source.")
@click.option("--text-field", default="content", show_default=True, help="Field holding the text in JSON Lines records.")
@click.option("--id-field", help="Field that names a JSON Lines record (default: its line number), e.g. id.")
@click.option("--strict", is_flag=True, help="Stop at the first failure (default: keep going).")
@click.option("--keep-going", is_flag=True, default=True, hidden=True)
@click.option("--no-extract", is_flag=True, help="Only clean and store; skip frameworks/instruments/stance.")
@click.option("--batch-size", default=64, show_default=True, help="Documents per store transaction.")
@click.option("--workers", type=int, default=1, show_default=True, help="Worker processes (a local Dask cluster when > 1).")
@click.option("--scheduler", help="Address of an existing Dask scheduler (tcp://host:8786): run on that cluster.")
@click.option("--segmenter", type=click.Choice(["jieba", "rjieba"]), default="jieba", show_default=True, help="Segmentation backend: jieba (reference) or rjieba (same tokens, faster).")
@lexicons_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@domain_errors
def ingest(paths, db, manifest, text_field, id_field, strict, keep_going, no_extract, batch_size, workers, scheduler, segmenter,
           lexicon_dir, quiet):
    """Read files, directories (recursively) and globs into the store.

    Re-ingesting an unchanged file is a no-op; a changed file replaces its rows.
    Exit status 1 when any file failed.

    Example: policytext ingest articles/ dumps/*.jsonl --text-field body
    """
    from pipeline.ingest.driver import ingest as run_ingest

    summary = run_ingest(
        paths,
        db=db,
        manifest=manifest,
        read=ReadSettings(text_field=text_field, id_field=id_field),
        settings=IngestSettings(
            batch_size=batch_size, strict=strict, run_extraction=not no_extract,
            progress=not quiet and sys.stderr.isatty(), workers=workers, scheduler=scheduler, segmenter=segmenter,
            lexicon_dir=lexicon_dir,
        ),
        on_failure=_print_failure,
    )
    for dup in summary.duplicates:
        click.echo(f"duplicate {dup.path}: {dup.detail}", err=True)
    click.echo(f"{summary.line()} -> {db}")
    for note in summary.notes:
        click.echo(note, err=True)
    if not summary.ok:
        sys.exit(1)


@cli.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--source", help="Only documents from this source.")
@domain_errors
def docs(db, fmt, source):
    """List the stored documents.

    Example: policytext docs --format jsonl
    """
    from pipeline.query.listing import DOC_COLUMNS, list_documents
    from pipeline.formats import write_records

    with _open(db) as store:
        rows = list_documents(store, source=source)
    write_records(rows, fmt, sys.stdout, columns=DOC_COLUMNS if fmt == "table" else None)


@cli.command()
@click.argument("doc", required=False)
@db_option
@click.option("--section", help="Only this section kind (title, abstract, body, note, reference, meta).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--limit", type=int, help="At most this many sentences.")
@domain_errors
def sentences(doc, db, section, fmt, limit):
    """List sentences, of one document (DOC as named by `docs`) or all.

    Example: policytext sentences 000_cbb83d75210a49e2.txt --section body --format jsonl
    """
    from pipeline.query.listing import SENTENCE_COLUMNS, list_sentences
    from pipeline.formats import write_records

    with _open(db) as store:
        rows = list_sentences(store, doc, section=section, limit=limit)
    write_records(rows, fmt, sys.stdout, columns=SENTENCE_COLUMNS if fmt == "table" else None, max_width=80)


@cli.command()
@db_option
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Directory for the Parquet files.")
@click.option("--partition-by", type=click.Choice(["year", "source"]), default="year", show_default=True, help="Folder key of the partitioned tables.")
@click.option("--no-tokens", is_flag=True, help="Do not add jieba tokens to the sentences (faster).")
@domain_errors
def export(db, out, partition_by, no_tokens):
    """Write the dataset: every table as partitioned Parquet, plus a data card (DIR/README.md).

    Example: policytext export --out export/ --partition-by source
    """
    from pipeline.export.dataset import export_dataset

    with _open(db) as store:
        written = export_dataset(store, out, partition_by=partition_by, tokens=not no_tokens)
    for table, path in written.items():
        click.echo(f"{table}: {path}")


@cli.command()
@db_option
@click.option("--doc", help="Only this document (as named by `docs`).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "json", "table"]), default="jsonl", show_default=True)
@domain_errors
def citations(db, doc, fmt):
    """One line per in-text citation: marker, claim sentence, note text and parsed fields.

    Example: policytext citations --doc 000_cbb83d75210a49e2.txt --format csv
    """
    from pipeline.query.listing import CITATION_COLUMNS, list_citations
    from pipeline.formats import write_records

    with _open(db) as store:
        rows = list_citations(store, doc)
    write_records(rows, fmt, sys.stdout, columns=CITATION_COLUMNS if fmt == "table" else None)


@cli.command()
@db_option
@click.option("--doc", help="Only this document (as named by `docs`).")
@click.option("--kind", "kinds", multiple=True, help="Only these finding kinds (repeatable), e.g. UNCITED_CLAIM.")
@click.option("--link-sources/--no-link-sources", default=True, show_default=True, help="Also link cited works that are themselves in the store.")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "csv", "table", "html"]), default="table", show_default=True)
@domain_errors
def audit(db, doc, kinds, link_sources, fmt):
    """Audit claims against citations: uncited claims, dangling markers, orphan notes, …

    Example: policytext audit --doc 003_5b52caaf45a6c733.txt --format html > audit.html
    """
    from dataclasses import asdict

    from pipeline.audit.html import format_findings_html
    from pipeline.query.sources import link_stored_sources
    from pipeline.query.listing import FINDING_COLUMNS, list_findings
    from pipeline.formats import write_records

    with _open(db) as store:
        rows = list_findings(store, doc, kinds=tuple(kinds))
        if link_sources and (not kinds or "LINKED_SOURCE" in kinds):
            rows += [asdict(f) for f in link_stored_sources(store, doc)]
    if fmt == "html":
        from pipeline.schema import Finding

        findings = [Finding(**{k: v for k, v in r.items() if k != "claim"}) for r in rows]
        context = {(r["doc"], r["sentence"]): r.get("claim") or "" for r in rows if r["sentence"] is not None}
        click.echo(format_findings_html(findings, sentences=context))
        return
    write_records(rows, fmt, sys.stdout, columns=FINDING_COLUMNS if fmt == "table" else None, max_width=70)


def _retag(db, stages, where, since, until, force, lexicon_dir, batch_size, quiet):
    from pipeline.ingest.retag import retag as run_retag
    from pipeline.query.filters import Filters

    filters = Filters.parse(since=since, until=until, where=where)
    bar = None
    if not quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(desc="retag", unit="doc", leave=False)

    def progress(done, total):
        if bar is not None:
            bar.total = total
            bar.n = done
            bar.refresh()

    with _open(db, read_only=False) as store:
        summary = run_retag(store, stages=stages, filters=filters, lexicon_dir=lexicon_dir, force=force,
                            batch_size=batch_size, on_progress=progress)
    if bar is not None:
        bar.close()
    click.echo(summary.line())


@cli.command()
@db_option
@click.option("--stage", "stages", type=click.Choice(["extract", "citations", "audit", "terms"]), multiple=True,
              help="Stage to re-make (repeatable; default: every stage).")
@click.option("--where", "where", multiple=True, help="Only documents matching COLUMN=VALUE (source, venue, doc, year, …); repeatable.")
@click.option("--since", type=int, help="Only documents from this year on.")
@click.option("--until", type=int, help="Only documents up to this year.")
@click.option("--force", is_flag=True, help="Re-make the rows even where they are up to date.")
@click.option("--batch-size", default=200, show_default=True, help="Documents per transaction.")
@lexicons_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@domain_errors
def retag(db, stages, where, since, until, force, batch_size, lexicon_dir, quiet):
    """Re-make derived rows (mentions, stance, citations, findings, term counts) of stored
    documents from their stored text, after a lexicon edit or an upgrade.

    Only rows made by another version of the rules and lexicons are re-made; killing it loses at
    most one batch, and running it again finishes the job.

    Example: policytext retag --stage extract --where source=government_work_reports
    """
    _retag(db, stages or ("extract", "citations", "audit", "terms"), where, since, until, force, lexicon_dir, batch_size, quiet)


@cli.command(name="recount-terms")
@db_option
@lexicons_option
@domain_errors
def recount_terms(db, lexicon_dir):
    """Recount the tracked terms of every stored sentence (= retag --stage terms --force).

    Example: policytext recount-terms --db policytext.duckdb
    """
    _retag(db, ("terms",), (), None, None, True, lexicon_dir, 200, True)


@cli.command(name="eval")
@db_option
@click.option("--gold", type=click.Path(exists=True, file_okay=False), default=str(DEFAULT_SHARED / "gold"), show_default=True)
@click.option("--rules", "rules_only", is_flag=True, help="Only the stance rules' table: coverage, overlaps, conflicts and accuracy of each rule.")
@click.option("--labels", "labels_file", type=click.Path(exists=True, dir_okay=False), help="With --rules: a JSON Lines file of labelled sentences (text, stance) instead of GOLD/sentences.jsonl.")
@click.option("--references", "references_split", type=click.Choice(["dev", "held-out", "all"]), default=None,
              help="Only the reference parser's table on the generated references set (parser alone and through clean + citations).")
@lexicons_option
@domain_errors
def evaluate(db, gold, rules_only, labels_file, lexicon_dir, references_split=None):
    """Score the store and the taggers against gold annotations.

    Example: policytext eval --gold ../shared/gold
    Example: policytext eval --rules --labels corpora/labels/stance.jsonl
    Example: policytext eval --references dev
    """
    if references_split:
        from pipeline.eval.references_devset import evaluate as evaluate_references

        click.echo(evaluate_references(references_split))
        return
    if rules_only:
        from pipeline.eval.rules import analyse_rules, format_rule_analysis
        from pipeline.eval.sentences import read_jsonl

        path = Path(labels_file) if labels_file else Path(gold) / "sentences.jsonl"
        records = [r for r in read_jsonl(path) if isinstance(r.get("text"), str) and r.get("stance")]
        if not records:
            raise PipelineError(f"{path}: no labelled sentences (records with text and stance)")
        click.echo(format_rule_analysis(analyse_rules(records, lexicon_dir=lexicon_dir), n=len(records)))
        return
    from pipeline.eval.report import run_all

    for block in run_all(db=db, gold=Path(gold)):
        click.echo(block)
        click.echo()


@cli.command()
@db_option
@click.option("--shared", type=click.Path(file_okay=False), default=str(DEFAULT_SHARED), show_default=True, help="Shared corpus folder; the sample corpus is used when absent.")
@click.option("--report-dir", type=click.Path(file_okay=False), default="report", show_default=True, help="Where the HTML report is written.")
@click.option("--models-dir", type=click.Path(file_okay=False), default="models", show_default=True, help="Where the default model is written.")
@click.option("--no-train", is_flag=True, help="Skip training the default model.")
@click.option("--quiet", "-q", is_flag=True)
@domain_errors
def run(db, shared, report_dir, models_dir, no_train, quiet):
    """The main job: ingest the default corpus and build everything on it.

    Example: policytext run --db policytext.duckdb
    """
    from pipeline.run import run_default

    result = run_default(db=db, shared=shared, report_dir=report_dir, models_dir=None if no_train else models_dir, settings=IngestSettings(progress=not quiet and sys.stderr.isatty()), on_failure=_print_failure)
    for part, summary in result.parts:
        where = part.paths[0].parent if part.paths else "?"
        click.echo(f"{where}: {summary.line()}")
    for name, path in result.outputs.items():
        click.echo(f"{name}: {path}")
    click.echo(f"store: {Path(db).resolve()}  (try: policytext docs --db {db})")


def _emit(rows, fmt, header_lines, columns=None):
    """Write rows; notes go to a `#` header in table format and to stderr otherwise."""
    from pipeline.formats import write_records

    if fmt == "table":
        for line in header_lines:
            click.echo(f"# {line}")
    else:
        for line in header_lines:
            click.echo(f"# {line}", err=True)
    write_records(rows, fmt, sys.stdout, columns=columns if fmt == "table" else None)


@cli.command()
@click.argument("terms", nargs=-1)
@db_option
@click.option("--group", "groups", multiple=True, help="Alias group: a tracked term id of lexicons/terms.yaml, counted with all its aliases (repeatable).")
@click.option("--by", type=click.Choice(("year", "month", "source", "venue", "doc")), default="year", show_default=True)
@click.option("--measure", type=click.Choice(("count", "per10k", "docs", "share")), default="count", show_default=True, help="count = occurrences; per10k = per 10,000 Han characters; docs = documents with the term; share = docs / documents in the bucket.")
@click.option("--smooth", type=int, help="Centred moving average over N years (or months); shown next to the raw value.")
@click.option("--since", type=int, help="First year (undated documents are then left out, and counted in a note).")
@click.option("--until", type=int, help="Last year.")
@click.option("--where", "where", multiple=True, help="Document filter COLUMN=VALUE (source, venue, doc, date_source, year, path); repeatable.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--plot", type=click.Path(dir_okay=False), help="Also draw the measure to FILE.png, FILE.svg or FILE.html.")
@domain_errors
def trend(terms, db, groups, by, measure, smooth, since, until, where, fmt, plot):
    """Frequency of terms by year, month, source, venue or document.

    TERM is a literal string (Traditional input counts too; whitespace is ignored),
    group:ID (= --group ID, all aliases of a tracked term), framework:ID or instrument:ID
    (stored mentions). The denominator follows the filters and is printed with the result.

    Example: policytext trend 保护主义 供应链 --group 友岸外包 --by year --measure per10k --smooth 5
    """
    from pipeline.query.filters import Filters
    from pipeline.query.terms import resolve_terms
    from pipeline.query.trends import trend as run_trend

    specs = resolve_terms(terms, groups)
    filters = Filters.parse(since=since, until=until, where=where)
    with _open(db) as store:
        result = run_trend(store, specs, by=by, measure=measure, smooth=smooth, filters=filters)
    if plot:
        from pipeline.report.charts import save_trend_plot

        written = save_trend_plot(result, plot)
        result.notes.append(f"plot: {written}")
    _emit(result.rows, fmt, result.header())


@cli.command()
@click.argument("term")
@db_option
@click.option("--window", default=20, show_default=True, help="Characters of context on each side (within the sentence).")
@click.option("--by", type=click.Choice(("year", "month", "source", "venue", "doc")), default="year", show_default=True, help="What the bucket column shows.")
@click.option("--since", type=int)
@click.option("--until", type=int)
@click.option("--where", "where", multiple=True, help="Document filter COLUMN=VALUE; repeatable.")
@click.option("--limit", type=int, help="At most this many lines.")
@click.option("--top", default=10, show_default=True, help="How many co-occurring labels to list.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@domain_errors
def kwic(term, db, window, by, since, until, where, limit, top, fmt):
    """Every occurrence of a term in context, in date order, with its first and last
    appearance and the labels that co-occur in the same sentences.

    TERM is read as by `trend` (literal, group:ID, framework:ID, instrument:ID).

    Example: policytext kwic 友岸外包 --window 15 --format jsonl
    """
    from pipeline.query.kwic import KWIC_COLUMNS, cooccurring, first_last
    from pipeline.query.kwic import kwic as run_kwic
    from pipeline.query.filters import Filters
    from pipeline.query.terms import resolve_term

    spec = resolve_term(term)
    filters = Filters.parse(since=since, until=until, where=where)
    with _open(db) as store:
        rows = run_kwic(store, spec, window=window, by=by, filters=filters)
        span = first_last(rows)
        partners = cooccurring(store, spec, rows, top=top)
    shown = rows[:limit] if limit else rows
    header = [f"{len(rows)} occurrence(s) of {spec.name}" + (f"; showing {len(shown)}" if len(shown) < len(rows) else "")]
    for which in ("first", "last"):
        if span[which]:
            header.append(f"{which}: {span[which]['date']} {span[which]['doc']} sentence {span[which]['sentence']}")
    if span["undated_docs"]:
        header.append(f"undated documents with the term: {len(span['undated_docs'])}")
    if partners:
        header.append("co-occurring: " + ", ".join(f"{p['label']} ({p['kind']}) {p['sentences']}" for p in partners))
    records = [{k: r[k] for k in (*KWIC_COLUMNS, "section")} for r in shown]
    _emit(records, fmt, header, columns=KWIC_COLUMNS)


@cli.command()
@db_option
@click.option("--out", type=click.Path(file_okay=False), default="report", show_default=True, help="Folder for the report (index.html and its files).")
@domain_errors
def report(db, out):
    """Write the self-contained HTML report (opens offline): corpus overview, term trends,
    frameworks and instruments, stance, audit findings, with KWIC pages behind each chart.

    Example: policytext report --out report/
    """
    from pipeline.report import write_report

    with _open(db) as store:
        index = write_report(store, out)
    click.echo(f"report: {index.resolve()}")


@cli.command()
@click.argument("input", type=click.File("r", encoding="utf-8"), required=False)
@click.option("--in", "in_file", type=click.File("r", encoding="utf-8"), help="Input JSON Lines (or the INPUT argument; default: stdin).")
@click.option("--out", "-o", "output", type=click.File("w", encoding="utf-8"), default="-", help="Output JSON Lines (default: stdout).")
@click.option("--text-field", default="text", show_default=True, help="Field holding the sentence text.")
@click.option("--model", "model_dir", type=click.Path(file_okay=False), help="Label with this trained model (models/NAME): labels with probabilities.")
@click.option("--combine", is_flag=True, help="With --model: rules where a cue fires, the model elsewhere.")
@domain_errors
def tag(input, in_file, output, text_field, model_dir, combine):
    """Tag JSON Lines sentences with frameworks, instruments, stance and evidence.

    Reads INPUT (default: stdin), writes each record with the tag fields added. Bad lines
    are reported with their line number; the others are still tagged.

    Example: policytext tag --in sentences.jsonl --out tagged.jsonl
    """
    input = in_file or input or sys.stdin
    from pipeline.extract.tagger import tag_jsonl
    from pipeline.train.predict import make_tagger

    report = tag_jsonl(input, output, tagger=make_tagger(model_dir, combine=combine, text_field=text_field), name=input.name)
    for message in report.errors:
        click.echo(message, err=True)
    if report.errors:
        raise PipelineError(f"{len(report.errors)} line(s) could not be tagged; {report.tagged} tagged")


@cli.command()
@db_option
@click.option("--task", "tasks", type=click.Choice(["stance", "instruments", "claims"]), multiple=True, help="Task to train (repeatable; default: stance and instruments).")
@click.option("--out", type=click.Path(file_okay=False), default="models/default", show_default=True, help="Model directory (models/NAME).")
@click.option("--gold", type=click.Path(exists=True, file_okay=False), help="Gold folder (sentences.jsonl): its labels replace the rules' and are scored on held-out documents.")
@click.option("--classifier", type=click.Choice(["svm", "logreg", "sgd"]), default="svm", show_default=True)
@click.option("--folds", type=int, default=5, show_default=True, help="Grouped cross-validation folds (by document).")
@click.option("--no-eval", is_flag=True, help="Skip cross-validation (faster).")
@domain_errors
def train(db, tasks, out, gold, classifier, folds, no_eval):
    """Train sentence classifiers on the store's rule labels (plus gold) and save them with a model card.

    Prints per-class precision/recall/F1 and the confusion matrix of grouped cross-validation.

    Example: policytext train --task stance --out models/stance --gold ../shared/gold
    """
    from pipeline.train import DEFAULT_TASKS, TrainSettings, train_model

    settings = TrainSettings(classifier=classifier, folds=folds)
    command = "policytext " + " ".join(sys.argv[1:]) if sys.argv else "policytext train"
    with _open(db) as store:
        result = train_model(store, out, tasks=tuple(tasks) or DEFAULT_TASKS, gold_dir=gold, settings=settings,
                             evaluate=not no_eval, command=command, on_progress=lambda m: click.echo(m, err=True))
    for block in result.blocks:
        click.echo(block)
        click.echo()
    click.echo(f"model: {result.path} (card: {result.path / 'README.md'})")


@cli.command()
@db_option
@click.option("--model", "model_dir", type=click.Path(file_okay=False), required=True, help="Trained model directory (models/NAME).")
@domain_errors
def predict(db, model_dir):
    """Store the model's stance for every sentence beside the rules' (stance.source = 'model:NAME').

    Re-running replaces that model's earlier rows.

    Example: policytext predict --model models/default
    """
    from pipeline.train import predict_store

    with _open(db, read_only=False) as store:
        counts = predict_store(store, model_dir)
    click.echo(f"{sum(counts.values())} sentences labelled: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
