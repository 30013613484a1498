"""The exported dataset: the store's tables as Parquet."""

from __future__ import annotations

from pathlib import Path

from pipeline.store import Store


def export_dataset(store: Store, out_dir: str | Path) -> dict[str, Path]:
    return store.export_parquet(out_dir)
