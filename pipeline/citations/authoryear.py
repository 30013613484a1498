"""Author-year citations in sentence text: ``(陈靓，2022)``, ``(Olson，2022a)``,
``(Goger & Pan，2023)``, ``(李巍和王丽，2022)``, ``(A，2021；B，2022)``. They stay in the text."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Author part of an author-year citation: Chinese names/institutions, or Latin names with
# "&", "and", "et al.". No digits except inside institution names like "上海WTO事务咨询中心".
_LATIN = "A-Za-z\u00c0-\u024f"
_AUTHOR = (
    rf"[\u3400-\u9fff{_LATIN}][\u3400-\u9fff{_LATIN}0-9·.'’\- ]{{0,40}}?"
    rf"(?:\s*(?:&|and|和|与|、)\s*[\u3400-\u9fff{_LATIN}][\u3400-\u9fff{_LATIN}·.'’\- ]{{0,30}}?)*"
    r"(?:\s*(?:et\s+al\.?|等))?"
)
_YEAR = r"(?:19|20)\d{2}[a-z]?"
_ITEM = rf"({_AUTHOR})\s*[,，]?\s*({_YEAR})(?:\s*[:：]\s*\d+(?:\s*[-–—]\s*\d+)?)?"
AUTHOR_YEAR = re.compile(
    rf"[(（]\s*({_ITEM}(?:\s*[;；]\s*{_ITEM})*)\s*[)）]"
)
_ITEM_RE = re.compile(_ITEM)
_NOT_AUTHOR = re.compile(
    r"^(?:见|参见|如|例如|即|约|截至|自|从|至|到|在|于|公元|前|后|年|表|图|附表|附图|第|共|计|占|达|为|"
    r"同比|环比|上半年|下半年|全年|本文|笔者)|^(?i:see|cf|e\.g|i\.e)\b|^[A-Z]{2,6}$|^[一二三四五六七八九十]+$"
)


@dataclass(frozen=True)
class AuthorYear:
    """One author-year citation. ``marker`` is the whole parenthesis as printed;
    ``items`` lists ``(authors, year)`` for each work it names."""

    marker: str
    start: int
    end: int
    items: tuple[tuple[tuple[str, ...], str], ...]


def find_author_year(text: str) -> list[AuthorYear]:
    """Author-year citations in sentence text, full- or half-width: ``(陈靓，2022)``,
    ``(Olson，2022a)``, ``(Goger & Pan，2023)``, ``(李巍和王丽，2022)``, ``(A，2021；B，2022)``."""
    if not isinstance(text, str):
        return []
    out: list[AuthorYear] = []
    for m in AUTHOR_YEAR.finditer(text):
        items = []
        for im in _ITEM_RE.finditer(m.group(1)):
            author = im.group(1).strip()
            if not author or _NOT_AUTHOR.search(author):
                continue
            # a bare year-like context "(2021年6月成立，2022)" is not a citation
            if re.search(r"\d", author) and not re.search(r"[A-Za-z\u3400-\u9fff]{2,}", author):
                continue
            names = tuple(
                a.strip()
                for a in re.split(r"\s*(?:&|\band\b|和|与|、)\s*", re.sub(r"\s*(?:et\s+al\.?|等)$", "", author))
                if a.strip()
            )
            items.append((names, im.group(2)))
        if items:
            out.append(AuthorYear(m.group(0), m.start(), m.end(), tuple(items)))
    return out
