"""Unicode normalisation of the cleaned view: NFKC for letters and digits only.

Full-width punctuation (，：（）？), circled numbers (footnote markers), superscripts and
``…`` are kept as printed: the gold text and the marker step depend on them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .offsets import MappedText

_CHANGING: re.Pattern | None = None


def _changing_chars() -> re.Pattern:
    """A character class of every character that ``_nfkc_char`` changes (built once)."""
    global _CHANGING
    if _CHANGING is None:
        ranges: list[list[int]] = []
        for cp in range(0xA0, 0x30000):
            if 0xD800 <= cp <= 0xDFFF:
                continue
            ch = chr(cp)
            if unicodedata.decomposition(ch).startswith("<") or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp:
                if _nfkc_char(ch) != ch:
                    if ranges and ranges[-1][1] == cp - 1:
                        ranges[-1][1] = cp
                    else:
                        ranges.append([cp, cp])
        cls = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
        _CHANGING = re.compile(f"[{cls}]")
    return _CHANGING
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


def nfkc(mt: MappedText) -> MappedText:
    """NFKC (Kangxi radicals, full-width digits and letters, odd spaces) keeping the offset map."""
    text = mt.text
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return mt
    changing = _changing_chars()
    if not changing.search(text):
        return mt
    parts_text: list[str] = []
    parts_off: list[int] = []
    pos = 0
    changed = False
    for m in changing.finditer(text):
        ch = m.group(0)
        new = _nfkc_char(ch)
        if new == ch:
            continue
        i = m.start()
        changed = True
        parts_text.append(text[pos:i])
        parts_off.extend(mt.offsets[pos:i])
        if new.isspace():
            new = " " if ch != "\n" else "\n"
        parts_text.append(new)
        parts_off.extend([mt.offsets[i]] * len(new))
        pos = i + 1
    if not changed:
        return mt
    parts_text.append(text[pos:])
    parts_off.extend(mt.offsets[pos:])
    return MappedText("".join(parts_text), parts_off)
