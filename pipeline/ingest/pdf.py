"""Page-aware PDF reading: printed lines with position, font size and page, classified into
zones (running header, page number, body, heading, title, footnote), in reading order.

Characters and their boxes come from pypdfium2 (PDFium; Apache-2.0/BSD wheels on PyPI; its
text layer honours ``/ActualText``, so 长/⻓, 户/戶 come out as printed). A page without a
usable text layer (no characters, or mostly private-use / unmapped code points: a broken
ToUnicode map) is OCRed when ``ocr`` allows it (``pipeline.ingest.ocr``).

The reader returns the document's raw text (the printed lines, one per line, a form feed
line between pages) and one :class:`~pipeline.schema.TextZone` per line: the cleaner takes page
boundaries, furniture, footnote zones and paragraph continuations from them instead of
guessing them again (``clean_text(..., zones=...)``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from statistics import median

from pipeline.errors import ReadError
from pipeline.ingest.layout import PdfLine, PdfPage, is_wide
from pipeline.schema import TextZone

OCR_MODES = ("auto", "never", "always")
PAGE_BREAK = "\n\f\n"  # between two pages of the raw text: ``raw_text.split("\f")`` gives the pages
_CIRCLED = "\u2460-\u2473\u3251-\u325f\u32b1-\u32bf"
NOTE_START = re.compile(rf"^(?:[{_CIRCLED}]|\[\d{{1,3}}\]|\*)")
_PAGE_NUMBER = re.compile(r"^[-–—·一.\s]*(?:第\s*)?\d{1,4}(?:\s*页)?[-–—·一.\s]*$")  # 一: a dash as OCR reads it
_DROP = {0xFFFE, 0xFFFF, 0x02, 0x00, 0xAD}


@dataclass
class PdfRead:
    raw_text: str
    zones: list[TextZone]
    pages: list[PdfPage]

    @property
    def ocr_pages(self) -> int:
        return sum(1 for p in self.pages if p.source == "ocr")

    @property
    def ocr_confidence(self) -> float | None:
        scores = [p.confidence for p in self.pages if p.source == "ocr" and p.confidence is not None]
        return sum(scores) / len(scores) if scores else None


# -- characters -> lines --------------------------------------------------------------------


def _text_lines(textpage, number: int) -> list[PdfLine]:
    """Printed lines of one page from PDFium's characters: a line ends at PDFium's line
    break, a jump of the baseline (a superscript is no jump) or a step back to the left.
    No split at wide gaps: justified lines of few characters have gaps of several ems."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    handle = getattr(textpage, "raw", textpage)  # the bare handle: no wrapper conversion per call
    get_unicode, is_generated = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_IsGenerated
    get_box, get_size = pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDFText_GetFontSize
    n = pdfium_c.FPDFText_CountChars(handle)
    rect = pdfium_c.FS_RECTF()
    box = ctypes.byref(rect)
    lines: list[PdfLine] = []
    cur: list[tuple[str, float, float, float, float, float]] = []

    def flush():
        if cur:
            lines.append(_make_line(cur, number))
            cur.clear()

    for i in range(n):
        code = get_unicode(handle, i)
        generated = is_generated(handle, i)
        if code in (10, 13):
            flush()
            continue
        if code in (0x02, 0xFFFE) and not generated:
            code = 0x2D  # a hyphen that ends a line (PDFium's mark for it): printed, so kept
        if generated or code in _DROP or code == 32 or code == 0x3000:
            continue
        if not get_box(handle, i, box):
            continue
        x0, x1, y0, y1 = rect.left, rect.right, rect.bottom, rect.top
        size = get_size(handle, i)
        if size <= 1.01:  # size set by the text matrix: take the box height
            size = max(y1 - y0, 1.0) / 1.2
        if cur:
            p = cur[-1]
            ref = max(size, p[5])
            mid, pmid = (y0 + y1) / 2, (p[3] + p[4]) / 2
            if abs(mid - pmid) > 0.7 * ref and not (size < 0.8 * p[5] or p[5] < 0.8 * size) or x0 < p[1] - 2 * ref:
                flush()
        cur.append((chr(code) if code < 0xD800 or code > 0xDFFF else "\ufffd", x0, x1, y0, y1, size))
    flush()
    return lines


