"""The command line: a thin click layer over the library. Only this module prints."""

from __future__ import annotations

import sys
from functools import wraps
from pathlib import Path

import click

from pipeline.config import DEFAULT_DB, DEFAULT_SHARED, IngestSettings, ReadSettings
from pipeline.errors import PipelineError
from pipeline.formats import FORMATS, visible

lexicons_option = click.option(
    "--lexicons", "lexicon_dir", type=click.Path(exists=True, file_okay=False),
    help="A lexicon folder of your own (a copy of pipeline/lexicons/ to edit); default: the packaged lexicons.",
)


db_option = click.option("--db", type=click.Path(dir_okay=False), default=str(DEFAULT_DB), show_default=True, help="DuckDB store file.")


def format_options(default: str = "table", choices=FORMATS):
    """--format plus the --csv / --json / --jsonl shortcuts (as sqlite-utils has them)."""

    def decorate(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            picked = [name for name in ("csv", "json", "jsonl") if kwargs.pop(f"as_{name}")]
            if len(picked) > 1:
                raise click.UsageError(f"give one of --{', --'.join(picked)}")
            if picked:
                kwargs["fmt"] = picked[0]
            return func(*args, **kwargs)

        for name in ("jsonl", "json", "csv"):
            wrapper = click.option(f"--{name}", f"as_{name}", is_flag=True, help=f"Same as --format {name}.")(wrapper)
        return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True)(wrapper)

    return decorate


def positive(ctx, param, value):
    """click callback: a count option must be positive when given (usage error, exit 2)."""
    if value is not None and value < 1:
        raise click.BadParameter(f"{value}: give a positive number (or leave it out for all)")
    return value


