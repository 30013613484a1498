"""HTML building blocks for the report. Every piece of stored text goes through :func:`esc`;
chart specs are embedded as JSON data blocks with ``<``, ``>`` and ``&`` escaped, so article
text (``<script>``, ``onerror=``) stays inert."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from typing import Any

CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
  margin:2em auto;max-width:1100px;padding:0 1em;color:#222;line-height:1.5}
h1,h2,h3{font-weight:600} h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em} th,td{border:1px solid #ddd;padding:.2em .5em;vertical-align:top}
th{background:#f4f4f4;text-align:left} td.num{text-align:right} td.left{text-align:right;color:#555}
td.right{color:#555} td.match{font-weight:700;color:#b00;white-space:nowrap}
tbody.bucket th{background:#e8eef8} .note{color:#555;font-size:.9em} .links{font-size:.85em;color:#444}
.chart{margin:1em 0} nav a{margin-right:1em}
.wide{overflow-x:auto;max-width:100%} .wide td{overflow-wrap:anywhere}
"""


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def anchor(value: Any) -> str:
    """A safe fragment id for a bucket or label."""
    return "b-" + re.sub(r"[^0-9A-Za-z_-]", "_", str(value))


def json_block(data: Any) -> str:
    """JSON safe inside <script type="application/json">."""
    text = json.dumps(data, ensure_ascii=False, default=str)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def page(title: str, body: str, *, root: str = "", charts: bool = False) -> str:
    scripts = f'<script src="{root}vega.js"></script><script src="{root}report.js"></script>' if charts else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{esc(title)}</title>"
        f"<link rel=\"stylesheet\" href=\"{root}style.css\"></head><body>\n{body}\n{scripts}</body></html>\n"
    )


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str], *, links: dict[str, str] | None = None, numeric: Sequence[str] = ()) -> str:
    """A plain table; ``links`` maps a column to a key in each row holding its href."""
    if not rows:
        return '<p class="note">(none)</p>'
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for c in columns:
            value = esc(row.get(c))
            if links and c in links and row.get(links[c]):
                value = f'<a href="{esc(row[links[c]])}">{value}</a>'
            cls = ' class="num"' if c in numeric else ""
            cells.append(f"<td{cls}>{value}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def chart_block(chart_id: str, spec: dict[str, Any], caption: str = "") -> str:
    return (
        f'<div class="chart"><div id="{esc(chart_id)}" class="vega" data-spec="{esc(chart_id)}-spec"></div>'
        f'<script type="application/json" id="{esc(chart_id)}-spec">{json_block(spec)}</script>'
        + (f'<div class="links">{caption}</div>' if caption else "")
        + "</div>"
    )


REPORT_JS = """
// Renders every chart of the page from its embedded Vega-Lite spec (no network access).
document.querySelectorAll('div.vega').forEach(function (el) {
  var spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
  vegaEmbed(el, spec, {actions: false, renderer: 'svg'}).catch(function (err) {
    el.textContent = 'chart failed: ' + err;
  });
});
"""


def kwic_table(rows: Sequence[dict[str, Any]], *, key: str = "bucket") -> str:
    """KWIC lines grouped by bucket; each group is an anchor the charts link to."""
    if not rows:
        return '<p class="note">(no occurrences)</p>'
    parts = ['<table class="kwic"><thead><tr><th>date</th><th>doc</th><th>sentence</th>'
             '<th>left</th><th>match</th><th>right</th></tr></thead>']
    current, opened = None, False
    for row in rows:
        if not opened or row[key] != current:
            if opened:
                parts.append("</tbody>")
            current, opened = row[key], True
            parts.append(f'<tbody class="bucket" id="{anchor(current)}"><tr><th colspan="6">{esc(current)}</th></tr>')
        parts.append(
            f"<tr><td>{esc(row['date'])}</td><td>{esc(row['doc'])}</td><td class=\"num\">{esc(row['sentence'])}</td>"
            f"<td class=\"left\">{esc(row['left'])}</td><td class=\"match\">{esc(row['match'])}</td>"
            f"<td class=\"right\">{esc(row['right'])}</td></tr>"
        )
    parts.append("</tbody></table>")
    return "".join(parts)
