"""Vega-Lite charts (through altair) for ``trend --plot`` and the HTML report.

Charts name a CJK font first so Chinese labels render: the browser picks it from the system
(Debian: fonts-noto-cjk), and vl-convert uses the same system fonts for PNG/SVG.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import altair as alt

from pipeline.errors import PipelineError
from pipeline.query.trends import UNDATED, TrendResult
from pipeline.report.page import REPORT_JS, chart_block, page

FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, WenQuanYi Micro Hei, sans-serif"
PLOT_SUFFIXES = (".png", ".svg", ".html")
_MEASURE_TITLE = {"count": "occurrences", "per10k": "per 10,000 Han characters", "docs": "documents with the term", "share": "share of documents"}


def configure(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return chart.configure(font=FONT).configure_view(strokeWidth=0)


def trend_chart(rows: list[dict[str, Any]], *, by: str, measure: str, title: str = "", href: bool = False, legend: bool = True, width: int = 560, height: int = 220) -> alt.LayerChart | alt.Chart:
    """Measure by bucket, one line per term; dashed smoothed line when present.
    With ``href`` each point links to ``row['href']``. Undated rows are left out of the axis."""
    data = [dict(r, year=int(r["bucket"]) if by == "year" else None) for r in rows if r["bucket"] != UNDATED and r["measure"] is not None]
    if by == "year":
        x = alt.X("year:Q", title="year", scale=alt.Scale(zero=False, nice=False), axis=alt.Axis(format="d", tickMinStep=1))
    else:
        x = alt.X("bucket:N", title=by, sort=None, axis=alt.Axis(labelAngle=-45, labelOverlap=True))
    y_title = _MEASURE_TITLE.get(measure, measure)
    tooltip = ["term:N", "bucket:N", "count:Q", "docs:Q", "bucket_docs:Q", "denominator:Q", alt.Tooltip("measure:Q", format=".4~f")]
    encode: dict[str, Any] = dict(x=x, y=alt.Y("measure:Q", title=y_title), color=alt.Color("term:N", title="term", legend=alt.Legend() if legend else None), tooltip=tooltip)
    if href:
        encode["href"] = alt.Href("href:N")
    base = alt.Chart(alt.Data(values=data))
    layers = [base.mark_line(point=alt.OverlayMarkDef(size=40, filled=True, cursor="pointer" if href else "default")).encode(**encode)]
    if any(r.get("smoothed") is not None for r in data):
        layers.append(base.mark_line(strokeDash=[5, 3], opacity=0.7).encode(x=x, y=alt.Y("smoothed:Q"), color="term:N"))
    chart = alt.layer(*layers) if len(layers) > 1 else layers[0]
    return chart.properties(title=title or y_title, width=width, height=height)


def save_trend_plot(result: TrendResult, path: str | Path) -> Path:
    """Draw ``trend`` rows to PNG, SVG or a standalone (offline) HTML file."""
    path = Path(path)
    if path.suffix.lower() not in PLOT_SUFFIXES:
        raise PipelineError(f"--plot {path}: use a .png, .svg or .html file name")
    title = f"{result.measure} by {result.by}" + (" (dashed: smoothed)" if any(r.get("smoothed") is not None for r in result.rows) else "")
    chart = configure(trend_chart(result.rows, by=result.by, measure=result.measure, title=title))
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".html":
        path.write_text(standalone_html(chart.to_dict(), title=title), encoding="utf-8")
    else:
        chart.save(str(path), scale_factor=2 if path.suffix.lower() == ".png" else 1)
    return path


def standalone_html(spec: dict[str, Any], *, title: str = "") -> str:
    """One offline HTML file drawing ``spec``. Not altair's ``save(inline=True)``: that writes the
    data straight into live script, where a stored ``</script>`` ends it. Here the spec is a JSON
    data block with ``<``, ``>``, ``&`` escaped (as in the report), parsed by a fixed script."""
    bundle = vega_bundle().replace("</script", "<\\/script")
    body = chart_block("chart", spec) + f"\n<script>{bundle}</script><script>{REPORT_JS}</script>"
    return page(title or "policytext trend", body).replace('<link rel="stylesheet" href="style.css">', "")


def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script (shipped inside vl-convert: no CDN)."""
    import vl_convert

    return vl_convert.javascript_bundle()
