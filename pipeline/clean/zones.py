"""Lines of a laid-out source (a PDF read by ``ingest.pdf``): kinds, pages and paragraph joins
come from the reader's zones (``TextZone``), not from the text-file heuristics of pages.py,
notes.py and the wrap joiner. Everything after assembly is shared with the text path."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from pipeline.schema import TextZone

from .lines import Line
from .offsets import MappedText
from .paragraphs import Paragraph
from .sections import ABSTRACT_LABEL, META_LABEL

_KINDS = {"body": "body", "heading": "body", "title": "title", "note": "note", "header": "header", "pagenum": "pagenum"}


class ZoneIndex:
    """Raw offset -> zone, and raw offset -> page."""

    def __init__(self, zones: Sequence[TextZone]):
        self.zones = sorted(zones, key=lambda z: z.start)
        self.starts = [z.start for z in self.zones]

    def at(self, raw: int) -> TextZone | None:
        i = bisect_right(self.starts, raw) - 1
        return self.zones[i] if i >= 0 else None

    def page(self, raw: int) -> int | None:
        z = self.at(raw)
        return z.page if z is not None else None


def apply_zones(lines: list[Line], mt: MappedText, index: ZoneIndex) -> None:
    """Kind, heading flag, footnote page (``block``) and note start of every line from its zone;
    abstract and meta labels as the text path finds them."""
    label_kind = None
    for l in lines:
        if l.blank:
            continue
        z = index.at(int(mt.offsets[l.start]))
        if z is None:
            continue
        l.extra["zone"] = z
        l.kind = _KINDS.get(z.kind, "body")
        l.heading = z.kind == "heading"
        if l.kind == "note":
            l.block = z.page
            l.note_start = z.note_start
        if l.kind != "body" or l.heading:
            label_kind = None
            continue
        m = ABSTRACT_LABEL.match(l.text)
        if m:
            label_kind = "abstract"
            l.label_end = m.end()
        elif META_LABEL.match(l.text):
            label_kind = "meta"
        elif not z.joins:
            label_kind = None
        if label_kind:
            l.kind = label_kind


def assemble_zoned(lines: list[Line]) -> list[Paragraph]:
    """Paragraphs from zone joins: a line that ``joins`` continues the open paragraph of its
    stream (flow or notes) even after a page break, a header or a footnote block."""
    paras: list[Paragraph] = []
    flow: Paragraph | None = None
    note: Paragraph | None = None
    for l in lines:
        if l.blank or l.kind == "pagenum":
            continue
        z: TextZone | None = l.extra.get("zone")
        joins = bool(z and z.joins) and l.label_end == 0
        if l.kind == "header":
            paras.append(Paragraph("header", [l]))
        elif l.kind == "note":
            if joins and note is not None:
                note.lines.append(l)
            else:
                note = Paragraph("note", [l])
                paras.append(note)
        else:
            if joins and flow is not None and flow.kind == l.kind and not (l.kind == "meta" and META_LABEL.match(l.text)):
                flow.lines.append(l)
            else:
                flow = Paragraph(l.kind, [l])
                paras.append(flow)
    paras.sort(key=lambda p: p.first.index)
    for i, p in enumerate(paras):
        p.index = i
    return paras
