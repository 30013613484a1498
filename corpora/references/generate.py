"""Build the reference development set: our own structured records, formatted by citeproc-js
with published CSL styles (GB/T 7714-2015 numeric / author-date / note, GB/T 7714-2025 numeric,
APA, Chicago notes), plus PDF noise.

    NODE_PATH=…/node_modules CSL_DIR=…/styles LOCALE_DIR=…/locales python corpora/references/generate.py

Writes ``records.jsonl`` (the truth, one record a line) and ``strings.jsonl`` (one formatted
string a line: record id, style, noise, text). The CSL styles and locales stay outside the
project (CC BY-SA); only the strings made from our records are committed, so eval runs offline.
Names, titles and numbers are invented from the pools below; journal, publisher and place
names are general knowledge. Types CSL cannot name (DB, G) are formatted as the nearest CSL
type and the type code printed is set to the record's.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
rng = random.Random(7714)

ZH_SUR = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段")
ZH_GIVEN = list("明华建国志伟海军平东晓红文杰静敏丽强磊洋勇艳涛超芳娟秀英波辉鹏宇飞琳婷雪梅春晖慧颖思远")
ZH_TOPIC = ["数字贸易", "全球治理", "产业链安全", "区域合作", "对外直接投资", "人民币国际化", "绿色发展",
            "能源安全", "科技竞争", "多边贸易体制", "周边外交", "制度型开放", "供应链韧性", "碳中和",
            "跨境数据流动", "营商环境", "自由贸易试验区", "粮食安全", "新型工业化", "公共卫生治理"]
ZH_FRAME = ["{t}的理论逻辑与实践路径", "{t}视角下的{u}研究", "论{t}与{u}", "{t}的演进、挑战与对策",
            "中国{t}的测度与影响因素", "{t}背景下{u}的再思考", "{t}：一个分析框架", "新时代{t}的战略选择",
            "{t}对{u}的影响机制", "{t}的国际比较"]
ZH_JOURNAL = ["世界经济与政治", "国际经济评论", "经济研究", "中国社会科学", "国际问题研究", "外交评论",
              "当代亚太", "国际政治研究", "管理世界", "中国工业经济", "国际贸易问题", "太平洋学报",
              "现代国际关系", "国际展望", "欧洲研究"]
ZH_NEWS = ["人民日报", "光明日报", "经济日报", "中国青年报", "解放日报", "21世纪经济报道"]
ZH_PUB = [("北京", "社会科学文献出版社"), ("北京", "人民出版社"), ("上海", "上海人民出版社"),
          ("北京", "中国社会科学出版社"), ("北京", "商务印书馆"), ("北京", "北京大学出版社"),
          ("上海", "格致出版社"), ("北京", "世界知识出版社"), ("北京", "经济科学出版社"),
          ("杭州", "浙江大学出版社"), ("武汉", "武汉大学出版社"), ("南京", "南京大学出版社")]
ZH_UNIV = [("北京", "北京大学"), ("上海", "复旦大学"), ("北京", "中国人民大学"), ("天津", "南开大学"),
           ("武汉", "武汉大学"), ("北京", "清华大学"), ("广州", "中山大学")]
ZH_ORG = ["国务院发展研究中心", "中国国际经济交流中心", "商务部国际贸易经济合作研究院", "国家统计局",
          "中国信息通信研究院", "国家发展和改革委员会", "中国人民银行", "国家知识产权局"]
ZH_SITE = ["www.gov.cn", "www.mofcom.gov.cn", "www.stats.gov.cn", "www.ndrc.gov.cn", "www.caict.ac.cn",
           "www.pbc.gov.cn", "www.cnipa.gov.cn", "www.drc.gov.cn"]

EN_FAM = ["Smith", "Johnson", "Miller", "Davis", "Garcia", "Wilson", "Anderson", "Taylor", "Thomas",
          "Moore", "Martin", "Jackson", "White", "Harris", "Clark", "Lewis", "Walker", "Hall", "Young",
          "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell",
          "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker", "Collins", "Edwards"]
EN_GIVEN = ["John", "Mary", "David", "Sarah", "Michael", "Laura", "James", "Emily", "Robert", "Anna",
            "William", "Helen", "Richard", "Susan", "Daniel", "Karen", "Peter", "Julia", "Mark", "Ellen"]
EN_MID = ["", "", "A.", "J.", "R.", "M.", "K."]
EN_TOPIC = ["Trade Policy", "Global Value Chains", "Economic Statecraft", "Industrial Policy",
            "Export Controls", "Foreign Direct Investment", "Currency Competition", "Energy Transition",
            "Technology Rivalry", "Regional Integration", "Sanctions", "Supply Chain Resilience",
            "Development Finance", "Digital Sovereignty", "Maritime Security"]
EN_FRAME = ["{t} and the Politics of {u}", "The Rise of {t}", "Rethinking {t} in an Era of {u}",
            "{t}: Evidence from East Asia", "Why {t} Matters for {u}", "The Limits of {t}",
            "{t} under Uncertainty", "Measuring {t}", "{t} after the Pandemic", "Institutions and {t}"]
EN_JOURNAL = ["International Organization", "World Politics", "International Security",
              "Journal of International Economics", "Review of International Political Economy",
              "The China Quarterly", "Foreign Affairs", "American Economic Review",
              "Journal of Contemporary China", "Pacific Affairs", "International Affairs"]
EN_NEWS = ["The New York Times", "Financial Times", "The Wall Street Journal", "The Washington Post"]
EN_PUB = [("Oxford", "Oxford University Press"), ("Cambridge", "Cambridge University Press"),
          ("Princeton", "Princeton University Press"), ("New York", "Routledge"),
          ("Ithaca", "Cornell University Press"), ("Washington, DC", "Brookings Institution Press"),
          ("Cham", "Springer"), ("Stanford", "Stanford University Press")]
EN_ORG = ["World Bank", "International Monetary Fund", "OECD", "Peterson Institute for International Economics",
          "RAND Corporation", "Congressional Research Service", "World Trade Organization"]
EN_SITE = ["www.worldbank.org", "www.imf.org", "www.oecd.org", "www.piie.com", "www.rand.org",
           "www.wto.org", "crsreports.congress.gov"]
EN_UNIV = [("Cambridge, MA", "Harvard University"), ("Stanford", "Stanford University"),
           ("New Haven", "Yale University"), ("Chicago", "University of Chicago")]

TYPES = ["M", "J", "C", "D", "R", "S", "P", "N", "EB/OL", "DB/OL", "CP", "A", "G", "Z", "PP", "DS"]


def zh_person() -> str:
    return rng.choice(ZH_SUR) + "".join(rng.choice(ZH_GIVEN) for _ in range(rng.choice([1, 2, 2])))


def en_person() -> dict:
    return {"family": rng.choice(EN_FAM), "given": " ".join(x for x in [rng.choice(EN_GIVEN), rng.choice(EN_MID)] if x)}


def zh_title() -> str:
    t, u = rng.sample(ZH_TOPIC, 2)
    return rng.choice(ZH_FRAME).format(t=t, u=u)


def en_title() -> str:
    t, u = rng.sample(EN_TOPIC, 2)
    return rng.choice(EN_FRAME).format(t=t, u=u.lower() if rng.random() < 0.3 else u)


def pages() -> str:
    a = rng.randint(1, 180)
    return f"{a}-{a + rng.randint(5, 30)}"


def make_record(i: int, lang: str, code: str) -> dict:
    zh = lang == "zh"
    r: dict = {"id": f"r{i:04d}", "lang": lang, "type": code, "authors": [], "translators": [], "editors": [],
               "title": None, "container": None, "year": rng.randint(1995, 2024), "volume": None,
               "issue": None, "pages": None, "publisher": None, "place": None, "url": None,
               "doi": None, "access_date": None, "date": None, "number": None}
    persons = lambda k: [zh_person() if zh else en_person() for _ in range(k)]  # noqa: E731
    nauth = rng.choice([1, 1, 2, 2, 3, 4])
    r["title"] = zh_title() if zh else en_title()
    y = r["year"]
    site = rng.choice(ZH_SITE if zh else EN_SITE)
    if code == "J":
        r["authors"] = persons(nauth)
        r["container"] = rng.choice(ZH_JOURNAL if zh else EN_JOURNAL)
        r["volume"] = str(rng.randint(1, 60)) if (not zh or rng.random() < 0.4) else None
        r["issue"] = str(rng.randint(1, 12))
        r["pages"] = pages()
        if rng.random() < 0.3:
            r["doi"] = f"10.{rng.randint(1000, 9999)}/{'j' if zh else 'S'}{rng.randint(10000, 99999)}.{y}.{rng.randint(1, 99):02d}"
    elif code in ("M", "G"):
        r["authors"] = persons(rng.choice([1, 1, 2]))
        r["place"], r["publisher"] = rng.choice(ZH_PUB if zh else EN_PUB)
        if code == "G":
            r["title"] = (rng.choice(ZH_TOPIC) + "政策文件汇编") if zh else f"Documents on {rng.choice(EN_TOPIC)}"
            r["authors"] = [rng.choice(ZH_ORG) if zh else rng.choice(EN_ORG)]
        elif rng.random() < 0.25:
            r["translators"] = persons(1)
            r["authors"] = [en_person()] if zh else r["authors"]
        if rng.random() < 0.3:
            r["pages"] = str(rng.randint(1, 300))
    elif code == "C":
        r["authors"] = persons(nauth)
        r["editors"] = persons(1)
        r["container"] = (rng.choice(ZH_TOPIC) + "国际学术研讨会论文集") if zh else f"Proceedings of the Conference on {rng.choice(EN_TOPIC)}"
        r["place"], r["publisher"] = rng.choice(ZH_PUB if zh else EN_PUB)
        r["pages"] = pages()
    elif code == "D":
        r["authors"] = persons(1)
        r["place"], r["publisher"] = rng.choice(ZH_UNIV if zh else EN_UNIV)
    elif code == "R":
        r["authors"] = [rng.choice(ZH_ORG if zh else EN_ORG)] if rng.random() < 0.6 else persons(nauth)
        r["title"] = r["title"] + ("研究报告" if zh else " Report")
        r["place"] = (rng.choice(ZH_PUB)[0] if zh else rng.choice(EN_PUB)[0])
        r["publisher"] = rng.choice(ZH_ORG if zh else EN_ORG)
        if rng.random() < 0.4:
            r["url"] = f"https://{site}/report/{y}/{rng.randint(100, 999)}.pdf"
            r["access_date"] = f"{min(y + 1, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    elif code == "S":
        r["authors"] = [("国家市场监督管理总局" if zh else "International Organization for Standardization")]
        r["number"] = (f"GB/T {rng.randint(1000, 40000)}—{y}" if zh else f"ISO {rng.randint(1000, 30000)}:{y}")
        r["title"] = (rng.choice(ZH_TOPIC) + "术语") if zh else f"{rng.choice(EN_TOPIC)} — Vocabulary"
        r["place"], r["publisher"] = ("北京", "中国标准出版社") if zh else ("Geneva", "ISO")
    elif code == "P":
        r["authors"] = persons(rng.choice([1, 2]))
        r["title"] = (rng.choice(["一种", "基于"]) + rng.choice(ZH_TOPIC) + "的数据处理方法") if zh else f"Method for {rng.choice(EN_TOPIC).lower()} data processing"
        r["number"] = (f"CN{rng.randint(100000000, 999999999)}A" if zh else f"US{rng.randint(8000000, 11999999)}B2")
        r["date"] = f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    elif code == "N":
        r["authors"] = persons(1)
        r["container"] = rng.choice(ZH_NEWS if zh else EN_NEWS)
        r["date"] = f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        r["pages"] = str(rng.randint(1, 16))
    elif code in ("EB/OL", "DB/OL", "DS", "CP"):
        r["authors"] = [rng.choice(ZH_ORG if zh else EN_ORG)] if rng.random() < 0.7 else persons(1)
        if code == "DB/OL":
            r["title"] = (rng.choice(ZH_TOPIC) + "数据库") if zh else f"{rng.choice(EN_TOPIC)} Database"
        elif code == "DS":
            r["title"] = (rng.choice(ZH_TOPIC) + "统计数据集") if zh else f"{rng.choice(EN_TOPIC)} Dataset"
        elif code == "CP":
            r["title"] = (rng.choice(ZH_TOPIC) + "分析软件") if zh else f"{rng.choice(EN_TOPIC).replace(' ', '')}Kit"
        r["url"] = f"https://{site}/{rng.choice(['art', 'data', 'zwgk', 'news'])}/{y}/{rng.randint(1, 12):02d}/t{y}{rng.randint(1000, 9999)}.html"
        r["date"] = f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if code == "EB/OL" else None
        r["access_date"] = f"{min(y + 1, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    elif code == "A":
        r["authors"] = [rng.choice(ZH_ORG if zh else EN_ORG)]
        r["title"] = (f"关于{rng.choice(ZH_TOPIC)}工作的请示") if zh else f"Memorandum on {rng.choice(EN_TOPIC)}"
        r["container"] = ("中央档案馆" if zh else "National Archives")
        r["number"] = f"{rng.randint(1, 300)}-{rng.randint(1, 99)}"
    elif code == "PP":
        r["authors"] = persons(nauth)
        r["container"] = "arXiv" if not zh else "中国科技论文在线"
        r["url"] = f"https://arxiv.org/abs/{y % 100:02d}{rng.randint(1, 12):02d}.{rng.randint(10000, 99999)}" if not zh else f"https://www.paper.edu.cn/releasepaper/content/{y}{rng.randint(10, 99)}-{rng.randint(100, 999)}"
        r["access_date"] = f"{min(y + 1, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    else:  # Z
        r["authors"] = persons(1)
        r["title"] = (rng.choice(ZH_TOPIC) + "调研笔记") if zh else f"Notes on {rng.choice(EN_TOPIC)}"
    return r


CSL_TYPE = {"M": "book", "G": "book", "J": "article-journal", "C": "paper-conference", "D": "thesis",
            "R": "report", "S": "standard", "P": "patent", "N": "article-newspaper", "EB/OL": "webpage",
            "DB/OL": "dataset", "DS": "dataset", "CP": "software", "A": "manuscript", "PP": "article", "Z": "document"}


def _date(iso: str | None, year: int | None = None) -> dict | None:
    if iso:
        return {"date-parts": [[int(x) for x in iso.split("-")]]}
    return {"date-parts": [[year]]} if year else None


def to_csl(r: dict) -> dict:
    zh = r["lang"] == "zh"
    def names(xs):  # noqa: E306
        return [{"literal": x} if isinstance(x, str) else x for x in xs]
    it = {"id": r["id"], "type": CSL_TYPE[r["type"]], "title": r["title"], "language": "zh-CN" if zh else "en-US"}
    if r["type"] == "A" and False:
        pass
    for k, v in (("author", names(r["authors"])), ("translator", names(r["translators"])), ("editor", names(r["editors"]))):
        if v:
            it[k] = v
    if r["container"]:
        it["container-title"] = r["container"]
    for src, dst in (("volume", "volume"), ("issue", "issue"), ("pages", "page"), ("publisher", "publisher"),
                     ("place", "publisher-place"), ("url", "URL"), ("doi", "DOI"), ("number", "number")):
        if r[src]:
            it[dst] = r[src]
    if r["type"] == "A":
        it["archive"] = r["container"]
        it.pop("container-title", None)
    d = _date(r["date"], r["year"])
    if d:
        it["issued"] = d
    if r["access_date"]:
        it["accessed"] = _date(r["access_date"])
    if r["pages"] and r["type"] in ("M", "G"):
        it["_locator"] = r["pages"]
        it.pop("page", None)
    return it


def ir_note(r: dict) -> str:
    """The note style of Chinese international-studies journals (no published CSL): our own."""
    a = "、".join(x if isinstance(x, str) else f"{x['given']}·{x['family']}" for x in r["authors"])
    code = r["type"]
    if code == "J":
        s = f"{a}：《{r['title']}》，载《{r['container']}》{r['year']}年第{r['issue']}期，第{r['pages']}页。"
    elif code == "N":
        y, m, d = r["date"].split("-")
        s = f"{a}：《{r['title']}》，《{r['container']}》{y}年{int(m)}月{int(d)}日，第{r['pages']}版。"
    elif code in ("EB/OL", "DB/OL", "DS", "CP", "PP"):
        y, m, d = r["access_date"].split("-")
        s = f"{a}：《{r['title']}》，{r['url']}，访问日期：{y}年{int(m)}月{int(d)}日。"
    elif code == "C":
        s = f"{a}：《{r['title']}》，载{r['editors'][0]}主编：《{r['container']}》，{r['place']}：{r['publisher']}，{r['year']}年，第{r['pages']}页。"
    elif code in ("M", "G", "R", "D"):
        tr = f"，{r['translators'][0]}译" if r["translators"] else ""
        a2 = a
        pg = f"，第{r['pages']}页" if r["pages"] else ""
        s = f"{a2}：《{r['title']}》{tr}，{r['place']}：{r['publisher']}，{r['year']}年{pg}。"
    else:
        return ""
    return s


def run_csl(items: list[dict], style: str, mode: str) -> list[str]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(items, fh, ensure_ascii=False)
    out = subprocess.run(["node", str(HERE / "csl_format.js"), fh.name, str(Path(os.environ["CSL_DIR"]) / f"{style}.csl"),
                          os.environ["LOCALE_DIR"], mode], capture_output=True, text=True, check=True).stdout
    os.unlink(fh.name)
    return [re.sub(r"^\[\d+\]\s*", "", s) for s in json.loads(out)]


ZH_STYLES = [("china-national-standard-gb-t-7714-2015-numeric", "bib", "gbt2015"),
             ("china-national-standard-gb-t-7714-2025-numeric", "bib", "gbt2025"),
             ("china-national-standard-gb-t-7714-2015-author-date", "bib", "gbt2015-ay")]
EN_STYLES = ZH_STYLES[:2] + [("apa", "bib", "apa"), ("chicago-notes", "note", "chicago-note")]


def noise(s: str, lang: str) -> tuple[str, str]:
    """One kind of PDF noise (or none) on a formatted string."""
    kind = rng.choice(["none", "none", "width", "wrap", "hanspace", "noperiod"])
    if kind == "width":
        table = str.maketrans({",": "，", ":": "：", "(": "（", ")": "）"}) if rng.random() < 0.5 else str.maketrans({"，": ", ", "：": ": ", "（": "(", "）": ")"})
        s = s.translate(table)
    elif kind == "wrap":
        cut = rng.randint(len(s) // 3, 2 * len(s) // 3)
        if not re.search(r"https?://\S*$", s[:cut]):
            s = s[:cut] + "\n" + s[cut:]
    elif kind == "hanspace" and lang == "zh":
        s = re.sub(r"(?<=[\u4e00-\u9fff])(?=[\u4e00-\u9fff])", lambda m: " " if rng.random() < 0.3 else "", s)
    elif kind == "noperiod":
        s = s.rstrip("。.")
    return s, kind


def heldout(rid: str) -> bool:
    return int(hashlib.sha1(rid.encode()).hexdigest(), 16) % 4 == 0


def main() -> None:
    records = []
    i = 0
    for lang in ("zh", "en"):
        for k in range(260):
            code = TYPES[k % len(TYPES)] if k < 160 else rng.choice(["J", "J", "J", "M", "M", "C", "EB/OL", "R", "N", "D"])
            records.append(make_record(i, lang, code))
            i += 1
    for r in records:
        r["split"] = "heldout" if heldout(r["id"]) else "dev"
    strings = []
    for lang, styles in (("zh", ZH_STYLES), ("en", EN_STYLES)):
        recs = [r for r in records if r["lang"] == lang]
        items = [to_csl(r) for r in recs]
        for style, mode, name in styles:
            for r, s in zip(recs, run_csl(items, style, mode)):
                s = s.replace("[DS/OL]", "[DB/OL]") if r["type"] == "DB/OL" else s
                s = s.replace("[M]", "[G]") if r["type"] == "G" else s
                t, kind = noise(s, lang)
                strings.append({"id": r["id"], "style": name, "noise": kind, "text": t})
        if lang == "zh":
            for r in recs:
                s = ir_note(r)
                if s:
                    t, kind = noise(s, lang)
                    strings.append({"id": r["id"], "style": "ir-note", "noise": kind, "text": t})
    with open(HERE / "records.jsonl", "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(HERE / "strings.jsonl", "w", encoding="utf-8") as fh:
        for s in strings:
            fh.write(json.dumps(s, ensure_ascii=False) + "\n")
    print(len(records), "records,", len(strings), "strings")


if __name__ == "__main__":
    main()
