"""Checkable claims: which sentences state a number, a percentage, a date, a quotation or an
attribution (the claims that should carry a citation), with the cue that fired."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.schema import Sentence

CLAIM_RULES: dict[str, re.Pattern[str]] = {
    "percent": re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|个百分点|‰)|百分之[零一二两三四五六七八九十百点]+"),
    "number": re.compile(
        r"(?<![\d.])\d+(?:[,，]\d{3})*(?:\.\d+)?\s*(?:多|余)?\s*(?:万亿|千亿|百亿|亿|万|千)?\s*"
        r"(?:美元|欧元|日元|元|人民币|吨|桶|项|家|个|倍|名|人|次|件|辆|架|台|部|份|条|国|美分|亿|万|"
        r"billion|million|trillion|percent)"
        r"|\d+\.\d+(?!\s*(?:年|月|日))"
        r"|\d+\s*/\s*\d+(?!\s*/)"
        r"|[一二两三四五六七八九十百千]+(?:万亿|亿|万)(?:美元|元|人民币)?"
    ),
    "date": re.compile(
        r"(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?"
        r"|\d{1,2}\s*月\s*\d{1,2}\s*日"
        r"|(?:January|February|March|April|May|June|July|August|September|October|November|"
        r"December)\s+\d{1,2},?\s+\d{4}"
    ),
    "quote": re.compile(
        r"(?:说|称|表示|指出|强调|认为|写道|宣称|声称|宣布|坦言|承认|提出)\s*[：:，,]?\s*[“\"「][^”\"」]{4,}[”\"」]"
        r"|[“\"「][^”\"」]{15,}[”\"」]"
        r"|[“\"「][^”\"」]*[，。！？；][^”\"」]*[”\"」]"
    ),
    "attribution": re.compile(
        r"(?<!本文)(?<!笔者)(?<!我们)(?:指出|表示|宣称|声称|强调|显示|表明|发现|披露|报道|坦言|宣布|写道)"
        r"|(?:^|[，,。；;：:\s])(?:据|根据)(?!此|悉)[^，,。]{1,40}?(?:数据|统计|报告|报道|资料|测算|调查|估计|显示|称|介绍|消息)"
        r"|(?:^|[，,。；;\s])据(?!此|悉|了解|说)[^，,。]{1,20}?(?:称|介绍|表示|统计|测算)"
    ),
}
NUMERIC_KINDS = frozenset({"percent", "number"})
# A cheap necessary condition per claim rule: the rule cannot match a text without it, so
# most sentences skip the full (slower) patterns. Keep in step with CLAIM_RULES.
_CLAIM_PREFILTERS: dict[str, re.Pattern[str]] = {
    "percent": re.compile(r"\d|百分之"),
    "number": re.compile(r"\d|万|亿"),
    "date": re.compile(r"\d"),
    "quote": re.compile(r"[“\"「]"),
    "attribution": re.compile(r"据|指出|表示|宣称|声称|强调|显示|表明|发现|披露|报道|坦言|宣布|写道"),
}


def claim_cues(text: str, kinds: Iterable[str] | None = None) -> dict[str, list[str]]:
    """For each claim rule that fires on ``text``, the cues (matched strings) that fired
    (only the rules named in ``kinds``, when given)."""
    if not isinstance(text, str):
        return {}
    wanted = None if kinds is None else set(kinds)
    out: dict[str, list[str]] = {}
    for name, pat in CLAIM_RULES.items():
        if wanted is not None and name not in wanted:
            continue
        if not _CLAIM_PREFILTERS[name].search(text):
            continue
        found = [cue for cue in (m.group(0).strip() for m in pat.finditer(text)) if cue]
        if name == "number":
            found = [f for f in found if not re.fullmatch(r"(?:19|20)\d{2}", f)]
        if found:
            out[name] = found
    return out


def claim_kinds(text: str) -> list[str]:
    """Which checkable claims a sentence makes: ``percent``, ``number``, ``date``, ``quote``,
    ``attribution`` (in that order)."""
    return list(claim_cues(text))


def iter_claim_sentences(sentences: Iterable[Sentence]) -> Iterable[tuple[Sentence, list[str]]]:
    """Body sentences that make a checkable claim, with the claim kinds."""
    for s in sentences:
        if s.section != "body":
            continue
        kinds = claim_kinds(s.text)
        if kinds:
            yield s, kinds
