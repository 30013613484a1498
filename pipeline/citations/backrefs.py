"""Back-references resolved to the full note they point to.

``同上``/``同上书``/``ibid.`` point to the note before; ``同前注③``/``参见前注3``/``前注③``/
``supra note 3`` to the note with that number; ``王某：前引书``/``前揭文``/``Smith, op. cit.`` to
the last note by that author; a short form (``王某：《书名》，第9页``) to the earlier full note
with the same title. The resolved reference is a copy of the full one with the pages the
back-reference gives and ``back_reference`` set to the form it was written in.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from pipeline.citations.references import Reference, parse_references
from pipeline.clean.markers import CIRCLED_ALL
from pipeline.schema import Note

_IBID = re.compile(r"^\s*(?:参见|见|参阅)?\s*(同上书?|同上文|ibid\.?|ibidem)(?=$|[\s，,。.:：;；第p])", re.I)
_NUMBERED = re.compile(
    rf"(?:参见|见)?\s*(同前注|前注|supra\s+note|see\s+note|note)\s*([{CIRCLED_ALL}]|\d{{1,3}})", re.I
)
_BY_AUTHOR = re.compile(r"(前引书?|前引文|前揭书?|前揭文|op\.\s*cit\.?|loc\.\s*cit\.?|supra)", re.I)
_PAGES = re.compile(r"第\s*(\d+(?:\s*[-–—]\s*\d+)?)\s*页|\bpp?\.\s*(\d+(?:\s*[-–—]\s*\d+)?)|\bat\s+(\d+(?:\s*[-–—]\s*\d+)?)")


def _number(marker: str | None) -> int | None:
    if not marker:
        return None
    m = marker.strip().strip("[]")
    if m and m[0] in CIRCLED_ALL:
        c = ord(m[0])
        if 0x2460 <= c <= 0x2473:
            return c - 0x2460 + 1
        if 0x3251 <= c <= 0x325F:
            return c - 0x3251 + 21
        return c - 0x32B1 + 36
    return int(m) if m.isdigit() else None


def _pages_of(text: str) -> str | None:
    m = _PAGES.search(text)
    if not m:
        return None
    return re.sub(r"\s+|[–—]", lambda x: "" if x.group(0).isspace() else "-", next(g for g in m.groups() if g))


def _title_key(ref: Reference) -> str:
    return re.sub(r"\W", "", ref.title or "").lower()


def _richness(ref: Reference) -> int:
    return sum(1 for f in ("container", "publisher", "year", "volume", "issue", "url", "place") if getattr(ref, f))


def _author_key(name: str) -> str:
    name = name.strip()
    if re.search(r"[\u3400-\u9fff]", name):
        return re.sub(r"\s", "", name)
    return (name.split(",")[0] if "," in name else (name.split() or [""])[-1]).lower()


def resolve_back_references(notes: Sequence[Note]) -> dict[int, list[Reference]]:
    """Parsed references of every note (by ``Note.index``), back-references replaced by the
    full reference they point to. Notes are read in document order."""
    out: dict[int, list[Reference]] = {}
    history: list[tuple[Note, Reference]] = []  # full references, in reading order
    for n in sorted(notes, key=lambda n: (n.start, n.index)):
        refs = parse_references(n.text)
        resolved: list[Reference] = []
        for ref in refs:
            target, form = _target(n, ref, history)
            if target is not None:
                pages = _pages_of(ref.text) or (target.pages if form in ("同上", "同上书", "ibid") else None)
                ref = dataclasses.replace(target, text=ref.text, pages=pages, back_reference=form)
            resolved.append(ref)
        out[n.index] = resolved
        if resolved:
            history.append((n, resolved[0]))
    return out


def _target(n: Note, ref: Reference, history: list[tuple[Note, Reference]]) -> tuple[Reference | None, str | None]:
    text = ref.text
    if not history:
        return None, None
    m = _IBID.match(text)
    if m:
        form = m.group(1).lower().rstrip(".")
        return history[-1][1], "ibid" if form.startswith("ibid") else m.group(1)
    m = _NUMBERED.search(text)
    if m and (m.start() < 12 or m.group(1).lower().startswith("supra")):
        num = _number(m.group(2))
        for note, full in reversed(history):
            if _number(note.marker) == num:
                return full, re.sub(r"\s+", " ", m.group(1)).lower() if m.group(1).isascii() else m.group(1)
    m = _BY_AUTHOR.search(text)
    if m:
        head = re.sub(r"^\s*(?:参见|见)\s*", "", text[: m.start()]).strip(" ，,：:、")
        if head:
            key = _author_key(re.split(r"[、,，]", head)[0])
            for _note, full in reversed(history):
                if any(_author_key(a) == key for a in full.authors):
                    return full, re.sub(r"\s+", " ", m.group(1)).lower() if m.group(1).isascii() else m.group(1)
    tk = _title_key(ref)
    if tk:
        for _note, full in reversed(history):
            if _title_key(full) == tk and _richness(full) > _richness(ref):
                return full, "short form"
    return None, None
