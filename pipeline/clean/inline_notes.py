"""Notes printed inline in running text, as on pages copied from journal sites:
``…摩擦由此升级。(1)某某：《某报告》，某出版社，2019年，第3页。此后，…``.

A body sentence that starts with ``(n)``/``（n）`` and reads like a citation becomes a note
(kind ``footnote``, marker ``(n)``) and a marker at the end of the sentence before it."""

from __future__ import annotations

import dataclasses
import re

from pipeline.schema import Marker, Note, Sentence

INLINE_MARKER = re.compile(r"^[(（]\s*(\d{1,3})\s*[)）]\s*(?=\S)")
CITATION_LIKE = re.compile(
    r"《|“|\"|\[(?:J|M|C|D|R|N|EB|DB)(?:/OL)?\]|https?://|www\.|\d{4}\s*年|第\s*\d+\s*[页期]|\bpp?\.\s*\d|"
    r"\b(?:19|20)\d{2}\b.*(?:Press|Journal|Review)|出版社|同上|ibid", re.I)


def take_inline_notes(sentences: list[Sentence], notes: list[Note], markers: list[Marker]) -> list[Sentence]:
    """Move inline notes out of ``sentences`` (into ``notes`` and ``markers``, both changed in
    place); returns the sentences left, renumbered, with ``markers`` pointing to them."""
    keep: list[Sentence] = []
    new_index: dict[int, int] = {}
    added: list[tuple[int, Marker]] = []
    for s in sentences:
        m = INLINE_MARKER.match(s.text) if s.section == "body" else None
        prev = keep[-1] if keep else None
        if m and prev is not None and prev.section == "body" and prev.paragraph == s.paragraph and CITATION_LIKE.search(s.text[m.end():]):
            label = f"({int(m.group(1))})"
            notes.append(Note(len(notes), label, s.text[m.end():], "footnote", prev.page, s.start + m.end(), s.end))
            added.append((len(keep) - 1, Marker(len(keep) - 1, label, len(prev.text), s.start, s.start + m.end(), prev.page)))
            continue
        new_index[s.index] = len(keep)
        keep.append(dataclasses.replace(s, index=len(keep)) if s.index != len(keep) else s)
    if not added:
        return sentences
    moved = [dataclasses.replace(mk, sentence=new_index[mk.sentence]) for mk in markers if mk.sentence in new_index]
    moved.extend(mk for _, mk in added)
    moved.sort(key=lambda mk: (mk.sentence, mk.start))
    markers[:] = moved
    return keep
