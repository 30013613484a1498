"""Find input files and read each into RawDocuments (one per file, one per JSON Lines record).

Readers never raise for a bad file: they yield a ``ReadFailure`` naming the file and the
problem, so the rest of the batch goes on.
"""

from __future__ import annotations

import codecs
import glob
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline import jsonsafe
from pipeline.jsonsafe import RecordError
from pipeline.config import (
    ALL_SUFFIXES,
    HTML_SUFFIXES,
    JSONL_SUFFIXES,
    MARKDOWN_SUFFIXES,
    PDF_SUFFIXES,
    ReadSettings,
)
from pipeline.errors import ReadError
from pipeline.ingest.encoding import decode_bytes
from pipeline.ingest.html import html_to_text
from pipeline.schema import RawDocument


@dataclass(frozen=True)
class ReadFailure:
    """A file or record that could not be read; ``doc`` names it as ``docs`` would."""

    doc: str
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class Unchanged:
    """A file whose bytes (and metadata inputs) hash as when it was stored: not decoded again."""

    doc: str
    path: str  # the name's key
    file: str


def name_key(file: str, record: int | str | None = None) -> str:
    """The key of a name: the file's real path, ``FILE#N`` for record N (or ``FILE#ID``)."""
    return file if record is None else f"{file}#{record}"


