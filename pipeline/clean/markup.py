"""Strip markdown / HTML-ish markup from the cleaned view, keeping the visible text.

``<sup>①</sup>`` -> ``①`` (the marker step finds it), ``**bold**`` -> ``bold``, ``\\*`` -> ``*``,
``# Heading`` -> ``Heading`` (the line is remembered as a heading), ``[text](url)`` -> ``text``
(or the URL once when the text is the URL), ``<http://…>`` -> ``http://…``, ``^①`` -> ``①``,
``---`` rules removed.
"""

from __future__ import annotations

import re

from .offsets import MappedText

_TAG = re.compile(r"</?(?:sup|sub|span|b|i|em|strong|u|br|p|div|font|a)\b[^<>\n]{0,200}>", re.I)
_MD_SIGNALS = re.compile(r"(?m)\*\*|<sup>|^#{1,6} |\]\(https?://|^\s*---\s*$|\\[*_\[\]]|<https?://|(?<![\w*])\*[^\s*][^*\n]{0,80}[^\s*]\*(?![\w*])|\^[\u2460-\u2473]")
_HEADING = re.compile(r"(?m)^[ \t]{0,3}(#{1,6})[ \t]+")
_RULE = re.compile(r"(?m)^[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*$")
_BOLD = re.compile(r"\*\*|__(?:(?=\S)|(?<=\S__))")
_ITALIC = re.compile(r"\*(?<![\\*\w]\*)(?=[^\s*])([^*\n]{1,300}?)(?<=[^\s\\*])\*(?![*\w])")
_ESCAPE = re.compile(r"\\(?=[\\`*_{}\[\]()#+\-.!<>|~^$])")
_LINK = re.compile(r"(?<!!)\[((?:\\.|[^\[\]\n\\])*)\]\((<?[^()\s<>]+(?:\([^()\s]*\))?[^()\s<>]*>?)\)")
_IMAGE = re.compile(r"!\[([^\[\]\n]*)\]\(([^()\s]+)\)")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^<>\s]+|www\.[^<>\s]+)>")
_CARET_MARKER = re.compile(r"\^+(?=[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf\[\d])")
# every alternative starts with the literal "$" (a fast scan), lookbehinds come after it
_MATH = re.compile(r"\$(?:\$|(?<![\\$]\$)(?=[^\s$][^$\n]{0,80}?(?<=[^\s\\$])\$(?!\$))|(?<=[^\s\\$]\$)(?!\$)(?=\s|[^\x00-\x7f]|$))")
_MD_CHARS = "*<#]\\^-"  # every markdown signal holds one of these
_TABLE_RULE = re.compile(r"(?m)^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)+\|?[ \t]*$")


def looks_like_markdown(text: str) -> bool:
    """Two or more markdown signals in the text (``**``, ``<sup>``, ``# ``, links, rules, escapes)."""
    head = text[:200_000]
    if not any(c in head for c in _MD_CHARS):
        return False
    seen = set()
    for m in _MD_SIGNALS.finditer(head):
        seen.add(m.group(0)[:2])
        if len(seen) >= 2:
            return True
    return False


def _delete_if(mt: MappedText, needle: str, pattern: re.Pattern) -> MappedText:
    """``delete_matches`` only when ``needle`` occurs at all (a cheap substring test)."""
    return mt.delete_matches(pattern) if needle in mt.text else mt


def strip_markup(mt: MappedText, *, markdown: bool) -> tuple[MappedText, set[int]]:
    """Remove markup; return the new text and the raw offsets of lines that were headings."""
    heading_offsets: set[int] = set()
    mt = _delete_if(mt, "<", _TAG)
    mt = _delete_if(mt, "^", _CARET_MARKER)
    if not markdown:
        return mt, heading_offsets
    if "---" in mt.text or "***" in mt.text or "___" in mt.text:
        mt = mt.delete_matches(_RULE)
    mt = _delete_if(mt, "---", _TABLE_RULE)
    if "#" in mt.text:
        for m in _HEADING.finditer(mt.text):
            if m.end() < len(mt.text):
                heading_offsets.add(int(mt.offsets[m.end()]))
        mt = mt.delete_matches(_HEADING)
    if "](" in mt.text:
        mt = _strip_links(mt)
    if "<" in mt.text:
        spans = []
        for m in _AUTOLINK.finditer(mt.text):
            spans += [(m.start(), m.start() + 1), (m.end() - 1, m.end())]
        mt = mt.delete(spans)
    if "**" in mt.text or "__" in mt.text:
        mt = mt.delete_matches(_BOLD)
    if "*" in mt.text:
        spans = []
        for m in _ITALIC.finditer(mt.text):
            spans += [(m.start(), m.start() + 1), (m.end() - 1, m.end())]
        mt = mt.delete(spans)
    mt = _delete_if(mt, "$", _MATH)
    mt = _delete_if(mt, "\\", _ESCAPE)
    return mt, heading_offsets
    mt = mt.delete_matches(_RULE)
    mt = mt.delete_matches(_TABLE_RULE)
    for m in _HEADING.finditer(mt.text):
        if m.end() < len(mt.text):
            heading_offsets.add(mt.offsets[m.end()])
    mt = mt.delete_matches(_HEADING)
    mt = _strip_links(mt)
    spans = []
    for m in _AUTOLINK.finditer(mt.text):
        spans += [(m.start(), m.start() + 1), (m.end() - 1, m.end())]
    mt = mt.delete(spans)
    mt = mt.delete_matches(_BOLD)
    spans = []
    for m in _ITALIC.finditer(mt.text):
        spans += [(m.start(), m.start() + 1), (m.end() - 1, m.end())]
    mt = mt.delete(spans)
    mt = mt.delete_matches(_MATH)
    mt = mt.delete_matches(_ESCAPE)
    return mt, heading_offsets




def _strip_links(mt: MappedText) -> MappedText:
    """``[text](url)`` -> text, or url once when text is (a form of) the url; images keep alt text."""
    spans: list[tuple[int, int]] = []
    for m in _IMAGE.finditer(mt.text):
        spans += [(m.start(), m.start(1)), (m.end(1), m.end())]
    for m in _LINK.finditer(mt.text):
        spans += [(m.start(), m.start(1)), (m.end(1), m.end())]
    spans.sort()
    return mt.delete(spans) if spans else mt
