"""Sentence splitting: after 。！？ and ?/! (with closing quotes/brackets), never inside 《…》."""

from __future__ import annotations

import re

_END = re.compile(r"(?:[。！？]+|[!?]+(?![A-Za-z0-9=&/_-]))[”’」』）)\]】\"']*")
_BOOK = re.compile(r"《[^《》\n]{0,200}》")


def split_points(text: str) -> list[int]:
    """End offsets (exclusive) of each sentence in ``text``; the last one is ``len(text)``."""
    if not text:
        return []
    protected = [m.span() for m in _BOOK.finditer(text)] if "《" in text else []
    ends: list[int] = []
    j = 0
    for m in _END.finditer(text):
        e = m.end()
        while j < len(protected) and protected[j][1] <= m.start():
            j += 1
        if j < len(protected) and protected[j][0] < m.start() < protected[j][1]:
            continue
        if e < len(text):
            ends.append(e)
    ends.append(len(text))
    return ends
