"""The reader's picture of a page: printed lines with box, font size and zone (text layer or OCR)."""

from __future__ import annotations

from dataclasses import dataclass


def is_wide(ch: str) -> bool:
    """Han, kana, hangul, CJK and full-width punctuation: no space is ever put next to them."""
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7A3 or 0xF900 <= o <= 0xFAFF or 0xFE30 <= o <= 0xFE4F
            or 0xFF00 <= o <= 0xFFEF or 0x2460 <= o <= 0x24FF or 0x3251 <= o <= 0x32BF or 0x20000 <= o <= 0x3FFFF
            or ch in "“”‘’—…·")


@dataclass
class PdfLine:
    """One printed line. Coordinates in PDF points, y upwards (``y1`` is the top)."""

    page: int  # 1-based
    x0: float
    x1: float
    y0: float
    y1: float
    size: float  # font size in points (OCR: estimated from the line height)
    text: str
    kind: str = "body"
    column: int = 0  # 0 full width, 1 left, 2 right
    confidence: float | None = None  # OCR confidence of the line; None from a text layer
    ink: float | None = None  # OCR: summed width of the boxes merged into the line (gaps left out)


@dataclass
class PdfPage:
    number: int  # 1-based
    width: float
    height: float
    lines: list[PdfLine]
    source: str = "text"  # text | ocr | empty
    confidence: float | None = None  # mean OCR line confidence
