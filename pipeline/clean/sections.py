"""Section labels: abstract (内容提要/摘要 … up to 关键词), meta (关键词, 作者简介, 中图分类号,
文章编号, funding notes), reference lists (参考文献), title."""

from __future__ import annotations

import re

from .lines import Layout, Line, joins

ABSTRACT_LABEL = re.compile(
    r"^[【\[]?\s*(?:内\s*容\s*提\s*要|内\s*容\s*摘\s*要|摘\s*要|提\s*要|Abstract|ABSTRACT|Summary)\s*(?:[】\]]\s*[:：]?|[:：])\s*"
)
META_LABEL = re.compile(
    r"^(?:[【\[]?\s*(?:关\s*键\s*词|关\s*键\s*字|Key\s*[Ww]ords?|KEYWORDS|作\s*者\s*简\s*介|作者单位|中图分类号|中图分类|文献标识码|文献标志码|"
    r"文章编号|DOI|doi|收稿日期|基金项目|责任编辑|JEL\s*(?:Classification|分类号)?)\s*[】\]]?\s*[:：]|\*\s*\S|\[本文[系是为]|本文[系是为]\S{0,40}(?:基金|项目|课题)|作者系|作者[:：])"
)
REFERENCE_HEAD = re.compile(r"^(?:参\s*考\s*文\s*献|主要参考文献|References|REFERENCES|Bibliography)\s*[:：]?$")


def mark_labels(lines: list[Line], layout: Layout) -> None:
    """Abstract and meta blocks, reference lists; sets ``label_end`` for abstract lines."""
    n = len(lines)
    in_refs = False
    i = 0
    while i < n:
        l = lines[i]
        if l.blank or l.kind != "body":
            i += 1
            continue
        if REFERENCE_HEAD.match(l.text):
            in_refs = True
            l.kind = "reference"
            l.extra["ref_head"] = True
            i += 1
            continue
        if in_refs:
            if ABSTRACT_LABEL.match(l.text) or l.heading:
                in_refs = False
            else:
                l.kind = "reference"
                i += 1
                continue
        m = ABSTRACT_LABEL.match(l.text)
        kind = "abstract" if m else ("meta" if META_LABEL.match(l.text) else None)
        if kind is None:
            i += 1
            continue
        l.kind = kind
        if m:
            l.label_end = m.end()
        # the labelled block continues over wrapped lines
        prev = l
        j = i + 1
        while j < n:
            c = lines[j]
            if c.blank:
                if not layout.double_spaced:
                    break
                j += 1
                continue
            if c.kind != "body" or c.page_start or ABSTRACT_LABEL.match(c.text) or META_LABEL.match(c.text):
                break
            if not (layout.wrapped and joins(prev, c, layout)) and not (not layout.double_spaced and layout.wrapped and not prev.terminated):
                break
            c.kind = kind
            prev = c
            j += 1
        i = j


def mark_title(lines: list[Line], layout: Layout) -> None:
    """The first line, when short and unterminated, before the first abstract/body paragraph."""
    for l in lines:
        if l.blank:
            continue
        if l.kind != "body":
            if l.kind in ("abstract", "reference", "note"):
                return
            continue
        if l.heading and l.width <= 120:
            l.kind = "title"
            return
        soft_continued = layout.soft_breaks and l.index + 1 < len(lines) and not lines[l.index + 1].blank
        if not l.terminated and not soft_continued and l.width <= min(80, 0.85 * layout.wrap_width if layout.wrapped else 80):
            # a column name ("经贸合作专题") may come first; take the first heading if marked
            heading = next((x for x in lines[l.index + 1: l.index + 6] if x.heading), None)
            if heading is not None:
                heading.kind = "title"
                return
            l.kind = "title"
        return
