"""A pytest plugin that applies one mutation to the stance rules or the audit checks before the
tests run (``POLICYTEXT_MUTATION=drop:RULE``, ``invert:RULE``, ``drop-check:KIND``,
``invert-check:KIND``). Used only by ``benchmarks/mutation.py``; the package has no hook."""

from __future__ import annotations

import dataclasses
import os

MIXED_TO = "DECOUPLING"  # what an inverted MIXED vote becomes (the example)


def _invert_label(label: str) -> str:
    return {"DECOUPLING": "RECOUPLING", "RECOUPLING": "DECOUPLING", "MIXED": MIXED_TO}[label]


def pytest_configure(config):
    spec = os.environ.get("POLICYTEXT_MUTATION")
    if not spec:
        return
    kind, _, name = spec.partition(":")
    if kind in ("drop", "invert"):
        from pipeline.extract import stance

        rules = list(stance.STANCE_RULES)
        index = [r.name for r in rules].index(name)
        rule = rules[index]
        if kind == "drop":
            del rules[index]
        else:
            inverted = _invert_label(rule.label)

            def vote(ctx, _vote=rule.vote):
                return [dataclasses.replace(e, label=inverted) for e in _vote(ctx)]

            rules[index] = dataclasses.replace(rule, label=inverted, vote=vote)
        stance.STANCE_RULES = tuple(rules)
    elif kind in ("drop-check", "invert-check"):
        from pipeline.audit import checks
        from pipeline.schema import Finding

        original = checks.CHECKS[name]
        if kind == "drop-check":
            checks.CHECKS[name] = lambda ctx: iter(())
        else:
            def inverted(ctx, _check=original, _kind=name):
                flagged = {f.sentence for f in _check(ctx)}
                for s in ctx.sentences:  # the complement: every sentence the check did not flag
                    if s.index not in flagged:
                        yield Finding(ctx.doc, s.index, None, _kind, "mutated check")

            checks.CHECKS[name] = inverted
    else:
        raise ValueError(f"unknown mutation {spec!r}")
