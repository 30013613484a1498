"""Readers: turn files, directories, globs and JSON Lines corpora into RawDocuments."""

from pipeline.ingest.readers import ReadFailure, expand_paths, read_path, iter_raw_documents
from pipeline.ingest.manifest import load_manifest
from pipeline.ingest.metadata import resolve_metadata

__all__ = [
    "ReadFailure",
    "expand_paths",
    "read_path",
    "iter_raw_documents",
    "load_manifest",
    "resolve_metadata",
]
