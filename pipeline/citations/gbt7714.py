"""GB/T 7714—2015/—2025 bibliography entries and APA-style English references.

``作者. 题名[J]. 刊名, 年, 卷(期): 页码.`` and every type code of the standard
(``[M] [J] [C] [D] [R] [S] [P] [N] [EB/OL] [DB/OL] [CP] [A] [G] [Z] [PP] [DS]``, also
``[J/OL]``-style carrier suffixes), parts of collections (``[C]//编者. 文集[C]. 出版地: 出版者,
年: 页码``), ``出版地: 出版者, 年``, update and citation dates ``(2020-01-02)[2021-03-04]``,
``等``/``et al.``, translators (``张三, 译``), a URL then ``DOI:``.

``parse_gbt`` returns None when the string has no type code; ``parse_apa`` returns None
when it has no ``Author (Year).`` head. Both fill a ``Reference`` given to them.
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.schema import Reference

# GB/T 7714 type codes and their readable names (2015 edition; PP and DS added in 2025;
# A and G kept from 2005 because they are still printed).
TYPE_NAMES: dict[str, str] = {
    "M": "book", "J": "journal", "C": "conference", "D": "thesis", "R": "report",
    "S": "standard", "P": "patent", "N": "newspaper", "EB": "web", "DB": "database",
    "CP": "software", "A": "book section", "G": "collection", "Z": "other",
    "PP": "preprint", "DS": "dataset", "note": "note", "data": "data",
}
CARRIERS = ("OL", "CD", "MT", "DK")
NAME_TO_CODE = {v: k for k, v in TYPE_NAMES.items()}
NAME_TO_CODE.update({"web": "EB"})

_CODE = re.compile(r"\[\s*(PP|DS|EB|DB|CP|M|J|C|D|R|S|P|N|A|G|Z)\s*(?:/\s*(OL|CD|MT|DK))?\s*\]")
_HAN = r"\u3400-\u9fff"
_DASH = r"[-‐‑–—−~～]"


def type_name(code: str) -> str:
    return TYPE_NAMES.get(code, "other")


def normalize(text: str) -> str:
    """One reading of an entry however it was printed: full-width punctuation to ASCII,
    line wraps joined, spaces between Han characters removed."""
    s = unicodedata.normalize("NFKC", text)
    s = s.replace("。", ". ").replace("【", "[").replace("】", "]")
    s = s.replace("“", '"').replace("”", '"')
    s = re.sub(r"-\n(?=[a-z])", "", s)  # hyphenated English wrap
    s = re.sub(rf"(?<=[{_HAN}])\s*\n\s*(?=[{_HAN}])", "", s)
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(rf"(?<=[{_HAN}]) (?=[{_HAN}])", "", s)
    s = re.sub(rf"(?<=[{_HAN}]) (?=[{_HAN}])", "", s)
    return s


def _clean(s: str | None) -> str | None:
    if s is None:
        return None
    s = re.sub(r"\s+", " ", s).strip(" ,.;:")
    return s or None


_ET_AL = re.compile(r"\s*(?:,\s*)?(?:et al\.?|等)\s*$", re.I)
_ROLE = re.compile(r"\s*(?:,\s*)?(?:主编|编著|编|著|译|等译|eds?\.?|trans\.?|tr\.?)\s*$", re.I)


def split_names(part: str) -> list[str]:
    """``张三, 李四, 等`` → [张三, 李四]; ``SMITH J, JONES A B, et al`` → [SMITH J, JONES A B]."""
    part = _clean(part) or ""
    part = _ROLE.sub("", part)
    part = _ET_AL.sub("", part)
    part = _ROLE.sub("", part)
    if not part:
        return []
    out = []
    for p in re.split(r"\s*(?:,|、|;|&|\band\b)\s*", part):
        p = _clean(_ROLE.sub("", p))
        if p and not re.fullmatch(r"(?:et al|等)", p, re.I):
            out.append(p)
    return out


def _split_periods(s: str) -> list[str]:
    """Split at the periods that end a GB/T element (not inside a number, an initial of an
    English name, or ``et al.``)."""
    parts = re.split(r"(?<!\d)\.|(?<=\d)\.(?=\s|$|[^\d])", s)
    return [p.strip() for p in parts if p.strip()]


_PUB = re.compile(
    rf"^(?:(?P<place>[^:,]{{1,40}}?)\s*:\s*)?(?P<pub>[^:,]{{2,80}}?)\s*,\s*(?P<year>(?:1[5-9]|20)\d{{2}})[a-z]?"
    rf"(?:\s*{_DASH}\s*\d{{2,4}})?(?:\s*:\s*(?P<pages>[\w\s,+\-–—]+?))?$"
)
_SERIAL = re.compile(
    rf"^(?P<c>.+?)\s*,\s*(?P<y>(?:1[5-9]|20)\d{{2}})[a-z]?"
    rf"(?:\s*,\s*(?P<v>[\w\-]+?))?\s*(?:\((?P<i>[^()]+)\))?(?:\s*:\s*(?P<p>[\w\s,+\-–—]+?))?$"
)
_NEWS = re.compile(
    rf"^(?P<c>.+?)\s*,\s*(?P<d>\d{{4}}\s*{_DASH}\s*\d{{1,2}}\s*{_DASH}\s*\d{{1,2}})\s*(?:\((?P<e>[^()]+)\))?$"
)
_DATE = re.compile(rf"(\d{{4}})\s*{_DASH}\s*(\d{{1,2}})\s*{_DASH}\s*(\d{{1,2}})")


def _iso(m: re.Match) -> str:
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"


def _pages(p: str | None) -> str | None:
    if not p:
        return None
    p = re.sub(r"\s+", "", p)
    return re.sub(r"[–—]", "-", p) or None


def _take_links(s: str, ref: Reference) -> str:
    """Remove DOI, URL and the citation date from ``s`` into ``ref``; return what is left."""
    m = re.search(r"(?:\.?\s*DOI\s*:\s*|https?://(?:dx\.)?doi\.org/)(10\.\d{4,9}/\S+?)\.?(?=\s|$)", s, re.I)
    if m:
        ref.doi = m.group(1)
        s = s[: m.start()] + s[m.end():]
    m = re.search(r"(?:https?://|www\.)\S+", s)
    if m:
        ref.url = m.group(0).rstrip(".,;")
        s = s[: m.start()] + s[m.end():]
    return s


def _access(s: str, ref: Reference) -> str:
    """``(更新日期)[引用日期]`` or ``年[引用日期]``: set ``date``/``access_date``."""
    m = re.search(rf"\[\s*(\d{{4}}\s*{_DASH}\s*\d{{1,2}}\s*{_DASH}\s*\d{{1,2}})\s*\]", s)
    if m:
        ref.access_date = _iso(_DATE.search(m.group(1)))
        s = s[: m.start()] + s[m.end():]
    m = re.search(rf"\(\s*(\d{{4}}\s*{_DASH}\s*\d{{1,2}}\s*{_DASH}\s*\d{{1,2}})\s*\)", s)
    if m:
        ref.date = _iso(_DATE.search(m.group(1)))
        ref.year = int(ref.date[:4])
        s = s[: m.start()] + s[m.end():]
    return s


def _publication(seg: str, ref: Reference) -> bool:
    m = _PUB.match(seg)
    if not m:
        return False
    ref.place = _clean(m.group("place"))
    ref.publisher = _clean(m.group("pub"))
    ref.year = int(m.group("year"))
    ref.pages = _pages(m.group("pages"))
    return True


def _edition(seg: str) -> str | None:
    m = re.fullmatch(r"(\d+|[一二三四五六七八九十]+)\s*版|(\d+)(?:st|nd|rd|th)\s*ed(?:ition)?\.?|(修订|增订)版", seg, re.I)
    if not m:
        return None
    return m.group(1) or m.group(2) or m.group(3)


def parse_gbt(text: str, ref: Reference) -> Reference | None:
    """Fill ``ref`` from a GB/T 7714 entry; None if ``text`` carries no type code."""
    s = normalize(text)
    code = _CODE.search(s)
    if not code:
        return None
    ref.type = code.group(1)
    ref.carrier = code.group(2)
    ref.type_name = type_name(ref.type)
    head, rest = s[: code.start()], s[code.end():]
    # head: "作者. 题名: 其他题名信息"
    hs = _split_periods(head)
    if len(hs) >= 2:
        ref.authors = split_names(hs[0])
        title = ". ".join(hs[1:]) if not re.search(f"[{_HAN}]", hs[1]) else ".".join(hs[1:])
    else:
        title = head
    title = _clean(title) or ""
    if ref.type in ("S", "P", "R") or re.search(r":\s*(?:GB|ISO|CN|US|WO|EP|JP)", title):
        m = re.search(r"\s*:\s*((?:GB|ISO|IEC|DB|CN|US|WO|EP|JP|HJ|YY|JT|QB|NB|GA|T/)[^:]*(?::\s*\d{4})?)$", title)
        if m:
            ref.number = _clean(m.group(1))
            title = title[: m.start()]
    if ":" in title and ref.number is None:
        # the title is kept whole; the other title information is also given apart
        ref.other_title = _clean(title.partition(":")[2])
    ref.title = _clean(title)

    rest = _take_links(rest, ref)
    host = None
    if rest.lstrip().startswith("//"):
        rest = rest.lstrip()[2:]
        code2 = _CODE.search(rest)
        if code2:
            host, rest = rest[: code2.start()], rest[code2.end():]
    rest = _access(rest, ref)
    segs = _split_periods(rest)
    if host is not None:
        hp = _split_periods(host)
        if len(hp) >= 2:
            ref.editors = split_names(hp[0])
            ref.container = _clean(".".join(hp[1:]) if re.search(f"[{_HAN}]", hp[1]) else ". ".join(hp[1:]))
        else:
            ref.container = _clean(host)
    elif ref.type in ("J", "N") and segs:
        ser = _NEWS.match(segs[0]) if ref.type == "N" else None
        if ser:
            ref.container = _clean(ser.group("c"))
            ref.date = _iso(_DATE.search(ser.group("d")))
            ref.year = int(ref.date[:4])
            ref.pages = _clean(ser.group("e"))
            segs = segs[1:]
        else:
            ser = _SERIAL.match(segs[0])
            if ser:
                ref.container = _clean(ser.group("c"))
                ref.year = int(ser.group("y"))
                ref.volume = _clean(ser.group("v"))
                ref.issue = _clean(ser.group("i"))
                ref.pages = _pages(ser.group("p"))
                segs = segs[1:]
    for seg in segs:
        if re.search(r"(?:,\s*|\s)(?:译|trans\.?|translated)$|^(?:translated by|trans\.)\s", seg, re.I):
            ref.translators = split_names(re.sub(r"^(?:translated by|trans\.)\s*", "", seg, flags=re.I))
            continue
        ed = _edition(seg)
        if ed:
            ref.edition = ed
            continue
        if ref.publisher is None and _publication(seg, ref):
            continue
        m = re.fullmatch(r"((?:1[5-9]|20)\d{2})(?:\s*:\s*([\w\s,+\-–—]+))?", seg)
        if m and ref.year is None:
            ref.year = int(m.group(1))
            ref.pages = _pages(m.group(2)) or ref.pages
            continue
        m = _DATE.fullmatch(seg)
        if m:
            ref.date = _iso(m)
            ref.year = ref.year or int(ref.date[:4])
            continue
        if ref.publisher is None and ref.type in ("EB", "DB", "CP", "DS", "PP", "Z") and not re.search(r"\d{4}", seg):
            ref.publisher = _clean(seg)
            continue
        m = re.fullmatch(r"(.+?)\s*,\s*((?:1[5-9]|20)\d{2})", seg)
        if m and ref.publisher is None:
            ref.publisher = _clean(m.group(1))
            ref.year = int(m.group(2))
    if ref.year is None and ref.date:
        ref.year = int(ref.date[:4])
    return ref


# ------------------------------------------------------------------ APA


_APA_HEAD = re.compile(
    r"^(?P<a>.+?)\s*\((?P<y>(?:1[5-9]|20)\d{2})[a-z]?(?:,\s*(?P<md>[A-Za-z]+\.?\s*\d{0,2}))?\)\.\s*(?P<rest>.+)$"
)
_APA_SERIAL = re.compile(
    r"^(?P<c>[^,]+?),\s*(?P<v>\d+)(?:\((?P<i>[^()]+)\))?(?:,\s*(?P<p>[\d\-–—]+))?$"
)
APA_KINDS = {
    "doctoral dissertation": "D", "master's thesis": "D", "data set": "DS", "computer software": "CP",
    "preprint": "PP", "standard": "S", "patent": "P", "report": "R",
}


_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}


def _apa_names(part: str) -> list[str]:
    part = part.replace(", &", ",").replace(" & ", ", ")
    part = re.sub(r",?\s*et al\.?$", "", part)
    toks = [t.strip() for t in part.split(",") if t.strip()]
    out: list[str] = []
    for t in toks:
        if out and re.fullmatch(r"(?:[A-Z]\.\s*-?)+", t):
            out[-1] = f"{out[-1]}, {t}"
        else:
            out.append(t)
    return out


def parse_apa(text: str, ref: Reference) -> Reference | None:
    """Fill ``ref`` from an APA reference ``Author, A. (2020). Title. Journal, 3(2), 1-9.``."""
    s = normalize(text)
    m = _APA_HEAD.match(s)
    if not m or re.search(f"[{_HAN}]", m.group("a")):
        return None
    ref.authors = _apa_names(m.group("a"))
    ref.year = int(m.group("y"))
    rest = _take_links(m.group("rest"), ref)
    if m.group("md"):
        md = re.fullmatch(r"([A-Za-z]{3})[a-z]*\.?\s*(\d{0,2})", m.group("md"))
        mon = _MONTHS.get(md.group(1).lower()) if md else None
        if mon:
            ref.date = f"{ref.year:04d}-{mon:02d}" + (f"-{int(md.group(2)):02d}" if md.group(2) else "")
    kind = None
    km = re.search(r"\[([^\]]+)\]", rest)
    if km:
        label = km.group(1).lower()
        for k, code in APA_KINDS.items():
            if k in label:
                kind = code
                if code == "D" and "," in km.group(1):
                    ref.publisher = _clean(km.group(1).split(",", 1)[1])
        rest = rest[: km.start()] + rest[km.end():]
    nm = re.search(r"\((?:Report|Standard|Patent|ISO Standard)?\s*No\.\s*([^)]+)\)", rest)
    if nm:
        ref.number = _clean(nm.group(1))
        rest = rest[: nm.start()] + rest[nm.end():]
    em = re.search(r"\((\d+)(?:st|nd|rd|th) ed\.\)", rest)
    if em:
        ref.edition = em.group(1)
        rest = rest[: em.start()] + rest[em.end():]
    # "In A. Editor (Ed.), Book (pp. 1-9). Publisher."
    inm = re.search(r"\.\s+In\s+(?:(?P<e>[^()]+?)\s*\(Eds?\.\),\s*)?(?P<c>.+?)\s*\(pp\.\s*(?P<p>[\d\-–—]+)\)\.\s*(?P<pub>.*)$", rest)
    if inm:
        ref.title = _clean(rest[: inm.start()])
        ref.editors = [re.sub(r"^(?:[A-Z]\.\s*)+", "", x).strip() for x in split_names(inm.group("e") or "")]
        ref.container = _clean(inm.group("c"))
        ref.pages = _pages(inm.group("p"))
        ref.publisher = _clean(inm.group("pub"))
        ref.type = kind or ("C" if re.search(r"proceedings|conference|symposium", ref.container or "", re.I) else "M")
        ref.type_name = type_name(ref.type)
        return ref
    parts = [p for p in re.split(r"\.\s+", rest.strip()) if p.strip(" .")]
    if not parts:
        return None
    ref.title = _clean(parts[0])
    tail = [p.strip(" .") for p in parts[1:]]
    code = kind
    for t in tail:
        sm = _APA_SERIAL.match(t)
        if sm and ref.container is None:
            ref.container = _clean(sm.group("c"))
            ref.volume = sm.group("v")
            ref.issue = _clean(sm.group("i"))
            ref.pages = _pages(sm.group("p"))
            code = code or "J"
        elif ref.container is None and ref.publisher is None and t:
            if m.group("md") and not code:
                ref.container = _clean(t)
                code = "N"
            else:
                ref.publisher = _clean(t)
    if code is None:
        if ref.publisher:
            code = "M"
        elif ref.url:
            code = "EB"
        else:
            code = "M"
    if code == "N" and ref.container is None and ref.publisher:
        ref.container, ref.publisher = ref.publisher, None
    ref.type = code
    ref.type_name = type_name(code)
    return ref


# ------------------------------------------------------------------ Chicago book notes

_NAME = r"[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,2}"
_CHICAGO_BOOK = re.compile(
    rf"^(?P<a>{_NAME}(?:(?:, and |, | and ){_NAME})*), (?P<t>[^()]+?),? \((?:(?P<place>[^:()]+):\s*)?(?P<pub>[^,()]+),\s*"
    rf"(?P<y>(?:1[5-9]|20)\d{{2}})\)(?:,\s*(?P<p>[\d\-–—]+))?\.?$"
)


def parse_chicago_book(text: str, ref: Reference) -> Reference | None:
    """Fill ``ref`` from a Chicago book note ``First Last, Title (Place: Publisher, 2020), 12.``."""
    m = _CHICAGO_BOOK.match(normalize(text))
    if not m:
        return None
    ref.authors = [x for x in re.split(r", and |, | and ", m.group("a")) if x]
    ref.title = _clean(m.group("t"))
    ref.place = _clean(m.group("place"))
    ref.publisher = _clean(m.group("pub"))
    ref.year = int(m.group("y"))
    ref.pages = _pages(m.group("p"))
    ref.type, ref.type_name = "M", "book"
    return ref
