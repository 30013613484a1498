"""PDF reading speed for ``make bench``: the text-layer variants of ``SHARED/pdf`` ingested by
one worker; pages per second (wall and per CPU-second of this process) and where a page's
time goes (reading vs the rest of the pipeline)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

TEXT_VARIANTS = ("single", "two-column", "spaced")


def pdf_speed(shared: Path, workdir: Path) -> dict[str, Any] | None:
    import pypdfium2 as pdfium

    from pipeline.eval.pdf import ingest_variant
    from pipeline.ingest.pdf import read_pdf

    root = shared / "pdf"
    if not root.is_dir():
        return None
    out: dict[str, Any] = {}
    for variant in TEXT_VARIANTS:
        folder = root / variant
        files = sorted(folder.glob("*.pdf"))
        if not files:
            continue
        pages = sum(len(pdfium.PdfDocument(str(f))) for f in files)
        cpu = time.process_time()
        for f in files:
            read_pdf(f, ocr="never")
        read_cpu = time.process_time() - cpu
        db = workdir / f"pdf-{variant}.duckdb"
        for stale in workdir.glob(f"pdf-{variant}.duckdb*"):
            stale.unlink()
        run = ingest_variant(folder, db, ocr="never")
        out[variant] = {
            "pages": pages, "seconds": round(run["seconds"], 2), "cpu_seconds": round(run["cpu"], 2),
            "pages_per_s": round(pages / run["seconds"], 1), "pages_per_cpu_s": round(pages / max(run["cpu"], 1e-9), 1),
            "read_ms_per_page": round(1000 * read_cpu / pages, 1),
        }
    return out


def format_pdf_speed(result: dict[str, Any]) -> list[str]:
    lines = ["PDF ingest, 1 worker (target >= 10 pages/s per core):"]
    for variant, r in result.items():
        lines.append(f"  {variant:<11} {r['pages']:>4} pages  {r['pages_per_s']:>6.1f} pages/s wall  {r['pages_per_cpu_s']:>6.1f} pages per CPU-s  "
                     f"reader {r['read_ms_per_page']} ms/page")
    return lines
