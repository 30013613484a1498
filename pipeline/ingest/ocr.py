"""OCR of a PDF page without a usable text layer: RapidOCR (PaddleOCR's Chinese models as ONNX,
shipped inside the ``rapidocr-onnxruntime`` wheel; offline, CPU). Optional: install with
``pip install -e ".[ocr]" && pip install --no-deps rapidocr-onnxruntime`` (``make`` does both;
``--no-deps`` keeps its ``opencv-python`` requirement from replacing ``opencv-python-headless``).

Pages are rendered by PDFium at ``dpi``; every recognised text line becomes a ``PdfLine`` with
its box in PDF points and a font size estimated from the box height, so the OCR'd page is
classified (headers, footnotes, columns) by the same rules as a text layer. Results can be
cached per page (JSON) in a folder: OCR costs seconds a page."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pipeline.errors import ReadError
from pipeline.ingest.layout import PdfLine, PdfPage, is_wide

_MIN_EMS = 6.0  # a line this wide (in ems) gives its font size by its width; shorter ones by their height
_ENGINE = None


def engine():
    global _ENGINE
    if _ENGINE is None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:
            raise ReadError("ocr", "OCR needs rapidocr-onnxruntime: pip install -e '.[ocr]' && pip install --no-deps rapidocr-onnxruntime") from exc
        _ENGINE = RapidOCR()
    return _ENGINE


def recognise(image) -> list[tuple[list[list[float]], str, float]]:
    """(box as four [x, y] pixel points, text, confidence) of every text line of an image."""
    result, _ = engine()(image)
    return [(box, text, float(score)) for box, text, score in (result or [])]


def ocr_page(page, number: int, width: float, height: float, *, dpi: int = 150, cache: str | Path | None = None, key: str = ""):
    cached = Path(cache) / f"{key}.json" if cache and key else None
    if cached is not None and cached.exists():
        found = json.loads(cached.read_text(encoding="utf-8"))
    else:
        image = page.render(scale=dpi / 72).to_numpy()
        found = recognise(image)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(".tmp")
            tmp.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, cached)
    scale = 72 / dpi
    lines = []
    for box, text, score in found:
        text = text.strip()
        if not text:
            continue
        xs = [pt[0] * scale for pt in box]
        ys = [height - pt[1] * scale for pt in box]
        lines.append(PdfLine(number, min(xs), max(xs), min(ys), max(ys), 0.0, text, confidence=score))
    _estimate_sizes(lines)
    conf = sum(l.confidence for l in lines) / len(lines) if lines else None
    return PdfPage(number, width, height, lines, "ocr" if lines else "empty", conf)


def ems(text: str) -> float:
    """Width of a text in ems, roughly: a CJK character 1, a Latin letter or digit 0.55."""
    return sum(1.0 if is_wide(ch) else 0.28 if ch in " .,:;'|!il" else 0.55 for ch in text)


def _estimate_sizes(lines: list[PdfLine]) -> None:
    """Font size of OCR'd lines from width / ems (box heights vary with the glyphs on the
    line); lines too short for that take their box height times the page's median ratio."""
    ratios = []
    for l in lines:
        e = ems(l.text)
        if e >= _MIN_EMS:
            l.size = (l.x1 - l.x0) / e
            ratios.append(l.size / max(l.y1 - l.y0, 1e-3))
    ratio = sorted(ratios)[len(ratios) // 2] if ratios else 0.8
    for l in lines:
        if not l.size:
            l.size = (l.y1 - l.y0) * ratio
