"""Bibliographic metadata and publication dates, each date with where it came from.

Order of trust: the manifest, then the record's own fields, then the text (文章编号 (2024),
发布时间：…), then inference (the NPC session or CPC congress a title names). Every date
carries ``date_evidence`` saying which rule produced it, so it can be checked.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from pipeline.schema import CleanResult, DocumentMeta, RawDocument

_CALENDAR = Path(__file__).with_name("calendar.yaml")
_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = r"[〇零一二两三四五六七八九十百\d]+"

_ISO_DATE = re.compile(r"^\s*(1[89]\d\d|20\d\d)(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?\s*$")
_TEXT_DATE_RULES = (
    # 文章编号：1002-6649 (2024) 03-0002-23 — the year of the issue
    ("文章编号", re.compile(r"文章编号[^\n]{0,40}?[(（]\s*((?:19|20)\d\d)\s*[)）]")),
    # 发布时间 / 发布日期 / 发表日期：2023-05-01 or 2023年5月1日
    ("发布时间", re.compile(r"(?:发布|发表|出版|刊发)(?:时间|日期)\s*[:：]?\s*((?:19|20)\d\d)[-/.年](\d{1,2})(?:[-/.月](\d{1,2}))?")),
    # 2023年第1期 in the front matter: the journal issue
    ("年第N期", re.compile(r"((?:19|20)\d\d)\s*年\s*第\s*\d{1,2}\s*期")),
)
_NPC_SESSION = re.compile(rf"第({_CN_NUMBER})届全国人民代表大会第({_CN_NUMBER})次会议")
_CPC_CONGRESS = re.compile(rf"(?:中国共产党第({_CN_NUMBER})次全国代表大会|[(（]({_CN_NUMBER})大[)）])")
_TITLE_YEAR = re.compile(r"^\s*((?:19|20)\d\d)\s*年")


def chinese_number(text: str) -> int | None:
    """十四 -> 14, 二十 -> 20, 十 -> 10, 19 -> 19."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


@lru_cache(maxsize=1)
def _calendar() -> dict[str, Any]:
    with _CALENDAR.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def infer_date_from_title(title: str | None, record: dict[str, Any]) -> tuple[int, str] | None:
    """Year inferred from the body a document names: an NPC session or a CPC congress."""
    calendar = _calendar()
    congress = record.get("congress")
    if isinstance(congress, (int, str)) and str(congress).isdigit():
        year = calendar["cpc_congresses"].get(int(congress))
        if year:
            return year, f"record field congress={congress}: CPC National Congress {congress} met in {year}"
    if not title:
        return None
    match = _NPC_SESSION.search(title)
    if match:
        term, session = chinese_number(match.group(1)), chinese_number(match.group(2))
        year = calendar["npc_sessions"].get(term, {}).get(session)
        if year:
            return year, f"title names NPC term {term} session {session} ({match.group(0)}), held in {year}"
    match = _CPC_CONGRESS.search(title)
    if match:
        number = chinese_number(match.group(1) or match.group(2))
        year = calendar["cpc_congresses"].get(number)
        if year:
            return year, f"title names CPC National Congress {number} ({match.group(0)}), held in {year}"
    return None


def parse_date(value: Any) -> tuple[str, int] | None:
    """A record or manifest date -> (ISO-like string, year), or None when it is not a date."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (str(value), value) if 1800 <= value <= 2100 else None
    match = _ISO_DATE.match(str(value))
    if not match:
        return None
    year, month, day = match.groups()
    if not real_date(int(year), month and int(month), day and int(day)):
        return None
    parts = [year] + [f"{int(p):02d}" for p in (month, day) if p]
    return "-".join(parts), int(year)


def real_date(year: int, month: int | None, day: int | None) -> bool:
    """Whether year[-month[-day]] is a calendar date (no 2023-13, no 2024-02-30)."""
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return False
    return True


def date_from_text(text: str) -> tuple[str, int, str] | None:
    """Look for a publication date in the front matter and the end of the text."""
    window = text[:6000] + "\n" + text[-2000:]
    for rule, pattern in _TEXT_DATE_RULES:
        match = pattern.search(window)
        if match:
            groups = [g for g in match.groups() if g]
            year = int(groups[0])
            if not real_date(*([int(g) for g in groups] + [None, None])[:3]):
                continue
            iso = "-".join([groups[0]] + [f"{int(g):02d}" for g in groups[1:]])
            return iso, year, f"text: {rule} ({match.group(0).strip()})"
    return None


def resolve_metadata(raw: RawDocument, cleaned: CleanResult | None, manifest_entry: dict[str, Any] | None) -> DocumentMeta:
    entry = manifest_entry or {}
    record = raw.metadata
    meta = DocumentMeta()
    title_section = None
    if cleaned is not None:
        title_section = next((s.text for s in cleaned.sections if s.kind == "title"), None)
    meta.title = _first(_text(entry.get("title")), _text(record.get("title")), title_section, cleaned.title_hint if cleaned else None)
    authors = entry.get("authors") or record.get("authors") or record.get("author") or []
    meta.authors = _author_list(authors)
    meta.venue = _first(_text(entry.get("venue")), _text(record.get("venue")), _text(record.get("journal")))
    meta.source = _first(_text(entry.get("source")), _text(record.get("source")), _text(record.get("type")), _source_from_path(raw.path))

    rejected = None
    for origin, value, label in (
        ("manifest", entry.get("published"), "manifest field published"),
        ("record", record.get("published"), "record field published"),
        ("record", record.get("date"), "record field date"),
        ("record", record.get("year"), "record field year"),
    ):
        parsed = parse_date(value)
        if parsed:
            meta.published, meta.year = parsed
            meta.date_source, meta.date_evidence = origin, f"{label}={value}"
            return meta
        if value is not None and rejected is None and _ISO_DATE.match(str(value)):
            rejected = f"{label}={value} is not a calendar date; ignored"
    if rejected:  # an impossible date is never stored as the publication date; the note stays
        meta.date_evidence = rejected
    inferred = infer_date_from_title(meta.title, record)
    title_year = _TITLE_YEAR.match(meta.title or "")
    if title_year and not inferred:
        year = int(title_year.group(1))
        meta.published, meta.year = str(year), year
        meta.date_source, meta.date_evidence = "text", f"title starts with the year ({title_year.group(0)})"
        return meta
    found = date_from_text(cleaned.text if cleaned is not None else raw.raw_text)
    if found and not inferred:
        meta.published, meta.year, meta.date_evidence = found
        meta.date_source = "text"
        return meta
    if inferred:
        year, why = inferred
        meta.published, meta.year = str(year), year
        meta.date_source, meta.date_evidence = "inferred", why
    return meta


def _text(value: Any) -> str | None:
    """A record field as text: strings and numbers; anything else (objects, lists) is not a title."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _author_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [str(a) for a in value if a not in (None, "")]
    return []


def _first(*values: Any) -> Any:
    for value in values:
        if value not in (None, "", []):
            return value
    return None


def _source_from_path(path: str) -> str | None:
    """The collection a file belongs to: the JSON Lines file's stem, or the folder name."""
    base = path.split("#", 1)[0]
    p = Path(base)
    if "#" in path:
        return p.stem
    return p.parent.name or None
