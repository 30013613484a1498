"""The stance rules on the labelled set's train split (never the test split): per-class scores,
the confusion matrix and, with ``--show``, the misfires of one confusion cell.

    python -m benchmarks.labelled_rules                      # scores on corpora/labels train split
    python -m benchmarks.labelled_rules --show NONE:RECOUPLING --limit 30   # truth:rules

Rule changes are measured with this before and after (the README's stance section records them).
"""

from __future__ import annotations

import argparse
import sys

from pipeline.extract import get_extractor
from pipeline.train.evaluate import format_metrics, score
from pipeline.train.human import DEFAULT_LABELSET
from pipeline.train.labelset import read_labelset
from pipeline.schema import STANCE_LABELS


def rules_on_split(path=DEFAULT_LABELSET, split: str = "train", lexicon_dir: str | None = None):
    if split != "train":
        raise SystemExit("rule changes are measured on the train split only")
    rows = read_labelset(path, split=split)
    extractor = get_extractor(lexicon_dir)
    predicted = [extractor.extract(r["text"]) for r in rows]
    return rows, predicted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", default=str(DEFAULT_LABELSET))
    parser.add_argument("--show", help="TRUTH:RULES cell to list, e.g. NONE:RECOUPLING")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--lexicons", default=None)
    args = parser.parse_args(argv)
    rows, predicted = rules_on_split(args.labels, lexicon_dir=args.lexicons)
    metrics = score("stance", [r["stance"] for r in rows], [p.stance for p in predicted], list(STANCE_LABELS),
                    against="human labels, train split of the labelled set")
    print(format_metrics("rules", metrics))
    if args.show:
        truth, rule = args.show.split(":")
        shown = 0
        for r, p in zip(rows, predicted):
            if r["stance"] == truth and p.stance == rule and shown < args.limit:
                cues = ", ".join(f"{e.cue}({e.rule})" for e in p.stance_evidence)
                print(f"{r['id']} [{cues}] {r['text']}")
                shown += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
