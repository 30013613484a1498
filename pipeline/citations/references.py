"""Parse one footnote or reference-list entry into bibliographic fields.

Handles GB/T 7714-style Chinese notes (``张三、李四：《标题》，载《期刊》，2023年第1期，第1-16页。``),
English notes (``Author, “Title,” Container, vol. 6, no. 2, 2024, pp. 1-9.``), web notes with a
URL and an access date (``[2023-10-17]``), data-source notes (``数据来源：…``) and explanatory
notes. URLs broken by spaces or line wraps in PDF extractions are repaired.

``parse_reference`` never raises: anything it cannot read is left ``None``.
"""

from __future__ import annotations

import re

from pipeline.citations.gbt7714 import NAME_TO_CODE, parse_apa, parse_chicago_book, parse_gbt, type_name
from pipeline.schema import Reference

REFERENCE_TYPES = ("journal", "book", "newspaper", "web", "report", "data", "note")

# Domain cues. Candidates for lexicons/ once that directory has a citations file.
NEWSPAPER_NAMES_EN = (
    "wall street journal", "new york times", "financial times", "washington post",
    "reuters", "bloomberg", "nikkei asia", "south china morning post", "the guardian",
    "the economist", "politico", "associated press", "los angeles times", "usa today",
)
NEWSPAPER_SUFFIX_ZH = re.compile(r"(日报|时报|晚报|周报|商报|青年报|晨报|参考消息|报道|报)$")
NOT_NEWSPAPER_ZH = re.compile(r"(学报|导报|通报|年报|季报|月报|情报)$")
REPORT_CUES = re.compile(
    r"报告|白皮书|蓝皮书|工作论文|研究简报|政策简报|working paper|discussion paper|policy brief|"
    r"policy paper|white paper|report|brief no|occasional paper|crs\b|testimony|年鉴|"
    r"outlook|prospects|yearbook|survey",
    re.I,
)
PUBLISHER_CUES = re.compile(
    r"(出版社|出版公司|出版集团|书局|书店|印书馆|Press|Publishing|Publishers|Books|Verlag|Routledge|"
    r"Springer|Palgrave|Wiley|Elsevier)"
)
JOURNAL_CUES_EN = re.compile(
    r"journal|review|quarterly|economics|affairs|studies|politics|economy|bulletin|letters|"
    r"proceedings|transactions|annals|insights",
    re.I,
)
DATA_NOTE = re.compile(
    r"^\s*(?:数据来源|资料来源|数据出处|来源|注)\s*(?:于|为|是)?\s*[：:]?|^\s*(?:sources?|data sources?)\s*[:：]|"
    r"^\s*据.{0,40}?(?:数据|统计|资料).{0,10}?(?:核算|计算|整理|测算|绘制|编制)",
    re.I,
)
POINTER_PREFIX = re.compile(r"^\s*(?:参见|参阅|参考|详见|转引自|引自|见|另见|see also|see|cf\.)\s*[：:]?\s*", re.I)
AUTHOR_ROLE_SUFFIX = re.compile(r"\s*(?:等著|等编|等|主编|编著|编|著|译|eds?\.?|et al\.?)\s*$", re.I)

MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_MONTH_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_DASH = r"[-‐‑–—−~～]"
CJK = re.compile(r"[\u3400-\u9fff]")


# ---------------------------------------------------------------- URLs


_URL_START = re.compile(r"(?:https?\s*:\s*/\s*/|www\.)", re.I)
_URL_CHARS = set(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#@!$&'*+,;=%"
)
_URL_JOINERS = set("-/._=?&#%~:")


def unescape_markup(text: str) -> str:
    """Undo markdown escapes and link syntax so a note reads as printed."""
    s = text.replace("\\[", "[").replace("\\]", "]").replace("\\_", "_").replace("\\*", "*")
    # [label](target): keep the label (what was printed)
    s = re.sub(r"\[((?:https?://|www\.)[^\s]*?)\]\((?:https?://|www\.)[^\s)]*\)", r"\1", s)
    s = re.sub(r"<((?:https?://|www\.)[^>\s]*)>", r"\1", s)
    s = re.sub(r"</?sup>", "", s)
    return s


