"""Record types shared by every stage, declared once.

Data flows read -> clean -> segment -> extract -> store. Each stage takes and returns
these records; the store's tables (``store.TABLES``) are derived from them.

Offsets: ``start``/``end`` on stored records are offsets into the *raw* text of the
document (``Document.raw_text``), so any span can be shown in its original context.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from collections.abc import Sequence
from typing import Any

SECTION_KINDS = ("title", "abstract", "body", "note", "reference", "table", "caption", "header", "meta")
MENTION_KINDS = ("framework", "instrument", "term")
STANCE_LABELS = ("DECOUPLING", "RECOUPLING", "MIXED", "NONE")
DATE_SOURCES = ("manifest", "record", "text", "inferred")


def content_hash(text: str) -> str:
    """The identity of a text: ``documents.doc_id``."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


@dataclass(frozen=True)
class RawDocument:
    """One document as read from disk, before cleaning.

    ``doc`` is the public name: the file name, or ``FILE#N`` for line N of a JSON Lines corpus.
    ``fmt`` tells the cleaner which markup to expect: ``text``, ``markdown`` or ``html``.
    """

    doc: str
    path: str  # the name's key: the file's real path, or ``FILE#N`` / ``FILE#ID`` for a record
    raw_text: str
    fmt: str = "text"
    encoding: str = "utf-8"
    metadata: dict[str, Any] = field(default_factory=dict)
    file: str = ""  # real path of the file it was read from
    line: int | None = None  # 1-based line (record number) in a JSON Lines / JSON array file
    source_hash: str | None = None  # hash of the bytes read and the inputs of the metadata


@dataclass(frozen=True)
class Section:
    """A contiguous region of the cleaned text with one role (body, note, …)."""

    kind: str
    index: int
    start: int  # raw offsets
    end: int
    text: str  # cleaned text
    page: int | None = None


@dataclass(frozen=True)
class Sentence:
    """One cleaned sentence. ``text`` is in the original script; ``simplified`` is the
    Simplified-Chinese view used for matching and counting (same length as ``text``)."""

    index: int
    section: str
    paragraph: int
    start: int  # raw offsets
    end: int
    text: str
    simplified: str
    page: int | None = None


@dataclass(frozen=True)
class Note:
    """A footnote, endnote or reference-list entry, with the marker that labels it
    (``①``, ``1``, ``[3]``) and the page of the footnote block it sits in."""

    index: int
    marker: str | None
    text: str
    kind: str  # "footnote" | "reference"
    page: int | None
    start: int  # raw offsets
    end: int


@dataclass(frozen=True)
class Marker:
    """An in-text footnote/reference marker the cleaner removed from a sentence
    (``①``, ``[2]``, ``[1,4]``, a superscript ``3``). ``position`` is where it stood in the
    sentence text; author-year citations stay in the text and are found by the citations stage."""

    sentence: int
    marker: str
    position: int
    start: int  # raw offsets
    end: int
    page: int | None = None


@dataclass(frozen=True)
class Mention:
    """A lexicon match inside one sentence. start/end are offsets into the sentence text."""

    sentence: int
    kind: str  # one of MENTION_KINDS
    label: str
    surface: str
    start: int
    end: int


@dataclass(frozen=True)
class TermCount:
    """Occurrences of one tracked-term key (``literal:TEXT`` or ``group:ID``, see
    ``extract.terms``) in one sentence; only counts > 0 are recorded."""

    sentence: int
    key: str
    n: int


@dataclass(frozen=True)
class StanceLabel:
    sentence: int
    label: str  # one of STANCE_LABELS
    source: str  # "rules" or "model:NAME"
    evidence: str  # JSON list of the cues that decided it
    score: float | None = None


@dataclass
class DocumentMeta:
    """Bibliographic metadata, with where the date came from and why."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    venue: str | None = None
    published: str | None = None  # ISO-like: YYYY, YYYY-MM or YYYY-MM-DD
    year: int | None = None
    date_source: str | None = None  # one of DATE_SOURCES or None
    date_evidence: str | None = None  # the text or rule that gave the date
    source: str | None = None  # collection the document came from (corpus name, site…)


@dataclass
class ProcessedDocument:
    """Everything the pipeline knows about one document; what the store writes."""

    doc: str
    path: str
    content_hash: str
    raw_text: str
    encoding: str
    meta: DocumentMeta
    sections: list[Section]
    sentences: list[Sentence]
    notes: list[Note]
    markers: list[Marker] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    stance: list[StanceLabel] = field(default_factory=list)
    citations: list[Any] = field(default_factory=list)  # extract.citations.Citation
    findings: list[Any] = field(default_factory=list)  # audit.Finding
    extra: dict[str, Any] = field(default_factory=dict)  # unrecognised record fields
    term_counts: list[TermCount] = field(default_factory=list)
    term_lexicon: str | None = None  # extract.terms lexicon hash the term_counts were made with
    file: str = ""
    line: int | None = None
    source_hash: str | None = None



@dataclass(frozen=True)
class CleanResult:
    """What the cleaner returns for one raw text.

    ``text`` is the whole cleaned text without headers and captions: one paragraph per
    line, paragraphs separated by a blank line (``\\n\\n``); table rows keep a tab between
    cells. ``offsets[i]`` (an ``array('i')``) is the raw offset of ``text[i]``; a separator
    maps to the raw whitespace before its paragraph. Cleaning ``text`` again gives ``text``
    back (a text already in this form keeps its paragraph breaks). Sections, sentences and
    notes carry raw offsets already; table/figure titles, rows and source lines are
    ``table`` sections. ``title_hint`` is the running page header, when one was found.
    """

    text: str
    offsets: Sequence[int]  # array('i'): raw offset of every cleaned character
    sections: list[Section]
    sentences: list[Sentence]
    notes: list[Note]
    markers: list[Marker] = field(default_factory=list)
    title_hint: str | None = None
    dropped: dict[str, int] = field(default_factory=dict)  # what was removed: {"header": 3, …}


@dataclass
class Citation:
    """One in-text citation and the note it resolves to (``note=None`` when none)."""

    doc: str
    sentence: int
    marker: str
    claim: str
    note: str | None
    note_index: int | None
    style: str  # "footnote" | "numbered" | "author-year"
    position: int | None = None
    page: int | None = None
    cited_authors: list[str] = field(default_factory=list)
    cited_year: str | None = None
    resolution: str = "unresolved"  # which rule linked it: same-page, nearest, number, author-year…
    reference_type: str | None = None
    authors: list[str] = field(default_factory=list)
    title: str | None = None
    container: str | None = None
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    url: str | None = None
    doi: str | None = None
    access_date: str | None = None
    date: str | None = None


@dataclass
class Finding:
    """One audit finding. ``sentence`` is the sentence index (None for note-level findings)."""

    doc: str
    sentence: int | None
    marker: str | None
    kind: str  # one of FINDING_KINDS
    explanation: str
    note_index: int | None = None
    severity: str = "warning"  # "error" | "warning" | "info"
    score: float | None = None
    evidence: str | None = None  # the cue, URL, or supporting passage
    linked_doc: str | None = None
