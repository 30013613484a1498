import codecs
import json

import pytest

from pipeline.config import ReadSettings
from pipeline.errors import ReadError
from pipeline.ingest import ReadFailure, iter_raw_documents
from pipeline.ingest.encoding import decode_bytes

ARTICLE = "美国推动友岸外包，中美经贸关系面临脱钩风险。两国经济仍然相互依存。"


def read_all(paths, **settings):
    return list(iter_raw_documents([str(p) for p in paths], ReadSettings(**settings)))


@pytest.mark.parametrize(
    "encoding, prefix",
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gb18030", b""), ("gbk", b""), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)],
)
def test_decodes_common_chinese_encodings(encoding, prefix):
    text = ARTICLE * 3
    decoded, _ = decode_bytes(prefix + text.encode(encoding), "a.txt")
    assert decoded == text


def test_decodes_big5_traditional():
    text = "美國推動與中國脫鉤，但兩國經濟仍然相互依存，貿易往來沒有中斷。" * 3
    decoded, encoding = decode_bytes(text.encode("big5"), "a.txt")
    assert decoded == text
    assert "big5" in encoding.lower() or "cp950" in encoding.lower()


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty file"),
        (b"   \n\t  \n", "whitespace only"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "PNG image"),
        (b"PK\x03\x04" + b"\x00" * 40, "ZIP archive"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 40, "ELF executable"),
    ],
)
def test_refuses_what_is_not_text(data, reason):
    with pytest.raises(ReadError, match=reason):
        decode_bytes(data, "bad.txt")


def test_error_names_the_file(write):
    path = write("scan.pdf", b"%PDF-1.4\n%%EOF")
    (failure,) = read_all([path])
    assert isinstance(failure, ReadFailure)
    assert failure.path == str(path)
    assert "PDF" in failure.reason


def test_directory_is_read_recursively_and_skips_other_suffixes(write, tmp_path):
    write("a/one.txt", ARTICLE)
    write("a/b/two.md", "# 标题\n\n" + ARTICLE)
    write("a/b/image.png", b"\x89PNG\r\n\x1a\n")
    docs = read_all([tmp_path / "a"])
    assert [d.doc for d in docs] == ["two.md", "one.txt"] or [d.doc for d in docs] == ["one.txt", "two.md"]
    assert {d.fmt for d in docs} == {"text", "markdown"}


def test_glob(write, tmp_path):
    write("x1.txt", ARTICLE)
    write("x2.txt", ARTICLE + "另一篇。")
    docs = read_all([str(tmp_path / "x*.txt")])
    assert sorted(d.doc for d in docs) == ["x1.txt", "x2.txt"]


def test_missing_path_and_empty_glob_are_failures(tmp_path):
    items = read_all([tmp_path / "nope.txt", str(tmp_path / "none*.txt")])
    assert [type(i) for i in items] == [ReadFailure, ReadFailure]
    assert "no such file" in items[0].reason
    assert "matched no files" in items[1].reason


def test_jsonl_records_broken_lines_and_missing_fields(write):
    lines = [
        json.dumps({"title": "一", "content": ARTICLE, "year": "2020"}, ensure_ascii=False),
        "{not json",
        json.dumps({"title": "三"}, ensure_ascii=False),
        json.dumps({"content": 42}),
        "",
        json.dumps({"body": ARTICLE}, ensure_ascii=False),
    ]
    path = write("corpus.jsonl", "\n".join(lines) + "\n")
    items = read_all([path])
    assert items[0].doc == "corpus.jsonl#1"
    assert items[0].metadata == {"title": "一", "year": "2020"}
    failures = {i.doc: i.reason for i in items if isinstance(i, ReadFailure)}
    assert "line 2: invalid JSON" in failures["corpus.jsonl#2"]
    assert "no 'content' field" in failures["corpus.jsonl#3"]
    assert "is a JSON int, expected a string" in failures["corpus.jsonl#4"]
    assert "corpus.jsonl#6" in failures
    (with_body,) = [i for i in read_all([path], text_field="body") if not isinstance(i, ReadFailure)]
    assert with_body.doc == "corpus.jsonl#6"


def test_html_keeps_article_text_not_scripts_or_navigation(write):
    html = (
        "<html><head><title>标题</title><script>var x='脚本';</script></head><body>"
        "<nav>首页 | 关于</nav><article><h1>标题</h1><p>第一段。</p><p>第二段<sup>1</sup>。</p></article>"
        "<footer>版权</footer></body></html>"
    )
    (doc,) = read_all([write("page.html", html)])
    assert "第一段。" in doc.raw_text and "第二段<sup>1</sup>。" in doc.raw_text
    assert "脚本" not in doc.raw_text and "首页" not in doc.raw_text and "版权" not in doc.raw_text