def find_urls(text: str) -> list[tuple[str, int, int, bool]]:
    """URLs in ``text`` as ``(url, start, end, repaired)``; a URL broken by spaces around
    ``-``/``/``/``.`` or by a line wrap is joined again (``repaired=True``)."""
    out: list[tuple[str, int, int, bool]] = []
    pos = 0
    n = len(text)
    while True:
        m = _URL_START.search(text, pos)
        if not m:
            break
        start = m.start()
        chars: list[str] = []
        repaired = m.group(0) != re.sub(r"\s", "", m.group(0))
        head = re.sub(r"\s", "", m.group(0))
        chars.extend(head)
        i = m.end()
        while i < n:
            c = text[i]
            if c in _URL_CHARS:
                chars.append(c)
                i += 1
                continue
            if c.isspace():
                j = i
                while j < n and text[j].isspace():
                    j += 1
                if j >= n:
                    break
                nxt = text[j]
                prev = chars[-1] if chars else ""
                gap = text[i:j]
                if nxt not in _URL_CHARS or text[j:j + 4].lower() == "doi:":
                    break
                if prev in _URL_JOINERS or nxt in _URL_JOINERS:
                    # "trans - pacific", "press-\noffice"; but not "url . Accessed"
                    if nxt in ".,;:" and (j + 1 >= n or text[j + 1].isspace()):
                        break
                    repaired = True
                    i = j
                    continue
                if "\n" in gap:
                    k = j
                    while k < n and text[k] in _URL_CHARS:
                        k += 1
                    run = text[j:k].rstrip(".,;:")
                    if re.search(r"[/._\-=?&%]", run) and not re.match(r"^[A-Za-z]+[.,;:]?$", run):
                        repaired = True
                        i = j
                        continue
                break
            break
        url = "".join(chars).rstrip(".,;:!?'")
        end = i
        if len(url) > len(head) + 1:
            out.append((url, start, end, repaired))
        pos = max(end, m.end())
    return out


def repair_url(text: str) -> str:
    """The first URL in ``text`` with break-spaces removed, or ``text`` stripped if none."""
    urls = find_urls(unescape_markup(text))
    return urls[0][0] if urls else text.strip()


def is_malformed_url(url: str) -> str | None:
    """Why ``url`` is not a well-formed web address, or None if it is."""
    if re.search(r"\s", url):
        return "contains whitespace"
    if CJK.search(url):
        return "contains Chinese characters"
    m = re.match(r"^(?:https?://)?([^/?#]+)", url, re.I)
    if not m:
        return "no host"
    host = m.group(1).split("@")[-1].split(":")[0]
    if "." not in host or host.startswith(".") or host.endswith(".") or ".." in host:
        return f"host {host!r} is not a domain name"
    if not re.fullmatch(r"[A-Za-z0-9.-]+", host):
        return f"host {host!r} has invalid characters"
    return None


# ---------------------------------------------------------------- dates


def _iso(y: int, m: int | None = None, d: int | None = None) -> str:
    if m is None:
        return f"{y:04d}"
    if d is None:
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


def _valid(y: int, m: int | None, d: int | None) -> bool:
    return 1000 <= y <= 2999 and (m is None or 1 <= m <= 12) and (d is None or 1 <= d <= 31)


