"""``policytext eval --rules``: every stance rule's coverage, overlaps, conflicts and accuracy on
a labelled file (snorkel's ``LFAnalysis`` table), and the rules' combined scores."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.extract import get_extractor
from pipeline.extract.stance import STANCE_RULES, LabellingFunction, rule_analysis, vote_matrix

COLUMNS = ("rule", "label", "strength", "votes", "coverage", "overlaps", "conflicts", "correct", "incorrect", "accuracy")


def analyse_rules(records: Sequence[dict[str, Any]], *, lexicon_dir: str | None = None,
                  rules: Sequence[LabellingFunction] | None = None) -> list[dict[str, Any]]:
    """One row per rule over ``records`` (each with ``text`` and a gold ``stance``)."""
    extractor = get_extractor(lexicon_dir)
    rules = STANCE_RULES if rules is None else rules
    contexts = [extractor.stance_context(r["text"]) for r in records]
    return rule_analysis(vote_matrix(contexts, rules), [r["stance"] for r in records], rules)


def format_rule_analysis(rows: Sequence[dict[str, Any]], *, n: int) -> str:
    widths = {c: max(len(c), *(len(_cell(r.get(c))) for r in rows)) for c in COLUMNS}
    lines = [f"stance rules on {n} labelled sentences (coverage, overlaps, conflicts: share of the sentences)",
             "  ".join(c.ljust(widths[c]) for c in COLUMNS)]
    lines += ["  ".join(_cell(r.get(c)).ljust(widths[c]) for c in COLUMNS) for r in rows]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)
