"""Paths and defaults, one frozen dataclass per stage's settings."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = Path(__file__).resolve().parent
LEXICON_DIR = PACKAGE_DIR / "lexicons"
SAMPLE_CORPUS = PROJ_ROOT / "corpora" / "sample"
MODELS_DIR = PROJ_ROOT / "models"
DEFAULT_DB = Path(os.environ.get("POLICYTEXT_DB", "policytext.duckdb"))
DEFAULT_SHARED = PROJ_ROOT.parent / "shared"

# File suffixes the readers understand; anything else under a directory is skipped
# (and counted), a file named on the command line with another suffix is an error.
TEXT_SUFFIXES = (".txt", ".text")
MARKDOWN_SUFFIXES = (".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
PDF_SUFFIXES = (".pdf",)
JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson")
ALL_SUFFIXES = TEXT_SUFFIXES + MARKDOWN_SUFFIXES + HTML_SUFFIXES + PDF_SUFFIXES + JSONL_SUFFIXES


@dataclass(frozen=True)
class ReadSettings:
    text_field: str = "content"
    id_field: str | None = None  # JSON Lines: the field that names a record (default: its line number)
    max_file_bytes: int = 2 * 1024**3  # refuse files larger than this (likely not an article)
    # one document's text (a file or a record) is refused above this: peak memory while it is
    # processed is ~40-60x its UTF-8 size on ordinary text (measured), so this bounds one
    # worker to about 1 GB; split larger texts. Inputs of up to 10 MB are always accepted.
    max_record_chars: int = 10_500_000
    ocr: str = "auto"  # PDF pages without a usable text layer: auto (OCR them) | never | always (OCR every page)
    ocr_cache: str | None = None  # folder for per-page OCR results (re-reading a scan is then free)


@dataclass(frozen=True)
class IngestSettings:
    batch_size: int = 64  # documents per store transaction
    strict: bool = False  # stop at the first failure
    run_extraction: bool = True
    progress: bool = True
    workers: int = 1  # >1: a local Dask cluster of this many worker processes
    scheduler: str | None = None  # address of an existing Dask scheduler
    segmenter: str = "jieba"  # jieba (the reference) | rjieba (same tokens, faster): token-level work
    store_memory: str | None = "256MB"  # DuckDB memory_limit while writing: RSS does not grow with the store
    lexicon_dir: str | None = None  # a lexicon folder of the user's own (default: the packaged lexicons)
