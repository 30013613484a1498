"""In-text footnote/reference markers: circled numbers, ``[1]``, ``[2-3]``, ``[1,4]``, superscripts.

They are removed from sentence text and returned with their position; author-year
citations such as ``(陈靓，2022)`` stay in the text.
"""

from __future__ import annotations

import re

CIRCLED = "\u2460-\u2473\u3251-\u325f\u32b1-\u32bf"
MARKER = re.compile(
    f"[{CIRCLED}]|\\[\\d{{1,3}}(?:\\s*[-\u2013\u2014~～,，、]\\s*\\d{{1,3}})*\\]|[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]+"
)


def find_markers(text: str) -> list[tuple[int, int, str]]:
    """(start, end, marker) spans in ``text``."""
    return [(m.start(), m.end(), m.group(0)) for m in MARKER.finditer(text)]
