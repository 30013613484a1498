"""Citations: in-text markers and author-year citations resolved to the notes and reference
entries they point to, with the claims that carry them.

- ``authoryear``: ``(陈靓，2022)`` citations in sentence text;
- ``claims``: which sentences make checkable claims (numbers, dates, quotations, attributions);
- ``references``: one note or reference entry -> its bibliographic fields;
- ``resolve``: markers -> notes (per page for circled numbers, by number for ``[n]``, by author
  and year), giving ``Citation`` records.

The marker grammar itself is ``pipeline.clean.markers`` (the cleaner removes markers first).
"""

from pipeline.citations.resolve import CitationError, extract_citations

__all__ = ["CitationError", "extract_citations"]
