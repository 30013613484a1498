"""Manifests: CSV or JSON Lines keyed by file name, giving title, authors, venue, published, source."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from pipeline import jsonsafe
from pipeline.errors import PipelineError
from pipeline.jsonsafe import RecordError

MANIFEST_FIELDS = ("file", "title", "authors", "venue", "published", "source")


class Manifest(dict):
    """``{file name: metadata}``, plus ``problems``: (line, reason) of the lines that could not be
    read. One bad line (a number of 5,000 digits, a field above the csv module's limit, not an
    object) drops that line's entry only."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path
        self.problems: list[tuple[int, str]] = []


def _csv_rows(text: str, manifest: Manifest) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(text.splitlines())
    rows = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows
        except csv.Error as exc:  # e.g. "field larger than field limit (131072)"
            manifest.problems.append((reader.line_num + 1, f"unreadable CSV row ({exc})"))
            continue
        rows.append((reader.line_num, row))


def load_manifest(path: str | Path) -> Manifest:
    """Return ``{file name: metadata}``. Errors name the manifest file and line."""
    path = Path(path)
    if not path.is_file():
        raise PipelineError(f"{path}: manifest not found")
    entries = Manifest(path)
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise PipelineError(f"{path}: cannot read manifest ({exc})") from exc
    if suffix == ".csv":
        rows = _csv_rows(text, entries)
    elif suffix in (".jsonl", ".json", ".ndjson"):
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = jsonsafe.loads(line)
            except RecordError as exc:
                entries.problems.append((number, str(exc)))
                continue
            if not isinstance(row, dict):
                entries.problems.append((number, "expected a JSON object"))
                continue
            rows.append((number, row))
    else:
        raise PipelineError(f"{path}: manifest must be .csv or .jsonl, not {suffix!r}")
    for number, row in rows:
        file_name = row.get("file") or row.get("filename") or ""
        if not isinstance(file_name, str) or not file_name.strip():
            entries.problems.append((number, "no 'file' column (a string) naming the document"))
            continue
        file_name = file_name.strip()
        entry = {key: value for key, value in row.items() if key not in ("file", "filename")}
        entry["authors"] = _authors(entry.get("authors"))
        for key in ("title", "venue", "published", "source"):
            if entry.get(key) in ("", None):
                entry[key] = None
            elif key == "published":
                entry[key] = str(entry[key])
        entries[file_name] = entry
    return entries


def _authors(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(a).strip() for a in value if str(a).strip()]
    text = str(value)
    for sep in (";", "；", "、", "|", ","):
        if sep in text:
            return [a.strip() for a in text.split(sep) if a.strip()]
    return [text.strip()]
