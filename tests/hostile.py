"""A corpus of bad and strange input files, each with the outcome the ingester must give.

``write_corpus(root)`` writes the files under ``root`` and returns one ``Expect`` per item:
a file, or one record of a JSON Lines file (key ``name#N``). Outcomes:

- ``ingested``: stored; ``text`` (when given) must equal the stored raw text exactly,
  ``contains`` must occur in it;
- ``failed``: reported with the file's path and a reason containing ``reason``;
- ``duplicate``: recorded as the same text as another document (``group`` names the set;
  exactly one member of a group is ingested, the others are duplicates);
- ``skipped``: deliberately not read (a symlink back up the tree, the same file reached
  through a second symlink).

Run ``python tests/hostile.py DIR`` to write the corpus for a manual ``policytext ingest DIR``.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import random
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

SEED = 8

# A short policy-commentary paragraph; every file gets its own numbered variant so that no
# two files are accidental duplicates of each other.
BASE = (
    "美国推动“友岸外包”，中美经贸关系面临脱钩风险。"
    "两国经济仍然相互依存，全面脱钩难以实现。"
    "出口管制与加征关税并未改变双边贸易的基本格局。"
)
BASE_TRAD = (
    "美國推動「友岸外包」，中美經貿關係面臨脫鉤風險。"
    "兩國經濟仍然相互依存，全面脫鉤難以實現。"
    "出口管制與加徵關稅並未改變雙邊貿易的基本格局。"
)


def article(i: int, paragraphs: int = 3, base: str = BASE) -> str:
    """A distinct article: a numbered title and ``paragraphs`` paragraphs."""
    head = f"第{i}号评论：中美经贸关系的走向" if base is BASE else f"第{i}號評論：中美經貿關係的走向"
    body = "\n\n".join(f"{base}（{i}-{p}）" for p in range(paragraphs))
    return f"{head}\n\n{body}\n"


@dataclass(frozen=True)
class Expect:
    key: str  # path relative to the corpus root, plus "#N" for a JSON Lines record
    outcome: str  # ingested | failed | duplicate | skipped
    reason: str = ""  # failed: a substring of the reason
    text: str | None = None  # ingested: the exact raw text
    contains: str | None = None  # ingested: a substring of the raw text
    group: str = ""  # duplicate sets: one of the group is ingested, the others duplicates
    what: str = ""  # a short description for the failure message


class _Writer:
    def __init__(self, root: Path, *, large: bool):
        self.root = root
        self.large = large
        self.expects: list[Expect] = []
        self.files = 0
        self.n = 1000  # article numbers
        self.rng = random.Random(SEED)

    def next_article(self, paragraphs: int = 3, base: str = BASE) -> str:
        self.n += 1
        return article(self.n, paragraphs, base)

    def put(self, name: str | bytes, data: bytes, *expects: Expect) -> None:
        path = os.path.join(os.fsencode(self.root), name if isinstance(name, bytes) else name.encode())
        with open(path, "wb") as handle:
            handle.write(data)
        self.files += 1
        self.expects.extend(expects)

    def file(self, name: str, data: bytes, outcome: str, **kw) -> None:
        self.put(name, data, Expect(name, outcome, **kw))


def write_corpus(root: str | os.PathLike, *, large: bool = False) -> tuple[list[Expect], int]:
    """Write the hostile corpus into ``root`` (created). Returns (expectations, files written).

    ``large`` adds the 50 MB single line and the 10 MB JSON Lines record."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    w = _Writer(root, large=large)
    _empty_and_blank(w)
    _binary(w)
    _encodings(w)
    _truncated_and_mixed(w)
    _nul_bytes(w)
    _sizes(w)
    _html(w)
    _pdf(w)
    _jsonl(w)
    _names(w)
    _links_and_special(w)
    _duplicates(w)
    _notes_and_scripts(w)
    _odd_text(w)
    return w.expects, w.files


