"""Manifests: CSV or JSON Lines keyed by file name, giving title, authors, venue, published, source."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError

MANIFEST_FIELDS = ("file", "title", "authors", "venue", "published", "source")


def load_manifest(path: str | Path) -> dict[str, dict[str, Any]]:
    """Return ``{file name: metadata}``. Errors name the manifest file and line."""
    path = Path(path)
    if not path.is_file():
        raise PipelineError(f"{path}: manifest not found")
    entries: dict[str, dict[str, Any]] = {}
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise PipelineError(f"{path}: cannot read manifest ({exc})") from exc
    if suffix == ".csv":
        rows = list(enumerate(csv.DictReader(text.splitlines()), start=2))
    elif suffix in (".jsonl", ".json", ".ndjson"):
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise PipelineError(f"{path}: line {number}: invalid JSON ({exc.msg})") from exc
            if not isinstance(row, dict):
                raise PipelineError(f"{path}: line {number}: expected a JSON object")
            rows.append((number, row))
    else:
        raise PipelineError(f"{path}: manifest must be .csv or .jsonl, not {suffix!r}")
    for number, row in rows:
        file_name = (row.get("file") or row.get("filename") or "").strip()
        if not file_name:
            raise PipelineError(f"{path}: line {number}: no 'file' column naming the document")
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
