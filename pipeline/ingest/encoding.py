"""Bytes -> text. charset-normalizer does the detection; we only refuse what is not text."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from pipeline.errors import ReadError

# Magic numbers of common binary formats, so the error says what the file is.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "ZIP archive (or docx/xlsx)"),
    (b"\x7fELF", "ELF executable"),
    (b"%PDF-", "PDF document (give it a .pdf suffix)"),
    (b"\x1f\x8b", "gzip archive"),
    (b"MZ", "Windows executable"),
    (b"SQLite format 3\x00", "SQLite database"),
)
_BOMS = (
    (codecs.BOM_UTF8, "utf_8_sig"),
    (codecs.BOM_UTF32_LE, "utf_32"),
    (codecs.BOM_UTF32_BE, "utf_32"),
    (codecs.BOM_UTF16_LE, "utf_16"),
    (codecs.BOM_UTF16_BE, "utf_16"),
)


def sniff_binary(data: bytes) -> str | None:
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    return None


def decode_bytes(data: bytes, path: str) -> tuple[str, str]:
    """Return (text, encoding name). Raises ReadError naming the file and the problem."""
    if not data:
        raise ReadError(path, "empty file")
    kind = sniff_binary(data[:16])
    if kind:
        raise ReadError(path, f"binary file ({kind}), not text")
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name.replace("_sig", "-sig").replace("_", "-")
            except UnicodeDecodeError as exc:
                raise ReadError(path, f"starts with a {name} byte-order mark but does not decode: {exc.reason} at byte {exc.start}") from exc
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError as utf8_error:
        best = from_bytes(data[:2_000_000] if len(data) > 2_000_000 else data).best()
        if best is None:
            raise ReadError(path, f"not decodable as text (no encoding fits; UTF-8 fails at byte {utf8_error.start})") from None
        encoding = best.encoding
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            # A truncated or mixed file: keep what decodes, mark the rest, and say so in the encoding.
            text = data.decode(encoding, errors="replace")
            encoding = f"{encoding}+replaced"
    if "\x00" in text:
        nul_share = text.count("\x00") / len(text)
        if nul_share > 0.1:
            raise ReadError(path, f"binary file ({nul_share:.0%} NUL bytes), not text")
        text = text.replace("\x00", "")
    if not text.strip():
        raise ReadError(path, "no text (whitespace only)")
    return text, encoding
