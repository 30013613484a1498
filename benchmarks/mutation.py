"""Mutation check of the stance rules and audit checks: every single rule or check deleted or
inverted must make at least one test fail.

    .venv/bin/python -m benchmarks.mutation            # every mutation (about 5 minutes)
    .venv/bin/python -m benchmarks.mutation drop:decoupling_cue invert-check:ORPHAN_NOTE

Each mutation runs the fast tests of the rules and checks in a fresh pytest process with
``benchmarks.mutation_plugin``; a mutation that leaves them green is "survived" and printed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ["tests/test_stance_rules.py", "tests/test_extract.py", "tests/test_tagging.py", "tests/test_audit.py",
         "tests/test_citations.py"]


def mutations() -> list[str]:
    from pipeline.audit.checks import CHECKS
    from pipeline.extract.stance import STANCE_RULES

    out = [f"{kind}:{r.name}" for r in STANCE_RULES for kind in ("drop", "invert")]
    out += [f"{kind}:{name}" for name in CHECKS for kind in ("drop-check", "invert-check")]
    return out


def run(mutation: str) -> tuple[bool, float]:
    """(killed, seconds): killed when the tests fail under the mutation."""
    started = time.monotonic()
    env = {**os.environ, "POLICYTEXT_MUTATION": mutation}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "benchmarks.mutation_plugin", *TESTS],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    return done.returncode != 0, time.monotonic() - started


def main(argv: list[str]) -> int:
    chosen = argv or mutations()
    baseline, _ = run("")
    if baseline:
        print("the tests fail without any mutation; fix them first", file=sys.stderr)
        return 2
    survived = []
    for mutation in chosen:
        killed, seconds = run(mutation)
        print(f"{'killed  ' if killed else 'SURVIVED'} {mutation} ({seconds:.0f} s)", flush=True)
        if not killed:
            survived.append(mutation)
    print(f"{len(chosen) - len(survived)} of {len(chosen)} mutations killed")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
