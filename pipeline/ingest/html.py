"""HTML -> the article's text, without scripts, styles and navigation."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, CData, NavigableString, Tag

from pipeline.errors import ReadError

_DROP = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg", "template")
_BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "br", "section", "article", "blockquote", "pre", "td", "dd", "dt")


def html_to_text(html: str, path: str) -> str:
    """Text of the main article: ``<article>``/``<main>`` if present, else ``<body>``.
    Block elements become paragraphs; ``<sup>`` markers are kept as ``<sup>…</sup>``
    so the cleaner can find footnote markers."""
    try:
        soup = BeautifulSoup(html, "lxml")
    except Exception as exc:  # lxml raises several types on hostile markup
        raise ReadError(path, f"cannot parse HTML ({type(exc).__name__}: {exc})") from exc
    for tag in soup.find_all(_DROP):
        if not tag.decomposed:  # nested drops: the outer one already took it
            tag.decompose()
    # only the outermost <sup> of a nest is replaced (with all its text): the inner ones go
    # with it, and replacing each of them too walked its subtree again (quadratic in depth)
    inner: set[int] = set()
    for sup in soup.find_all("sup"):
        if id(sup) in inner:
            continue
        inner.update(id(t) for t in sup.find_all("sup"))
        sup.replace_with(f"<sup>{sup.get_text(strip=True)}</sup>")
    root = soup.find("article") or soup.find("main") or soup.body or soup
    title = soup.title.get_text(strip=True) if soup.title else ""
    text = _block_text(root)
    lines = [line.strip() for line in text.splitlines()]
    body = "\n".join(lines)
    body = _BLANK_RUN.sub("\n\n", body).strip()
    if title and not body.startswith(title):
        body = f"{title}\n\n{body}"
    if not body:
        raise ReadError(path, "HTML has no article text")
    return body


_END = object()
_BLANK_RUN = re.compile(r"\n{3,}")


def _block_text(root: Tag) -> str:
    """``root.get_text()`` with a blank line around each block element.

    Iterative, and linear in the tree: inserting separators into the tree with
    ``insert_before``/``insert_after`` walks each block's subtree and is quadratic on deeply
    nested markup (20,000 nested ``<div>``: 30 s), and recursion would overflow."""
    parts: list[str] = []
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        if node is _END:
            parts.append("\n\n")
        elif isinstance(node, Tag):
            if node is not root and node.name in _BLOCKS:
                parts.append("\n\n")
                stack.append(_END)
            stack.extend(reversed(node.contents))
        elif type(node) in (NavigableString, CData):
            parts.append(str(node))
    return "".join(parts)
