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
_BOLD = re.compile(r"\*\*|__(?=\S)|(?<=\S)__")
_ITALIC = re.compile(r"(?<![\\*\w])\*(?=[^\s*])([^*\n]{1,300}?)(?<=[^\s\\*])\*(?![*\w])")
_ESCAPE = re.compile(r"\\(?=[\\`*_{}\[\]()#+\-.!<>|~^$])")
_LINK = re.compile(r"(?<!!)\[((?:\\.|[^\[\]\n\\])*)\]\((<?[^()\s<>]+(?:\([^()\s]*\))?[^()\s<>]*>?)\)")
_IMAGE = re.compile(r"!\[([^\[\]\n]*)\]\(([^()\s]+)\)")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^<>\s]+|www\.[^<>\s]+)>")
_CARET_MARKER = re.compile(r"\^(?=[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf\[\d])")
_MATH = re.compile(r"\$\$|(?<![\\$])\$(?=[^\s$][^$\n]{0,80}?(?<=[^\s\\$])\$(?!\$))|(?<=[^\s\\$])\$(?!\$)(?<=\$)(?=\s|[^\x00-\x7f]|$)")
_TABLE_RULE = re.compile(r"(?m)^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)+\|?[ \t]*$")


def looks_like_markdown(text: str) -> bool:
    """Two or more markdown signals in the text (``**``, ``<sup>``, ``# ``, links, rules, escapes)."""
    return len(set(m.group(0)[:2] for m in _MD_SIGNALS.finditer(text[:200_000]))) >= 2


def strip_markup(mt: MappedText, *, markdown: bool) -> tuple[MappedText, set[int]]:
    """Remove markup; return the new text and the raw offsets of lines that were headings."""
    heading_offsets: set[int] = set()
    mt = mt.delete_matches(_TAG)
    mt = mt.delete_matches(_CARET_MARKER)
    if not markdown:
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
