"""Unicode normalisation of the cleaned view: NFKC for letters and digits only.

Full-width punctuation (，：（）？), circled numbers (footnote markers), superscripts and
``…`` are kept as printed: the gold text and the marker step depend on them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

from .offsets import MappedText

_LIMIT = 0x30000


@lru_cache(maxsize=1)
def _nfkc_tables() -> tuple[np.ndarray, np.ndarray]:
    """``(replacement, expands)`` indexed by code point below ``_LIMIT``: the one character
    that ``_nfkc_char`` puts in place of it (itself when unchanged), and whether it becomes
    several characters instead. Built once, from the characters with a decomposition."""
    replacement = np.arange(_LIMIT, dtype=np.uint32)
    expands = np.zeros(_LIMIT, dtype=bool)
    decomposition = unicodedata.decomposition
    for cp in _candidates():
        ch = chr(cp)
        if not (0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp or decomposition(ch).startswith("<")):
            continue
        new = _nfkc_char(ch)
        if new == ch:
            continue
        if new.isspace():
            new = " "
        if len(new) == 1:
            replacement[cp] = ord(new)
        else:
            expands[cp] = True
    return replacement, expands


_CR = re.compile(r"\r\n?")


@lru_cache(maxsize=8192)
def _nfkc_char(ch: str) -> str:
    """NFKC of one character, or the character itself when it must stay as printed."""
    new = unicodedata.normalize("NFKC", ch)
    if new == ch:
        return ch
    decomp = unicodedata.decomposition(ch)
    if decomp.startswith(("<circle>", "<super>", "<sub>", "<fraction>")):
        return ch
    if new.isspace() or all(c.isalnum() for c in new):
        return new
    return ch


def normalize_newlines(mt: MappedText) -> MappedText:
    """``\\r\\n`` -> ``\\n`` (delete the ``\\r``), lone ``\\r`` -> ``\\n``."""
    if "\r" not in mt.text:
        return mt
    spans = [(m.start(), m.start() + 1) for m in _CR.finditer(mt.text) if m.group(0) == "\r\n"]
    mt = mt.delete(spans)
    return mt.substitute(re.compile("\r"), lambda s: "\n")


def _candidates():
    """Code points that NFKC may change: whole 128-character blocks that are already NFKC
    (as one string) are skipped."""
    for block in range(0xA0 // 128 * 128, _LIMIT, 128):
        if 0xD800 <= block <= 0xDFFF:
            continue
        chars = "".join(map(chr, range(block, block + 128)))
        if unicodedata.is_normalized("NFKC", chars):
            continue
        yield from range(max(block, 0xA0), block + 128)


def nfkc(mt: MappedText) -> MappedText:
    """NFKC (Kangxi radicals, full-width digits and letters, odd spaces) keeping the offset map.

    One vectorised table lookup over the code points; one-to-one replacements keep the
    offsets, and only characters that expand (``ﬁ`` -> ``fi``) take a slower path."""
    text = mt.text
    if text.isascii():
        return mt
    replacement, expands = _nfkc_tables()
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    low = np.minimum(codes, _LIMIT - 1)
    new = np.where(codes < _LIMIT, replacement[low], codes)
    grow = expands[low] & (codes < _LIMIT)
    changed = new != codes
    if not changed.any() and not grow.any():
        return mt
    new_text = new.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass") if changed.any() else text
    if not grow.any():
        return MappedText(new_text, mt.offsets)
    parts_text: list[str] = []
    parts_off: list[np.ndarray] = []
    pos = 0
    for i in np.flatnonzero(grow).tolist():
        parts_text.append(new_text[pos:i])
        parts_off.append(mt.offsets[pos:i])
        out = _nfkc_char(text[i])
        parts_text.append(out)
        parts_off.append(np.full(len(out), mt.offsets[i], dtype=np.int64))
        pos = i + 1
    parts_text.append(new_text[pos:])
    parts_off.append(mt.offsets[pos:])
    return MappedText("".join(parts_text), np.concatenate(parts_off))
