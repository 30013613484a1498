"""Labelled sentence sets: merging annotators' files, agreement (Cohen's kappa), disagreements.

A labelled set is JSON Lines, one sentence per line::

    {"id", "doc", "corpus", "date", "split", "text", "stance", "instruments", "frameworks",
     "annotators", "adjudicated"}

``split`` is ``train`` or ``test`` (a hash of the document key: whole documents are held out).
The shipped set is ``corpora/labels/sentences.jsonl``; it is rebuilt from the sample and the
annotators' batch files with::

    python -m pipeline.train.labelset --sample ../labels/sample_full.jsonl \
        --annotations ../labels/out --out corpora/labels

Agreement is Cohen's kappa (``sklearn.metrics.cohen_kappa_score``) on the items both
annotators labelled: stance as one 4-class variable; instruments and frameworks per label as
a binary variable (present/absent), plus a pooled binary kappa over every item × label cell
and the share of items whose whole label set is identical.

How a double-labelled item is settled: an agreed stance is kept; a stance disagreement takes
the adjudicator's decision from ``adjudication.jsonl`` (``{"id", "stance", "reason"}``), and
stays out of the set until adjudicated. Instruments and frameworks: the union of the two
annotators' lists (a tag one of them missed is the commoner error; both lists are kept in the
disagreement file).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError
from pipeline.schema import STANCE_LABELS

LABELSET_FIELDS = ("id", "doc", "corpus", "date", "split", "text", "stance", "instruments", "frameworks",
                   "annotators", "adjudicated")
SET_TASKS = ("instruments", "frameworks")
TASK_NAMES = ("stance",) + SET_TASKS


class LabelSetError(PipelineError):
    """A labelled-set or annotation file that cannot be read."""


# -- reading ---------------------------------------------------------------------------------------


def read_jsonl(path: str | Path, *, errors: list[str] | None = None) -> list[dict[str, Any]]:
    """Objects of a JSON Lines file. A bad line is reported in ``errors`` (file and line) and
    skipped; without ``errors`` it raises."""
    rows = []
    path = Path(path)
    try:
        handle = open(path, encoding="utf-8")
    except OSError as exc:
        raise LabelSetError(f"{path}: cannot read ({exc.strerror})") from exc
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError("not a JSON object")
            except ValueError as exc:
                message = f"{path}, line {number}: not a JSON object ({exc})"
                if errors is None:
                    raise LabelSetError(message) from exc
                errors.append(message)
                continue
            rows.append(row)
    return rows


def check_annotation(row: dict[str, Any]) -> str | None:
    """Why an annotation row is unusable, or None."""
    if not isinstance(row.get("id"), str):
        return "no id"
    if row.get("stance") not in STANCE_LABELS:
        return f"stance {row.get('stance')!r} is not one of {', '.join(STANCE_LABELS)}"
    for task in SET_TASKS:
        value = row.get(task, [])
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            return f"{task} is not a list of ids"
    return None


def read_annotations(folder: str | Path, *, errors: list[str] | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    """``{annotator: {id: row}}`` from ``FOLDER/X/X_NN.jsonl`` (finished batches only: a
    ``.partial`` file is a batch still being written). The annotator is the sub-folder's name."""
    errors = [] if errors is None else errors
    out: dict[str, dict[str, dict[str, Any]]] = {}
    root = Path(folder)
    if not root.is_dir():
        raise LabelSetError(f"{root}: no annotation folder here")
    for sub in sorted(p for p in root.iterdir() if p.is_dir()):
        labels: dict[str, dict[str, Any]] = {}
        for path in sorted(sub.glob("*.jsonl")):
            for number, row in enumerate(read_jsonl(path, errors=errors), 1):
                problem = check_annotation(row)
                if problem:
                    errors.append(f"{path}, record {number}: {problem}")
                    continue
                labels[row["id"]] = {"stance": row["stance"], "instruments": sorted(set(row.get("instruments") or [])),
                                     "frameworks": sorted(set(row.get("frameworks") or [])), "note": row.get("note") or ""}
        if labels:
            out[sub.name] = labels
    return out


