"""Render record lists as table, JSON Lines, JSON or CSV (used by every listing command)."""

from __future__ import annotations

import csv
import json
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TextIO

FORMATS = ("table", "jsonl", "json", "csv")


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (East Asian wide and full-width characters take two)."""
    return _width(text)


def _cell(value: Any, limit: int, *, keep_end: bool = False) -> str:
    if value is None:
        text = ""
    elif isinstance(value, (list, tuple)):
        text = "、".join(str(v) for v in value)
    elif isinstance(value, float):
        text = f"{value:.4g}"
    else:
        text = str(value)
    text = " ".join(text.split())
    if keep_end:  # a left context loses its start, not the words next to the keyword
        while _width(text) > limit and len(text) > 1:
            text = "…" + text.lstrip("…")[1:]
        return text
    while _width(text) > limit:
        text = text[: max(1, len(text) - 2)] + "…" if not text.endswith("…") else text[:-2] + "…"
        if len(text) <= 2:
            break
    return text


def write_records(records: Sequence[dict[str, Any]], fmt: str, out: TextIO, *, columns: Sequence[str] | None = None, max_width: int = 48,
                  widths: dict[str, int] | None = None, right: Sequence[str] = ()) -> None:
    """Write ``records``; in a table, ``widths`` caps single columns (else ``max_width``) and the
    ``right`` columns are right-aligned and cut at their start (a concordance's left context)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    columns = list(columns or (records[0].keys() if records else []))
    if fmt == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False, default=_default) + "\n")
    elif fmt == "json":
        json.dump(list(records), out, ensure_ascii=False, default=_default, indent=2)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for record in records:
            writer.writerow({k: (json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v) for k, v in record.items()})
    else:
        caps = widths or {}
        cells = [[_cell(r.get(c), caps.get(c, max_width), keep_end=c in right) for c in columns] for r in records]
        sizes = [max([_width(c)] + [_width(row[i]) for row in cells]) for i, c in enumerate(columns)]

        def pad(text: str, w: int, column: str) -> str:
            fill = " " * (w - _width(text))
            return fill + text if column in right else text + fill

        out.write("  ".join(pad(c, w, c) for c, w in zip(columns, sizes)).rstrip() + "\n")
        out.write("  ".join("-" * w for w in sizes) + "\n")
        for row in cells:
            out.write("  ".join(pad(c, w, col) for c, w, col in zip(row, sizes, columns)).rstrip() + "\n")
