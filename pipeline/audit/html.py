"""The audit's findings as a standalone HTML page (``policytext audit --format html``)."""

from __future__ import annotations

import html
from collections.abc import Sequence

from pipeline.audit.checks import summarize_findings
from pipeline.schema import Finding


def format_findings_html(
    findings: Sequence[Finding],
    *,
    sentences: dict[tuple[str, int], str] | None = None,
    title: str = "Citation audit",
) -> str:
    """A standalone HTML page listing findings; all article text is escaped.
    ``sentences`` maps ``(doc, sentence index)`` to the sentence text shown as context."""
    e = html.escape
    rows = []
    for f in findings:
        context = ""
        if sentences and f.sentence is not None:
            context = sentences.get((f.doc, f.sentence), "")
        rows.append(
            "<tr class=\"{sev}\"><td>{doc}</td><td>{sent}</td><td>{marker}</td><td>{kind}</td>"
            "<td>{expl}</td><td>{ctx}</td><td>{ev}</td></tr>".format(
                sev=e(f.severity), doc=e(f.doc), sent="" if f.sentence is None else f.sentence,
                marker=e(f.marker or ""), kind=e(f.kind), expl=e(f.explanation),
                ctx=e(context), ev=e(f.evidence or ""),
            )
        )
    counts = summarize_findings(findings)
    summary = ", ".join(f"{e(k)}: {v}" for k, v in sorted(counts.items())) or "no findings"
    return (
        "<!DOCTYPE html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\">"
        f"<title>{e(title)}</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px;vertical-align:top}"
        "tr.error{background:#fdd}tr.info{color:#555}</style></head><body>"
        f"<h1>{e(title)}</h1><p>{summary}</p>"
        "<table><thead><tr><th>doc</th><th>sentence</th><th>marker</th><th>kind</th>"
        "<th>explanation</th><th>sentence text</th><th>evidence</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></body></html>\n"
    )