def read_adjudication(path: str | Path) -> dict[str, dict[str, Any]]:
    path = Path(path)
    if not path.is_file():
        return {}
    out = {}
    for number, row in enumerate(read_jsonl(path), 1):
        if row.get("stance") not in STANCE_LABELS or not isinstance(row.get("id"), str):
            raise LabelSetError(f"{path}, record {number}: needs an id and a stance of {', '.join(STANCE_LABELS)}")
        out[row["id"]] = row
    return out


def read_labelset(path: str | Path, *, split: str | None = None) -> list[dict[str, Any]]:
    """The sentences of a labelled set (``split``: only ``train`` or ``test``)."""
    rows = []
    for number, row in enumerate(read_jsonl(path), 1):
        missing = {"text", "stance"} - set(row)
        if missing:
            raise LabelSetError(f"{path}, line {number}: missing fields {sorted(missing)}")
        if row["stance"] not in STANCE_LABELS:
            raise LabelSetError(f"{path}, line {number}: stance {row['stance']!r} is not one of {', '.join(STANCE_LABELS)}")
        if split is None or row.get("split") == split:
            rows.append(row)
    return rows


# -- agreement ------------------------------------------------------------------------------------


def kappa(a: Sequence[Any], b: Sequence[Any]) -> float | None:
    """Cohen's kappa of two parallel label sequences (None when undefined: no items, or both
    raters used one and the same label throughout)."""
    from sklearn.metrics import cohen_kappa_score

    if not a or len(a) != len(b):
        return None
    if len(set(a) | set(b)) < 2:
        return None
    value = float(cohen_kappa_score(list(a), list(b)))
    return None if value != value else round(value, 4)  # NaN: undefined


def stance_agreement(a: Sequence[str], b: Sequence[str]) -> dict[str, Any]:
    agree = sum(x == y for x, y in zip(a, b))
    return {"items": len(a), "kappa": kappa(a, b), "observed": round(agree / len(a), 4) if a else None,
            "confusion": dict(sorted(Counter(f"{x}|{y}" for x, y in zip(a, b) if x != y).items()))}


def set_agreement(a: Sequence[Sequence[str]], b: Sequence[Sequence[str]], *, min_positives: int = 1) -> dict[str, Any]:
    """Per label binary kappa, pooled binary kappa over item × label cells, exact-set agreement."""
    labels = sorted({x for row in (*a, *b) for x in row})
    per_label = {}
    pooled_a: list[int] = []
    pooled_b: list[int] = []
    for label in labels:
        xa = [int(label in row) for row in a]
        xb = [int(label in row) for row in b]
        pooled_a += xa
        pooled_b += xb
        if sum(xa) + sum(xb) >= min_positives:
            per_label[label] = {"kappa": kappa(xa, xb), "a": sum(xa), "b": sum(xb), "both": sum(x & y for x, y in zip(xa, xb))}
    exact = sum(set(x) == set(y) for x, y in zip(a, b))
    return {"items": len(a), "exact_set": round(exact / len(a), 4) if a else None,
            "pooled_kappa": kappa(pooled_a, pooled_b), "per_label": per_label}