def find_dates(text: str) -> list[tuple[str, int, int]]:
    """Dates in ``text`` as ``(iso, start, end)``, most precise reading first at each place:
    ``2023年4月27日``, ``2024 - 05 - 23``, ``April 27, 2023``, ``09 January 2024``, ``May 2021``."""
    found: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []

    def add(iso: str, s: int, e: int) -> None:
        if any(s < te and ts < e for ts, te in taken):
            return
        taken.append((s, e))
        found.append((iso, s, e))

    pats = [
        (r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", "ymd"),
        (rf"(?<!\d)(\d{{4}})\s*(?:{_DASH}|/|\.)\s*(\d{{1,2}})\s*(?:{_DASH}|/|\.)\s*(\d{{1,2}})(?!\d)", "ymd"),
        (rf"({_MONTH_RE})\s*(\d{{1,2}})(?:st|nd|rd|th)?\s*[,，]\s*(\d{{4}})", "mdy"),
        (rf"(?<!\d)(\d{{1,2}})\s+({_MONTH_RE})\s*,?\s*(\d{{4}})", "dmy"),
        (r"(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d)", "ym"),
        (rf"({_MONTH_RE})\s*,?\s*(\d{{4}})", "my"),
    ]
    for pat, kind in pats:
        for m in re.finditer(pat, text):
            try:
                if kind == "ymd":
                    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
                elif kind == "mdy":
                    mo, d, y = MONTHS[m.group(1).lower().rstrip(".")], int(m.group(2)), int(m.group(3))
                elif kind == "dmy":
                    d, mo, y = int(m.group(1)), MONTHS[m.group(2).lower().rstrip(".")], int(m.group(3))
                elif kind == "ym":
                    y, mo, d = int(m.group(1)), int(m.group(2)), None
                else:
                    mo, y, d = MONTHS[m.group(1).lower().rstrip(".")], int(m.group(2)), None
            except (KeyError, ValueError):
                continue
            if _valid(y, mo, d):
                add(_iso(y, mo, d), m.start(), m.end())
    found.sort(key=lambda t: t[1])
    return found


_ACCESS_PATTERNS = [
    re.compile(rf"[\[［【]\s*(\d{{4}}\s*{_DASH}\s*\d{{1,2}}\s*{_DASH}\s*\d{{1,2}})\s*[\]］】]"),
    re.compile(r"[\[［【]\s*(\d{4}\s*[/.]\s*\d{1,2}\s*[/.]\s*\d{1,2})\s*[\]］】]"),
    re.compile(
        r"(?:访问|引用|浏览|检索|查询|登录|获取)(?:日期|时间|于)?\s*[：:]?\s*"
        r"(\d{4}\s*(?:年|[-/.])\s*\d{1,2}\s*(?:月|[-/.])\s*\d{1,2}\s*日?)"
    ),
    re.compile(
        rf"(?:accessed|retrieved|visited|last accessed|access date)\s*(?:on)?\s*[:：]?\s*"
        rf"((?:{_MONTH_RE}\s*\d{{1,2}}\s*,\s*\d{{4}})|(?:\d{{1,2}}\s+{_MONTH_RE}\s*,?\s*\d{{4}})|"
        rf"(?:\d{{4}}\s*{_DASH}\s*\d{{1,2}}\s*{_DASH}\s*\d{{1,2}}))",
        re.I,
    ),
]


def _find_access_date(text: str) -> tuple[str | None, tuple[int, int] | None]:
    for pat in _ACCESS_PATTERNS:
        m = pat.search(text)
        if m:
            ds = find_dates(m.group(1))
            if ds:
                return ds[0][0], (m.start(), m.end())
    return None, None


# ---------------------------------------------------------------- helpers


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """Blank out spans (URLs, access dates) so later rules do not read inside them."""
    chars = list(text)
    for s, e in spans:
        for k in range(max(0, s), min(len(chars), e)):
            chars[k] = " "
    return "".join(chars)


def _pages(text: str) -> str | None:
    m = re.search(rf"第\s*([ivxlcdm\d]+)\s*{_DASH}+\s*([ivxlcdm\d]+)\s*页", text, re.I)
    if m:
        return f"{m.group(1)}-{m.group(2)}"
    m = re.search(r"第\s*(\d+)\s*页", text)
    if m:
        return m.group(1)
    m = re.search(rf"\bpp?\s*\.\s*([ivxlcdm\d]+)\s*{_DASH}+\s*([ivxlcdm\d]+)", text, re.I)
    if m:
        return f"{m.group(1)}-{m.group(2)}"
    m = re.search(r"\bpp?\s*\.\s*(\d+)", text, re.I)
    if m:
        return m.group(1)
    m = re.search(rf"\(\d+\)\s*[:：]\s*(\d+)\s*{_DASH}+\s*(\d+)", text)
    if m:
        return f"{m.group(1)}-{m.group(2)}"
    return None


def _clean_piece(s: str | None) -> str | None:
    if s is None:
        return None
    s = re.sub(r"\s+", " ", s).strip(" ,，.。:：;；*_")
    pairs = {"“": "”", '"': '"', "'": "'", "‘": "’", "「": "」"}
    while len(s) >= 2 and s[0] in pairs and s[-1] == pairs[s[0]] and s.count(s[0]) == 1:
        s = s[1:-1].strip()
    if s and s[0] in "“\"" and not any(c in s[1:] for c in "”\""):
        s = s[1:].strip()
    if s and s[-1] in "”\"" and not any(c in s[:-1] for c in "“\""):
        s = s[:-1].strip()
    return s or None


def _split_authors(part: str) -> list[str]:
    part = POINTER_PREFIX.sub("", part)
    part = re.sub(r"^(?:载|见|in)\s+", "", part.strip(), flags=re.I)
    part = part.strip(" ，,：:.。")
    if not part:
        return []
    part = re.sub(r"\s*(?:et al\.?|等)\s*$", "", part, flags=re.I)
    pieces = re.split(r"\s*(?:、|，|,|;|；|&|\band\b)\s*", part)
    out: list[str] = []
    for p in pieces:
        p = AUTHOR_ROLE_SUFFIX.sub("", p).strip(" .，,")
        if not p:
            continue
        # "Scott, R. E." style initials belong to the previous surname
        if out and re.fullmatch(r"(?:[A-Z]\.\s*)+", p + ("." if not p.endswith(".") else "")) and len(p) <= 8:
            out[-1] = f"{out[-1]}, {p}"
            continue
        out.append(p)
    return out


def _is_english(text: str) -> bool:
    cjk = len(CJK.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return latin > 0 and cjk <= max(2, latin // 10)


def _year_from(text: str, exclude: list[tuple[int, int]] = ()) -> int | None:
    for m in re.finditer(r"(?<![\d/.-])((?:19|20)\d{2})(?:[a-z])?(?![\d/])", text):
        if any(s <= m.start() < e for s, e in exclude):
            continue
        return int(m.group(1))
    return None


def _doi(text: str) -> tuple[str | None, tuple[int, int] | None]:
    m = re.search(r"(?:doi\s*[:：]\s*|https?://(?:dx\.)?doi\.org/)\s*(10\.\d{4,9}/[^\s，。；;,\]]+)", text, re.I)
    if not m:
        m = re.search(r"\b(10\.\d{4,9}/[^\s，。；;,\]]+)", text)
    if not m:
        return None, None
    return m.group(1).rstrip("."), (m.start(), m.end())


# ---------------------------------------------------------------- parsing


def split_references(text: str) -> list[str]:
    """Split a note that cites several works (``A；B``) into one string per work. A piece
    becomes its own work only if it has a title (``《》``/quotes) or a URL."""
    parts = [p for p in re.split(r"\s*[；;]\s*(?=\S)", text) if p.strip()]
    out: list[str] = []
    for p in parts:
        if out and not re.search(r"《|“|\"|https?:|www\.|\*[^*]+\*", p):
            out[-1] = out[-1] + "；" + p
        else:
            out.append(p)
    return out or [text]


def parse_references(text: str) -> list[Reference]:
    """Every work cited in one note, in order."""
    try:
        return [parse_reference(p) for p in split_references(text)]
    except Exception:  # noqa: BLE001 - documented: never raises
        return [Reference(text=text if isinstance(text, str) else "")]


def parse_reference(text: str) -> Reference:
    """Fields of one note or reference entry; unknown fields stay None. Never raises."""
    if not isinstance(text, str):
        return Reference(text="")
    try:
        return _parse(text)
    except Exception:  # noqa: BLE001 - documented: never raises on any string
        return Reference(text=text)


_LEADING_MARKER = re.compile(
    r"^\s*(?:\^|<sup>)?\s*(?:[\[［]\s*\d{1,3}\s*[\]］]|[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf]|\d{1,3}[.、](?!\d))\s*(?:</sup>)?\s*"
)


def _parse(text: str) -> Reference:
    ref = Reference(text=text)
    s = unescape_markup(text)
    s = _LEADING_MARKER.sub("", s, count=1)
    s = s.replace("\u3000", " ")
    s = re.sub(r"(?i)\b(https?)\s*[：:]\s*[/／]\s*[/／]", r"\1://", s)
    # spaces a PDF puts between Han characters; a line wrap inside an English entry
    s = re.sub(r"(?<=[\u3400-\u9fff])[ \t]+(?=[\u3400-\u9fff])", "", s)

    spans: list[tuple[int, int]] = []
    urls = find_urls(s)
    doi, doi_span = _doi(s)
    if doi:
        ref.doi = doi
        spans.append(doi_span)
    for u, us, ue, rep in urls:
        if "doi.org/" in u.lower():
            spans.append((us, ue))
            continue
        if ref.url is None:
            ref.url = u
            ref.url_repaired = rep
            ref.url_raw = s[us:ue]
        spans.append((us, ue))
    access, aspan = _find_access_date(_mask(s, spans))
    if access:
        ref.access_date = access
        spans.append(aspan)
    body = _mask(s, spans)
    body = re.sub(r"(?<=[\u3400-\u9fff])\s*\n\s*(?=[\u3400-\u9fff])", "", body)
    body = re.sub(r"\s*\n\s*", " ", body)
    saved = (ref.url,)

    if DATA_NOTE.search(body):
        ref.type = "data"
        m = DATA_NOTE.search(body)
        rest = body[m.end():] if not body.lstrip().startswith("据") else body
        src = re.split(r"[。；;]|\s{2,}", rest.strip(), maxsplit=1)[0]
        src = re.sub(r"^(?:(?:笔者|作者|本文)?(?:根据|依据|据))", "", src)
        src = re.sub(r"(?:数据库|数据)?(?:核算|计算|整理|测算|绘制|编制)(?:而成|得出|所得)?$", "", src)
        ref.container = _clean_piece(src)
        ds = find_dates(body)
        ref.year = _year_from(body)
        if ds:
            ref.date = ds[0][0]
        return ref

    # links and the access date are read above (with URL repair); the grammars see the rest
    if parse_gbt(body, ref) is not None or parse_apa(body, ref) is not None or parse_chicago_book(body, ref) is not None:
        if saved[0] is None and ref.url:
            ref.url_raw = ref.url
        return ref
    if "《" in body:
        _parse_chinese(ref, body)
    elif _is_english(body):
        _parse_english(ref, body)
    else:
        _parse_chinese(ref, body)

    if ref.type == "note" and ref.url:
        ref.type = "web"
    # PDF extraction spaces out hyphens in English words: "Trans - Pacific"
    for name in ("title", "container"):
        value = getattr(ref, name)
        if value:
            setattr(ref, name, re.sub(r"(?<=[A-Za-z])\s+[-‐]\s+(?=[A-Za-z])", "-", value))
    if ref.type == "book" and ref.container and PUBLISHER_CUES.search(ref.container):
        ref.publisher, ref.container = ref.container, None
        pm = re.search(r"([\u3400-\u9fffA-Za-z .]{1,12}?)\s*[：:]\s*" + re.escape(ref.publisher), body)
        if pm:
            ref.place = _clean_piece(re.split(r"[，,。]", pm.group(1))[-1])
    if ref.type in NAME_TO_CODE and ref.type not in ("note", "data"):
        ref.type = NAME_TO_CODE[ref.type]
    ref.type_name = type_name(ref.type)
    return ref


def _parse_chinese(ref: Reference, body: str) -> None:
    titles = list(re.finditer(r"《([^《》]*(?:《[^《》]*》[^《》]*)*)》", body))
    pointer = POINTER_PREFIX.match(body)
    rest = body
    if titles:
        t = titles[0]
        head = body[: t.start()]
        ref.title = _clean_piece(t.group(1))
        head_clean = re.sub(r"(?:载于?|见|参见|转引自)\s*$", "", head.strip(" ，,：:"))
        # An explanatory note may run before the citation: "…的支配地位。王晓德：《…》"
        head_clean = re.split(r"[。！？]", head_clean)[-1].strip(" ，,：:")
        if head_clean and len(head_clean) <= 80:
            ref.authors = _split_authors(head_clean)
        rest = body[t.end():]
        if len(titles) > 1:
            between = body[t.end(): titles[1].start()]
            if re.fullmatch(r"[\s，,：:。.]*(?:载于?|见|刊于|in)?[\s，,：:]*", between):
                ref.container = _clean_piece(titles[1].group(1))
                rest = body[titles[1].end():]
    else:
        # No title: a pointer to a site ("参见某某官网：URL") or an explanatory note.
        if ref.url:
            lead = body[pointer.end():] if pointer else body
            lead = re.split(r"[：:，,]\s*$|[：:]", lead.strip(), maxsplit=1)[0]
            ref.container = _clean_piece(lead)
            ref.type = "web"
        else:
            ref.type = "note"
        ds = find_dates(body)
        ref.year = int(ds[0][0][:4]) if ds else None
        if ds:
            ref.date = ds[0][0]
        return

    # issue / volume / year
    m = re.search(r"(\d{4})\s*年\s*(?:第\s*(\d+)\s*卷\s*)?(?:第\s*)?(\d+)\s*期", rest)
    if m:
        ref.year = int(m.group(1))
        ref.volume = m.group(2)
        ref.issue = m.group(3)
    m2 = re.search(r"第\s*(\d+)\s*卷", rest)
    if m2 and not ref.volume:
        ref.volume = m2.group(1)
    ds = find_dates(rest)
    full = [d for d in ds if len(d[0]) >= 7]
    if full:
        ref.date = full[0][0]
    if ref.year is None:
        if ds:
            ref.year = int(ds[0][0][:4])
        else:
            ym = re.search(r"((?:19|20)\d{2})\s*年", rest)
            ref.year = int(ym.group(1)) if ym else _year_from(rest)
    ref.pages = _pages(rest)
    edition = re.search(r"第\s*(\w+)\s*版", rest)

    publisher = re.search(
        r"(?:([\u3400-\u9fffA-Za-z .]{1,12})\s*[：:]\s*)?([\u3400-\u9fffA-Za-z&. ]{2,30}?" + PUBLISHER_CUES.pattern + r")",
        rest,
    )
    if ref.container is None:
        if publisher:
            ref.container = _clean_piece(publisher.group(2))
        else:
            segs = [x.strip() for x in re.split(r"[，,。；;]", rest) if x.strip()]
            for seg in segs:
                if find_dates(seg) or re.search(r"\d{4}\s*年|第\s*\d|^\d|页$|译$|^[A-Za-z]{0,3}$", seg):
                    continue
                if REPORT_CUES.fullmatch(seg):
                    continue
                if re.search(r"译$|编$|主编$", seg) or re.fullmatch(r"[(（\[〔].*[)）\]〕]", seg):
                    continue
                ref.container = _clean_piece(seg)
                break

    c = ref.container or ""
    title = ref.title or ""
    if publisher and ref.container == _clean_piece(publisher.group(2)):
        ref.type = "book"
    elif (NEWSPAPER_SUFFIX_ZH.search(c) and not NOT_NEWSPAPER_ZH.search(c)) or (
        edition and re.fullmatch(r"\d+", edition.group(1) or "") and c
    ):
        ref.type = "newspaper"
        if edition and ref.pages is None:
            ref.pages = edition.group(1)
    elif ref.issue or ref.volume:
        ref.type = "journal"
    elif REPORT_CUES.search(title) or REPORT_CUES.search(c) or REPORT_CUES.match(rest.strip(" ，,")):
        ref.type = "report"
    elif c and ref.date and len(ref.date) == 10 and not ref.url and len(titles) > 1:
        ref.type = "newspaper"
        ref.type = "report"
    elif ref.url:
        ref.type = "web"
    elif c and ref.pages and ref.year:
        ref.type = "journal"
    else:
        ref.type = "book"


def _parse_english(ref: Reference, body: str) -> None:
    t = re.search(r"[“\"]\s*(.+?)\s*[,，.]?\s*[”\"]", body)
    it = re.search(r"(?<![*\w])[*_]{1,2}([^*_]{3,}?)[*_]{1,2}(?![*\w])", body)
    rest = body
    head = ""
    title_is_italic = False
    if t and (not it or t.start() < it.start()):
        ref.title = _clean_piece(t.group(1))
        head = body[: t.start()]
        rest = body[t.end():]
    elif it:
        ref.title = _clean_piece(it.group(1))
        head = body[: it.start()]
        rest = body[it.end():]
        title_is_italic = True
    else:
        # unquoted title: the text up to the first date, "published", or a sentence end
        cut = len(body)
        for pat in (
            rf",\s*(?:{_MONTH_RE}\s*\d{{1,2}},\s*)?\d{{4}}",
            r"\.\s+(?:published|https?|www)",
            r"[.。]\s+(?=[A-Z])",
            r",\s*(?:https?|www)",
        ):
            m = re.search(pat, body)
            if m and m.start() < cut:
                cut = m.start()
        ds = find_dates(body)
        if ds and ds[0][1] < cut:
            cut = ds[0][1]
        lead = body[:cut].strip(" ,.")
        if lead and len(lead) > 3 and (ref.url or ds):
            ref.title = _clean_piece(lead)
            rest = body[cut:]
        elif not ref.url:
            ref.type = "note"
            ref.year = _year_from(body)
            return
        else:
            rest = body

    # authors: everything before the title, if it looks like names
    head = head.strip(" ,.;:")
    head = re.sub(r"\s*\(\s*(?:19|20)\d{2}[a-z]?\s*\)\s*$", "", head)
    if head and len(head) <= 120 and not re.search(r"https?|www\.", head):
        ref.authors = _split_authors(head)

    # container
    italic_c = re.search(r"(?<![*\w])[*_]{1,2}([^*_]{2,}?)[*_]{1,2}(?![*\w])", rest)
    pub = re.search(
        r"(?:([A-Z][A-Za-z .]{1,30}?)\s*:\s*)?((?:[A-Z][\w.&'-]*\s+){0,5}?[\w.&'-]*\s*" + PUBLISHER_CUES.pattern + r")",
        rest,
    )
    place_pub = re.search(
        r"(?:^|[,.]\s*)([A-Z][A-Za-z .]{1,30}?(?:,\s*[A-Z]{2}\.?)?)\s*:\s*([A-Z][^,:;]{1,60}?)\s*,\s*(?:19|20)\d{2}", rest
    )
    if place_pub and not (italic_c and not title_is_italic):
        pub = place_pub
    if italic_c and not title_is_italic:
        ref.container = _clean_piece(italic_c.group(1))
    elif pub:
        ref.container = _clean_piece(pub.group(2))
    else:
        segs = [x for x in re.split(r"[,，]\s*|\.\s+|\s+(?=https?://)", rest) if x.strip(" .")]
        for seg in segs:
            seg_s = seg.strip(" .")
            if re.search(r"^(?:in|In)\s+", seg_s):
                seg_s = re.sub(r"^(?:in|In)\s+", "", seg_s)
            if (
                find_dates(seg_s)
                or re.fullmatch(_MONTH_RE + r"\s*\d{0,2}", seg_s)
                or re.fullmatch(r"[(（\[].*[)）\]]", seg_s)
                or re.fullmatch(r"(?:vol|no|pp?|issue|ed|eds)\.?\s*[\w\-–—]*|\(?\d{4}[a-z]?\)?|[\d\s\-–—()]+", seg_s, re.I)
                or re.match(r"(?:published|accessed|retrieved|available)", seg_s, re.I)
                or re.match(r"(?:vol|no|pp?)\.\s*\d", seg_s, re.I)
                or not re.search(r"[A-Za-z\u3400-\u9fff]", seg_s)
            ):
                continue
            ref.container = _clean_piece(seg_s)
            break

    m = re.search(r"\bvol(?:ume)?\.?\s*(\d+)", rest, re.I)
    if m:
        ref.volume = m.group(1)
    m = re.search(r"\b(?:no|issue|nos)\.?\s*(\d+)", rest, re.I)
    if m:
        ref.issue = m.group(1)
    if not ref.volume:
        m = re.search(r"\b(\d{1,4})\s*\((\d{1,3})\)", rest)
        if m:
            ref.volume, ref.issue = m.group(1), m.group(2)
    ref.pages = _pages(rest)
    ds = find_dates(rest)
    if ds:
        precise = [d for d in ds if len(d[0]) >= 7]
        ref.date = (precise or ds)[0][0]
        ref.year = int(ref.date[:4])
    else:
        m = re.search(r"\(\s*((?:19|20)\d{2})[a-z]?\s*\)", body)
        ref.year = int(m.group(1)) if m else _year_from(rest) or _year_from(head)

    c = (ref.container or "").lower()
    if any(n in c for n in NEWSPAPER_NAMES_EN):
        ref.type = "newspaper"
    elif REPORT_CUES.search(c) or (REPORT_CUES.search(ref.title or "") and not ref.volume):
        ref.type = "report"
    elif pub and ref.container == _clean_piece(pub.group(2)):
        ref.type = "book"
    elif ref.volume or ref.issue or (ref.container and ref.pages and JOURNAL_CUES_EN.search(c)):
        ref.type = "journal"
    elif ref.url:
        ref.type = "web"
    elif title_is_italic:
        ref.type = "book"
    elif ref.container and JOURNAL_CUES_EN.search(c):
        ref.type = "journal"
    elif ref.title:
        ref.type = "report" if ref.container else "book"
    else:
        ref.type = "note"
