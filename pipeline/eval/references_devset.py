"""A development set of references of our own: structured records, our own formatters, noise.

The records are invented (names, titles, journals and publishers are combined from the pools
below by a seeded generator: no example is taken from the standard's text or from any
formatter's test suite). Each record is rendered as

* GB/T 7714 numeric (every type code, Chinese and English records),
* the note style of Chinese international-studies journals (``作者：《书名》，出版地：出版社，
  年份，第X页。``) for Chinese journal, book, newspaper and web records,
* APA and Chicago notes for English journal, book, report and web records,

with the noise real PDFs add: full-width punctuation, line wraps inside an entry, spaces
between Han characters, a missing final period. The formatters are ours (CSL tooling such as
``citeproc-py`` did not fit in the time this was built in): a parser tuned to them may still
miss the variation of published styles, so scores here are an upper bound.

A record belongs to the held-out split when the hash of its id falls in the last quarter.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
ZH_GIVEN = ["建国", "晓明", "海燕", "志强", "丽华", "文博", "思远", "国栋", "雪梅", "立新", "子涵", "俊杰",
            "秀英", "振华", "宏伟", "静怡", "明哲", "春生", "玉兰", "天宇", "晨", "磊", "敏", "洋", "婷", "勇"]
ZH_TOPICS = ["数字贸易", "供应链韧性", "区域全面经济伙伴关系", "产业政策", "绿色转型", "技术标准", "对外投资",
             "出口管制", "金融开放", "粮食安全", "能源合作", "海洋治理", "人工智能治理", "跨境数据流动",
             "制造业回流", "关税壁垒", "经济安全", "多边贸易体制", "碳边境调节", "发展融资"]
ZH_FRAMES = ["{t}的政治经济学分析", "{t}与大国竞争", "论{t}的制度逻辑", "{t}：演进、动因与影响",
             "新时期{t}研究", "{t}的国际比较", "{t}视角下的全球治理", "中国{t}的路径选择"]
ZH_JOURNALS = ["国际经贸探索", "世界经济研究", "当代亚太", "国际问题论坛", "全球治理评论", "经济与战略",
               "东亚观察", "国际政治学刊", "发展研究季刊", "政策与市场"]
ZH_NEWSPAPERS = ["经济参考日报", "国际商务报", "东方时报", "光华日报", "南湖晚报"]
ZH_PUBLISHERS = [("北京", "燕园出版社"), ("上海", "浦江人民出版社"), ("北京", "社会文献出版社"),
                 ("广州", "南粤出版社"), ("武汉", "江城大学出版社"), ("南京", "金陵书局")]
ZH_UNIS = [("北京", "京华大学"), ("上海", "申城大学"), ("天津", "津门大学"), ("成都", "蜀都大学")]
ZH_INSTITUTES = [("北京", "国际发展研究院"), ("上海", "全球经济研究所"), ("北京", "战略政策研究中心")]
ZH_ORGS = ["国家发展规划委员会", "商务政策研究中心", "全国标准化工作委员会", "国际合作署"]
ZH_SITES = ["example.gov.cn", "policy-demo.cn", "trade-watch.org.cn", "cn-econ.example.org"]

EN_FIRST = ["James", "Mary", "Robert", "Linda", "David", "Susan", "Daniel", "Karen", "Thomas", "Emily",
            "Andrew", "Laura", "Peter", "Helen", "Mark", "Grace", "Paul", "Nora", "Henry", "Alice"]
EN_LAST = ["Whitfield", "Ashby", "Calloway", "Dunmore", "Ellery", "Fairbank", "Gresham", "Holloway",
           "Ingram", "Jessop", "Kendrick", "Langford", "Merriman", "Northcott", "Osgood", "Pemberton",
           "Quarles", "Radcliffe", "Stanhope", "Thorne", "Underhill", "Varley", "Winslow", "Yardley"]
EN_TOPICS = ["supply chain resilience", "export controls", "digital trade rules", "industrial policy",
             "economic security", "tariff escalation", "development finance", "technology standards",
             "critical minerals", "investment screening", "regional trade agreements", "currency swaps"]
EN_FRAMES = ["The politics of {t}", "Rethinking {t} in Asia", "{T} and the new great-power rivalry",
             "Measuring {t}: evidence from firm data", "{T} after the pandemic", "Who gains from {t}"]
EN_JOURNALS = ["Journal of Trade Policy", "Asian Economic Review", "International Affairs Quarterly",
               "Review of Global Political Economy", "Pacific Studies Letters", "World Economy Bulletin"]
EN_NEWSPAPERS = ["The Daily Ledger", "Harbor Times", "Global Courier"]
EN_PUBLISHERS = [("New York", "Meridian Press"), ("London", "Harcourt Lane Publishing"),
                 ("Cambridge", "Fenwick University Press"), ("Oxford", "Isis Academic Press")]
EN_UNIS = [("Boston", "Eastbrook University"), ("Chicago", "Lakeshore University")]
EN_INSTITUTES = [("Washington", "Center for Economic Strategy"), ("Geneva", "Institute for Trade Studies")]
EN_SITES = ["example.org", "policy-lab.example.com", "tradewatch.example.net"]

TYPES = ["J", "M", "C", "D", "R", "S", "P", "N", "EB", "DB", "CP", "A", "G", "Z", "PP", "DS"]
SCORED_FIELDS = ("type", "authors", "title", "container", "year", "volume", "issue", "pages",
                 "publisher", "place", "url", "doi", "access_date")


@dataclass
class RefRecord:
    """One reference as structured data (what the formatters render and the scorer expects)."""

    id: str
    lang: str  # "zh" or "en"
    type: str  # GB/T code
    authors: list[str] = field(default_factory=list)
    title: str = ""
    container: str | None = None
    editors: list[str] = field(default_factory=list)
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    place: str | None = None
    url: str | None = None
    doi: str | None = None
    access_date: str | None = None
    date: str | None = None
    number: str | None = None
    translators: list[str] = field(default_factory=list)
    edition: str | None = None
    carrier: str | None = None

    @property
    def held_out(self) -> bool:
        return int(hashlib.md5(self.id.encode()).hexdigest(), 16) % 4 == 0


def _zh_name(r: random.Random) -> str:
    return r.choice(ZH_SURNAMES) + r.choice(ZH_GIVEN)


def _en_name_gbt(first: str, last: str) -> str:
    return f"{last.upper()} {first[0]}"


def make_records(n_per_type: int = 28, seed: int = 7714) -> list[RefRecord]:
    """``n_per_type`` records of every type code, half Chinese, half English."""
    r = random.Random(seed)
    out: list[RefRecord] = []
    for code in TYPES:
        for k in range(n_per_type):
            lang = "zh" if k % 2 == 0 else "en"
            rec = RefRecord(id=f"{code}-{k:03d}", lang=lang, type=code)
            zh = lang == "zh"
            n_auth = r.choice([1, 1, 2, 3, 4]) if code not in ("S", "DB", "DS") else 1
            if zh:
                rec.authors = [_zh_name(r) for _ in range(n_auth)]
                t = r.choice(ZH_TOPICS)
                rec.title = r.choice(ZH_FRAMES).format(t=t)
            else:
                names = [(r.choice(EN_FIRST), r.choice(EN_LAST)) for _ in range(n_auth)]
                rec.authors = [_en_name_gbt(f, l) for f, l in names]
                rec.extra_names = names  # type: ignore[attr-defined]
                t = r.choice(EN_TOPICS)
                rec.title = r.choice(EN_FRAMES).format(t=t, T=t[0].upper() + t[1:])
            if code in ("S", "DB", "DS", "G"):
                rec.authors = [r.choice(ZH_ORGS)] if zh else [r.choice(EN_INSTITUTES)[1]]
            rec.year = r.randint(1995, 2024)
            place_pub = r.choice(ZH_PUBLISHERS if zh else EN_PUBLISHERS)
            if code == "J":
                rec.container = r.choice(ZH_JOURNALS if zh else EN_JOURNALS)
                rec.volume = str(r.randint(1, 40)) if r.random() < 0.7 else None
                rec.issue = str(r.randint(1, 12))
                a = r.randint(1, 180)
                rec.pages = f"{a}-{a + r.randint(5, 25)}"
                if r.random() < 0.4:
                    rec.doi = f"10.{r.randint(1000, 99999)}/j.{r.randint(1000, 9999)}.{rec.year}.{r.randint(1, 99):02d}"
            elif code in ("M", "G"):
                rec.place, rec.publisher = place_pub
                if r.random() < 0.3:
                    a = r.randint(1, 300)
                    rec.pages = f"{a}-{a + r.randint(2, 20)}"
                if zh and code == "M" and r.random() < 0.3:
                    rec.translators = [_zh_name(r) for _ in range(r.choice([1, 2]))]
                if r.random() < 0.2:
                    rec.edition = str(r.randint(2, 5))
            elif code in ("C", "A"):
                rec.editors = [_zh_name(r)] if zh else [_en_name_gbt(r.choice(EN_FIRST), r.choice(EN_LAST))]
                rec.container = (f"{r.choice(ZH_TOPICS)}学术研讨会论文集" if code == "C" else f"{r.choice(ZH_TOPICS)}研究文集") if zh else (
                    f"Proceedings of the Conference on {r.choice(EN_TOPICS).title()}" if code == "C"
                    else f"Essays on {r.choice(EN_TOPICS).title()}")
                rec.place, rec.publisher = place_pub
                a = r.randint(1, 300)
                rec.pages = f"{a}-{a + r.randint(5, 30)}"
            elif code == "D":
                rec.authors = rec.authors[:1]
                rec.place, rec.publisher = r.choice(ZH_UNIS if zh else EN_UNIS)
            elif code == "R":
                rec.place, rec.publisher = r.choice(ZH_INSTITUTES if zh else EN_INSTITUTES)
            elif code == "S":
                rec.number = f"GB/T {r.randint(1000, 39999)}—{rec.year}" if zh else f"ISO {r.randint(1000, 29999)}:{rec.year}"
                rec.place, rec.publisher = ("北京", "标准出版社") if zh else ("Geneva", "International Standards Press")
            elif code == "P":
                rec.number = f"CN{r.randint(100000000, 999999999)}A" if zh else f"US{r.randint(1000000, 9999999)}B2"
                rec.date = f"{rec.year}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
            elif code == "N":
                rec.container = r.choice(ZH_NEWSPAPERS if zh else EN_NEWSPAPERS)
                rec.date = f"{rec.year}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
                rec.pages = f"{r.randint(1, 16):02d}"
            if code in ("EB", "DB", "CP", "PP", "DS", "Z") or (code in ("J", "M", "R") and r.random() < 0.25):
                site = r.choice(ZH_SITES if zh else EN_SITES)
                rec.url = f"https://www.{site}/{r.choice(['news', 'data', 'pub', 'docs'])}/{rec.year}/{r.randint(100, 9999)}.html"
                rec.access_date = f"{r.randint(max(rec.year, 2015), 2025)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
                if code in ("J", "M", "R"):
                    rec.carrier = "OL"
                else:
                    rec.carrier = "OL"
                if code in ("EB", "PP"):
                    rec.date = f"{rec.year}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
                if code in ("DB", "CP", "DS", "Z"):
                    rec.publisher = r.choice(ZH_ORGS) if zh else r.choice(EN_INSTITUTES)[1]
                if code == "PP":
                    rec.publisher = "预印本平台" if zh else "EconArchive"
            out.append(rec)
    return out


# ------------------------------------------------------------------ formatters


def _names_gbt(names: list[str], zh: bool) -> str:
    if len(names) > 3:
        return ", ".join(names[:3]) + (", 等" if zh else ", et al")
    return ", ".join(names)


def format_gbt(rec: RefRecord) -> tuple[str, dict[str, Any]]:
    """GB/T 7714 numeric entry (without the ``[n]``) and the fields it prints."""
    zh = rec.lang == "zh"
    code = rec.type + (f"/{rec.carrier}" if rec.carrier else "")
    exp: dict[str, Any] = {"type": rec.type, "title": rec.title}
    head = ""
    if rec.authors:
        head = _names_gbt(rec.authors, zh) + ". "
        exp["authors"] = rec.authors[:3]
    title = rec.title + (f": {rec.number}" if rec.number and rec.type in ("S", "P") else "")
    s = f"{head}{title}[{code}]"
    pub = ""
    if rec.publisher:
        pub = f"{rec.place}: {rec.publisher}" if rec.place else rec.publisher
        exp["publisher"] = rec.publisher
        if rec.place:
            exp["place"] = rec.place
    if rec.type == "J":
        vol = f", {rec.volume}" if rec.volume else ""
        s += f". {rec.container}, {rec.year}{vol}({rec.issue}): {rec.pages}"
        exp.update(container=rec.container, year=rec.year, volume=rec.volume, issue=rec.issue, pages=rec.pages)
    elif rec.type == "N":
        s += f". {rec.container}, {rec.date}({rec.pages})"
        exp.update(container=rec.container, year=rec.year, pages=rec.pages)
    elif rec.type in ("C", "A"):
        eds = _names_gbt(rec.editors, zh) + (", 主编" if zh else ", ed") + ". "
        s += f"//{eds}{rec.container}[{'C' if rec.type == 'C' else 'M'}]. {pub}, {rec.year}: {rec.pages}"
        exp.update(container=rec.container, year=rec.year, pages=rec.pages)
    elif rec.type == "P":
        s += f". {rec.date}"
        exp["year"] = rec.year
    elif rec.type in ("EB", "PP", "DB", "CP", "DS", "Z") and rec.url:
        if rec.publisher:
            s += f". {pub}, {rec.year}"
        elif rec.date:
            s += f". ({rec.date})"
        if rec.date and rec.publisher:
            s += f"({rec.date})"
        exp["year"] = rec.year
    else:
        if rec.translators:
            s += f". {', '.join(rec.translators)}, 译"
        if rec.edition:
            s += f". {rec.edition}版" if zh else f". {rec.edition}th ed"
        s += f". {pub}, {rec.year}"
        if rec.pages:
            s += f": {rec.pages}"
            exp["pages"] = rec.pages
        exp["year"] = rec.year
    if rec.access_date:
        s += f"[{rec.access_date}]"
        exp["access_date"] = rec.access_date
    if rec.url:
        s += f". {rec.url}"
        exp["url"] = rec.url
    if rec.doi:
        s += f". DOI:{rec.doi}"
        exp["doi"] = rec.doi
    return s + ".", exp


def _zh_pages(p: str | None) -> str:
    return f"，第{p}页" if p else ""


def format_note_zh(rec: RefRecord) -> tuple[str, dict[str, Any]] | None:
    """The note style of Chinese international-studies journals (journal, book, newspaper, web)."""
    if rec.lang != "zh" or rec.type not in ("J", "M", "N", "EB"):
        return None
    au = "、".join(rec.authors)
    exp: dict[str, Any] = {"type": rec.type, "title": rec.title, "authors": rec.authors, "year": rec.year}
    if rec.type == "J":
        vol = f"第{rec.volume}卷" if rec.volume and False else ""
        s = f"{au}：《{rec.title}》，载《{rec.container}》，{rec.year}年{vol}第{rec.issue}期{_zh_pages(rec.pages)}。"
        exp.update(container=rec.container, issue=rec.issue, pages=rec.pages)
    elif rec.type == "M":
        tr = f"，{'、'.join(rec.translators)}译" if rec.translators else ""
        s = f"{au}：《{rec.title}》{tr}，{rec.place}：{rec.publisher}，{rec.year}年{_zh_pages(rec.pages)}。"
        exp.update(place=rec.place, publisher=rec.publisher, pages=rec.pages)
        if rec.url:
            return None
    elif rec.type == "N":
        y, m, d = rec.date.split("-")
        s = f"{au}：《{rec.title}》，载《{rec.container}》，{y}年{int(m)}月{int(d)}日，第{rec.pages}版。"
        exp.update(container=rec.container, pages=rec.pages)
    else:
        y, m, d = rec.date.split("-")
        s = f"{au}：《{rec.title}》，{y}年{int(m)}月{int(d)}日，{rec.url}，访问日期：{rec.access_date}。"
        exp.update(url=rec.url, access_date=rec.access_date)
    return s, exp


def _apa_name(first: str, last: str) -> str:
    return f"{last}, {first[0]}."


def format_apa(rec: RefRecord) -> tuple[str, dict[str, Any]] | None:
    """APA for English journal, book, report and web records."""
    names = getattr(rec, "extra_names", None)
    if rec.lang != "en" or rec.type not in ("J", "M", "R", "EB") or not names:
        return None
    au = [_apa_name(f, l) for f, l in names]
    if len(au) == 1:
        a = au[0]
    else:
        a = ", ".join(au[:-1]) + ", & " + au[-1]
    exp: dict[str, Any] = {"type": rec.type, "title": rec.title, "authors": au, "year": rec.year}
    s = f"{a} ({rec.year}). {rec.title}."
    if rec.type == "J":
        vi = f"{rec.volume}({rec.issue})" if rec.volume else None
        if vi is None:
            return None
        s += f" {rec.container}, {vi}, {rec.pages}."
        exp.update(container=rec.container, volume=rec.volume, issue=rec.issue, pages=rec.pages)
    elif rec.type in ("M", "R"):
        s += f" {rec.publisher}."
        exp.update(publisher=rec.publisher, type="M" if rec.type == "M" else "M")
        if rec.type == "R":
            s = s.replace(f"{rec.title}.", f"{rec.title} [Report].")
            exp["type"] = "R"
    elif rec.type == "EB":
        pass
    if rec.doi:
        s += f" https://doi.org/{rec.doi}"
        exp["doi"] = rec.doi
    elif rec.url:
        s += f" {rec.url}"
        exp["url"] = rec.url
    return s, exp


def format_chicago(rec: RefRecord) -> tuple[str, dict[str, Any]] | None:
    """Chicago notes for English journal and book records."""
    names = getattr(rec, "extra_names", None)
    if rec.lang != "en" or rec.type not in ("J", "M") or not names or rec.url:
        return None
    au = [f"{f} {l}" for f, l in names]
    a = au[0] if len(au) == 1 else ", ".join(au[:-1]) + " and " + au[-1]
    exp: dict[str, Any] = {"type": rec.type, "title": rec.title, "authors": au, "year": rec.year}
    if rec.type == "J":
        vol = f", vol. {rec.volume}" if rec.volume else ""
        s = f"{a}, “{rec.title},” {rec.container}{vol}, no. {rec.issue}, {rec.year}, pp. {rec.pages}."
        exp.update(container=rec.container, volume=rec.volume, issue=rec.issue, pages=rec.pages)
    else:
        s = f"{a}, {rec.title} ({rec.place}: {rec.publisher}, {rec.year})."
        exp.update(place=rec.place, publisher=rec.publisher)
        exp["type"] = "M"
    return s, exp


# ------------------------------------------------------------------ noise


def add_noise(text: str, r: random.Random, lang: str) -> str:
    """Full-width punctuation, spaces between Han characters, line wraps, a missing period."""
    s = text
    if lang == "zh" and r.random() < 0.3:
        s = s.translate(str.maketrans({",": "，", ":": "：", "(": "（", ")": "）"}))
        s = s.replace(". ", "．")
    if lang == "zh" and r.random() < 0.25:
        chars = list(s)
        out = []
        for i, c in enumerate(chars):
            out.append(c)
            if "\u4e00" <= c <= "\u9fff" and i + 1 < len(chars) and "\u4e00" <= chars[i + 1] <= "\u9fff" and r.random() < 0.3:
                out.append(" ")
        s = "".join(out)
    if r.random() < 0.3:
        # a wrap inside the entry, never inside a URL or DOI
        cut = [i for i, c in enumerate(s) if c == " " and 10 < i < len(s) - 10]
        url_spans = [(s.find("http"), len(s))] if "http" in s else []
        cut = [i for i in cut if not any(a <= i for a, _ in url_spans)]
        if cut:
            i = r.choice(cut)
            s = s[:i] + "\n" + s[i + 1:]
    if r.random() < 0.2 and s.endswith((".", "。")):
        s = s[:-1]
    return s


@dataclass
class DevEntry:
    id: str
    lang: str
    type: str
    style: str  # gbt, note, apa, chicago
    text: str
    expected: dict[str, Any]
    held_out: bool


def build_devset(seed: int = 7714) -> list[DevEntry]:
    """Every record in every style that fits it, with noise."""
    r = random.Random(seed + 1)
    out: list[DevEntry] = []
    for rec in make_records(seed=seed):
        for style, fmt in (("gbt", format_gbt), ("note", format_note_zh), ("apa", format_apa), ("chicago", format_chicago)):
            got = fmt(rec)
            if got is None:
                continue
            text, exp = got
            exp = {k: v for k, v in exp.items() if v not in (None, [], "")}
            out.append(DevEntry(rec.id, rec.lang, rec.type, style, add_noise(text, r, rec.lang), exp, rec.held_out))
    return out


# ------------------------------------------------------------------ scoring


def _norm(v: Any) -> Any:
    import re as _re
    import unicodedata as _ud

    if v is None or v == [] or v == "":
        return None
    if isinstance(v, (list, tuple)):
        return tuple(_re.sub(r"[\s.]", "", str(x)) for x in v)
    if isinstance(v, int):
        return v
    return _re.sub(r"\s", "", _ud.normalize("NFKC", str(v))).replace("–", "-")


def score_entries(pairs: list[tuple[DevEntry, Any]]) -> dict[str, Any]:
    """Field P/R/F1 (micro, per field, per type, per language, per style) and type accuracy of
    ``(entry, parsed Reference or None)`` pairs; a None reference (not linked) misses every field."""
    from collections import Counter, defaultdict

    groups: dict[str, Counter] = defaultdict(Counter)
    errors: list[dict[str, Any]] = []
    for e, ref in pairs:
        keys = ["all", f"lang:{e.lang}", f"style:{e.style}", f"type:{e.type}"]
        for name in SCORED_FIELDS:
            g = _norm(e.expected.get(name))
            p = _norm(getattr(ref, name, None)) if ref is not None else None
            if name == "authors" and g is not None and p is not None and len(g) == len(p):
                p = g if all(a.lower().replace(",", "") == b.lower().replace(",", "") for a, b in zip(g, p)) else p
            for k in keys + [f"field:{name}"]:
                c = groups[k]
                if g is not None and p == g:
                    c["tp"] += 1
                else:
                    if p is not None:
                        c["fp"] += 1
                    if g is not None:
                        c["fn"] += 1
            if p != g and len(errors) < 400:
                errors.append({"id": e.id, "style": e.style, "field": name, "expected": g, "got": p, "text": e.text})
        for k in keys:
            groups[k]["n"] += 1
            groups[k]["type_ok"] += int(ref is not None and ref.type == e.type)
            groups[k]["linked"] += int(ref is not None)
    table = {}
    for k, c in groups.items():
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        rcl = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        f1 = 2 * p * rcl / (p + rcl) if p + rcl else 0.0
        row = {"precision": p, "recall": rcl, "f1": f1}
        if c["n"]:
            row.update(n=c["n"], type_accuracy=c["type_ok"] / c["n"], linked=c["linked"])
        table[k] = row
    return {"table": table, "errors": errors}


def score_parser(entries: list[DevEntry]) -> dict[str, Any]:
    """The single-reference parser alone on every entry string."""
    from pipeline.citations.references import parse_reference

    return score_entries([(e, parse_reference(e.text)) for e in entries])


_CLAIMS_ZH = ["这一判断在相关研究中已有讨论", "有学者对此提出了不同看法", "这一变化的影响仍在显现",
              "相关数据支持了这一结论", "政策层面的回应随之而来"]


def articles(entries: list[DevEntry], per_article: int = 8) -> list[tuple[str, str, list[DevEntry]]]:
    """Generated articles citing the entries: GB/T entries as a 参考文献 list cited ``[n]``, note-
    style and other entries as circled footnotes ``①②`` in a block after their paragraph.
    Returns ``(name, text, entries in citation order)``."""
    out = []
    gbt = [e for e in entries if e.style == "gbt"]
    notes = [e for e in entries if e.style != "gbt"]
    for a in range(0, len(gbt), per_article):
        chunk = gbt[a:a + per_article]
        body = "".join(f"{_CLAIMS_ZH[i % len(_CLAIMS_ZH)]}，第{i + 1}点如此[{i + 1}]。" for i in range(len(chunk)))
        refs = "\n".join(f"[{i + 1}] {e.text}" for i, e in enumerate(chunk))
        out.append((f"list-{a:04d}", f"引言\n\n{body}\n\n参考文献\n{refs}\n", chunk))
    circled = "①②③④⑤⑥⑦⑧⑨⑩"
    for a in range(0, len(notes), per_article):
        chunk = notes[a:a + per_article]
        body = "".join(f"{_CLAIMS_ZH[i % len(_CLAIMS_ZH)]}，第{i + 1}点如此。{circled[i]}" for i in range(len(chunk)))
        block = "\n".join(f"{circled[i]}{e.text}" for i, e in enumerate(chunk))
        out.append((f"notes-{a:04d}", f"引言\n\n{body}\n\n{block}\n", chunk))
    return out


def score_through_ingest(entries: list[DevEntry]) -> dict[str, Any]:
    """Articles citing the entries through the ingest stages (clean, citations): each cited
    entry scored on the reference its citation was linked to (None when not linked)."""
    from pipeline.citations import extract_citations
    from pipeline.clean import clean_text

    pairs: list[tuple[DevEntry, Any]] = []
    for name, text, chunk in articles(entries):
        cleaned = clean_text(text)
        cits = extract_citations(name, cleaned.sentences, cleaned.markers, cleaned.notes)
        by_marker = {}
        for c in cits:
            by_marker.setdefault(c.marker, c)
        circled = "①②③④⑤⑥⑦⑧⑨⑩"
        for i, e in enumerate(chunk):
            key = f"[{i + 1}]" if name.startswith("list") else circled[i]
            c = by_marker.get(key)
            pairs.append((e, c.reference if c is not None and c.note is not None else None))
    return score_entries(pairs)


def format_table(result: dict[str, Any], title: str) -> str:
    lines = [title, f"{'group':<16}{'n':>5}{'P':>7}{'R':>7}{'F1':>7}{'type':>7}{'linked':>8}"]
    for k in sorted(result["table"], key=lambda k: (k.split(":")[0] != "all", k)):
        row = result["table"][k]
        lines.append(
            f"{k:<16}{row.get('n', ''):>5}{row['precision']:>7.3f}{row['recall']:>7.3f}{row['f1']:>7.3f}"
            + (f"{row['type_accuracy']:>7.3f}{row['linked']:>8}" if "n" in row else "")
        )
    return "\n".join(lines)


def evaluate(split: str = "all") -> str:
    """The tables ``policytext eval --references`` prints: parser alone and through ingest,
    on the dev part, the held-out part, or both (``split`` = dev, held-out, all)."""
    entries = build_devset()
    parts = {"dev": [e for e in entries if not e.held_out], "held-out": [e for e in entries if e.held_out]}
    chosen = parts if split == "all" else {split: parts[split]}
    out = [f"references development set: {len(make_records())} records, {len(entries)} entries "
           "(own generator and formatters; no CSL)"]
    for name, es in chosen.items():
        out.append(format_table(score_parser(es), f"\n[{name}] parser alone"))
        out.append(format_table(score_through_ingest(es), f"\n[{name}] through clean + citations"))
    return "\n".join(out)