def domain_errors(func):
    """One line and exit status 1 for every error a user can cause: PipelineError, and store or
    file-system faults (full disk, unwritable folder, damaged store) translated by the library.
    Ctrl-C: one line saying how much of the store is committed, exit status 130."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        from pipeline.store import committed_documents, translate_fault

        db = kwargs.get("db")
        try:
            return func(*args, **kwargs)
        except PipelineError as exc:
            raise click.ClickException(visible(str(exc))) from exc
        except KeyboardInterrupt:
            count = committed_documents(db) if db and Path(db).exists() else None
            done = f"{count} documents committed" if count is not None else "nothing committed"
            click.echo(f"interrupted: {done}; re-run to continue", err=True)
            sys.exit(130)
        except (OSError, Exception) as exc:  # noqa: BLE001 - only store/file-system faults are translated
            fault = translate_fault(exc, db)
            if fault is None:
                raise
            raise click.ClickException(visible(str(fault))) from exc

    return wrapper


def _open(db: str, *, read_only: bool = True):
    from pipeline.store import Store

    return Store.open(db, read_only=read_only)


def _print_failure(failure) -> None:
    # names and reasons come from the input: a newline or escape in a file name cannot forge a line
    click.echo(f"FAILED {visible(str(failure.path))}: {visible(str(failure.reason))}", err=True)


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
@click.option("--ocr", type=click.Choice(["auto", "never", "always"]), default="auto", show_default=True,
              help="PDF pages without a usable text layer: OCR them (auto), leave them empty (never); always: OCR every page.")
@click.option("--ocr-cache", type=click.Path(file_okay=False), help="Folder for per-page OCR results (re-reading a scan is then free).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@domain_errors
def ingest(paths, db, manifest, text_field, id_field, strict, keep_going, no_extract, batch_size, workers, scheduler, segmenter,
           lexicon_dir, ocr, ocr_cache, quiet):
    """Read files, directories (recursively) and globs into the store.

    Re-ingesting an unchanged file is a no-op; a changed file replaces its rows.
    Exit status 1 when any file failed.

    Example: policytext ingest articles/ dumps/*.jsonl --text-field body
    Example: policytext ingest scans/ --ocr auto --ocr-cache ~/.cache/policytext-ocr
    """
    from pipeline.ingest.driver import ingest as run_ingest

    summary = run_ingest(
        paths,
        db=db,
        manifest=manifest,
        read=ReadSettings(text_field=text_field, id_field=id_field, ocr=ocr, ocr_cache=ocr_cache),
        settings=IngestSettings(
            batch_size=batch_size, strict=strict, run_extraction=not no_extract,
            progress=not quiet and sys.stderr.isatty(), workers=workers, scheduler=scheduler, segmenter=segmenter,
            lexicon_dir=lexicon_dir,
        ),
        on_failure=_print_failure,
    )
    for dup in summary.duplicates:
        click.echo(f"duplicate {visible(str(dup.path))}: {visible(str(dup.detail))}", err=True)
    click.echo(f"{summary.line()} -> {db}")
    for reason, n in summary.failure_reasons()[:5]:
        click.echo(f"  {n} failed: {reason}", err=True)
    for note in summary.notes:
        click.echo(visible(note), err=True)
    if not summary.ok:
        sys.exit(1)


@cli.command()
@db_option
@format_options()
@click.option("--source", help="Only documents from this source.")
@click.option("--limit", type=int, callback=positive, help="At most this many documents.")
@domain_errors
def docs(db, fmt, source, limit):
    """List the stored documents.

    Example: policytext docs --limit 5 --json
    """
    from pipeline.query.listing import DOC_COLUMNS, DOC_WIDTHS, list_documents
    from pipeline.formats import write_records

    with _open(db) as store:
        rows = list_documents(store, source=source, limit=limit)
    write_records(rows, fmt, sys.stdout, columns=DOC_COLUMNS if fmt == "table" else None, widths=DOC_WIDTHS)


@cli.command()
@click.argument("doc", required=False)
@db_option
@click.option("--section", help="Only this section kind (title, abstract, body, note, reference, meta).")
@format_options()
@click.option("--limit", type=int, callback=positive, help="At most this many sentences.")
@click.option("--stance", help="Only sentences the rules gave this stance (DECOUPLING, RECOUPLING, MIXED, NONE).")
@click.option("--where", "where", multiple=True, help="Document filter COLUMN=VALUE (source, venue, doc, year, …); repeatable.")
@domain_errors
def sentences(doc, db, section, fmt, limit, stance, where):
    """List sentences, of one document (DOC as named by `docs`) or all.

    Example: policytext sentences --stance DECOUPLING --where year=2023 --limit 20
    """
    from pipeline.query.filters import Filters
    from pipeline.query.listing import SENTENCE_COLUMNS, list_sentences
    from pipeline.formats import write_records

    with _open(db) as store:
        rows = list_sentences(store, doc, section=section, limit=limit, stance=stance, filters=Filters.parse(where=where))
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
@format_options(default="jsonl")
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
@click.option("--where", "where", multiple=True, help="Only documents matching COLUMN=VALUE (source, venue, year, …); repeatable.")
@format_options(choices=("json", "jsonl", "csv", "table", "html"))
@domain_errors
def audit(db, doc, kinds, link_sources, where, fmt):
    """Audit claims against citations: uncited claims, dangling markers, orphan notes, …

    Example: policytext audit --doc 003_5b52caaf45a6c733.txt --format html > audit.html
    """
    from dataclasses import asdict

    from pipeline.audit.html import format_findings_html
    from pipeline.query.filters import Filters
    from pipeline.query.sources import link_stored_sources
    from pipeline.query.listing import FINDING_COLUMNS, list_findings
    from pipeline.formats import write_records

    kinds = tuple(k.upper() for k in kinds)
    filters = Filters.parse(where=where)
    with _open(db) as store:
        rows = list_findings(store, doc, kinds=kinds, filters=filters)
        if link_sources and (not kinds or "LINKED_SOURCE" in kinds) and not where:
            rows += [asdict(f) for f in link_stored_sources(store, doc)]
    if fmt == "html":
        from pipeline.schema import Finding

        from dataclasses import fields

        known = {f.name for f in fields(Finding)}
        findings = [Finding(**{k: v for k, v in r.items() if k in known}) for r in rows]
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
@click.option("--pdf", "pdf_root", type=click.Path(exists=True, file_okay=False), help="Also score a PDF benchmark folder (VARIANT/*.pdf and truth/, e.g. ../shared/pdf): each variant ingested into its own store.")
@click.option("--pdf-work", type=click.Path(file_okay=False), default=".eval-pdf", show_default=True, help="Where the PDF variants' stores (and, by default, the OCR cache) go.")
@click.option("--pdf-variants", help="Comma-separated variants to score (default: all).")
@click.option("--ocr-cache", type=click.Path(file_okay=False), help="Per-page OCR results (default: PDF_WORK/ocr-cache).")
@lexicons_option
@domain_errors
def evaluate(db, gold, rules_only, labels_file, pdf_root, pdf_work, pdf_variants, ocr_cache, lexicon_dir, references_split=None):
    """Score the store and the taggers against gold annotations.

    Example: policytext eval --gold ../shared/gold
    Example: policytext eval --rules --labels corpora/labels/sentences.jsonl
    Example: policytext eval --db policytext.duckdb --pdf ../shared/pdf --pdf-variants single,two-column
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

    if not any(Path(gold).glob("*.json*")):
        raise PipelineError(f"{gold}: no gold files here (expected sentences.jsonl, citations.jsonl, …)")
    for block in run_all(db=db, gold=Path(gold)):
        click.echo(block)
        click.echo()
    if pdf_root:
        from pipeline.eval.pdf import format_pdf_scores, run_pdf_eval

        only = [v.strip() for v in pdf_variants.split(",")] if pdf_variants else None
        cache = ocr_cache or str(Path(pdf_work) / "ocr-cache")
        for result in run_pdf_eval(pdf_root, pdf_work, only=only, ocr_cache=cache):
            click.echo(format_pdf_scores(result))
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

    result = run_default(db=db, shared=shared, report_dir=report_dir, models_dir=None if no_train else models_dir,
                         settings=IngestSettings(progress=not quiet and sys.stderr.isatty()), on_failure=_print_failure,
                         on_progress=None if quiet else (lambda m: click.echo(m, err=True)))
    for part, summary in result.parts:
        where = part.paths[0].parent if part.paths else "?"
        click.echo(f"{where}: {summary.line()}")
    for name, path in result.outputs.items():
        click.echo(f"{name}: {path}")
    click.echo(f"store: {Path(db).resolve()}")
    exe = _executable()
    click.echo("next (copy and paste):")
    for example in (f"docs --db {db} --limit 10", f"trend 脱钩 去风险 --db {db}", f"kwic 友岸外包 --db {db} --limit 10",
                    f"emerging --since 2022 --db {db} --top 20"):
        click.echo(f"  {exe} {example}")
    if exe != "policytext":
        click.echo(f"  (or `source {Path(exe).parent}/activate` once, then type policytext …)")


def _executable() -> str:
    """How the user can call policytext from here: the path this process was started by
    (e.g. .venv/bin/policytext), or plain policytext when that is on PATH."""
    import os
    import shutil

    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.name == "policytext" and argv0.exists():
        on_path = shutil.which("policytext")
        if on_path and Path(on_path).resolve() == argv0.resolve():
            return "policytext"
        return os.path.relpath(argv0) if not str(argv0).startswith("/") or len(os.path.relpath(argv0)) < len(str(argv0)) else str(argv0)
    return "policytext" if shutil.which("policytext") else f"{sys.executable} -m pipeline"


def _emit(rows, fmt, header_lines, columns=None):
    """Write rows; notes go to a `#` header in table format and to stderr otherwise."""
    from pipeline.formats import write_records

    for line in header_lines:
        click.echo(f"# {visible(line)}", err=fmt != "table")
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
@format_options()
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
@click.argument("terms", nargs=-1, required=True)
@db_option
@click.option("--window", default=20, show_default=True, help="Context on each side (within the sentence), in --unit.")
@click.option("--unit", type=click.Choice(("chars", "tokens")), default="chars", show_default=True, help="What --window counts: characters or jieba tokens.")
@click.option("--regex", is_flag=True, help="TERMS are regular expressions (matched on the Simplified view).")
@click.option("--by", type=click.Choice(("year", "month", "source", "venue", "doc")), default="year", show_default=True, help="What the bucket column shows.")
@click.option("--since", type=int)
@click.option("--until", type=int)
@click.option("--where", "where", multiple=True, help="Document filter COLUMN=VALUE; repeatable.")
@click.option("--limit", type=int, callback=positive, help="At most this many lines.")
@click.option("--top", default=10, show_default=True, help="How many co-occurring labels to list.")
@format_options()
@domain_errors
def kwic(terms, db, window, unit, regex, by, since, until, where, limit, top, fmt):
    """Every occurrence of one or more terms in context, in date order, keyword centred, with
    the first and last appearance and the labels that co-occur in the same sentences.

    TERM is read as by `trend` (literal, group:ID, framework:ID, instrument:ID, stance:LABEL),
    or as a regular expression with --regex.

    Example: policytext kwic 友岸外包 近岸外包 --window 5 --unit tokens
    Example: policytext kwic '脱钩|断链' --regex --limit 20
    """
    from pipeline.query.kwic import KWIC_COLUMNS, concordance, cooccurring, first_last
    from pipeline.query.filters import Filters
    from pipeline.query.terms import resolve_term

    filters = Filters.parse(since=since, until=until, where=where)
    with _open(db) as store:
        rows = concordance(store, terms, window=window, unit=unit, regex=regex, by=by, filters=filters)
        span = first_last(rows)
        partners = cooccurring(store, resolve_term(terms[0]), rows, top=top) if not regex and len(terms) == 1 else []
    shown = rows[:limit] if limit else rows
    name = ", ".join(terms)
    header = [f"{len(rows)} occurrence(s) of {name}" + (f"; showing {len(shown)}" if len(shown) < len(rows) else "")]
    for which in ("first", "last"):
        if span[which]:
            header.append(f"{which}: {span[which]['date']} {span[which]['doc']} sentence {span[which]['sentence']}")
    if span["undated_docs"]:
        header.append(f"undated documents with the term: {len(span['undated_docs'])}")
    if partners:
        header.append("co-occurring: " + ", ".join(f"{p['label']} ({p['kind']}) {p['sentences']}" for p in partners))
    columns = (*KWIC_COLUMNS[:4], "term", *KWIC_COLUMNS[4:]) if len(terms) > 1 else KWIC_COLUMNS
    records = [{k: r[k] for k in (*columns, "section")} for r in shown]
    if fmt == "table":
        from pipeline.formats import write_records

        for line in header:
            click.echo(f"# {line}")
        width = max(window * (2 if unit == "chars" else 6), 4)
        write_records(records, fmt, sys.stdout, columns=columns, widths={"left": width, "right": width, "match": 40}, right=("left",))
        return
    _emit(records, fmt, header, columns=columns)


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
@click.option("--labels", "stance_labels", type=click.Choice(["human", "rules"]), default="human", show_default=True,
              help="Stance: human labels (labelled set + the store's labels table) with rule votes as features, or the rules' labels.")
@click.option("--labelset", type=click.Path(dir_okay=False), help="Labelled set (JSON Lines with split); default: corpora/labels/sentences.jsonl.")
@domain_errors
def train(db, tasks, out, gold, classifier, folds, no_eval, stance_labels, labelset):
    """Train sentence classifiers and save them with a model card.

    Stance learns from human labels (the shipped labelled set's train split and the store's
    labels table) with the rules' votes as features, and is scored on the labelled set's test
    split and on --gold (never trained on); other tasks learn the store's rule labels.

    Prints per-class precision/recall/F1 and the confusion matrix of grouped cross-validation.

    Example: policytext train --task stance --out models/stance --gold ../shared/gold
    """
    from pipeline.train import DEFAULT_TASKS, TrainSettings, train_model

    from pipeline.train.human import DEFAULT_LABELSET

    settings = TrainSettings(classifier=classifier, folds=folds, stance_labels=stance_labels)
    command = "policytext " + " ".join(sys.argv[1:]) if sys.argv else "policytext train"
    with _open(db) as store:
        result = train_model(store, out, tasks=tuple(tasks) or DEFAULT_TASKS, gold_dir=gold, settings=settings,
                             evaluate=not no_eval, command=command, on_progress=lambda m: click.echo(m, err=True),
                             labelset=labelset or DEFAULT_LABELSET)
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


@cli.command()
@click.argument("target")
@db_option
@click.option("--reference", help="What to compare with, same form as TARGET (default: the rest of the corpus).")
@click.option("--where", "where", multiple=True, help="Restrict both sides to documents matching COLUMN=VALUE; repeatable.")
@click.option("--measure", type=click.Choice(("chi2", "g2")), default="chi2", show_default=True, help="chi2 (Yates-corrected) or g2 (log-likelihood, Williams-corrected).")
@click.option("--min-count", default=5, show_default=True, help="Leave out words rarer than this in both sides together.")
@click.option("--top", default=20, show_default=True, callback=positive, help="Rows to show.")
@format_options()
@domain_errors
def keyness(target, db, reference, where, measure, min_count, top, fmt):
    """Words key to TARGET against a reference, as quanteda's textstat_keyness computes it.

    TARGET is COLUMN=VALUE[,COLUMN=VALUE]: year=2023, year=2018-2022, source=…, venue=…,
    stance=DECOUPLING (sentences with that stance).

    Example: policytext keyness year=2023 --reference year=2018-2022 --where source=外交部例行记者会
    """
    from pipeline.query.filters import Filters
    from pipeline.query.keyness import Part, keyness as run, with_base

    base = Filters.parse(where=where)
    with _open(db) as store:
        result = run(store, with_base(Part.parse(target), base), with_base(Part.parse(reference), base),
                     measure=measure, min_count=min_count, top=top)
    _emit(result.rows, fmt, result.header())


@cli.command(name="top-terms")
@db_option
@click.option("--by", type=click.Choice(("year", "month", "source", "venue")), default="year", show_default=True)
@click.option("--top", default=10, show_default=True, callback=positive, help="Terms per bucket.")
@click.option("--since", type=int)
@click.option("--until", type=int)
@click.option("--where", "where", multiple=True, help="Document filter COLUMN=VALUE; repeatable.")
@format_options()
@domain_errors
def top_terms(db, by, top, since, until, where, fmt):
    """The most frequent jieba tokens per year, month, source or venue (stop words of
    lexicons/stopwords.yaml, numbers and punctuation left out).

    Example: policytext top-terms --by source --top 5
    """
    from pipeline.query.filters import Filters
    from pipeline.query.tokens import top_terms as run

    with _open(db) as store:
        rows = run(store, by=by, top=top, filters=Filters.parse(since=since, until=until, where=where))
    _emit(rows, fmt, [])


@cli.command()
@db_option
@click.option("--size", type=click.Choice(("2", "3")), default="2", show_default=True, help="Tokens per collocation.")
@click.option("--min-count", default=5, show_default=True)
@click.option("--top", default=30, show_default=True, callback=positive)
@click.option("--since", type=int)
@click.option("--until", type=int)
@click.option("--where", "where", multiple=True, help="Document filter COLUMN=VALUE; repeatable.")
@format_options()
@domain_errors
def collocations(db, size, min_count, top, since, until, where, fmt):
    """Adjacent jieba tokens that go together: count, PMI and log-likelihood G².

    Example: policytext collocations --size 2 --min-count 3 --top 20
    """
    from pipeline.query.filters import Filters
    from pipeline.query.tokens import collocations as run

    with _open(db) as store:
        rows = run(store, size=int(size), min_count=min_count, top=top, filters=Filters.parse(since=since, until=until, where=where))
    _emit(rows, fmt, [])


@cli.command()
@db_option
@click.option("--since", type=int, help="First period to look for new phrases in (earlier years are the baseline).")
@click.option("--by", type=click.Choice(("year", "month")), default="year", show_default=True)
@click.option("--where", "where", multiple=True, help="Document filter COLUMN=VALUE; repeatable.")
@click.option("--min-count", default=5, show_default=True, help="Occurrences a phrase needs in a period.")
@click.option("--top", default=50, show_default=True, callback=positive, help="Phrases per period.")
@click.option("--exclude-known", is_flag=True, help="Leave out phrases a lexicon already tracks.")
@click.option("--add-to-lexicon", "add", help="Track this phrase: add it to terms.yaml (of --lexicons, default the packaged lexicons).")
@lexicons_option
@format_options()
@domain_errors
def emerging(db, since, by, where, min_count, top, exclude_known, add, lexicon_dir, fmt):
    """Phrases new or bursting in each period, found without a dictionary: character n-grams
    (2-6) that hold together (PMI) and stand alone (boundary entropy), ranked by their burst
    against earlier periods; with first-seen date and source and a KWIC command.

    Example: policytext emerging --since 2022 --by year --top 20
    Example: policytext emerging --add-to-lexicon 小院高墙
    """
    from pipeline.query.emerging import add_to_lexicon, emerging as run
    from pipeline.query.filters import Filters

    if add:
        path = add_to_lexicon(add, lexicon_dir)
        click.echo(f"{add}: added to {path}; run `policytext recount-terms --db {db}` to count it")
        return
    with _open(db) as store:
        result = run(store, since=since, by=by, filters=Filters.parse(where=where), min_count=min_count, top=top,
                     exclude_known=exclude_known)
    columns = ("period", "rank", "phrase", "count", "before", "ratio", "cohesion", "entropy", "jieba", "first_seen", "first_source")
    rows = result.rows if fmt != "table" else [{**r, "per_period": None} for r in result.rows]
    _emit(rows, fmt, result.header(), columns=columns)


@cli.command()
@click.argument("sql")
@db_option
@format_options()
@domain_errors
def query(sql, db, fmt):
    """Run a read-only SQL query on the store (tables: `policytext query "SHOW TABLES"`).

    Example: policytext query "SELECT source, count(*) AS n FROM documents GROUP BY 1" --csv
    """
    from pipeline.query.listing import read_only_query

    _emit(read_only_query(db, sql), fmt, [])
@db_option
@click.option("--task", type=click.Choice(["stance"]), default="stance", show_default=True)
@click.option("--sample", type=click.Choice(["stratified", "random", "uncertain", "disagree"]), default="stratified", show_default=True,
              help="stratified: equal shares of the rules' labels; uncertain: the model's least confident; disagree: model ≠ rules.")
@click.option("--n", "n", type=int, default=200, show_default=True, help="Sentences in the session's queue.")
@click.option("--annotator", default="me", show_default=True, help="Your name, stored with every answer.")
@click.option("--model", "model_dir", type=click.Path(file_okay=False), help="Model whose predictions are shown (needed by uncertain/disagree).")
@click.option("--seed", type=int, default=0, show_default=True)
@domain_errors
def annotate(db, task, sample, n, annotator, model_dir, seed):
    """Label sentences one at a time: one key per label (d r m o), s=skip, u=undo, n=note, q=quit.

    Each answer is stored in the labels table at once; run the same command again to resume.

    Example: policytext annotate --task stance --sample uncertain --n 200 --annotator ana --model models/default
    """
    from pipeline.train.annotate import run_session, sample_queue

    with _open(db, read_only=False) as store:
        queue = sample_queue(store, task=task, sample=sample, n=n, annotator=annotator, seed=seed, model_dir=model_dir)
        if not queue:
            click.echo(f"nothing left to label: {annotator} answered every sentence of this sample")
            return
        result = run_session(store, queue, annotator=annotator, read_key=click.getchar, write=click.echo,
                             task=task, source=f"annotate:{sample}")
    click.echo(f"{result.answered} labelled, {result.skipped} skipped, {result.undone} undone; {result.remaining} left in this sample")


@cli.group()
def labels():
    """Human labels in the store: export, import, agreement.

    Example: policytext labels agreement --model models/default
    """


@labels.command(name="export")
@db_option
@click.option("--task", type=click.Choice(["stance"]), default="stance", show_default=True)
@click.option("--annotator", help="Only this annotator.")
@click.option("--out", "-o", "output", type=click.File("w", encoding="utf-8"), default="-", help="JSON Lines file (default: stdout).")
@domain_errors
def labels_export(db, task, annotator, output):
    """Write the latest answer of each annotator per sentence as JSON Lines.

    Example: policytext labels export --annotator ana -o ana.jsonl
    """
    from pipeline.train.annotate import export_labels, write_jsonl

    with _open(db) as store:
        write_jsonl(export_labels(store, task=task, annotator=annotator), output)


@labels.command(name="import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@db_option
@click.option("--annotator", help="Store the labels under this name (default: the file's annotator field).")
@domain_errors
def labels_import(path, db, annotator):
    """Add labels from a JSON Lines file (doc, text, stance); re-importing adds nothing twice.

    Example: policytext labels import corpora/labels/sentences.jsonl
    """
    from pipeline.train.annotate import import_labels

    with _open(db, read_only=False) as store:
        added, unchanged, errors = import_labels(store, path, annotator=annotator)
    for message in errors:
        click.echo(message, err=True)
    click.echo(f"{added} added, {unchanged} already stored, {len(errors)} bad")
    if errors:
        sys.exit(1)


@labels.command(name="agreement")
@db_option
@click.option("--model", "model_dir", type=click.Path(file_okay=False), help="Also compare each annotator with this model.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@domain_errors
def labels_agreement(db, model_dir, fmt):
    """Cohen's kappa between annotators, and between each annotator and the rules (and model).

    Example: policytext labels agreement --model models/default
    """
    from pipeline.train.annotate import store_agreement

    with _open(db) as store:
        rows = store_agreement(store, model_dir=model_dir)
    _emit(rows, fmt, [f"{len(rows)} comparison(s); kappa: Cohen's kappa over the sentences both labelled"])