def _make_line(chars, number: int) -> PdfLine:
    sizes = Counter(round(c[5] * 2) / 2 for c in chars)
    size = sizes.most_common(1)[0][0]
    if len(sizes) > 1:  # superscript markers do not count: the largest size carrying a third of the glyphs
        big = [s for s, k in sizes.items() if k >= len(chars) / 3]
        size = max(big) if big else size
    gaps = [b[1] - a[2] for a, b in pairwise(chars) if not is_wide(a[0]) and not is_wide(b[0])]
    base = median(gaps) if len(gaps) >= 3 else 0.0
    out = [chars[0][0]]
    for a, b in pairwise(chars):
        if not is_wide(a[0]) and not is_wide(b[0]) and b[1] - a[2] > base + 0.18 * size:
            out.append(" ")
        out.append(b[0])
    return PdfLine(number, min(c[1] for c in chars), max(c[2] for c in chars), min(c[3] for c in chars),
                   max(c[4] for c in chars), size, unicodedata.normalize("NFC", "".join(out)))


def garbage_share(lines: list[PdfLine]) -> float:
    """Share of private-use, replacement and control characters: a broken ToUnicode map."""
    text = "".join(l.text for l in lines).replace(" ", "")
    if not text:
        return 1.0
    bad = sum(1 for ch in text if 0xE000 <= ord(ch) <= 0xF8FF or ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Co", "Cn"))
    return bad / len(text)


# -- zones ------------------------------------------------------------------------------------


_PAGE_NUMBER_ENDS = re.compile(r"^[-–—·.\d\s]+|[-–—·.\d\s]+$")


def _key(text: str) -> str:
    """What repeats in a running header: the text without its page number (on either side)
    and with every number as ``#``."""
    core = _PAGE_NUMBER_ENDS.sub("", text) or text
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", core))


def classify(pages: list[PdfPage]) -> None:
    """Set ``kind`` and ``column`` on every line; sort each page's lines in reading order."""
    all_lines = [l for p in pages for l in p.lines]
    if not all_lines:
        return
    # the body size per source: OCR estimates sizes in other units than a text layer's
    weights: dict[str, Counter] = {}
    for p in pages:
        for l in p.lines:
            weights.setdefault(p.source, Counter())[round(l.size * 2) / 2] += len(l.text)
    sizes = {source: w.most_common(1)[0][0] for source, w in weights.items()}
    # running headers and page numbers: top or bottom band, repeated across pages
    band: dict[str, set[int]] = {}
    for p in pages:
        for l in p.lines:
            if _in_band(l, p):
                band.setdefault(_key(l.text), set()).add(p.number)
    repeat = 2 if len(pages) > 1 else 1
    for p in pages:
        body = sizes.get(p.source, 10.0)
        for l in p.lines:
            if _in_band(l, p) and l.size <= body * 1.02:
                top = (l.y0 + l.y1) / 2 > p.height / 2
                if _PAGE_NUMBER.match(l.text) or len(band[_key(l.text)]) >= repeat:
                    l.kind = "header" if top and not _PAGE_NUMBER.match(l.text) else "pagenum"
    for p in pages:
        _page_zones(p, sizes.get(p.source, 10.0))


def _in_band(l: PdfLine, p: PdfPage) -> bool:
    mid = (l.y0 + l.y1) / 2
    return mid > p.height * 0.9 or mid < p.height * 0.07


# size ratios to the body size: (a body line at least, a note below, a heading from);
# OCR's sizes are estimates (line width / characters), so its margins are wider
_RATIOS = {"text": (0.97, 0.93, 1.04), "ocr": (0.93, 0.9, 1.12)}


def _cjk_line(l: PdfLine) -> bool:
    text = l.text.replace(" ", "")
    return len(text) >= 6 and sum(1 for ch in text if is_wide(ch)) >= 0.6 * len(text)


def _page_zones(p: PdfPage, body: float) -> None:
    big_at, note_below, heading_from = _RATIOS.get(p.source, _RATIOS["text"])
    content = [l for l in p.lines if l.kind == "body"]
    # OCR gives a line's size from its width only for lines of CJK characters
    sized = content if p.source != "ocr" else [l for l in content if _cjk_line(l)]
    big = [l for l in sized if l.size >= body * big_at]
    if big:
        floor = min(l.y0 for l in big)
        below = [l for l in content if l.y1 <= floor + 0.3 * body]
        if any(l.size < body * note_below for l in below if l in sized) or (p.source == "ocr" and any(NOTE_START.match(l.text) for l in below)):
            for l in below:
                if l.size < body * note_below or l not in sized:
                    l.kind = "note"
    for l in sized:
        if l.kind == "body" and l.size >= body * heading_from:
            l.kind = "heading"
    if p.number == 1:
        heads = [l for l in content if l.kind == "heading"]
        if heads:
            top = max(l.size for l in heads)
            if top >= body * 1.15:
                for l in heads:
                    if l.size >= top * 0.98:
                        l.kind = "title"
    # columns: a gutter that most non-note lines do not cross
    flow = [l for l in p.lines if l.kind in ("body", "heading", "title")]
    gutter = _gutter(flow, p.width)
    if gutter is not None:
        for l in flow:
            l.column = 1 if l.x1 <= gutter else 2 if l.x0 >= gutter else 0
    tops = [l for l in p.lines if l.kind in ("header", "pagenum") and (l.y0 + l.y1) / 2 > p.height / 2]
    bottoms = [l for l in p.lines if l.kind in ("header", "pagenum") and l not in tops]
    notes = [l for l in p.lines if l.kind == "note"]
    ordered = _reading_order(flow)
    p.lines = _by_y(tops) + ordered + _by_y(notes) + _by_y(bottoms)


def _by_y(lines: list[PdfLine]) -> list[PdfLine]:
    return sorted(lines, key=lambda l: (-round(l.y1, 0), l.x0))


def _gutter(lines: list[PdfLine], width: float) -> float | None:
    """The x of a column gutter: most lines end left of it or start right of it, at least two
    on each side, and the lines right of it start at one x (a column, not right-aligned text)."""
    if len(lines) < 4:
        return None
    best, best_n = None, 0
    x = width * 0.3
    while x <= width * 0.7:
        left = [l for l in lines if l.x1 <= x]
        right = [l for l in lines if l.x0 >= x]
        if len(left) >= 2 and len(right) >= 2 and len(left) + len(right) > best_n:
            start = min(l.x0 for l in right)
            if sum(1 for l in right if l.x0 - start < 2.5 * l.size) * 2 >= len(right):
                best, best_n = x, len(left) + len(right)
        x += 2.0
    if best is None or best_n < 0.6 * len(lines):
        return None
    return best


def _reading_order(lines: list[PdfLine]) -> list[PdfLine]:
    """Top to bottom; between two full-width lines, the left column before the right."""
    out: list[PdfLine] = []
    run: list[PdfLine] = []
    for l in _by_y(lines):
        if l.column == 0:
            out += sorted(run, key=lambda r: (r.column, -r.y1))
            run = []
            out.append(l)
        else:
            run.append(l)
    return out + sorted(run, key=lambda r: (r.column, -r.y1))


def _block_key(l: PdfLine, p: PdfPage) -> tuple:
    """The text block a line belongs to for its edges: column and font size; on an OCR'd
    page column and kind (its sizes are estimates that vary from line to line)."""
    return (l.column, l.kind) if p.source == "ocr" else (l.column, round(l.size * 2) / 2)


def _edges(p: PdfPage) -> dict[tuple, tuple[float, float]]:
    """Left and right edge of the text block of every column and font size of a page (an
    abstract set narrower than the body has its own). The right edge is the upper quartile
    of the line ends, not the maximum: unjustified (ragged) text and punctuation hanging
    past the measure must not make every full line look short."""
    starts: dict[tuple, list[float]] = {}
    ends: dict[tuple, list[float]] = {}
    for l in p.lines:
        key = _block_key(l, p)
        starts.setdefault(key, []).append(l.x0)
        ends.setdefault(key, []).append(l.x1)
    edges = {}
    for key, xs in ends.items():
        xs = sorted(xs)
        edges[key] = (min(starts[key]), xs[(3 * (len(xs) - 1)) // 4])
    return edges


def build(pages: list[PdfPage]) -> PdfRead:
    """Raw text and zones of classified pages. A body line continues the paragraph of the
    previous body line (across a page or column break too) unless it is indented, the
    previous one stopped short of the column edge, or the font size changes."""
    parts: list[str] = []
    zones: list[TextZone] = []
    pos = 0
    prev: dict[str, tuple[PdfLine, tuple[float, float]] | None] = {"flow": None, "note": None}
    before: PdfLine | None = None  # the flow line before the previous one
    for p in pages:
        if p.number > 1:
            parts.append(PAGE_BREAK)
            pos += len(PAGE_BREAK)
        edges = _edges(p)
        first = True
        for l in p.lines:
            if not first:
                parts.append("\n")
                pos += 1
            text = l.text.strip()
            if not text:
                continue
            joins = False
            note_start = False
            edge = edges[_block_key(l, p)]
            if l.kind in ("body", "heading", "title"):
                last = prev["flow"]
                if last is not None:
                    pl, pedge = last  # the previous line and the edges of its block
                    indented = l.x0 - edge[0] >= 0.8 * l.size
                    short = pedge[1] - pl.x1 >= 1.5 * pl.size
                    if p.source == "ocr" and pl.page == l.page and pl.column == l.column:
                        # OCR'd sizes vary line by line, so blocks (an abstract set narrower
                        # than the body) are not told apart by size: compare with the lines
                        # around instead
                        indented = indented and l.x0 - pl.x0 >= 0.8 * l.size
                        right = max(pl.x1, l.x1, before.x1 if before is not None and before.page == l.page else 0.0)
                        short = right - pl.x1 >= 1.5 * pl.size
                    before = pl
                    if p.source == "ocr":  # sizes of short or Latin lines are guesses
                        same = pl.kind == l.kind and (abs(pl.size - l.size) < 0.12 * l.size or not (_cjk_line(pl) and _cjk_line(l)))
                    else:
                        same = abs(pl.size - l.size) < 0.6 and pl.kind == l.kind
                    if l.kind == "body":
                        joins = same and not indented and not short
                    else:  # a heading or title wrapped over two lines of one page
                        joins = same and pl.page == l.page and not short and not indented
                prev["flow"] = (l, edge)
            elif l.kind == "note":
                note_start = bool(NOTE_START.match(text))
                joins = not note_start and prev["note"] is not None
                prev["note"] = (l, edge)
            zones.append(TextZone(pos, pos + len(text), l.kind, p.number, joins, note_start, l.confidence))
            first = False
            parts.append(text)
            pos += len(text)
    return PdfRead("".join(parts), zones, pages)


# -- reading ----------------------------------------------------------------------------------


def read_pdf(path: str | Path, *, ocr: str = "auto", ocr_cache: str | Path | None = None, dpi: int = 150) -> PdfRead:
    """Read a PDF into raw text and zones. ``ocr``: ``auto`` OCRs the pages without a usable
    text layer, ``never`` leaves them empty, ``always`` OCRs every page. Raises ReadError."""
    if ocr not in OCR_MODES:
        raise ValueError(f"ocr must be one of {', '.join(OCR_MODES)}, not {ocr!r}")
    import pypdfium2 as pdfium

    where = str(path)
    try:
        doc = pdfium.PdfDocument(where)
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise ReadError(where, "encrypted PDF: it needs a password to open (an empty password did not work)") from exc
        raise ReadError(where, f"corrupt or unreadable PDF ({reason})") from exc
    try:
        pages: list[PdfPage] = []
        for index in range(len(doc)):
            page = doc[index]
            width, height = page.get_size()
            lines: list[PdfLine] = []
            source = "text"
            if ocr != "always":
                textpage = page.get_textpage()
                try:
                    lines = _text_lines(textpage, index + 1)
                finally:
                    textpage.close()
                if lines and garbage_share(lines) > 0.2:
                    lines = []  # broken ToUnicode map: the text layer is garbage
                    source = "broken"
            result = PdfPage(index + 1, width, height, lines, "text" if lines else "empty")
            if not lines and ocr != "never" and (ocr == "always" or source == "broken" or _has_image(page)):
                from pipeline.ingest.ocr import ocr_page

                result = ocr_page(page, index + 1, width, height, dpi=dpi, cache=ocr_cache, key=_cache_key(where, index, dpi))
            elif not lines and source == "broken":
                result.source = "broken"
            page.close()
            pages.append(result)
    except ReadError:
        raise
    except Exception as exc:  # PDFium raises its own error types on malformed pages
        raise ReadError(where, f"corrupt or unreadable PDF ({type(exc).__name__}: {exc})") from exc
    finally:
        doc.close()
    if not any(p.lines for p in pages):
        broken = sum(1 for p in pages if p.source == "broken")
        why = f"{broken} pages with a broken text layer" if broken else "no text layer"
        hint = "; OCR it with --ocr auto (needs the ocr extra)" if ocr == "never" else ""
        raise ReadError(where, f"PDF has no readable text ({len(pages)} pages, {why}){hint}")
    classify(pages)
    return build(pages)


def _has_image(page) -> bool:
    """Does the page draw an image (a scan)? A page of vector graphics only is not OCRed."""
    import pypdfium2.raw as pdfium_c

    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3))


def _cache_key(path: str, index: int, dpi: int) -> str:
    import hashlib

    st = Path(path).stat()
    digest = hashlib.sha256(f"{Path(path).resolve()}\0{st.st_size}\0{int(st.st_mtime)}".encode()).hexdigest()[:16]
    return f"{Path(path).stem}-{digest}-p{index + 1:04d}-{dpi}"