def agreement(annotations: dict[str, dict[str, dict[str, Any]]], *, rules: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Agreement between every pair of annotators on the items both labelled, and (``rules``:
    ``{id: {"stance", "instruments", "frameworks"}}``) between each annotator and the rules."""
    names = sorted(annotations)
    out: dict[str, Any] = {"pairs": {}, "vs_rules": {}}
    for i, x in enumerate(names):
        for y in names[i + 1:]:
            ids = sorted(set(annotations[x]) & set(annotations[y]))
            pair = {"stance": stance_agreement([annotations[x][k]["stance"] for k in ids], [annotations[y][k]["stance"] for k in ids])}
            for task in SET_TASKS:
                pair[task] = set_agreement([annotations[x][k][task] for k in ids], [annotations[y][k][task] for k in ids])
            out["pairs"][f"{x}~{y}"] = pair
    if rules:
        for x in names:
            ids = sorted(k for k in annotations[x] if k in rules)
            entry = {"stance": stance_agreement([annotations[x][k]["stance"] for k in ids], [rules[k]["stance"] for k in ids])}
            for task in SET_TASKS:
                entry[task] = set_agreement([annotations[x][k][task] for k in ids], [rules[k][task] for k in ids])
            out["vs_rules"][x] = entry
    return out


def disagreements(annotations: dict[str, dict[str, dict[str, Any]]], sample: dict[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Every double-labelled item on which two annotators differ, for any task."""
    names = sorted(annotations)
    out = []
    shared = sorted(set.intersection(*(set(annotations[n]) for n in names))) if len(names) > 1 else []
    for key in shared:
        rows = {n: annotations[n][key] for n in names}
        differ = [t for t in TASK_NAMES if len({json.dumps(r[t]) for r in rows.values()}) > 1]
        if not differ:
            continue
        item = {"id": key, "tasks": differ}
        if sample and key in sample:
            item["text"] = sample[key]["text"]
        for n, r in rows.items():
            item[n] = {t: r[t] for t in TASK_NAMES} | ({"note": r["note"]} if r.get("note") else {})
        out.append(item)
    return out


# -- merging --------------------------------------------------------------------------------------


def merge(sample: dict[str, dict[str, Any]], annotations: dict[str, dict[str, dict[str, Any]]],
          adjudication: dict[str, dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The labelled set (sample order) and the ids left out (stance disagreement not yet
    adjudicated, or an id the sample does not have)."""
    out, pending = [], []
    labelled = sorted({k for rows in annotations.values() for k in rows})
    for key in labelled:
        if key not in sample:
            pending.append(key)
            continue
        by = {n: rows[key] for n, rows in sorted(annotations.items()) if key in rows}
        stances = {r["stance"] for r in by.values()}
        adjudicated = False
        if len(stances) == 1:
            stance = stances.pop()
        elif key in adjudication:
            stance, adjudicated = adjudication[key]["stance"], True
        else:
            pending.append(key)
            continue
        src = sample[key]
        row = {"id": key, "doc": src["doc"], "corpus": src.get("corpus"), "date": src.get("date"), "split": src.get("split"),
               "text": src["text"], "stance": stance,
               "instruments": sorted({x for r in by.values() for x in r["instruments"]}),
               "frameworks": sorted({x for r in by.values() for x in r["frameworks"]}),
               "annotators": sorted(by), "adjudicated": adjudicated}
        out.append(row)
    out.sort(key=lambda r: r["id"])
    return out, pending


def counts(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    rows = list(rows)
    out: dict[str, Any] = {"sentences": len(rows), "documents": len({r["doc"] for r in rows})}
    for split in ("train", "test"):
        part = [r for r in rows if r.get("split") == split]
        out[split] = {"sentences": len(part), "documents": len({r["doc"] for r in part}),
                      "stance": dict(sorted(Counter(r["stance"] for r in part).items())),
                      "corpus": dict(sorted(Counter(r.get("corpus") for r in part).items())),
                      "instruments": dict(sorted(Counter(x for r in part for x in r["instruments"]).items())),
                      "frameworks": dict(sorted(Counter(x for r in part for x in r["frameworks"]).items()))}
    return out


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    tmp.replace(path)


def build(sample_path: str | Path, annotations_dir: str | Path, out_dir: str | Path, *,
          annotators: Sequence[str] | None = None) -> dict[str, Any]:
    """Rebuild ``OUT/sentences.jsonl``, ``agreement.json``, ``disagreements.jsonl`` from the
    sample, the annotators' files and ``OUT/adjudication.jsonl``; returns the summary."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    sample = {r["id"]: r for r in read_jsonl(sample_path, errors=errors) if "id" in r}
    annotations = read_annotations(annotations_dir, errors=errors)
    ignored = sorted(set(annotations) - set(annotators)) if annotators else []
    ignored_agreement = agreement(annotations)["pairs"] if ignored else {}
    ignored_agreement = {k: {"items": v["stance"]["items"], "stance_kappa": v["stance"]["kappa"]} for k, v in ignored_agreement.items()
                         if any(n in ignored for n in k.split("~"))}
    annotations = {k: v for k, v in annotations.items() if k not in ignored}
    adjudication = read_adjudication(out / "adjudication.jsonl")
    rules = {k: {"stance": r.get("rule_stance"), "instruments": r.get("rule_instruments") or [],
                 "frameworks": r.get("rule_frameworks") or []} for k, r in sample.items()}
    rows, pending = merge(sample, annotations, adjudication)
    agree = agreement(annotations, rules=rules)
    differ = disagreements(annotations, sample)
    for item in differ:
        if item["id"] in adjudication:
            item["adjudicated"] = {"stance": adjudication[item["id"]]["stance"], "reason": adjudication[item["id"]].get("reason", "")}
    summary = {"annotators": {n: len(v) for n, v in annotations.items()},
               "double_labelled": len(set.intersection(*(set(v) for v in annotations.values()))) if len(annotations) > 1 else 0,
               "stance_disagreements": sum("stance" in d["tasks"] for d in differ),
               "adjudicated": sum(r["adjudicated"] for r in rows), "pending": pending,
               "counts": counts(rows), "agreement": agree, "errors": errors, "ignored_folders": ignored,
               "ignored_agreement": ignored_agreement}
    write_jsonl(out / "sentences.jsonl", rows)
    write_jsonl(out / "disagreements.jsonl", differ)
    (out / "agreement.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    from datetime import datetime, timezone

    (out / "README.md").write_text(render_card(summary, date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")), encoding="utf-8")
    return summary


# -- the data card --------------------------------------------------------------------------------

CARD_INTRO = """# Labelled sentences: stance, policy instruments, frameworks

`sentences.jsonl` holds sentences labelled by reading, following `../shared/spec/labels.md`
(stance DECOUPLING / RECOUPLING / MIXED / NONE; instrument and framework ids of the spec).
Each line: `id`, `doc` (the source document's key: corpus file and record number), `corpus`,
`date`, `split`, `text`, `stance`, `instruments`, `frameworks`, `annotators`, `adjudicated`.
The sentences are short quotations carried with their source key; the documents themselves are
not part of the project.

Rebuilt (re-runnable as batches arrive) with:

```sh
python -m pipeline.train.labelset --sample ../labels/sample_full.jsonl --annotations ../labels/out --out corpora/labels
```

## Sources and sampling

Sentences of three shared corpora (none from the seed articles): CCTV 新闻联播 items
(`cctv-xinwenlianbo`: the trade-related items plus a 1% random sample of the others), Foreign
Ministry press conferences (`mfa-press`) and government / congress work reports
(`gov-work-reports`). Sampled by `make_sample.py` (outside the project), stratified by the
rules' stance at sampling time: sentences the rules label DECOUPLING, RECOUPLING or MIXED;
sentences with trade vocabulary that the rules label NONE; random background sentences; at most
4 sentences per document. `split` is `test` for 20% of the documents (a hash of the document
key), so whole documents are held out; models and rule changes are developed on `train` only.

## Who labelled

Two annotators (A, B), each a separate LLM session that read only the label specification
(`../shared/spec/labels.md`) and a short brief (label by reading, no keyword scripts; the
previous sentence is shown for pronouns only). They did not see the gold, the seed articles,
the project's lexicons or code, or each other's labels. The first 500 ids (S00000-S00499) were
given to both. Stance disagreements were settled by a third reader (the engineer of issue 12,
also an LLM session) from the spec; each decision and its reason is in `adjudication.jsonl`.
Instruments and frameworks of a double-labelled item are the union of the two lists.
`disagreements.jsonl` lists every double-labelled item on which the annotators differ (any
task); `agreement.json` holds the figures below and more.
"""


def _fmt(value: Any) -> str:
    return "-" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))


def render_card(summary: dict[str, Any], *, date: str) -> str:
    c = summary["counts"]
    lines = [CARD_INTRO, f"## Counts (built {date})", "",
             f"{c['sentences']} sentences from {c['documents']} documents; annotators: "
             + ", ".join(f"{n} {k}" for n, k in summary["annotators"].items())
             + f"; double-labelled {summary['double_labelled']}; stance disagreements {summary['stance_disagreements']}, "
             f"adjudicated {summary['adjudicated']}; left out pending adjudication {len(summary['pending'])}.", "",
             "| | train | test |", "|---|---|---|",
             f"| sentences | {c['train']['sentences']} | {c['test']['sentences']} |",
             f"| documents | {c['train']['documents']} | {c['test']['documents']} |"]
    for label in STANCE_LABELS:
        lines.append(f"| stance {label} | {c['train']['stance'].get(label, 0)} | {c['test']['stance'].get(label, 0)} |")
    for corpus in sorted(set(c["train"]["corpus"]) | set(c["test"]["corpus"])):
        lines.append(f"| corpus {corpus} | {c['train']['corpus'].get(corpus, 0)} | {c['test']['corpus'].get(corpus, 0)} |")
    for task in SET_TASKS:
        for label in sorted(set(c["train"][task]) | set(c["test"][task])):
            lines.append(f"| {task[:-1]} {label} | {c['train'][task].get(label, 0)} | {c['test'][task].get(label, 0)} |")
    lines += ["", "## Agreement (Cohen's kappa on the double-labelled items)", "",
              "Stance: kappa over the four labels. Instruments and frameworks: binary kappa per label "
              "(present / absent), pooled binary kappa over every item × label cell, and the share of items "
              "with identical label sets.", ""]
    for pair, tasks in summary["agreement"]["pairs"].items():
        st = tasks["stance"]
        lines += [f"### {pair} ({st['items']} items)", "",
                  f"- stance: kappa {_fmt(st['kappa'])}, observed agreement {_fmt(st['observed'])}",
                  "- stance disagreements (A|B): " + (", ".join(f"{k} {v}" for k, v in st["confusion"].items()) or "none")]
        for task in SET_TASKS:
            t = tasks[task]
            per = "; ".join(f"{k} {_fmt(v['kappa'])} ({v['both']} both / {v['a']} / {v['b']})" for k, v in t["per_label"].items())
            lines.append(f"- {task}: pooled kappa {_fmt(t['pooled_kappa'])}, identical sets {_fmt(t['exact_set'])}; per label: {per or 'none'}")
        lines.append("")
    if summary["agreement"].get("vs_rules"):
        lines += ["### Each annotator against the rules at sampling time", ""]
        for name, tasks in summary["agreement"]["vs_rules"].items():
            lines.append(f"- {name} ({tasks['stance']['items']} items): stance kappa {_fmt(tasks['stance']['kappa'])}, "
                         f"instruments pooled kappa {_fmt(tasks['instruments']['pooled_kappa'])}, "
                         f"frameworks pooled kappa {_fmt(tasks['frameworks']['pooled_kappa'])}")
        lines.append("")
    if summary.get("ignored_folders"):
        lines += [f"Not used: annotation folder(s) {', '.join(summary['ignored_folders'])} found beside A and B (not part of the "
                  "documented two-annotator design; origin unknown). Their stance agreement, for reference: "
                  + "; ".join(f"{k} kappa {_fmt(v['stance_kappa'])} on {v['items']} items" for k, v in summary["ignored_agreement"].items())
                  + ".", ""]
    lines += ["## Limits", "",
              "The annotators are language models following a written spec, not domain experts; agreement "
              "above measures consistency, not truth. The sample over-represents sentences the rules fire on "
              "and trade vocabulary (by design), so label shares are not corpus shares. Most sentences come "
              "from official news and press conferences, a different register from the seed articles.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Merge annotators' label files into a labelled set; report agreement.")
    parser.add_argument("--sample", required=True, help="the sampled sentences (JSON Lines with id, doc, text, split, ...)")
    parser.add_argument("--annotations", required=True, help="folder of annotator sub-folders (X/X_NN.jsonl)")
    parser.add_argument("--out", default="corpora/labels", help="where sentences.jsonl, agreement.json, disagreements.jsonl go")
    parser.add_argument("--annotators", default="A,B", help="annotator sub-folders to use, comma-separated (default A,B); others are ignored")
    args = parser.parse_args(argv)
    try:
        summary = build(args.sample, args.annotations, args.out, annotators=[a for a in args.annotators.split(",") if a])
    except PipelineError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    for message in summary["errors"]:
        print(message, file=sys.stderr)
    c = summary["counts"]
    print(f"{c['sentences']} sentences ({c['train']['sentences']} train, {c['test']['sentences']} test) from {c['documents']} documents; "
          f"annotators {summary['annotators']}; double-labelled {summary['double_labelled']}, stance disagreements "
          f"{summary['stance_disagreements']}, adjudicated {summary['adjudicated']}, pending {len(summary['pending'])}")
    for pair, tasks in summary["agreement"]["pairs"].items():
        print(f"{pair}: stance kappa {tasks['stance']['kappa']}, instruments pooled kappa {tasks['instruments']['pooled_kappa']}, "
              f"frameworks pooled kappa {tasks['frameworks']['pooled_kappa']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
