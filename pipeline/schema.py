"""Record types shared by every stage, and the store's tables derived from them: declared once.

Data flows read -> clean -> segment -> extract -> citations -> audit -> store. Each stage takes
and returns these records. A record type that is stored declares its columns on its fields
(:func:`column`: SQL type and meaning); :data:`TABLE_SPECS` says which record fills which
table, and the store's DDL, the batch builder and the README's schema table are all derived
from it (``store.tables``).

Offsets: ``start``/``end`` on stored records are offsets into the *raw* text of the
document (``documents.raw_text``), so any span can be shown in its original context.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.textview import WHITESPACE, count_han

SECTION_KINDS = ("title", "abstract", "body", "note", "reference", "table", "caption", "header", "meta")
MENTION_KINDS = ("framework", "instrument", "term")
STANCE_LABELS = ("DECOUPLING", "RECOUPLING", "MIXED", "NONE")
DATE_SOURCES = ("manifest", "record", "text", "inferred")
STAGES = ("extract", "citations", "audit", "terms")  # the derived stages; each records its version


def content_hash(text: str) -> str:
    """The identity of a text: ``documents.doc_id``."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def column(sql: str, doc: str = "", *, name: str | None = None, default: Any = dataclasses.MISSING,
           default_factory: Any = dataclasses.MISSING) -> Any:
    """A dataclass field stored as a column of type ``sql`` (``name`` when it differs from the field's)."""
    metadata = {"sql": sql, "doc": doc, "column": name}
    if default_factory is not dataclasses.MISSING:
        return field(default_factory=default_factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def flattened(doc: str = "", *, default: Any = dataclasses.MISSING, default_factory: Any = dataclasses.MISSING) -> Any:
    """A nested record whose columns are stored inline (``Citation.reference``)."""
    metadata = {"flatten": True, "doc": doc}
    if default_factory is not dataclasses.MISSING:
        return field(default_factory=default_factory, metadata=metadata)
    return field(default=default, metadata=metadata)


# -- records of the reading and cleaning stages ------------------------------------------------


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
    # the reader's layout of ``raw_text`` (a PDF): one TextZone per printed line; the cleaner
    # takes pages, furniture, footnote zones and paragraph joins from it
    zones: tuple["TextZone", ...] | None = None
    ocr_pages: int = 0  # pages whose text comes from OCR
    ocr_confidence: float | None = None  # mean OCR line confidence over those pages


@dataclass(frozen=True)
class TextZone:
    """One printed line of a laid-out source (a PDF page) as ``raw_text[start:end]``.

    ``kind``: body, heading, title, note, header (running header) or pagenum; ``page`` is
    1-based; ``joins`` = the line continues the previous line of its stream (body: the
    paragraph, across page and column breaks; note: a note run on to the next page);
    ``note_start`` = a footnote line that begins with its marker; ``confidence`` = OCR's."""

    start: int
    end: int
    kind: str
    page: int
    joins: bool = False
    note_start: bool = False
    confidence: float | None = None


@dataclass(frozen=True)
class Section:
    """A contiguous region of the cleaned text with one role (body, note, …)."""

    kind: str = column("VARCHAR NOT NULL", "title, abstract, meta, body, note, reference or table")
    index: int = column("INTEGER NOT NULL", "position in the document", name="idx")
    start: int = column("INTEGER NOT NULL", "raw offset of the first character")
    end: int = column("INTEGER NOT NULL", "raw offset after the last character")
    text: str = column("VARCHAR NOT NULL", "the cleaned text")
    page: int | None = column("INTEGER", "page (footnote block) it is on", default=None)


@dataclass(frozen=True)
class Sentence:
    """One cleaned sentence. ``text`` is in the original script; ``simplified`` is the
    Simplified-Chinese view used for matching and counting (same length as ``text``)."""

    index: int = column("INTEGER NOT NULL", "position in the document", name="idx")
    section: str = column("VARCHAR NOT NULL", "kind of the section it is in")
    paragraph: int = column("INTEGER NOT NULL", "paragraph number")
    start: int = column("INTEGER NOT NULL", "raw offset")
    end: int = column("INTEGER NOT NULL", "raw offset")
    text: str = column("VARCHAR NOT NULL", "the sentence in its original script, markers taken out")
    simplified: str = column("VARCHAR NOT NULL", "Simplified view (OpenCC), same length as text")
    page: int | None = column("INTEGER", "page", default=None)


@dataclass(frozen=True)
class Note:
    """A footnote, endnote or reference-list entry, with the marker that labels it
    (``①``, ``1``, ``[3]``) and the page of the footnote block it sits in."""

    index: int = column("INTEGER NOT NULL", "position among the document's notes", name="idx")
    marker: str | None = column("VARCHAR", "its label as printed: ①, [3], 1")
    text: str = column("VARCHAR NOT NULL", "the note's text")
    kind: str = column("VARCHAR NOT NULL", "footnote or reference")
    page: int | None = column("INTEGER", "page of its footnote block")
    start: int = column("INTEGER NOT NULL", "raw offset")
    end: int = column("INTEGER NOT NULL", "raw offset")


@dataclass(frozen=True)
class Marker:
    """An in-text footnote/reference marker the cleaner removed from a sentence
    (``①``, ``[2]``, ``[1,4]``, a superscript ``3``). ``position`` is where it stood in the
    sentence text; author-year citations stay in the text and are found by the citations stage."""

    sentence: int = column("INTEGER NOT NULL", "sentence index")
    marker: str = column("VARCHAR NOT NULL", "as printed, without markup")
    position: int = column("INTEGER NOT NULL", "where it stood in the sentence text")
    start: int = column("INTEGER NOT NULL", "raw offset")
    end: int = column("INTEGER NOT NULL", "raw offset")
    page: int | None = column("INTEGER", "page", default=None)


# -- records of the derived stages (each row also records the version that made it) -----------


@dataclass(frozen=True)
class Mention:
    """A lexicon match inside one sentence. start/end are offsets into the sentence text."""

    sentence: int = column("INTEGER NOT NULL", "sentence index")
    kind: str = column("VARCHAR NOT NULL", "framework, instrument or term")
    label: str = column("VARCHAR NOT NULL", "label id of the spec")
    surface: str = column("VARCHAR NOT NULL", "the text that matched")
    start: int = column("INTEGER NOT NULL", "offset in the sentence text")
    end: int = column("INTEGER NOT NULL", "offset in the sentence text")


@dataclass(frozen=True)
class TermCount:
    """Occurrences of one tracked-term key (``literal:TEXT`` or ``group:ID``, see
    ``extract.terms``) in one sentence; only counts > 0 are recorded."""

    sentence: int = column("INTEGER NOT NULL", "sentence index")
    key: str = column("VARCHAR NOT NULL", "literal:TEXT or group:ID")
    n: int = column("INTEGER NOT NULL", "occurrences")


@dataclass(frozen=True)
class StanceLabel:
    sentence: int = column("INTEGER NOT NULL", "sentence index")
    label: str = column("VARCHAR NOT NULL", "DECOUPLING, RECOUPLING, MIXED or NONE")
    source: str = column("VARCHAR NOT NULL", "rules, or model:NAME")
    evidence: str = column("VARCHAR", "JSON list of the cues (or rules) that decided it")
    score: float | None = column("DOUBLE", "model probability", default=None)


@dataclass(frozen=True)
class HumanLabel:
    """One answer a person gave about one sentence (``policytext annotate``, ``labels import``).
    Keyed by document name and sentence text, not by ``doc_id``: a label outlives re-ingesting
    its document, and is never deleted with it."""

    id: str = column("VARCHAR PRIMARY KEY", "unique id of the answer")
    doc: str = column("VARCHAR NOT NULL", "document name as `docs` lists it")
    sentence: int | None = column("INTEGER", "sentence index in the document (none when not in the store)")
    text: str = column("VARCHAR NOT NULL", "the sentence that was labelled")
    task: str = column("VARCHAR NOT NULL", "stance (instruments, frameworks: a JSON list of ids)")
    label: str | None = column("VARCHAR", "the label given; none when skipped")
    annotator: str = column("VARCHAR NOT NULL", "who labelled it")
    labelled_at: datetime = column("TIMESTAMP NOT NULL", "when (UTC)")
    source: str = column("VARCHAR NOT NULL", "annotate:SAMPLE or import:FILE")
    note: str | None = column("VARCHAR", "the annotator's note", default=None)


@dataclass
class DocumentMeta:
    """Bibliographic metadata, with where the date came from and why."""

    title: str | None = column("VARCHAR", "title", default=None)
    authors: list[str] = column("VARCHAR[]", "authors", default_factory=list)
    venue: str | None = column("VARCHAR", "journal, outlet or programme", default=None)
    published: str | None = column("VARCHAR", "YYYY, YYYY-MM or YYYY-MM-DD", default=None)
    year: int | None = column("INTEGER", "publication year", default=None)
    date_source: str | None = column("VARCHAR", "manifest, record, text or inferred", default=None)
    date_evidence: str | None = column("VARCHAR", "the text or rule that gave the date", default=None)
    source: str | None = column("VARCHAR", "the collection it came from", default=None)


@dataclass
class Reference:
    """Bibliographic fields of one note or reference entry. ``date`` is the work's own date
    (ISO, as precise as printed); ``access_date`` the date the author visited a web source."""

    text: str = ""  # the note as parsed (stored as citations.note)
    type: str = column("VARCHAR", "GB/T 7714 type code (M J C D R S P N EB DB CP A G Z PP DS; note, data)",
                       name="reference_type", default="note")
    type_name: str = column("VARCHAR", "readable name of the type code: book, journal, thesis …",
                            name="reference_type_name", default="note")
    carrier: str | None = column("VARCHAR", "GB/T 7714 carrier code: OL, CD, MT, DK", default=None)
    authors: list[str] = column("VARCHAR[]", "authors of the cited work", default_factory=list)
    title: str | None = column("VARCHAR", "title of the cited work", default=None)
    other_title: str | None = column("VARCHAR", "other title information (subtitle, standard or patent number)", default=None)
    translators: list[str] = column("VARCHAR[]", "translators (译)", default_factory=list)
    editors: list[str] = column("VARCHAR[]", "editors of the collection a part appeared in (// …)", default_factory=list)
    container: str | None = column("VARCHAR", "journal, newspaper, collection or site it appeared in", default=None)
    edition: str | None = column("VARCHAR", "edition (版本项)", default=None)
    place: str | None = column("VARCHAR", "place of publication (出版地)", default=None)
    publisher: str | None = column("VARCHAR", "publisher, university or issuing body (出版者)", default=None)
    year: int | None = column("INTEGER", "year of the cited work", default=None)
    volume: str | None = column("VARCHAR", "volume", default=None)
    issue: str | None = column("VARCHAR", "issue", default=None)
    pages: str | None = column("VARCHAR", "pages", default=None)
    number: str | None = column("VARCHAR", "standard, patent or report number", default=None)
    back_reference: str | None = column("VARCHAR", "the back-reference form it was resolved from: 同上, ibid., supra …", default=None)
    url: str | None = column("VARCHAR", "URL", default=None)
    doi: str | None = column("VARCHAR", "DOI", default=None)
    access_date: str | None = column("VARCHAR", "date the source was visited", default=None)
    date: str | None = column("VARCHAR", "the work's own date", default=None)
    url_repaired: bool = False  # a URL broken by a line wrap was joined
    url_raw: str | None = None


@dataclass
class Citation:
    """One in-text citation and the note it resolves to (``note=None`` when none)."""

    doc: str
    sentence: int = column("INTEGER NOT NULL", "index of the claim sentence")
    marker: str = column("VARCHAR NOT NULL", "as printed: ①, [2], (陈靓，2022)")
    claim: str = column("VARCHAR", "the sentence that carries it")
    note: str | None = column("VARCHAR", "the full text of the note it points to")
    note_index: int | None = column("INTEGER", "notes.idx of that note")
    style: str = column("VARCHAR", "footnote, numbered or author-year")
    position: int | None = column("INTEGER", "where the marker stood in the sentence", default=None)
    page: int | None = column("INTEGER", "page of the marker", default=None)
    cited_authors: list[str] = column("VARCHAR[]", "authors an author-year citation names", default_factory=list)
    cited_year: str | None = column("VARCHAR", "year an author-year citation names", default=None)
    resolution: str = column("VARCHAR", "the rule that linked it: same-page, nearest, number, author-year", default="unresolved")
    reference: Reference = flattened("the parsed reference", default_factory=Reference)


@dataclass
class Finding:
    """One audit finding. ``sentence`` is the sentence index (None for note-level findings)."""

    doc: str
    sentence: int | None = column("INTEGER", "sentence index (none for note-level findings)")
    marker: str | None = column("VARCHAR", "the marker it is about")
    kind: str = column("VARCHAR", "UNCITED_CLAIM, DANGLING_MARKER, …")
    explanation: str = column("VARCHAR", "what is wrong, in words")
    note_index: int | None = column("INTEGER", "notes.idx", default=None)
    severity: str = column("VARCHAR", "error, warning or info", default="warning")
    score: float | None = column("DOUBLE", "strength, where the check scores", default=None)
    evidence: str | None = column("VARCHAR", "the cue, URL or supporting passage", default=None)
    linked_doc: str | None = column("VARCHAR", "the stored document a citation was linked to", default=None)


# -- what the store writes for a document ------------------------------------------------------


@dataclass
class Document:
    """One stored text, with the metadata of its primary name."""

    doc_id: str = column("VARCHAR PRIMARY KEY", "hash of the raw text")
    doc: str = column("VARCHAR NOT NULL", "name as `docs` lists it: the file name, or FILE#N")
    path: str = column("VARCHAR NOT NULL", "key of its primary name (see names)")
    meta: DocumentMeta = flattened("bibliographic metadata")
    encoding: str | None = column("VARCHAR", "how the file was decoded")
    n_chars: int = column("INTEGER", "characters of the raw text")
    n_han: int = column("INTEGER", "Han characters in its sentences")
    n_sentences: int = column("INTEGER", "sentences")
    metadata: str = column("VARCHAR", "JSON of the other record and manifest fields")
    raw_text: str = column("VARCHAR", "the text as read, untouched")
    ingested_at: datetime = column("TIMESTAMP", "when it was stored (UTC)")
    extract_version: str | None = column("VARCHAR", "version of the rules and lexicons its mentions and stance were made with", default=None)
    citations_version: str | None = column("VARCHAR", "version of the citation rules", default=None)
    audit_version: str | None = column("VARCHAR", "version of the audit checks", default=None)
    terms_version: str | None = column("VARCHAR", "version of the tracked-term counter of its term_counts", default=None)
    ocr_pages: int | None = column("INTEGER", "pages of a PDF read by OCR (no usable text layer)", default=None)
    ocr_confidence: float | None = column("DOUBLE", "mean OCR confidence (0-1) of those pages' lines", default=None)


@dataclass
class Name:
    """A name a text was ingested under: a file, or a record of a JSON Lines file."""

    key: str = column("VARCHAR PRIMARY KEY", "the file's real path, or FILE#N / FILE#ID for a record")
    doc: str = column("VARCHAR NOT NULL", "the name as shown")
    file: str = column("VARCHAR NOT NULL", "real path of the file")
    line: int | None = column("INTEGER", "line of the record in its file")
    doc_id: str = column("VARCHAR NOT NULL", "the text it names")
    source_hash: str | None = column("VARCHAR", "hash of the bytes read and of the metadata inputs")
    meta: DocumentMeta = flattened("the metadata this name gives its text")
    encoding: str | None = column("VARCHAR", "how the file was decoded")
    metadata: str | None = column("VARCHAR", "JSON of the other record and manifest fields")


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
    citations: list[Citation] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # unrecognised record fields
    term_counts: list[TermCount] = field(default_factory=list)
    versions: dict[str, str | None] = field(default_factory=dict)  # stage -> version that made its rows
    file: str = ""
    line: int | None = None
    source_hash: str | None = None
    ocr_pages: int | None = None
    ocr_confidence: float | None = None


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


# -- the tables ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Computed:
    """A column computed from the record (and its document) when the row is built."""

    name: str
    sql: str
    doc: str
    value: Callable[[Any, ProcessedDocument | None], Any]


@dataclass(frozen=True)
class TableSpec:
    """A table filled with one record type: ``per_document`` tables start with ``doc_id``;
    ``stage`` names the derived stage whose version every row records (column ``version``)."""

    name: str
    record: type
    rows: str  # "one row per …", for the schema table of the README
    per_document: bool = True
    stage: str | None = None
    computed: tuple[Computed, ...] = ()


def _count_han(record: Sentence, _doc: Any) -> int:
    return count_han(record.text)


def _spaced(record: Sentence, _doc: Any) -> bool:
    return WHITESPACE.search(record.simplified) is not None


TABLE_SPECS: tuple[TableSpec, ...] = (
    TableSpec("documents", Document, "stored text", per_document=False),
    TableSpec("names", Name, "file or record a text was read from", per_document=False),
    TableSpec("sections", Section, "section"),
    TableSpec("sentences", Sentence, "sentence", computed=(
        Computed("n_han", "INTEGER NOT NULL", "Han characters", _count_han),
        Computed("spaced", "BOOLEAN NOT NULL", "simplified holds whitespace: counting removes it first", _spaced),
    )),
    TableSpec("notes", Note, "footnote or reference entry"),
    TableSpec("markers", Marker, "in-text marker taken out of a sentence"),
    TableSpec("mentions", Mention, "lexicon match in a sentence", stage="extract"),
    TableSpec("stance", StanceLabel, "sentence × label source", stage="extract"),
    TableSpec("term_counts", TermCount, "sentence × tracked term or alias group", stage="terms"),
    TableSpec("citations", Citation, "in-text citation", stage="citations"),
    TableSpec("findings", Finding, "audit finding", stage="audit"),
    TableSpec("labels", HumanLabel, "human answer: sentence × task × annotator", per_document=False),
)


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    sql: str
    doc: str
    path: tuple[str, ...]  # attribute path in the record; () for doc_id/version/computed
    computed: Computed | None = None


def columns_of(spec: TableSpec) -> list[ColumnSpec]:
    """The columns of a table, in order: ``doc_id`` (per-document tables), the record's stored
    fields (nested records flattened), the computed columns, ``version`` (derived stages)."""
    out: list[ColumnSpec] = []
    if spec.per_document:
        out.append(ColumnSpec("doc_id", "VARCHAR NOT NULL", "the document (documents.doc_id)", ()))

    def walk(record: type, prefix: tuple[str, ...]) -> None:
        for f in dataclasses.fields(record):
            if f.metadata.get("flatten"):
                walk(_field_type(record, f), prefix + (f.name,))
            elif "sql" in f.metadata:
                out.append(ColumnSpec(f.metadata["column"] or f.name, f.metadata["sql"], f.metadata["doc"], prefix + (f.name,)))

    walk(spec.record, ())
    out += [ColumnSpec(c.name, c.sql, c.doc, (), c) for c in spec.computed]
    if spec.stage:
        out.append(ColumnSpec("version", "VARCHAR", f"version of the {spec.stage} stage that made the row", ()))
    return out


def _field_type(record: type, f: dataclasses.Field) -> type:
    import typing

    return typing.get_type_hints(record)[f.name]


def record_from_row(record: type, row: dict[str, Any], **extra: Any) -> Any:
    """A record rebuilt from a stored row (nested records from their flattened columns)."""
    values: dict[str, Any] = dict(extra)
    for f in dataclasses.fields(record):
        if f.metadata.get("flatten"):
            values[f.name] = record_from_row(_field_type(record, f), row)
        elif "sql" in f.metadata:
            name = f.metadata["column"] or f.name
            if name in row:
                values[f.name] = row[name]
    return record(**values)
