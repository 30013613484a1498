"""The PDF reader on small PDFs made here with reportlab (its built-in CID font STSong-Light):
running headers and page numbers, footnote zones with per-page numbering and a note run on
to the next page, two columns, letter spacing, a scanned page, encryption, a broken text
layer. The text is written for these tests."""

from __future__ import annotations

import pytest

pytest.importorskip("reportlab")
pytest.importorskip("pypdfium2")

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from pipeline.citations import extract_citations
from pipeline.clean import clean_text
from pipeline.errors import ReadError
from pipeline.ingest import ocr as ocr_module
from pipeline.ingest.pdf import read_pdf
from pipeline.textview import squash

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
WIDTH, HEIGHT = A4
LEFT, RIGHT = 72.0, 522.0
BODY, NOTE = 12.0, 9.0

PARAS = [
    ("沿海港口的冷链仓储在过去三年里扩张得很快，新建库容大多集中在东部的几个枢纽城市。"
    "仓储企业普遍反映电价上涨压缩了利润空间①。与此同时，内陆的中转站点仍然缺少专业的冷藏车辆，"
    "生鲜产品在转运环节的损耗率居高不下。地方政府尝试用补贴引导企业更新设备，但补贴的申请流程相当繁琐。"),
    ("一些研究者认为，冷链网络的短板并不在硬件，而在于信息系统彼此割裂②。各家企业的温控数据互不相通，"
    "监管部门很难追溯一批货物在途中的状况。建立统一的数据接口需要行业协会出面协调，也需要明确数据归属的规则。"
    "试点城市的经验表明，先从大型批发市场入手推广，阻力要小得多。"),
    ("从长远看，冷链物流的布局还要与农业产区的结构调整相衔接。产区的分散经营使得预冷设施的利用率偏低，"
    "合作社联合建设的做法值得推广③。如果产地预冷能够普及，远距离运输的损耗将明显下降，农户的收入也会随之增加。"
    "这一判断仍需要更多的实地调查来检验。"),
]
NOTES = {
    "①": "①王明：《冷库电价与仓储成本》，载《物流经济》，2021年第4期，第12-19页。",
    "②": ("②李华：《冷链信息系统的互联互通问题》，载《交通与数据》，2022年第2期，第33-41页。这一问题在中小企业中尤其突出，"
         "许多企业至今仍以纸质单据记录温度，数据无法汇总到统一平台，也难以向监管部门实时报送。"),
    "③": "③赵强：《产地预冷设施的合作建设模式》，载《农业工程》，2023年第1期，第5-11页。",
}
SENTENCES = [s + "。" for p in PARAS for s in p.replace("①", "").replace("②", "").replace("③", "").split("。") if s]


def _wrap(text: str, chars: int) -> list[tuple[bool, str]]:
    """Lines of a paragraph: the first indented by two characters."""
    lines, first = [], True
    while text:
        n = chars - 2 if first else chars
        lines.append((first, text[:n]))
        text, first = text[n:], False
    return lines


def _draw(c, x: float, y: float, size: float, text: str, charspace: float = 0.0) -> None:
    t = c.beginText(x, y)
    t.setFont(FONT, size)
    t.setCharSpace(charspace)
    t.textOut(text)
    c.drawText(t)