def test_pdf_with_text_layer_is_read(tmp_path):
    reportlab = pytest.importorskip("reportlab")  # noqa: F841
    from reportlab.pdfgen import canvas

    path = tmp_path / "doc.pdf"
    c = canvas.Canvas(str(path))
    c.drawString(72, 720, "Decoupling and de-risking in US-China trade.")
    c.save()
    (doc,) = read_all([path])
    assert "Decoupling" in doc.raw_text


def test_pdf_without_text_layer_is_an_error(tmp_path):
    pytest.importorskip("reportlab")
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path))
    c.rect(72, 72, 200, 200, fill=1)
    c.save()
    (failure,) = read_all([path])
    assert isinstance(failure, ReadFailure)
    assert "no text layer" in failure.reason


def test_symlink_out_of_the_folder_is_not_followed(write, tmp_path):
    secret = write("outside/secret.txt", ARTICLE)
    folder = tmp_path / "scraped"
    folder.mkdir()
    (folder / "link.txt").symlink_to(secret)
    write("scraped/inner/real.txt", ARTICLE + "。")
    (folder / "inner_link.txt").symlink_to(folder / "inner" / "real.txt")
    items = read_all([folder])
    failures = [i for i in items if isinstance(i, ReadFailure)]
    assert len(failures) == 1 and "outside the folder being read" in failures[0].reason
    assert sorted(d.doc for d in items if not isinstance(d, ReadFailure)) == ["real.txt"]  # the inner link is the same file
    (named,) = read_all([folder / "link.txt"])  # named on the command line: read
    assert named.raw_text == ARTICLE


# -- encodings decided on the whole file (or a sample ending on a character boundary) -------------

from pipeline.ingest.encoding import SAMPLE_BYTES  # noqa: E402

SIMPLIFIED = "中国坚持扩大对外开放，推动建设开放型世界经济。美国推动友岸外包，供应链安全受到关注。\n"
TRADITIONAL = "中國堅持擴大對外開放，推動建設開放型世界經濟。美國推動友岸外包，供應鏈安全受到關注。\n"


def _straddling(encoding: str, line: str) -> bytes:
    """Over SAMPLE_BYTES of text whose byte SAMPLE_BYTES falls inside a multi-byte character."""
    data = (line * (SAMPLE_BYTES // len(line.encode(encoding)) + 200)).encode(encoding)
    for pad in range(4):
        candidate = b"a" * pad + data
        try:
            candidate[:SAMPLE_BYTES].decode(encoding)
        except UnicodeDecodeError:
            return candidate
    raise AssertionError("could not place a character across the sample boundary")


@pytest.mark.parametrize("encoding, line", [("gbk", SIMPLIFIED), ("gb18030", SIMPLIFIED.replace("中国", "中国𠮷")), ("big5", TRADITIONAL)])
def test_large_file_whose_sample_cuts_a_character_is_decoded(encoding, line):
    data = _straddling(encoding, line)
    text, _ = decode_bytes(data, "big.txt")
    assert text == data.decode(encoding)


def test_a_file_that_changes_encoding_after_the_sample_is_refused():
    head = (SIMPLIFIED * (SAMPLE_BYTES // len(SIMPLIFIED.encode("gbk")) + 100)).encode("gbk")
    with pytest.raises(ReadError, match=r"not decodable as one encoding: reads as gb18030 up to byte [\d,]+.*mixed encodings"):
        decode_bytes(head + (SIMPLIFIED * 20).encode("utf-8"), "mixed.txt")


def test_gb18030_four_byte_characters_are_accepted():
    text = "𠮷𠀀𪚥𠀁" * 5 + SIMPLIFIED.replace("世界", "世界𠮷")
    decoded, encoding = decode_bytes(text.encode("gb18030"), "extb.txt")
    assert decoded == text and encoding == "gb18030"


def test_a_gb18030_file_cut_inside_its_last_character_keeps_the_rest():
    text = SIMPLIFIED * 3 + "终"
    decoded, encoding = decode_bytes(text.encode("gb18030")[:-1], "cut.txt")
    assert decoded == text[:-1] and encoding == "gb18030+truncated"