def _empty_and_blank(w: _Writer) -> None:
    for suffix in (".txt", ".md", ".html", ".htm", ".text", ".markdown"):
        w.file(f"empty{suffix}", b"", "failed", reason="empty file", what="empty")
    w.file("empty.pdf", b"", "failed", reason="PDF", what="empty pdf")
    blanks = {
        "spaces": b"     ", "newlines": b"\n\n\n\n", "tabs": b"\t \t\n", "crlf": b"\r\n\r\n  \r\n",
        "fullwidth-space": "\u3000\u3000\n\u3000".encode(), "nbsp": "\u00a0 \u00a0".encode(),
        "bom-only": codecs.BOM_UTF8, "bom-and-spaces": codecs.BOM_UTF8 + b"  \n ",
        "utf16-spaces": codecs.BOM_UTF16_LE + " \n \n".encode("utf-16-le"),
        "formfeeds": b"\f\f\n\f", "vertical-tab": b"\x0b\x0b \n",
    }
    for label, data in blanks.items():
        w.file(f"blank-{label}.txt", data, "failed", reason="whitespace only", what=label)


def _binary(w: _Writer) -> None:
    rng = w.rng
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(200))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document>" + BASE + "</w:document>")
    elf = b"\x7fELF\x02\x01\x01\x00" + bytes(rng.randrange(256) for _ in range(300))
    kinds = {
        "png": (png, "PNG image"), "zip": (buf.getvalue(), "ZIP archive"), "elf": (elf, "ELF executable"),
        "jpeg": (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(100), "JPEG image"),
        "gif": (b"GIF89a" + bytes(rng.randrange(256) for _ in range(100)), "GIF image"),
        "gzip": (b"\x1f\x8b\x08\x00" + bytes(rng.randrange(256) for _ in range(100)), "gzip archive"),
        "exe": (b"MZ\x90\x00" + bytes(rng.randrange(256) for _ in range(100)), "Windows executable"),
        "sqlite": (b"SQLite format 3\x00" + bytes(200), "SQLite database"),
        "pdf-as-txt": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF", "PDF document"),
    }
    for label, (data, reason) in kinds.items():
        for suffix in (".txt", ".md", ".html"):
            w.file(f"binary-{label}{suffix}", data, "failed", reason=reason, what=f"{label} as {suffix}")
    for n in (64, 1000, 20000):
        noise = bytes(rng.randrange(256) for _ in range(n))
        w.file(f"binary-noise-{n}.txt", noise, "failed", reason="not decodable", what=f"{n} random bytes")
    w.file("binary-all-nul.txt", b"\x00" * 4096, "failed", reason="NUL bytes", what="all NUL")


def _encodings(w: _Writer) -> None:
    """Every encoding at four sizes; the decoded text must equal the original exactly."""
    cases = [
        ("gbk", b"", BASE), ("gb18030", b"", BASE), ("big5", b"", BASE_TRAD),
        ("utf-16-le", b"", BASE), ("utf-16-be", b"", BASE),
        ("utf-16-le", codecs.BOM_UTF16_LE, BASE), ("utf-16-be", codecs.BOM_UTF16_BE, BASE),
        ("utf-8", codecs.BOM_UTF8, BASE), ("utf-32-le", codecs.BOM_UTF32_LE, BASE),
    ]
    for encoding, bom, base in cases:
        label = f"{encoding}{'-bom' if bom else ''}"
        for size, paragraphs in (("line", 0), ("short", 1), ("medium", 3), ("long", 60)):
            w.n += 1
            if paragraphs == 0:
                text = f"第{w.n}{'號' if base is BASE_TRAD else '号'}：{base[:24]}"  # one short sentence, ~28 characters
            else:
                text = article(w.n, paragraphs, base)
            if encoding == "gb18030":
                text = text.replace("关税", "关税𠮷€")  # characters GBK cannot hold
            w.file(f"enc-{label}-{size}.txt", bom + text.encode(encoding), "ingested", text=text, what=label)
    # The same encodings behind an HTML suffix: the article text must come through.
    for encoding in ("gbk", "big5", "utf-16-le"):
        base = BASE_TRAD if encoding == "big5" else BASE
        body = f"<html><head><meta charset='{encoding}'></head><body><p>{base}{w.n}</p></body></html>"
        w.n += 1
        w.file(f"enc-{encoding}.html", body.encode(encoding), "ingested", contains=base[:20], what=f"{encoding} html")