def source_hash(data: bytes, inputs: str = "") -> str:
    """Hash of the bytes a document is read from and of the other inputs of its row (the
    text field, the manifest entry): equal hashes need not be read again."""
    digest = hashlib.sha256(inputs.encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()[:24]


MANIFEST_NAMES = ("manifest.jsonl", "manifest.csv", "manifest.json")


def folder_extra(name: str) -> bool:
    """A file a folder walk leaves out: the folder's manifest or README (read them by naming
    them on the command line)."""
    lower = name.lower()
    return lower in MANIFEST_NAMES or lower.split(".")[0] in ("readme", "license", "licence") and lower.endswith((".md", ".txt", ".markdown"))


def folder_manifest(paths: Iterable[str | os.PathLike]) -> str | None:
    """The manifest (manifest.jsonl or manifest.csv) of the one folder among ``paths`` that has one."""
    found = [os.path.join(str(p), n) for p in paths if os.path.isdir(p) for n in MANIFEST_NAMES[:2] if os.path.isfile(os.path.join(str(p), n))]
    return found[0] if len(found) == 1 else None


def expand_paths(
    paths: Iterable[str | os.PathLike], *, roots: list[str] | None = None, broken: set[str] | None = None
) -> Iterator[Path | ReadFailure]:
    """Files as given, directories recursively (sorted, supported suffixes only), globs.

    Symlink loops and unreadable directories become ReadFailures instead of crashes. The real
    path of every directory named in ``paths`` is appended to ``roots``; a root below which a
    directory could not be listed is added to ``broken`` (its walk is not complete).
    """
    seen: set[str] = set()
    for given in paths:
        given = str(given)
        if any(ch in given for ch in "*?[") and not os.path.exists(given):
            matches = sorted(glob.glob(given, recursive=True))
            if not matches:
                yield ReadFailure(given, given, "glob matched no files")
            for match in matches:
                yield from _expand_one(Path(match), seen, explicit=False, root=None, broken=broken)
            continue
        if roots is not None and os.path.isdir(given):
            roots.append(os.path.realpath(given))
        yield from _expand_one(Path(given), seen, explicit=True, root=None, broken=broken)


def _expand_one(path: Path, seen: set[str], *, explicit: bool, root: str | None, broken: set[str] | None = None) -> Iterator[Path | ReadFailure]:
    """``root`` is the real path of the folder the user named; a symlink found while walking
    it may not lead outside it (a scraped folder must not make us read ~/.ssh)."""
    if _undecodable(str(path)):
        shown = _printable_path(str(path))
        yield ReadFailure(_printable_path(path.name), shown, "file name is not valid UTF-8; rename the file")
        return
    if not os.path.lexists(path):
        yield ReadFailure(path.name, str(path), "no such file or directory")
        return
    try:
        real = str(path.resolve(strict=True))
    except (OSError, RuntimeError) as exc:
        yield ReadFailure(path.name, str(path), f"cannot resolve path ({_os_reason(exc)})")
        return
    if root is not None and not (real == root or real.startswith(root.rstrip(os.sep) + os.sep)):
        yield ReadFailure(path.name, str(path), f"symbolic link to {real}, outside the folder being read; name it on the command line to read it")
        return
    if path.is_dir():
        if root is None:
            root = real
        if real in seen:
            return  # a symlink pointing back up the tree: already walked
        seen.add(real)
        try:
            children = sorted(path.iterdir(), key=lambda p: p.name)
        except OSError as exc:
            if broken is not None:
                broken.add(root)
            yield ReadFailure(path.name, str(path), f"cannot list directory ({_os_reason(exc)})")
            return
        for child in children:
            if folder_extra(child.name):
                continue  # a folder's manifest describes its files and its README the folder: neither is a document
            if child.is_dir() or child.suffix.lower() in ALL_SUFFIXES:
                yield from _expand_one(child, seen, explicit=False, root=root, broken=broken)
        return
    if real in seen:
        return
    seen.add(real)
    if not path.is_file():
        # A FIFO would block the read forever, a device would never end.
        yield ReadFailure(path.name, str(path), f"not a regular file ({_file_kind(path)}); not read")
        return
    if explicit or path.suffix.lower() in ALL_SUFFIXES:
        yield path


def _undecodable(text: str) -> bool:
    """A name with bytes that are not UTF-8 (os.fsdecode made them lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _printable_path(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _file_kind(path: Path) -> str:
    import stat

    try:
        mode = path.stat().st_mode
    except OSError:
        return "unknown"
    for test, kind in ((stat.S_ISFIFO, "named pipe"), (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return kind
    return "special file"


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc) or type(exc).__name__


def read_path(
    path: Path, settings: ReadSettings = ReadSettings(), *, inputs: str = "", known_source: str | None = None
) -> Iterator[RawDocument | ReadFailure | Unchanged]:
    """Read one file: a single document, or one per record of a JSON Lines corpus.

    ``inputs`` (the metadata inputs, e.g. the manifest entry) enters the source hash; a file
    whose source hash equals ``known_source`` is not decoded: ``Unchanged`` is yielded."""
    suffix = path.suffix.lower()
    name = path.name
    real = os.path.realpath(path)
    try:
        size = path.stat().st_size
        if size > settings.max_file_bytes and suffix not in JSONL_SUFFIXES:
            raise ReadError(str(path), f"file too large ({size:,} bytes > {settings.max_file_bytes:,})")
        if suffix in JSONL_SUFFIXES:
            yield from _read_jsonl(path, settings, inputs=inputs)
            return
        if suffix not in ALL_SUFFIXES:
            raise ReadError(str(path), f"unsupported file type {suffix or '(no suffix)'!r}; supported: {', '.join(ALL_SUFFIXES)}")
        data = path.read_bytes()
        hashed = source_hash(data, inputs)
        if known_source is not None and hashed == known_source:
            yield Unchanged(name, name_key(real), real)
            return
        if suffix in PDF_SUFFIXES:
            from pipeline.ingest.pdf import read_pdf

            read = read_pdf(path, ocr=settings.ocr, ocr_cache=settings.ocr_cache)
            yield RawDocument(doc=name, path=name_key(real), raw_text=read.raw_text, fmt="text", encoding="pdf", file=real,
                              source_hash=hashed, zones=tuple(read.zones), ocr_pages=read.ocr_pages, ocr_confidence=read.ocr_confidence)
            return
        text, encoding = decode_bytes(data, str(path))
        if len(text) > settings.max_record_chars:
            raise ReadError(str(path), f"text has {len(text):,} characters, more than the limit {settings.max_record_chars:,} "
                                       "for one document; split the file")
        if suffix in HTML_SUFFIXES:
            text = html_to_text(text, str(path))
            fmt = "text"
        elif suffix in MARKDOWN_SUFFIXES or _looks_like_markdown(text):
            fmt = "markdown"
        else:
            fmt = "text"
        yield RawDocument(doc=name, path=name_key(real), raw_text=text, fmt=fmt, encoding=encoding, file=real, source_hash=hashed)
    except ReadError as exc:
        yield ReadFailure(name, str(path), exc.reason)
    except OSError as exc:
        yield ReadFailure(name, str(path), f"cannot read file ({_os_reason(exc)})")


def _looks_like_markdown(text: str) -> bool:
    """A .txt that is really markdown (headings, <sup> markers, a --- footnote rule)."""
    head = text[:20000]
    signals = sum(
        (
            "\n# " in head or head.startswith("# "),
            "\n## " in head,
            "<sup>" in head,
            "\n---\n" in head,
            "**" in head,
        )
    )
    return signals >= 2



def _read_jsonl(path: Path, settings: ReadSettings, *, inputs: str = "") -> Iterator[RawDocument | ReadFailure]:
    """Stream a JSON Lines corpus record by record (never loads the whole file).

    A ``.json`` file holding one array of records is accepted too (read whole)."""
    name = path.name
    with path.open("rb") as raw:
        head = raw.read(64).lstrip()
    if path.suffix.lower() == ".json" and head.startswith(b"["):
        try:
            records = jsonsafe.loads(path.read_bytes().decode("utf-8-sig"))
        except (UnicodeDecodeError, RecordError) as exc:
            yield ReadFailure(name, str(path), f"{exc}" if isinstance(exc, RecordError) else f"not UTF-8 ({exc.reason})")
            return
        if not isinstance(records, list) or not records:
            yield ReadFailure(name, str(path), "no records (an empty JSON array)")
            return
        for number, record in enumerate(records, start=1):
            hashed = source_hash(json.dumps(record, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8", "surrogatepass"), inputs)
            yield _record_to_document(record, path, number, settings, source=hashed)
        return
    failures: list[ReadFailure] = []
    for number, line in iter_jsonl_lines(path, failures):
        yield record_from_line(path, number, line, settings, source=source_hash(line.encode("utf-8", "surrogatepass"), inputs))
    yield from failures


def iter_jsonl_lines(path: Path, failures: list[ReadFailure]) -> Iterator[tuple[int, str]]:
    """(1-based line number, line) of every non-blank line, streamed. A line that is not
    UTF-8 ends the file with a failure appended to ``failures``."""
    for number, line, _, _ in iter_jsonl_spans(path, failures):
        yield number, line


def iter_jsonl_spans(path: Path, failures: list[ReadFailure]) -> Iterator[tuple[int, str, int, int]]:
    """(line number, line, byte offset, byte length) of every non-blank line (the bytes of
    the line without a leading byte-order mark), streamed; see :func:`iter_jsonl_lines`."""
    name = path.name
    any_record = False
    with path.open("rb") as raw:
        # Line by line in bytes, decoded per line: a text wrapper decodes 8 KB chunks ahead,
        # so a bad byte on line 2 would be reported as line 1 and lose line 1.
        pos = 0
        for number, data in enumerate(raw, start=1):
            offset, pos = pos, pos + len(data)
            if number == 1 and data.startswith(codecs.BOM_UTF8):
                data = data[len(codecs.BOM_UTF8):]
                offset += len(codecs.BOM_UTF8)
            try:
                line = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                failures.append(ReadFailure(f"{name}#{number}", str(path), f"line {number}: not UTF-8 ({exc.reason}); JSON Lines must be UTF-8"))
                return
            if line.strip():
                any_record = True
                yield number, line, offset, len(data)
    if not any_record:
        failures.append(ReadFailure(name, str(path), "no records (empty JSON Lines file)"))


def record_from_line(
    path: Path, number: int, line: str, settings: ReadSettings, *, record_id: str | None = None, source: str | None = None
) -> RawDocument | ReadFailure:
    """The document of line ``number``; ``record_id`` (the --id-field value) names it instead
    of the line number; ``source`` is its source hash."""
    shown = f"{path.name}#{record_id if record_id is not None else number}"
    try:
        record = jsonsafe.loads(line)
    except RecordError as exc:
        return ReadFailure(shown, str(path), f"line {number}: {exc}")
    return _record_to_document(record, path, number, settings, record_id=record_id, source=source)


def _record_to_document(
    record: object, path: Path, number: int, settings: ReadSettings, *, record_id: str | None = None, source: str | None = None
) -> RawDocument | ReadFailure:
    label = record_id if record_id is not None else number
    doc = f"{path.name}#{label}"
    where = f"line {number}"
    if not isinstance(record, dict):
        return ReadFailure(doc, str(path), f"{where}: record is a JSON {type(record).__name__}, expected an object")
    if settings.text_field not in record:
        keys = ", ".join(sorted(record)[:8]) or "none"
        return ReadFailure(doc, str(path), f"{where}: no {settings.text_field!r} field (fields: {keys}); choose one with --text-field")
    text = record[settings.text_field]
    if not isinstance(text, str):
        return ReadFailure(doc, str(path), f"{where}: field {settings.text_field!r} is a JSON {type(text).__name__}, expected a string")
    if not text.strip():
        return ReadFailure(doc, str(path), f"{where}: field {settings.text_field!r} is empty")
    if len(text) > settings.max_record_chars:
        return ReadFailure(doc, str(path), f"{where}: text has {len(text):,} characters, more than the limit {settings.max_record_chars:,}")
    text = text.replace("\x00", "")
    metadata = {key: value for key, value in record.items() if key != settings.text_field}
    if _has_lone_surrogate(text, metadata):
        return ReadFailure(doc, str(path), f"{where}: contains an unpaired surrogate escape (\\ud800-\\udfff), not valid Unicode")
    real = os.path.realpath(path)
    return RawDocument(
        doc=doc, path=name_key(real, label), raw_text=text, fmt="text", encoding="utf-8", metadata=metadata,
        file=real, line=number, source_hash=source,
    )


def _has_lone_surrogate(text: str, metadata: dict) -> bool:
    """JSON may escape lone surrogates (``"\\ud800"``): Python keeps them, UTF-8 (and the
    store) cannot encode them."""
    if _undecodable(text):
        return True
    if not metadata:
        return False
    try:
        json.dumps(metadata, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def iter_raw_documents(paths: Iterable[str | os.PathLike], settings: ReadSettings = ReadSettings()) -> Iterator[RawDocument | ReadFailure]:
    for item in expand_paths(paths):
        if isinstance(item, ReadFailure):
            yield item
        else:
            yield from (d for d in read_path(item, settings) if not isinstance(d, Unchanged))