def make_article(path, *, columns: int = 1, charspace: float = 0.0, encrypt=None) -> None:
    """Three pages: header and page number on each, the paragraphs flowing over pages (and
    columns), each note at the foot of the page its marker is on, in a smaller size; the
    long note ② runs on to the next page (its rest printed first there, without a number)."""
    gutter = 18.0
    col_w = (RIGHT - LEFT - gutter * (columns - 1)) / columns
    step = BODY + charspace
    chars = int(col_w // step)
    body_lines = []
    for p in PARAS:
        body_lines += _wrap(p, chars)
    per_col = -(-len(body_lines) // (3 * columns))
    per_page = per_col * columns
    pages = [body_lines[i:i + per_page] for i in range(0, len(body_lines), per_page)]
    assert len(pages) == 3, len(pages)
    on_page = {m: n for n, lines in enumerate(pages, start=1) for m in "①②③" if any(m in t for _, t in lines)}
    assert on_page["②"] < 3
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    for n, lines in enumerate(pages, start=1):
        _draw(c, LEFT, HEIGHT - 50, 9, f"港航物流评论 2025年第1期 · {n} ·" if n % 2 else f"· {n} · 港航物流评论 2025年第1期")
        for k, (indent, text) in enumerate(lines):
            col, row = divmod(k, per_col)
            x = LEFT + col * (col_w + gutter) + (2 * step if indent else 0)
            _draw(c, x, HEIGHT - 90 - row * 22, BODY, text, charspace)
        y = 200.0
        note_lines = [_NOTE2[96:]] if n == on_page["②"] + 1 else []
        for m in "①②③":
            if on_page[m] == n:
                note = NOTES[m]
                cut = [note[i:i + 48] for i in range(0, len(note), 48)]
                note_lines += cut[:2] if m == "②" else cut
        for line in note_lines:
            _draw(c, LEFT, y, NOTE, line)
            y -= 13
        _draw(c, WIDTH / 2 - 15, 40, 9, f"— {n} —")
        c.showPage()
    c.save()


_NOTE2 = NOTES["②"]


def _clean(path, **kwargs):
    read = read_pdf(path, **kwargs)
    return read, clean_text(read.raw_text, zones=read.zones)


def _check_article(cleaned):
    body = {squash(s.text) for s in cleaned.sentences if s.section == "body"}
    missing = [s for s in SENTENCES if squash(s) not in body]
    assert not missing
    everything = "".join(s.text for s in cleaned.sentences)
    assert "港航物流评论" not in everything and "—" not in everything  # header and page numbers dropped


def test_single_column_pages_headers_and_footnotes(tmp_path):
    path = tmp_path / "a.pdf"
    make_article(path)
    read, cleaned = _clean(path, ocr="never")
    assert [p.number for p in read.pages] == [1, 2, 3]
    assert read.raw_text.count("\f") == 2  # page boundaries in the stored raw text
    _check_article(cleaned)
    notes = {n.marker: n for n in cleaned.notes}
    assert set(notes) == {"①", "②", "③"}
    assert squash(notes["②"].text) == squash(_NOTE2[1:])  # joined over the page break
    assert notes["①"].page == 1 and notes["③"].page == 3 and notes["②"].page in (1, 2)
    cites = extract_citations("a.pdf", cleaned.sentences, cleaned.markers, cleaned.notes)
    linked = {c.marker: c.note for c in cites}
    assert all(squash(linked[m]) == squash(NOTES[m][1:]) for m in "①②③")
    # offsets point into the raw text
    for s in cleaned.sentences:
        assert squash(read.raw_text[s.start:s.end]).startswith(squash(s.text)[:4])


def test_two_columns_read_left_column_first(tmp_path):
    path = tmp_path / "b.pdf"
    make_article(path, columns=2)
    read, cleaned = _clean(path, ocr="never")
    assert any(l.column == 2 for p in read.pages for l in p.lines)
    _check_article(cleaned)


def test_letter_spacing_gives_no_spaces_between_han(tmp_path):
    path = tmp_path / "c.pdf"
    make_article(path, charspace=4.0)
    read, cleaned = _clean(path, ocr="never")
    assert "冷链仓储" in read.raw_text
    _check_article(cleaned)


def test_encrypted_pdf_opens_with_empty_password_or_fails_clearly(tmp_path):
    from reportlab.lib import pdfencrypt

    open_one = tmp_path / "owner.pdf"
    make_article(open_one, encrypt=pdfencrypt.StandardEncryption("", ownerPassword="owner", canPrint=0))
    _check_article(_clean(open_one, ocr="never")[1])
    locked = tmp_path / "locked.pdf"
    make_article(locked, encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="owner"))
    with pytest.raises(ReadError, match="encrypted PDF"):
        read_pdf(locked, ocr="never")


def _broken_pdf(path) -> None:
    """One page of Helvetica text whose ToUnicode map sends every code to private use."""
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Broken def "
            b"1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfrange <20> <7E> <E000> endbfrange "
            b"endcmap CMapName currentdict /CMap defineresource pop end end")
    content = b"BT /F1 14 Tf 72 700 Td (Tariffs and quotas were raised again this year) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))


def _fake_ocr(lines):
    """A recogniser that returns fixed lines (box in pixels at the render scale, text, score)."""
    def recognise(image):
        h = image.shape[0]
        found, y = [], 0.1 * h
        for text in lines:
            x1 = 100 + 14 * 150 / 72 * len(text)
            found.append(([[100, y], [x1, y], [x1, y + 30], [100, y + 30]], text, 0.9))
            y += 40
        return found
    return recognise


def test_broken_text_layer_is_refused_without_ocr_and_ocred_with_it(tmp_path, monkeypatch):
    path = tmp_path / "broken.pdf"
    _broken_pdf(path)
    with pytest.raises(ReadError, match="broken text layer"):
        read_pdf(path, ocr="never")
    monkeypatch.setattr(ocr_module, "recognise", _fake_ocr(["关税与配额今年再次提高。"]))
    read = read_pdf(path, ocr="auto")
    assert read.pages[0].source == "ocr" and read.ocr_pages == 1
    assert read.ocr_confidence == pytest.approx(0.9)
    assert "关税与配额今年再次提高。" in read.raw_text


