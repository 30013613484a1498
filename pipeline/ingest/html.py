"""HTML -> the article's text, without scripts, styles and navigation."""

from __future__ import annotations

from bs4 import BeautifulSoup

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
        tag.decompose()
    for sup in soup.find_all("sup"):
        sup.replace_with(f"<sup>{sup.get_text(strip=True)}</sup>")
    root = soup.find("article") or soup.find("main") or soup.body or soup
    title = soup.title.get_text(strip=True) if soup.title else ""
    for block in root.find_all(_BLOCKS):
        block.insert_before("\n\n")
        block.insert_after("\n\n")
    text = root.get_text()
    lines = [line.strip() for line in text.splitlines()]
    body = "\n".join(lines)
    while "\n\n\n" in body:
        body = body.replace("\n\n\n", "\n\n")
    body = body.strip()
    if title and not body.startswith(title):
        body = f"{title}\n\n{body}"
    if not body:
        raise ReadError(path, "HTML has no article text")
    return body
