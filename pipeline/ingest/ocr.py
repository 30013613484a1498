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
import re
from itertools import pairwise
from pathlib import Path

from pipeline.errors import ReadError
from pipeline.ingest.layout import PdfLine, PdfPage, is_wide

_DASH_BETWEEN_DIGITS = re.compile(r"(?<=\d)一(?=\d)")  # 2000—2016 read as 2000一2016
# the recogniser has no circled digits: a superscript ① after a Han character comes out as
# "?" (before punctuation or the next character): it is no question mark, so it is dropped
_UNREAD_MARKER = re.compile(r"(?<=[\u4e00-\u9fff”）》])\?(?=[，。；：、！？\u4e00-\u9fff]|$)")
_DOUBLE_DASH = re.compile(r"一-|-一|--")  # —— read as two different dashes
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
    lines = merge_rows(lines)
    for l in lines:
        l.text = _UNREAD_MARKER.sub("", _DASH_BETWEEN_DIGITS.sub("—", _DOUBLE_DASH.sub("——", l.text)))
    _estimate_sizes(lines)
    conf = sum(l.confidence for l in lines) / len(lines) if lines else None
    return PdfPage(number, width, height, lines, "ocr" if lines else "empty", conf)


def merge_rows(lines: list[PdfLine]) -> list[PdfLine]:
    """Boxes of one printed line (the detector splits a line at wide gaps) as one line, left to
    right: boxes whose vertical centres are closer than half the smaller box height."""
    rows: list[list[PdfLine]] = []
    for l in sorted(lines, key=lambda l: -(l.y0 + l.y1) / 2):
        mid = (l.y0 + l.y1) / 2
        if rows:
            last = rows[-1]
            ref = last[0]
            if abs((ref.y0 + ref.y1) / 2 - mid) < 0.5 * min(ref.y1 - ref.y0, l.y1 - l.y0):
                last.append(l)
                continue
        rows.append([l])
    merged = []
    for row in rows:
        row.sort(key=lambda l: l.x0)
        text = row[0].text
        for a, b in pairwise(row):
            gap = " " if not (is_wide(a.text[-1]) or is_wide(b.text[0])) else ""
            text += gap + b.text
        n = sum(len(l.text) for l in row)
        conf = sum((l.confidence or 0.0) * len(l.text) for l in row) / max(n, 1)
        line = PdfLine(row[0].page, min(l.x0 for l in row), max(l.x1 for l in row), min(l.y0 for l in row),
                       max(l.y1 for l in row), 0.0, text, confidence=conf)
        line.ink = sum(l.x1 - l.x0 for l in row)  # width without the gaps between the boxes
        merged.append(line)
    return merged


def ems(text: str) -> float:
    """Width of a text in ems, roughly: a CJK character 1, a Latin letter or digit 0.55."""
    return sum(1.0 if is_wide(ch) else 0.28 if ch in " .,:;'|!il" else 0.55 for ch in text)


def _estimate_sizes(lines: list[PdfLine]) -> None:
    """Font size of OCR'd lines from width / ems (box heights vary with the glyphs on the
    line) for lines of mostly CJK characters; short or mostly Latin lines take their box
    height times the page's median size/height ratio."""
    ratios = []
    for l in lines:
        e = ems(l.text.replace(" ", ""))
        wide = sum(1 for ch in l.text if is_wide(ch))
        if e >= _MIN_EMS and wide >= 0.6 * len(l.text.replace(" ", "")):  # Latin widths vary too much
            l.size = (l.ink or l.x1 - l.x0) / e
            ratios.append(l.size / max(l.y1 - l.y0, 1e-3))
    ratio = sorted(ratios)[len(ratios) // 2] if ratios else 0.8
    for l in lines:
        if not l.size:
            l.size = (l.y1 - l.y0) * ratio