def _scanned(tmp_path, name="scan.pdf"):
    """A page of text rendered to an image and embedded as the only content."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader

    text_pdf = tmp_path / "text.pdf"
    make_article(text_pdf)
    doc = pdfium.PdfDocument(str(text_pdf))
    image = doc[0].render(scale=150 / 72).to_pil().convert("L")
    doc.close()
    path = tmp_path / name
    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawImage(ImageReader(image), 0, 0, width=WIDTH, height=HEIGHT)
    c.showPage()
    c.save()
    return path


def test_scanned_page_goes_to_ocr_only_when_allowed(tmp_path, monkeypatch):
    path = _scanned(tmp_path)
    with pytest.raises(ReadError, match="no readable text"):
        read_pdf(path, ocr="never")
    calls = []
    fake = _fake_ocr(["扫描页面上的第一行文字。"])
    monkeypatch.setattr(ocr_module, "recognise", lambda image: calls.append(1) or fake(image))
    cache = tmp_path / "cache"
    read = read_pdf(path, ocr="auto", ocr_cache=cache)
    assert read.ocr_pages == 1 and "扫描页面上的第一行文字" in read.raw_text
    read_pdf(path, ocr="auto", ocr_cache=cache)
    assert len(calls) == 1  # the second read came from the cache


def test_text_pages_are_not_ocred_in_auto_mode(tmp_path, monkeypatch):
    path = tmp_path / "a.pdf"
    make_article(path)
    monkeypatch.setattr(ocr_module, "recognise", lambda image: pytest.fail("OCR called on a text page"))
    assert read_pdf(path, ocr="auto").ocr_pages == 0


@pytest.mark.slow
def test_real_ocr_reads_a_scanned_page(tmp_path):
    pytest.importorskip("rapidocr_onnxruntime")
    path = _scanned(tmp_path)
    read = read_pdf(path, ocr="auto")
    assert read.ocr_pages == 1 and read.ocr_confidence > 0.8
    first = squash(PARAS[0][:40])
    assert first[:20] in squash(read.raw_text)


def test_mixed_pdf_ocrs_only_the_scanned_page(tmp_path, monkeypatch):
    """Page 1 has a text layer, page 2 is an image: only page 2 goes to OCR, pages stay in order."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader

    text_pdf = tmp_path / "text.pdf"
    make_article(text_pdf)
    doc = pdfium.PdfDocument(str(text_pdf))
    image = doc[1].render(scale=150 / 72).to_pil().convert("L")
    doc.close()
    path = tmp_path / "mixed.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    _draw(c, LEFT, HEIGHT - 90, BODY, "第一页是文字层，第二页是扫描图像。")
    c.showPage()
    c.drawImage(ImageReader(image), 0, 0, width=WIDTH, height=HEIGHT)
    c.showPage()
    c.save()
    calls = []
    fake = _fake_ocr(["第二页由识别得到的文字。"])
    monkeypatch.setattr(ocr_module, "recognise", lambda img: calls.append(1) or fake(img))
    read = read_pdf(path, ocr="auto")
    assert [p.source for p in read.pages] == ["text", "ocr"] and len(calls) == 1
    first, second = read.raw_text.split("\f")
    assert "第一页是文字层" in first and "第二页由识别得到的文字" in second
    assert {z.page for z in read.zones if z.confidence is not None} == {2}


def test_ingest_stores_ocr_pages_and_confidence(tmp_path, monkeypatch):
    from pipeline.config import IngestSettings, ReadSettings
    from pipeline.ingest.driver import ingest
    from pipeline.store import Store

    path = _scanned(tmp_path)
    monkeypatch.setattr(ocr_module, "recognise", _fake_ocr(["扫描页面上的第一行文字，内容并不复杂。"]))
    db = tmp_path / "s.duckdb"
    ingest([path], db=db, read=ReadSettings(ocr="auto"), settings=IngestSettings(progress=False, run_extraction=False))
    with Store.open(db, read_only=True) as store:
        row = store.query("SELECT ocr_pages, ocr_confidence, raw_text FROM documents")[0]
    assert row["ocr_pages"] == 1 and row["ocr_confidence"] == pytest.approx(0.9)
    assert "扫描页面上的第一行文字" in row["raw_text"]


def test_ocr_boxes_of_one_line_are_merged_left_to_right():
    from pipeline.ingest.layout import PdfLine

    right = PdfLine(1, 300, 500, 700, 712, 0.0, "第二段文字", confidence=0.9)
    left = PdfLine(1, 72, 280, 701, 713, 0.0, "第一段文字", confidence=0.8)
    below = PdfLine(1, 72, 500, 680, 692, 0.0, "下一行", confidence=1.0)
    merged = ocr_module.merge_rows([right, below, left])
    assert [l.text for l in merged] == ["第一段文字第二段文字", "下一行"]
    assert merged[0].ink == pytest.approx(408)


def test_ocr_text_fixes_unread_markers_and_dashes():
    found = [([[100, 100], [900, 100], [900, 130], [100, 130]], "伙伴关系?。2000一2016年", 0.95)]
    class Page:  # what ocr_page needs of a PDFium page
        def render(self, scale):
            raise AssertionError("cached: not rendered")
    import json
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "k.json").write_text(json.dumps(found), encoding="utf-8")
        page = ocr_module.ocr_page(Page(), 1, WIDTH, HEIGHT, cache=tmp, key="k")
    assert page.lines[0].text == "伙伴关系。2000—2016年"
    assert page.source == "ocr" and page.confidence == pytest.approx(0.95)
