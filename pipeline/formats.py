"""Render record lists as table, JSON Lines, JSON or CSV (used by every listing command)."""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TextIO

FORMATS = ("table", "jsonl", "json", "csv")


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


# Characters a terminal would act on rather than show: C0/C1 controls (ESC starts a terminal
# escape sequence), DEL, and the bidi embeddings/overrides/isolates that reorder what follows.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def visible(text: str) -> str:
    """``text`` with control characters and bidi overrides shown as escapes (``\\x1b``,
    ``\\u202e``), so a stored title cannot drive the terminal or reorder a line."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


def csv_safe(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run: text starting with ``= + - @`` (or tab/CR) gets a
    leading ``'`` (the OWASP advice); numbers are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


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
    text = visible(" ".join(text.split()))
    if keep_end:  # a left context loses its start, not the words next to the keyword
        return _shorten_start(text, limit)
    return _shorten(text, limit)


def _char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def _shorten(text: str, limit: int) -> str:
    """The longest prefix of ``text`` that fits ``limit`` columns with an ellipsis (at least
    one character kept). One pass over prefix widths: linear in the length of the text."""
    if _width(text) <= limit:
        return text
    widths = [0]
    for ch in text:
        widths.append(widths[-1] + _char_width(ch))
    k = max(0, len(text) - 2) if text.endswith("…") else max(1, len(text) - 2)
    while k > 1 and widths[k] + 1 > limit:
        k -= 1
    return text[:k] + "…"


def _shorten_start(text: str, limit: int) -> str:
    """The longest suffix of ``text`` that fits ``limit`` columns after an ellipsis (at least
    one character kept); linear in the length of the text."""
    if _width(text) <= limit:
        return text
    text = text.lstrip("…")
    used, k = 1, len(text)  # the ellipsis takes one column
    while k > 1 and used + _char_width(text[k - 1]) <= limit:
        k -= 1
        used += _char_width(text[k])
    return "…" + text[k:]


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
            writer.writerow({k: csv_safe(json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v) for k, v in record.items()})
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
