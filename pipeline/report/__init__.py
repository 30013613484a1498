"""The HTML report: one folder that opens offline.

``write_report(store, out_dir)`` writes ``index.html`` (corpus overview, tracked-term trends,
frameworks and instruments by year, stance share by year, audit findings when the store has
them) plus one KWIC page per chart series under ``kwic/``; every chart point links to the
KWIC lines behind it. Vega/Vega-Lite/vega-embed come from vl-convert's bundle (``vega.js``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import altair as alt

from pipeline.query.kwic import kwic
from pipeline.report.charts import FONT, trend_chart, vega_bundle
from pipeline.report.page import CSS, REPORT_JS, anchor, chart_block, esc, kwic_table, page, table
from pipeline.store import Store
from pipeline.extract.terms import term_groups
from pipeline.query.filters import UNDATED
from pipeline.query.terms import TermSpec, resolve_group
from pipeline.query.trends import DENOMINATOR, trend

STANCE_COLORS = {"DECOUPLING": "#d62728", "RECOUPLING": "#2ca02c", "MIXED": "#ff7f0e", "NONE": "#c7c7c7"}


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    return chart.configure(font=FONT).configure_view(strokeWidth=0).to_dict()


def _has_table(store: Store, name: str) -> bool:
    return bool(store.query("SELECT 1 FROM information_schema.tables WHERE table_name = ?", [name]))


def _kwic_page(out: Path, name: str, title: str, rows: list[dict[str, Any]], note: str) -> str:
    body = (f'<p><a href="../index.html">← report</a></p><h1>{esc(title)}</h1><p class="note">{esc(note)}</p>'
            + kwic_table(rows))
    (out / "kwic" / name).write_text(page(title, body, root="../"), encoding="utf-8")
    return f"kwic/{name}"


def _link_list(href: str, counts: list[tuple[str, int]]) -> str:
    items = [f'<a href="{esc(href)}#{anchor(b)}">{esc(b)}</a> ({n})' for b, n in counts if n]
    return ("KWIC lines: " + " · ".join(items)) if items else ""


def _overview(store: Store) -> tuple[str, list[str]]:
    by_year = store.query(
        f"SELECT coalesce(CAST(year AS VARCHAR), '{UNDATED}') AS year, coalesce(source, '(none)') AS source, count(*) AS documents "
        "FROM documents GROUP BY ALL ORDER BY 1, 2"
    )
    by_source = store.query("SELECT coalesce(source, '(none)') AS source, count(*) AS documents, count(year) AS dated, "
                            "min(year) AS first_year, max(year) AS last_year, sum(n_han) AS han_characters FROM documents GROUP BY ALL ORDER BY 1")
    date_sources = store.query("SELECT coalesce(date_source, '(no date)') AS date_source, count(*) AS documents FROM documents GROUP BY ALL ORDER BY 2 DESC")
    docs = store.query("SELECT doc, title, published, year, date_source, source, venue, n_sentences, n_han FROM documents ORDER BY year NULLS LAST, path")
    undated = sum(r["documents"] for r in by_year if r["year"] == UNDATED)
    dated = [dict(r, year_num=int(r["year"])) for r in by_year if r["year"] != UNDATED]
    chart = alt.Chart(alt.Data(values=dated)).mark_bar().encode(
        x=alt.X("year_num:Q", title="year", scale=alt.Scale(zero=False, nice=False), axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("documents:Q", title="documents"), color=alt.Color("source:N"),
        tooltip=["year_num:Q", "source:N", "documents:Q"], href=alt.Href("href:N"),
    ).transform_calculate(href="'#documents'").properties(title="Documents by year and source", width=800, height=200)
    html = ["<h2 id=\"overview\">Corpus overview</h2>",
            f"<p>{len(docs)} documents; {undated} undated (counted in the “{UNDATED}” bucket of every trend).</p>",
            chart_block("chart-docs", _spec(chart), '<a href="#documents">document list</a>'),
            "<h3>By source</h3>", table(by_source, ["source", "documents", "dated", "first_year", "last_year", "han_characters"], numeric=["documents", "dated", "han_characters"]),
            "<h3>Where the dates come from</h3>", table(date_sources, ["date_source", "documents"], numeric=["documents"])]
    docs_html = ["<h2 id=\"documents\">Documents</h2>",
                 table(docs, ["doc", "title", "published", "date_source", "source", "venue", "n_sentences", "n_han"], numeric=["n_sentences", "n_han"])]
    return "\n".join(html), docs_html


def _term_section(store: Store, out: Path, *, kwic_limit: int) -> str:
    groups = list(term_groups())
    specs: list[TermSpec] = [resolve_group(g) for g in groups]
    result = trend(store, specs, by="year", measure="per10k", smooth=5)
    parts = ["<h2 id=\"terms\">Tracked terms by year</h2>",
             f"<p class=\"note\">Each tracked term counted with all its aliases (lexicons/terms.yaml), per 10,000 Han characters; "
             f"{esc(DENOMINATOR)}. One panel per term (own vertical scale, common years). Click a point for the passages behind it.</p>"]
    undated_note = []
    facets: list[dict[str, Any]] = []
    blocks: list[str] = []
    for i, spec in enumerate(specs):
        rows = [r for r in result.rows if r["term"] == spec.name]
        if not any(r["count"] for r in rows):
            continue
        lines = kwic(store, spec, window=25, by="year", limit=kwic_limit)
        total = sum(r["count"] for r in rows)
        aliases = "、".join(n for n, _ in spec.needles)
        href = _kwic_page(out, f"term-{i:02d}.html", f"KWIC: {spec.label}",
                          lines, f"aliases: {aliases}; {total} occurrences" + (f"; first {kwic_limit} shown" if len(lines) < total else ""))
        for r in rows:
            r["term"], r["href"] = spec.label, f"{href}#{anchor(r['bucket'])}"
        facets += [dict(r, year=int(r["bucket"])) for r in rows if r["bucket"] != UNDATED and r["measure"] is not None]
        counts = [(r["bucket"], r["count"]) for r in rows]
        blocks.append(f"<p class=\"links\"><b>{esc(spec.label)}</b> ({esc(aliases)}): {_link_list(href, counts)}</p>")
        undated = [r for r in rows if r["bucket"] == UNDATED and r["count"]]
        if undated:
            undated_note.append(f"{spec.label}: {undated[0]['count']}")
    if facets:  # one small-multiples chart: a panel per term, shared time axis, own y scale
        base = alt.Chart(alt.Data(values=facets)).encode(
            x=alt.X("year:Q", title=None, scale=alt.Scale(zero=False, nice=False), axis=alt.Axis(format="d", tickMinStep=1, labelOverlap=True)),
            y=alt.Y("measure:Q", title="per 10k"), href=alt.Href("href:N"),
            tooltip=["term:N", "year:Q", "count:Q", alt.Tooltip("measure:Q", format=".3~f")])
        layer = alt.layer(base.mark_line(), base.mark_point(size=18, filled=True, cursor="pointer")).properties(width=190, height=90)
        chart = layer.facet(facet=alt.Facet("term:N", title=None, sort=list(dict.fromkeys(r["term"] for r in facets))), columns=4).resolve_scale(y="independent")
        parts.append(chart_block("chart-terms", _spec(chart), ""))
    parts += blocks
    if undated_note:
        parts.append(f"<p class=\"note\">Occurrences in undated documents (not on the time axis): {esc('; '.join(undated_note))}</p>")
    return "\n".join(parts)


def _labels_section(store: Store, out: Path, *, kwic_limit: int) -> str:
    rows = store.query(
        f"SELECT m.kind, m.label, coalesce(CAST(d.year AS VARCHAR), '{UNDATED}') AS bucket, count(*) AS mentions "
        "FROM mentions m JOIN documents d USING (doc_id) WHERE m.kind IN ('framework', 'instrument') GROUP BY ALL ORDER BY 1, 2, 3"
    )
    parts = ["<h2 id=\"labels\">Frameworks and instruments by year</h2>"]
    if not rows:
        return "\n".join(parts + ['<p class="note">(no framework or instrument mentions in the store)</p>'])
    for kind in ("framework", "instrument"):
        kind_rows = [r for r in rows if r["kind"] == kind]
        if not kind_rows:
            continue
        links = []
        for j, label in enumerate(dict.fromkeys(r["label"] for r in kind_rows)):
            spec = TermSpec(name=f"{kind}:{label}", kind=kind, label=label)
            href = _kwic_page(out, f"{kind}-{j:02d}.html", f"KWIC: {kind} {label}", kwic(store, spec, window=25, limit=kwic_limit), f"stored {kind} mentions of {label}")
            for r in kind_rows:
                if r["label"] == label:
                    r["href"] = f"{href}#{anchor(r['bucket'])}"
            links.append(f'<a href="{esc(href)}">{esc(label)}</a>')
        dated = [dict(r, year=int(r["bucket"])) for r in kind_rows if r["bucket"] != UNDATED]
        chart = alt.Chart(alt.Data(values=dated)).mark_square(cursor="pointer").encode(
            x=alt.X("year:Q", title="year", scale=alt.Scale(zero=False, nice=False), axis=alt.Axis(format="d", tickMinStep=1)),
            y=alt.Y("label:N", title=kind), size=alt.Size("mentions:Q", legend=None),
            color=alt.Color("mentions:Q", scale=alt.Scale(scheme="blues")), tooltip=["label:N", "year:Q", "mentions:Q"],
            href=alt.Href("href:N"),
        ).properties(title=f"{kind} mentions by year", width=800)
        parts.append(chart_block(f"chart-{kind}", _spec(chart), "KWIC pages: " + " · ".join(links)))
    return "\n".join(parts)


def _stance_section(store: Store, out: Path, *, kwic_limit: int) -> str:
    parts = ["<h2 id=\"stance\">Stance share by year</h2>"]
    labelled = store.query(
        f"""WITH one AS (SELECT doc_id, sentence, arg_min(label, source) AS label FROM stance GROUP BY doc_id, sentence)
            SELECT coalesce(CAST(d.year AS VARCHAR), '{UNDATED}') AS bucket, one.label, count(*) AS sentences
            FROM one JOIN documents d USING (doc_id) GROUP BY ALL ORDER BY 1, 2"""
    )
    if not labelled:
        return "\n".join(parts + ['<p class="note">(no stance labels in the store)</p>'])
    totals: dict[str, int] = {}
    for r in labelled:
        totals[r["bucket"]] = totals.get(r["bucket"], 0) + r["sentences"]
    lines = store.query(
        f"""WITH one AS (SELECT doc_id, sentence, arg_min(label, source) AS label FROM stance GROUP BY doc_id, sentence),
            ranked AS (SELECT coalesce(CAST(d.year AS VARCHAR), '{UNDATED}') AS bucket, one.label, d.doc, d.published, d.year,
                              s.idx, s.text, row_number() OVER (PARTITION BY d.year, one.label ORDER BY d.path, s.idx) AS k
                       FROM one JOIN documents d USING (doc_id) JOIN sentences s ON s.doc_id = one.doc_id AND s.idx = one.sentence
                       WHERE one.label <> 'NONE')
            SELECT * FROM ranked WHERE k <= ? ORDER BY year NULLS LAST, label, k""",
        [max(1, kwic_limit // 10)],
    )
    body = ['<p><a href="../index.html">← report</a></p><h1>Stance-labelled sentences</h1>',
            f'<p class="note">At most {max(1, kwic_limit // 10)} sentences per year and label.</p>']
    for key in dict.fromkeys((r["bucket"], r["label"]) for r in lines):
        group = [r for r in lines if (r["bucket"], r["label"]) == key]
        body.append(f'<h3 id="{anchor(key[0] + "-" + key[1])}">{esc(key[0])} · {esc(key[1])}</h3>')
        body.append(table([{"doc": r["doc"], "sentence": r["idx"], "text": r["text"]} for r in group], ["doc", "sentence", "text"]))
    (out / "kwic" / "stance.html").write_text(page("Stance-labelled sentences", "\n".join(body), root="../"), encoding="utf-8")
    # NONE (no stance cue) is most sentences: the chart shows the labelled ones, NONE goes in the note
    cued = {b: sum(r["sentences"] for r in labelled if r["bucket"] == b and r["label"] != "NONE") for b in totals}
    data = [dict(r, year=int(r["bucket"]), share=round(r["sentences"] / totals[r["bucket"]], 4),
                 href=f"kwic/stance.html#{anchor(r['bucket'] + '-' + r['label'])}")
            for r in labelled if r["label"] != "NONE" and r["bucket"] != UNDATED and cued[r["bucket"]]]
    none = sum(r["sentences"] for r in labelled if r["label"] == "NONE")
    parts.append(f'<p class="note">Sentences with a stance cue only; {none:,} of {sum(totals.values()):,} sentences have none (NONE) and are left out.</p>')
    chart = alt.Chart(alt.Data(values=data)).mark_bar(cursor="pointer").encode(
        x=alt.X("year:Q", title="year", scale=alt.Scale(zero=False, nice=False), axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("share:Q", title="share of stance-labelled sentences", stack="normalize"),
        color=alt.Color("label:N", scale=alt.Scale(domain=list(STANCE_COLORS), range=list(STANCE_COLORS.values()))),
        tooltip=["year:Q", "label:N", "sentences:Q", alt.Tooltip("share:Q", format=".1%")], href=alt.Href("href:N"),
    ).properties(title="Stance of cue-bearing sentences by year (one label per sentence)", width=800, height=200)
    parts.append(chart_block("chart-stance", _spec(chart), '<a href="kwic/stance.html">stance-labelled sentences</a>'))
    return "\n".join(parts)


def _findings_section(store: Store, *, limit: int = 500) -> str:
    if not _has_table(store, "findings"):
        return ""
    # documents by title (the doc_id hash means nothing to a reader); long text cut to fit the page
    rows = store.query(
        "SELECT coalesce(d.title, d.doc) AS document, d.source, f.sentence, f.kind, "
        "CASE WHEN length(f.explanation) > 140 THEN substr(f.explanation, 1, 139) || '…' ELSE f.explanation END AS explanation "
        f"FROM findings f JOIN documents d USING (doc_id) ORDER BY d.path, f.sentence NULLS LAST LIMIT {int(limit)}")
    total = store.query("SELECT count(*) AS n FROM findings")[0]["n"]
    columns = ["document", "source", "sentence", "kind", "explanation"]
    summary = table(store.query("SELECT kind, count(*) AS n FROM findings GROUP BY 1 ORDER BY 2 DESC"), ["kind", "n"], numeric=["n"])
    return "\n".join(["<h2 id=\"findings\">Audit findings</h2>", f"<p>{total} findings" + (f"; first {limit} listed" if total > limit else "") + ".</p>",
                      summary, '<div class="wide">' + table(rows, columns, numeric=["sentence"]) + "</div>"])


def write_report(store: Store, out_dir: str | Path, *, kwic_limit: int = 400) -> Path:
    """Write the report folder; returns the path of ``index.html``."""
    out = Path(out_dir)
    (out / "kwic").mkdir(parents=True, exist_ok=True)
    (out / "vega.js").write_text(vega_bundle(), encoding="utf-8")
    (out / "report.js").write_text(REPORT_JS, encoding="utf-8")
    (out / "style.css").write_text(CSS, encoding="utf-8")
    overview, documents = _overview(store)
    findings = _findings_section(store)
    nav = ['<a href="#overview">overview</a>', '<a href="#terms">terms</a>', '<a href="#labels">frameworks &amp; instruments</a>',
           '<a href="#stance">stance</a>'] + (['<a href="#findings">audit</a>'] if findings else []) + ['<a href="#documents">documents</a>']
    body = "\n".join([
        "<h1>policytext report</h1>", f"<nav>{''.join(nav)}</nav>",
        '<p class="note">Chinese text and chart labels use the CJK font of this machine (Noto Sans CJK SC, Source Han Sans, '
        'PingFang or Microsoft YaHei); where there is none they show as boxes: install one (Debian: fonts-noto-cjk).</p>',
        f'<p class="note">store: {esc(Path(store.path).name)}</p>',
        overview, _term_section(store, out, kwic_limit=kwic_limit), _labels_section(store, out, kwic_limit=kwic_limit),
        _stance_section(store, out, kwic_limit=kwic_limit), findings, *documents,
    ])
    index = out / "index.html"
    index.write_text(page("policytext report", body, charts=True), encoding="utf-8")
    return index
