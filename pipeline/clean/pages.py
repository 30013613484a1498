"""Page furniture: running headers (repeated lines), page numbers, photo captions."""

from __future__ import annotations

import re
from collections import Counter

from pipeline.textview import squash

from .lines import Layout, Line, is_terminated

_PAGE_NUMBER = re.compile(r"^(?:[-–—]\s*)?(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[-–—])?$|^(?:Page|PAGE|p\.)\s*\d{1,4}$")
_SOURCE_LABEL = re.compile(r"^(?:资料来源|数据来源|来源|注|说明|Source|Note)\s*[:：]")
_DATE_LED = re.compile(r"^[（(]?\s*(?:这是|图为)?\s*\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?")


def mark_page_numbers(lines: list[Line]) -> int:
    n = 0
    for l in lines:
        if l.text and l.kind == "body" and _PAGE_NUMBER.match(l.text):
            prev_blank = l.index == 0 or lines[l.index - 1].blank
            next_blank = l.index + 1 >= len(lines) or lines[l.index + 1].blank
            if prev_blank or next_blank:
                l.kind = "pagenum"
                n += 1
    return n


def mark_headers(lines: list[Line]) -> str | None:
    """Lines repeated verbatim (spaces ignored) that look like a running title, not a
    table row or a source note. Returns the most frequent one as the title hint."""
    keys = [squash(l.text) if len(l.text) >= 16 else "" for l in lines]
    counts = Counter(k for k, l in zip(keys, lines) if len(k) >= 16 and l.kind == "body")
    headers = {
        k: c for k, c in counts.items()
        if c >= 2 and "。" not in k and not _SOURCE_LABEL.match(k) and not k[0] in "\u2460\u2461\u2462\u2463\u2464*[^"
    }
    if not headers:
        return None
    for k, l in zip(keys, lines):
        if k in headers:
            l.kind = "header"
    best = max(headers, key=lambda k: (headers[k], len(k)))
    return next(l.text for k, l in zip(keys, lines) if k == best)


def mark_captions(lines: list[Line], layout: Layout) -> int:
    """Photo captions in hard-wrapped, double-spaced page layouts.

    A caption is a run of lines packed tight (no blank line) right before a page-start line
    that resumes a broken body line, when the run is wider than the text column; once a
    document is known to carry such captions, a single terminated line in that position and
    a tight date-led run (``2022年6月15日，…``) are captions too."""
    if not (layout.wrapped and layout.double_spaced):
        return 0
    found = 0

    def tight_run_before(i: int) -> list[Line]:
        run: list[Line] = []
        j = i - 1
        while j >= 0 and not lines[j].blank:
            run.append(lines[j])
            j -= 1
        return run[::-1]

    def last_body_before(i: int) -> Line | None:
        j = i - 1
        while j >= 0 and (lines[j].blank or lines[j].kind != "body" or lines[j].extra.get("cand")):
            j -= 1
        return lines[j] if j >= 0 else None

    candidates: list[tuple[list[Line], bool]] = []
    for l in lines:
        if not l.page_start or l.kind != "body":
            continue
        run = [r for r in tight_run_before(l.index) if r.kind == "body"]
        if not run or any(r.kind != "body" for r in tight_run_before(l.index)):
            continue
        for r in run:
            r.extra["cand"] = True
        prev = last_body_before(run[0].index)
        for r in run:
            r.extra.pop("cand", None)
        if prev is None or prev.terminated or not layout.full(prev, 0.6):
            continue
        if not is_terminated(run[-1].text):
            continue
        wide = any(r.width > 1.25 * layout.ref(r) for r in run)
        candidates.append((run, wide))
    has_captions = any(w for _, w in candidates)
    for run, wide in candidates:
        short = len(run) == 1 and run[0].width < 0.8 * layout.ref(run[0]) and "，" not in run[0].text
        if wide or (has_captions and short):
            for r in run:
                r.kind = "caption"
                found += 1
    if has_captions:
        # tight date-led groups anywhere (e.g. the last caption of the article)
        i = 0
        while i < len(lines):
            l = lines[i]
            if l.kind == "body" and not l.blank and _DATE_LED.match(l.text) and (i == 0 or l.page_start or lines[i - 1].blank or lines[i - 1].kind == "caption"):
                j = i
                while j + 1 < len(lines) and not lines[j + 1].blank and lines[j + 1].kind == "body" and not lines[j + 1].page_start:
                    j += 1
                if j > i:
                    for r in lines[i: j + 1]:
                        r.kind = "caption"
                        found += 1
                i = j + 1
            else:
                i += 1
    return found
