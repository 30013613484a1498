"""Tables and figures: titles (``表 1 …``, ``图 2 …``), table rows and the source lines
printed under them (``资料来源：…``, ``数据来源：…``, ``注：…``) get kind ``table``.

They stay in the cleaned text and count for term frequencies, but they are not body
sentences. A table runs from its title to the first source line after it (rows extracted
from a PDF have no other reliable mark); without a source line, to the last tab-separated
row. Runs of tab-separated rows without a title are tables too."""

from __future__ import annotations

import re

from .lines import Layout, Line, is_terminated

# "表 1 标题", "表1：标题", "表1标题" (as the cleaned text prints it)
TABLE_TITLE = re.compile(r"^(?:续)?表\s*\d{1,2}(?:[-.．]\d{1,2})?(?:\s+|\s*[:：]\s*|(?=[\u4e00-\u9fff]))(?=\S)")
FIGURE_TITLE = re.compile(r"^图\s*\d{1,2}(?:[-.．]\d{1,2})?(?:\s+|\s*[:：]\s*|(?=[\u4e00-\u9fff]))(?=\S)")
SOURCE_LINE = re.compile(r"^(?:资料来源|数据来源|来源|注|说明|Source|Sources|Note|Notes)\s*[:：]")
MAX_TABLE_LINES = 80  # non-blank lines between a table title and its source line
MAX_TITLE_CHARS = 60


def mark_tables(lines: list[Line], layout: Layout) -> int:
    """Set kind="table" on table/figure titles, rows and source lines. Returns the number
    of tables and figures found."""
    body = [l for l in lines if l.kind == "body" and not l.blank]
    found = 0
    i = 0
    while i < len(body):
        l = body[i]
        if l.kind != "body":
            i += 1
            continue
        if _is_title(l, TABLE_TITLE):
            end = _source_after(body, i, MAX_TABLE_LINES)
            if end is None:
                end = _tab_rows_after(body, i)
            for r in body[i:end + 1]:
                r.kind = "table"
            i = _notes_after(body, end) + 1
            found += 1
        elif _is_title(l, FIGURE_TITLE):
            end = _source_after(body, i, 2)
            l.kind = "table"
            if end is not None:
                for r in body[i:end + 1]:
                    r.kind = "table"
                i = _notes_after(body, end)
            i += 1
            found += 1
        elif "\t" in l.text and i + 1 < len(body) and "\t" in body[i + 1].text:
            end = _tab_rows_after(body, i)
            for r in body[i:end + 1]:
                r.kind = "table"
            i = _notes_after(body, end) + 1
            found += 1
        else:
            i += 1
    return found


def _is_title(line: Line, pattern: re.Pattern) -> bool:
    return bool(pattern.match(line.text)) and len(line.text) <= MAX_TITLE_CHARS and not is_terminated(line.text) \
        and "。" not in line.text


def _source_after(body: list[Line], i: int, window: int) -> int | None:
    """Index of the first source line within ``window`` lines after ``body[i]``, stopping
    at the next table or figure title."""
    for j in range(i + 1, min(i + 1 + window, len(body))):
        t = body[j].text
        if SOURCE_LINE.match(t):
            return j
        if TABLE_TITLE.match(t) or FIGURE_TITLE.match(t):
            return None
    return None


def _tab_rows_after(body: list[Line], i: int) -> int:
    j = i
    while j + 1 < len(body) and "\t" in body[j + 1].text:
        j += 1
    return j


def _notes_after(body: list[Line], end: int) -> int:
    """Source or note lines right after a table also belong to it."""
    j = end
    while j + 1 < len(body) and SOURCE_LINE.match(body[j + 1].text):
        body[j + 1].kind = "table"
        j += 1
    return j