def _truncated_and_mixed(w: _Writer) -> None:
    for cut in (1, 2):  # stop 1 or 2 bytes into the last 3-byte character
        for paragraphs in (1, 4, 30):
            text = w.next_article(paragraphs).rstrip("\n") + "终"
            data = text.encode()[: -3 + cut]
            w.file(f"truncated-utf8-{cut}-{paragraphs}.txt", data, "ingested", text=text[:-1], what="truncated mid-character")
    a, b = w.next_article(2), w.next_article(2)
    mixes = {
        "utf8-then-gbk": a.encode() + b.encode("gbk"),
        "gbk-then-utf8": a.encode("gbk") + b.encode(),
        "utf8-then-big5": a.encode() + BASE_TRAD.encode("big5"),
        "utf8-then-utf16": a.encode() + b.encode("utf-16-le"),
        "gbk-with-one-utf8-line": a.encode("gbk") + "第二段。".encode() + b.encode("gbk"),
    }
    for label, data in mixes.items():
        w.file(f"mixed-{label}.txt", data, "failed", reason="not decodable", what=label)
    # A stray invalid byte in the middle of UTF-8
    text = w.next_article(3)
    data = text.encode()
    data = data[:40] + b"\xff" + data[40:]
    w.file("utf8-stray-byte.txt", data, "failed", reason="not decodable", what="stray 0xff")


def _nul_bytes(w: _Writer) -> None:
    for count in (1, 5, 20):
        text = w.next_article(3)
        step = len(text) // (count + 1)
        with_nul = "\x00".join(text[i : i + step] for i in range(0, len(text), step))
        w.file(f"nul-{count}.txt", with_nul.encode(), "ingested", text=text, what=f"{count} NULs")
    text = w.next_article(1)
    w.file("nul-heavy.txt", "\x00\x00".join(text).encode(), "failed", reason="NUL bytes", what="NUL between every char")
    utf16 = w.next_article(2)
    w.file("nul-is-utf16.txt", utf16.encode("utf-16-le"), "ingested", text=utf16, what="UTF-16 looks like NULs")


def _sizes(w: _Writer) -> None:
    one_mb = (BASE * 4000)[:350_000]  # ~1 MB of UTF-8 on one line, no newline
    w.file("one-line-1mb.txt", one_mb.encode(), "ingested", text=one_mb, what="1 MB single line")
    lines = "\n".join(f"行{i}" for i in range(100_000)) + "\n"
    w.file("tiny-lines-100k.txt", lines.encode(), "ingested", text=lines, what="100,000 tiny lines")
    lines = "\n".join("。" if i % 2 else "" for i in range(20_000))
    w.file("punct-lines.txt", lines.encode(), "ingested", text=lines, what="lines of only 。")
    if w.large:
        big = (BASE * 200_000)[:17_000_000]  # ~50 MB of UTF-8 on one line
        w.file("one-line-50mb.txt", big.encode(), "ingested", contains=BASE[:20], what="50 MB single line")


def _html(w: _Writer) -> None:
    for depth in (100, 1_000, 10_000, 50_000):
        text = f"深层嵌套的正文{depth}。{BASE}"
        html = "<html><body>" + "<div>" * depth + f"<p>{text}</p>" + "</div>" * depth + "</body></html>"
        w.file(f"nested-div-{depth}.html", html.encode(), "ingested", contains=text, what=f"{depth} nested divs")
    for depth in (1_000, 20_000):
        text = f"未闭合标签{depth}。{BASE}"
        html = "<html><body>" + "<span><b>" * depth + text
        w.file(f"unclosed-{depth}.html", html.encode(), "ingested", contains=text, what="unclosed tags")
    text = f"表格嵌套。{BASE}"
    w.file("nested-tables.html", ("<table><tr><td>" * 2000 + text + "</td></tr></table>" * 2000).encode(), "ingested", contains=text)
    w.file("script-only.html", b"<html><head><script>alert(1)</script></head><body><script>var a;</script></body></html>", "failed", reason="no article text")
    w.file("nav-only.html", "<html><body><nav>首页 | 关于</nav><footer>版权</footer></body></html>".encode(), "failed", reason="no article text")
    w.file("not-html.html", w.next_article(2).encode(), "ingested", contains="中美经贸关系", what="plain text with .html")
    w.file("broken-entities.html", f"<p>{BASE}&amp&lt;&#99999999;&#xD800;&bogus;</p>".encode(), "ingested", contains=BASE[:15])
    w.file("comment-bomb.html", ("<!--" * 5000 + f"<p>{BASE}注释</p>").encode(), "failed", reason="no article text", what="unterminated comments")
    text = f"带脚本的文章。{BASE}"
    w.file("article-with-script.html", f"<article><p>{text}</p><script>document.write('<p>注入</p>')</script><img src=x onerror=alert(1)></article>".encode(), "ingested", contains=text)


