"""What a query counts: a literal string, an alias group of a tracked term, or the stored
mentions of a framework or instrument; and the SQL tests that pick the sentences that can hold
it (the counting itself is :class:`pipeline.extract.terms.TermCounter`'s, as at ingest).

A term as typed is read by :func:`resolve_term`: ``group:ID`` (every alias of the tracked term
``ID`` of ``lexicons/terms.yaml``), ``framework:ID``, ``instrument:ID``, ``stance:LABEL`` (the
sentences the rules gave that stance), or a literal string (Traditional input and whitespace
do not matter).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.errors import PipelineError
from pipeline.extract.terms import TermCounter, group_key, literal_key, term_groups
from pipeline.lexicons import load_lexicons
from pipeline.schema import STANCE_LABELS
from pipeline.textview import query_view


def sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class TermSpec:
    """One thing to count. ``name`` is how rows label it."""

    name: str
    kind: str  # literal | group | framework | instrument | stance
    needles: tuple[tuple[str, bool], ...] = ()  # (whitespace-free Simplified text, case-sensitive)
    label: str = ""  # framework/instrument id, stance label, or the group id

    @property
    def from_mentions(self) -> bool:
        """Counted from stored labels (mentions, rule stance), not from the text."""
        return self.kind in ("framework", "instrument", "stance")

    def sql_prefilter(self, column: str = "simplified") -> str | None:
        """A cheap SQL test that every sentence with an occurrence passes (or None)."""
        if self.from_mentions:
            return None
        firsts: dict[str, None] = {}
        for text, case_sensitive in self.needles:
            first = text[:1]
            for variant in (first,) if case_sensitive else (first.lower(), first.upper()):
                firsts[variant] = None
        return " OR ".join(f"contains({column}, {sql_str(ch)})" for ch in firsts) or None

    def sql_contains(self, column: str = "simplified") -> str | None:
        """SQL test that holds exactly for texts containing a needle (for whitespace-free texts)."""
        if self.from_mentions or not self.needles:
            return None
        tests = []
        for text, case_sensitive in self.needles:
            if case_sensitive:
                tests.append(f"contains({column}, {sql_str(text)})")
            else:  # lower() over every row costs more than testing both cases of the first letter
                tests += [f"contains({column}, {sql_str(v)})" for v in {text[:1].lower(), text[:1].upper()}]
        return " OR ".join(tests)


def counter_for(specs: Sequence[TermSpec]) -> tuple[TermCounter, dict[int, str]]:
    """A counter for the text specs among ``specs`` and, per spec index, its counter key."""
    literals = [s.needles[0][0] for s in specs if s.kind == "literal"]
    groups = {f"q{i}": s.needles for i, s in enumerate(specs) if s.kind == "group"}
    keys = {
        i: literal_key(s.needles[0][0]) if s.kind == "literal" else group_key(f"q{i}")
        for i, s in enumerate(specs) if s.kind in ("literal", "group")
    }
    return TermCounter(literals, groups), keys


def _suggest(value: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=3, cutoff=0.5)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _labels(kind: str) -> tuple[str, ...]:
    return load_lexicons().labels.get(kind, ())


def resolve_group(group_id: str) -> TermSpec:
    groups = term_groups()
    key = group_id if group_id in groups else query_view(group_id)
    if key not in groups:
        raise PipelineError(
            f"no alias group {group_id!r} in lexicons/terms.yaml{_suggest(group_id, list(groups))}; "
            "groups are the tracked term ids listed there"
        )
    return TermSpec(name=f"group:{key}", kind="group", needles=groups[key], label=key)


def resolve_term(term: str) -> TermSpec:
    """``group:ID`` / ``framework:ID`` / ``instrument:ID`` / ``stance:LABEL`` / a literal string -> TermSpec."""
    prefix, _, rest = term.partition(":")
    if rest and prefix == "group":
        return resolve_group(rest)
    if rest and prefix in ("framework", "instrument"):
        labels = _labels(prefix)
        if rest not in labels:
            raise PipelineError(f"no {prefix} id {rest!r} in the lexicons{_suggest(rest, labels)}")
        return TermSpec(name=term, kind=prefix, label=rest)
    if rest and prefix == "stance":
        label = rest.upper()
        if label not in STANCE_LABELS:
            raise PipelineError(f"no stance {rest!r}; use one of {', '.join(STANCE_LABELS)}")
        return TermSpec(name=f"stance:{label}", kind="stance", label=label)
    needle = query_view(term)
    if not needle:
        raise PipelineError(f"term {term!r} is empty once whitespace is removed")
    return TermSpec(name=term, kind="literal", needles=((needle, True),))


def resolve_terms(terms: Sequence[str] = (), groups: Sequence[str] = ()) -> list[TermSpec]:
    specs = [resolve_term(t) for t in terms] + [resolve_group(g) for g in groups]
    if not specs:
        raise PipelineError("give at least one TERM or --group ID")
    return specs


