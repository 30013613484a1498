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


def _cell(value: Any, limit: int) -> str:
    if value is None:
        text = ""
    elif isinstance(value, (list, tuple)):
        text = "、".join(str(v) for v in value)
    elif isinstance(value, float):
        text = f"{value:.4g}"
    else:
        text = str(value)
    text = " ".join(text.split())
    return _shorten(text, limit)


def _shorten(text: str, limit: int) -> str:
    """The longest prefix of ``text`` that fits ``limit`` columns with an ellipsis (at least
    one character kept). One pass over prefix widths: linear in the length of the text."""
    if _width(text) <= limit:
        return text
    widths = [0]
    for ch in text:
        widths.append(widths[-1] + (2 if unicodedata.east_asian_width(ch) in "WF" else 1))
    k = max(0, len(text) - 2) if text.endswith("…") else max(1, len(text) - 2)
    while k > 1 and widths[k] + 1 > limit:
        k -= 1
    return text[:k] + "…"


def write_records(records: Sequence[dict[str, Any]], fmt: str, out: TextIO, *, columns: Sequence[str] | None = None, max_width: int = 48) -> None:
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
        cells = [[_cell(r.get(c), max_width) for c in columns] for r in records]
        widths = [max([_width(c)] + [_width(row[i]) for row in cells]) for i, c in enumerate(columns)]
        pad = lambda text, w: text + " " * (w - _width(text))  # noqa: E731
        out.write("  ".join(pad(c, w) for c, w in zip(columns, widths)).rstrip() + "\n")
        out.write("  ".join("-" * w for w in widths) + "\n")
        for row in cells:
            out.write("  ".join(pad(c, w) for c, w in zip(row, widths)).rstrip() + "\n")