def _pdf(w: _Writer) -> None:
    try:
        from reportlab.pdfgen import canvas
    except ImportError:  # pragma: no cover - reportlab is a test dependency
        return
    for pages in (1, 3):
        buf = io.BytesIO()
        c = canvas.Canvas(buf)
        for _ in range(pages):
            c.rect(72, 72, 200, 200, fill=1)
            c.showPage()
        c.save()
        w.file(f"pdf-no-text-{pages}.pdf", buf.getvalue(), "failed", reason="no text layer", what="scanned PDF")
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, f"Decoupling and de-risking in US-China trade, number {w.n}.")
    c.save()
    good = buf.getvalue()
    w.file("pdf-good.pdf", good, "ingested", contains="Decoupling", what="PDF with text")
    w.file("pdf-header-only.pdf", b"%PDF-1.4\n%%EOF", "failed", reason="PDF")
    w.file("pdf-garbage.pdf", b"%PDF-1.7\n" + bytes(w.rng.randrange(256) for _ in range(4000)), "failed", reason="PDF")
    w.file("pdf-not-a-pdf.pdf", BASE.encode(), "failed", reason="PDF")
    w.file("pdf-truncated.pdf", good[: len(good) // 3], "failed", reason="PDF", what="first third of a PDF")


def _jsonl(w: _Writer) -> None:
    def rec(**fields) -> str:
        return json.dumps(fields, ensure_ascii=False)

    lines: list[tuple[str, tuple[str, dict]]] = []
    name = "records.jsonl"

    def add(line: str, outcome: str, **kw) -> None:
        lines.append((line, (outcome, kw)))

    add(rec(title="好", content=w.next_article(2)), "ingested")
    add("{not json", "failed", reason="invalid JSON")
    add('{"content": "未结束的字符串', "failed", reason="invalid JSON")
    add(rec(title="无正文"), "failed", reason="no 'content' field")
    add(rec(content=42), "failed", reason="is a JSON int, expected a string")
    add(rec(content=None), "failed", reason="is a JSON NoneType, expected a string")
    add(rec(content=["列表"]), "failed", reason="is a JSON list, expected a string")
    add(rec(content={"a": "b"}), "failed", reason="is a JSON dict, expected a string")
    add(rec(content=True), "failed", reason="is a JSON bool, expected a string")
    add(rec(content=""), "failed", reason="is empty")
    add(rec(content="   \n "), "failed", reason="is empty")
    add("[1, 2, 3]", "failed", reason="record is a JSON list")
    add('"just a string"', "failed", reason="record is a JSON str")
    add("12345", "failed", reason="record is a JSON int")
    add("null", "failed", reason="record is a JSON NoneType")
    add('{"content": "中美\\ud800关系。脱钩风险。"}', "failed", reason="unpaired surrogate")
    add('{"content": "正文。", "title": "坏\\udfff标题"}', "failed", reason="unpaired surrogate")
    text = w.next_article(1)
    add(json.dumps({"content": text.replace("美国", "美\u0000国")}, ensure_ascii=False), "ingested", text=text)
    add(rec(content=w.next_article(1) + "😀\U00020BB7"), "ingested", contains="😀")
    add(json.dumps({"content": w.next_article(1), "title": 123, "authors": [1, 2], "venue": {"x": 1}, "source": ["a"], "published": 2024.5, "year": "二〇二三"}, ensure_ascii=False), "ingested", contains="中美", what="non-string metadata")
    add(json.dumps({"content": w.next_article(1), "title": None, "authors": "张三", "published": "not a date", "congress": "x"}, ensure_ascii=False), "ingested", contains="中美", what="odd metadata")
    add("[" * 100_000 + "]" * 100_000, "failed", reason="nested too deeply", what="deeply nested JSON")
    add('{"content": ' + "[" * 100_000 + "]" * 100_000 + "}", "failed", reason="nested too deeply", what="deeply nested JSON field")
    add(rec(content=w.next_article(1), **{"": "empty key", "content ": "spaced"}), "ingested", contains="中美")
    body = "\n".join(line for line, _ in lines) + "\n"
    data = codecs.BOM_UTF8 + body.replace("\n", "\r\n", 3).encode("utf-8")
    w.files += 1
    (w.root / name).write_bytes(data)
    for number, (_, (outcome, kw)) in enumerate(lines, start=1):
        w.expects.append(Expect(f"{name}#{number}", outcome, **kw))

    # A record that is not UTF-8 ends the file with a failure; records before it are kept.
    good = rec(content=w.next_article(1))
    bad = json.dumps({"content": "中美关系"}, ensure_ascii=False).encode("gbk")
    w.put("bad-utf8.jsonl", (good + "\n").encode() + bad + b"\n" + (rec(content=w.next_article(1)) + "\n").encode(),
          Expect("bad-utf8.jsonl#1", "ingested"), Expect("bad-utf8.jsonl#2", "failed", reason="not UTF-8"))
    w.put("empty.jsonl", b"", Expect("empty.jsonl", "failed", reason="no records"))
    w.put("blank-lines.jsonl", b"\n\n  \n", Expect("blank-lines.jsonl", "failed", reason="no records"))
    w.put("empty-array.json", b"[]", Expect("empty-array.json", "failed", reason="no records"))
    w.put("broken-array.json", b'[{"content": "x"}, ', Expect("broken-array.json", "failed", reason="invalid JSON"))
    w.put("array.json", json.dumps([{"content": w.next_article(1)}, {"content": 5}]).encode(),
          Expect("array.json#1", "ingested"), Expect("array.json#2", "failed", reason="is a JSON int"))
    w.put("not-utf8.jsonl", json.dumps({"content": BASE}, ensure_ascii=False).encode("utf-16"),
          Expect("not-utf8.jsonl#1", "failed", reason="not UTF-8"))
    if w.large:
        big = (BASE * 80_000)[:3_500_000]  # ~10 MB of UTF-8 in one record
        w.put("big-record.jsonl", (rec(content=big) + "\n" + rec(content=w.next_article(1)) + "\n").encode(),
              Expect("big-record.jsonl#1", "ingested", text=big), Expect("big-record.jsonl#2", "ingested"))


def _names(w: _Writer) -> None:
    names = [
        "with spaces in name.txt", "中文文件名：中美关系.txt", "new\nline.txt", "tab\tname.txt",
        "-leading-dash.txt", "'); DROP TABLE documents; --.txt", "quote\"and'apostrophe.txt",
        "emoji-😀.txt", "e\u0301-nfd-accent.txt", "x" * 200 + ".txt", "UPPER.TXT", "dots...txt",
        "back\\slash.txt", "percent%s%d.txt", "ＦＵＬＬＷＩＤＴＨ.txt", "#hash#.txt", "trailing space .txt",
    ]
    for name in names:
        text = w.next_article(1)
        w.file(name, text.encode(), "ingested", text=text, what="odd file name")
    w.put(b"not-utf8-\xff\xfe-name.txt", w.next_article(1).encode(),
          Expect("not-utf8-\\xff\\xfe-name.txt", "failed", reason="file name is not valid UTF-8"))


def _links_and_special(w: _Writer) -> None:
    root = w.root
    os.symlink("loop-b.txt", root / "loop-a.txt")
    os.symlink("loop-a.txt", root / "loop-b.txt")
    os.symlink("self-loop.txt", root / "self-loop.txt")
    os.symlink("does-not-exist.txt", root / "dangling.txt")
    os.symlink("/nonexistent/dir/file.md", root / "dangling-abs.md")
    for name, reason in (("loop-a.txt", "cannot resolve path"), ("loop-b.txt", "cannot resolve path"),
                         ("self-loop.txt", "cannot resolve path"), ("dangling.txt", "cannot resolve path"),
                         ("dangling-abs.md", "cannot resolve path")):
        w.files += 1
        w.expects.append(Expect(name, "failed", reason=reason, what="unreadable link"))
    os.mkfifo(root / "fifo.txt")  # reading would block forever
    w.files += 1
    w.expects.append(Expect("fifo.txt", "failed", reason="not a regular file", what="FIFO"))
    sub = root / "sub"
    sub.mkdir()
    os.symlink("..", sub / "up")  # a directory loop: walked once
    text = w.next_article(2)
    (sub / "inner.txt").write_text(text, encoding="utf-8")
    os.symlink("inner.txt", sub / "z-alias.txt")  # the same file again, later in the walk: read once
    w.files += 3
    w.expects += [Expect("sub/inner.txt", "ingested", text=text), Expect("sub/z-alias.txt", "skipped"), Expect("sub/up", "skipped")]
    d = root / "dir-named.txt"  # a directory with a text suffix
    d.mkdir()
    text = w.next_article(1)
    (d / "in-dir.md").write_text(text, encoding="utf-8")
    w.files += 1
    w.expects.append(Expect("dir-named.txt/in-dir.md", "ingested", text=text))


def _duplicates(w: _Writer) -> None:
    text = w.next_article(3)
    w.file("dup-a.txt", text.encode(), "duplicate", group="dup1")
    w.file("dup-b copy.txt", text.encode(), "duplicate", group="dup1")
    w.file("dup-c.md", text.encode(), "duplicate", group="dup1")
    text = w.next_article(3)
    w.file("dup-utf8.txt", text.encode(), "duplicate", group="dup2")
    w.file("dup-gbk.txt", text.encode("gbk"), "duplicate", group="dup2", what="same text, other encoding")
    w.file("dup-utf16.txt", codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "duplicate", group="dup2")
    w.put("dup-records.jsonl", (json.dumps({"content": text}, ensure_ascii=False) + "\n").encode(),
          Expect("dup-records.jsonl#1", "duplicate", group="dup2"))


def _notes_and_scripts(w: _Writer) -> None:
    trad = w.next_article(4, BASE_TRAD)
    w.file("traditional.txt", trad.encode(), "ingested", text=trad, what="Traditional characters")
    w.file("traditional-big5.txt", w.next_article(4, BASE_TRAD).encode("big5"), "ingested", contains="脫鉤")
    notes = "\n".join(f"{chr(0x2460 + i)} 张三：《中美经贸关系研究》，载《国际经济评论》，20{10 + i}年第{i + 1}期，第1-16页。" for i in range(15))
    w.file("all-footnotes.txt", notes.encode(), "ingested", text=notes, what="only footnotes")
    refs = "参考文献\n" + "\n".join(f"[{i}] Author {i}. Title {i}[J]. Journal, 20{10 + i}(1): 1-9." for i in range(1, 30))
    w.file("all-references.txt", refs.encode(), "ingested", text=refs)
    text = "美国推动友岸外包①，中美经贸关系面临脱钩风险②。两国经济仍然相互依存[3]，全面脱钩难以实现[4-6]。\n"
    w.file("markers-no-notes.txt", text.encode(), "ingested", text=text, what="markers, no notes")
    text = "正文①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳㉑㉒。" * 50
    w.file("marker-storm.txt", text.encode(), "ingested", text=text)
    md = "# 标题\n\n正文[^1]与正文[^2]。\n\n[^1]: 第一条注释\n[^3]: 孤立的注释\n"
    w.file("md-footnotes.md", md.encode(), "ingested", text=md)
    w.file("sup-only.md", ("<sup>1</sup>" * 500).encode(), "ingested", contains="<sup>", what="only superscript markers")


def _odd_text(w: _Writer) -> None:
    samples = {
        "control-chars": "".join(chr(c) for c in range(1, 32) if c not in (9, 10, 13)) + BASE,
        "bidi-override": "\u202e" + BASE + "\u202c\u2066x\u2069",
        "zero-width": "\u200b\u200c\u200d\ufeff".join(BASE[:30]),
        "zalgo": "中" + "\u0301" * 5000 + "美。" + BASE,
        "private-use": "\ue000\uf8ff" * 100 + BASE,
        "kangxi-radicals": "⼤⼒推进⾼⽔平对外开放。" + BASE,
        "fullwidth-digits": "２０２４年１２月，" + BASE,
        "no-punctuation": "中美经贸关系" * 20_000,
        "only-punctuation": "。，；！？…—" * 2_000,
        "cr-only": BASE.replace("。", "。\r"),
        "crlf": BASE.replace("。", "。\r\n"),
        "page-breaks": "\f".join([BASE] * 20),
        "latin1-safe-ascii": "Decoupling and de-risking: an English paragraph. " * 20,
        "astral-han": "𠮷𡈽𤭢𨳒𩶘" * 50 + BASE,
        "noncharacters": "\ufffe\uffff\U0001fffe" + BASE,
        "replacement-chars": "\ufffd" * 100 + BASE,
        "markdown-bomb": "*" * 20_000 + "_" * 20_000 + "[" * 5_000 + "](" * 5_000 + BASE,
        "html-in-txt": "<sup>" * 3000 + BASE + "</sup>" * 3000,
        "long-word": "a" * 200_000,
        "one-char": "中",
        "one-digit": "1",
        "one-marker": "①",
        "sentence-end-storm": "。" * 100_000,
    }
    for label, text in samples.items():
        w.n += 1
        text = f"{text}"
        w.file(f"odd-{label}.txt", text.encode(), "ingested", text=text, what=label)


# -- checks on a store, shared by test_hostile and test_crash ------------------------------------


def integrity_problems(db: str | os.PathLike) -> list[str]:
    """Problems: duplicated keys, orphan child rows, documents missing their sentences."""
    from pipeline.store import CHILD_TABLES, Store

    problems = []
    with Store.open(db, read_only=True) as store:
        q = store.query
        if q("SELECT count(*) - count(DISTINCT doc_id) AS n FROM documents")[0]["n"]:
            problems.append("documents: duplicated doc_id")
        if q("SELECT count(*) - count(DISTINCT path) AS n FROM documents")[0]["n"]:
            problems.append("documents: duplicated path")
        for table in CHILD_TABLES:
            orphans = q(f'SELECT count(*) AS n FROM "{table}" WHERE doc_id NOT IN (SELECT doc_id FROM documents)')[0]["n"]
            if orphans:
                problems.append(f"{table}: {orphans} orphan rows")
        for table, key in (("sentences", "idx"), ("sections", "idx"), ("notes", "idx")):
            dup = q(f'SELECT count(*) - count(DISTINCT (doc_id, {key})) AS n FROM "{table}"')[0]["n"]
            if dup:
                problems.append(f"{table}: {dup} duplicated (doc_id, {key})")
        half = q(
            "SELECT d.doc, d.n_sentences, count(s.idx) AS n FROM documents d LEFT JOIN sentences s USING (doc_id) "
            "GROUP BY d.doc, d.n_sentences HAVING d.n_sentences <> count(s.idx)"
        )
        problems += [f"{r['doc']}: n_sentences {r['n_sentences']} but {r['n']} sentence rows" for r in half]
        both = q("SELECT path FROM duplicates WHERE path IN (SELECT path FROM documents)")
        problems += [f"{r['path']}: both a document and a duplicate" for r in both]
    return problems


def store_fingerprint(db: str | os.PathLike) -> dict:
    """What a store holds, without timestamps: documents, duplicates and per-table row
    counts per document. Two runs over the same input must give equal fingerprints."""
    from pipeline.store import CHILD_TABLES, Store

    with Store.open(db, read_only=True) as store:
        q = store.query
        docs = sorted((r["doc"], r["path"], r["doc_id"], r["n_sentences"], r["n_chars"]) for r in q("SELECT doc, path, doc_id, n_sentences, n_chars FROM documents"))
        dups = sorted((r["path"], r["doc_id"]) for r in q("SELECT path, doc_id FROM duplicates"))
        rows = {
            table: sorted((r["doc_id"], r["n"]) for r in q(f'SELECT doc_id, count(*) AS n FROM "{table}" GROUP BY doc_id'))
            for table in CHILD_TABLES
        }
    return {"documents": docs, "duplicates": dups, "rows": rows}


if __name__ == "__main__":
    expects, files = write_corpus(sys.argv[1], large="--large" in sys.argv)
    print(f"{files} files, {len(expects)} expected outcomes in {sys.argv[1]}")
