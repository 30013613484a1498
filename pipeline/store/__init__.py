"""The DuckDB store: schema (``tables``), prepared batches (``batch``), the writer and reads (``store``)."""

from pipeline.store.batch import DocKey, PreparedBatch, WriteOutcome, prepare_batch
from pipeline.store.store import Store, committed_documents, translate_fault
from pipeline.store.tables import CHILD_TABLES, NAME_META, TABLES, VIEWS

__all__ = ["Store", "committed_documents", "translate_fault", "DocKey", "PreparedBatch", "WriteOutcome", "prepare_batch", "TABLES", "VIEWS", "CHILD_TABLES", "NAME_META"]
