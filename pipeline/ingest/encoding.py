"""Bytes -> text. charset-normalizer does the detection; we only refuse what is not text."""

from __future__ import annotations

import codecs
from functools import lru_cache

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
    text, encoding = _decode(data, path)
    if "\x00" in text:
        nul_share = text.count("\x00") / len(text)
        if nul_share > 0.1:
            raise ReadError(path, f"binary file ({nul_share:.0%} NUL bytes), not text")
        text = text.replace("\x00", "")
    if not text.strip():
        raise ReadError(path, "no text (whitespace only)")
    return text, encoding


def _decode(data: bytes, path: str) -> tuple[str, str]:
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name.replace("_sig", "-sig").replace("_", "-")
            except UnicodeDecodeError as exc:
                raise ReadError(path, f"starts with a {name} byte-order mark but does not decode: {exc.reason} at byte {exc.start}") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        if utf8_error.reason == "unexpected end of data" and utf8_error.start >= len(data) - 3:
            # Cut off in the middle of the last character (an interrupted download): drop it.
            return data[: utf8_error.start].decode("utf-8"), "utf-8+truncated"
        return _detect(data, path, utf8_error)


# Encodings a Chinese text may come in, tried besides charset-normalizer's candidates.
_CHINESE_ENCODINGS = ("gb18030", "big5", "utf_16_le", "utf_16_be")


SAMPLE_BYTES = 2_000_000


def _sample_decode(sample: bytes, name: str, *, final: bool) -> str:
    """Decode ``sample`` with ``name``; unless ``final``, a character cut at the sample's end is
    left out (an incremental decoder), so a two- or four-byte character that straddles the
    sample boundary does not disqualify the right encoding."""
    decoder = codecs.getincrementaldecoder(name)()
    return decoder.decode(sample, final=final)


def _detect(data: bytes, path: str, utf8_error: UnicodeDecodeError) -> tuple[str, str]:
    """Pick the encoding: charset-normalizer's candidates plus the Chinese encodings, ranked
    by how much of the decoded text is common characters. charset-normalizer alone ties on
    short texts and then picks cp949 for GBK or big-endian for UTF-16-LE.

    Large files are ranked on their first 2,000,000 bytes (ending on a character boundary);
    the chosen encoding must then decode the whole file, or the file is refused as mixed."""
    whole = len(data) <= SAMPLE_BYTES
    sample = data if whole else data[:SAMPLE_BYTES]
    matches = from_bytes(sample)
    best = matches.best()
    names = [m.encoding for m in matches] + [e for e in _CHINESE_ENCODINGS]
    ranked: list[tuple[float, int, str]] = []
    for order, name in enumerate(dict.fromkeys(names)):
        try:
            decoded = _sample_decode(sample, name, final=False)  # the whole-file decode below decides the end
        except (UnicodeDecodeError, LookupError):
            continue
        # charset-normalizer's own choice wins unless another is clearly more plausible.
        bonus = 0.1 if best is not None and name == best.encoding else 0.0
        ranked.append((_plausibility(decoded) + bonus, -order, name))
    if not ranked:
        raise ReadError(path, _no_fit(utf8_error))
    score, _, encoding = max(ranked)
    if best is None and score < 0.8:
        raise ReadError(path, _no_fit(utf8_error))
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        if exc.reason in ("incomplete multibyte sequence", "unexpected end of data") and exc.start >= len(data) - 4:
            # cut off in the middle of the last character (an interrupted download): drop it
            return data[: exc.start].decode(encoding), f"{encoding}+truncated"
        # the sample decodes but a later part does not: the file changes encoding (or is
        # damaged) midway. Refused rather than stored garbled.
        raise ReadError(
            path, f"not decodable as one encoding: reads as {encoding} up to byte {exc.start:,}, then does not "
            f"({exc.reason}); mixed encodings? convert the file to UTF-8"
        ) from exc


def _no_fit(utf8_error: UnicodeDecodeError) -> str:
    return f"not decodable as text (no encoding fits the whole file; mixed encodings? UTF-8 fails at byte {utf8_error.start})"


def _plausibility(text: str) -> float:
    """Share of characters that are common in Chinese (or Latin) text."""
    if not text:
        return 0.0
    common = _common_chars()
    good = sum(1 for ch in text if ch in common or (ch < "\u0250" and (ch.isprintable() or ch.isspace())))
    return good / len(text)


@lru_cache(maxsize=1)
def _common_chars() -> frozenset[str]:
    """GB2312 level 1 (3,755 common Simplified characters), Big5's common characters
    (5,401 Traditional), CJK and full-width punctuation: derived from the codecs, no data file."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for lead in range(0xA4, 0xC7):
        for trail in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            try:
                chars.add(bytes((lead, trail)).decode("big5"))
            except UnicodeDecodeError:
                pass
    for lead in (0xA1, 0xA3):  # GB2312 punctuation and full-width forms
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    chars.update(chr(cp) for cp in range(0x3000, 0x3040))
    chars.update(chr(cp) for cp in range(0xFF01, 0xFF5F))
    return frozenset(chars)
