"""Errors with precise messages. Every error a user can cause is a PipelineError;
the CLI turns them into ``Error: …`` and exit status 1."""

from __future__ import annotations


class PipelineError(Exception):
    """Base class for every error caused by input or settings."""


class ReadError(PipelineError):
    """A file could not be read as a document: names the file and the reason."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class StoreError(PipelineError):
    """The store could not be opened or written."""


class StoreLockedError(StoreError):
    """Another process holds the store."""
