"""Human labels in the store: the annotation loop behind ``policytext annotate`` and the
``labels`` table's export, import and agreement.

Every answer is one row of ``labels`` (:class:`pipeline.schema.HumanLabel`), inserted and
committed the moment the key is pressed, so a crash loses nothing; ``undo`` deletes the last
answer of the session. A session is resumable: the queue is drawn deterministically from the
store (``sample`` and ``seed``), and sentences this annotator already answered for the task
(skips included) are not shown again.

Library use::

    from pipeline.train.annotate import sample_queue, run_session, export_labels, import_labels, store_agreement
    queue = sample_queue(store, task="stance", sample="stratified", n=200, annotator="me")
    run_session(store, queue, annotator="me", read_key=my_key_reader, write=print)
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError
from pipeline.schema import STANCE_LABELS
from pipeline.store import Store
from pipeline.train.labelset import kappa, read_jsonl

SAMPLES = ("stratified", "random", "uncertain", "disagree")
# one key per label; digits work too
STANCE_KEYS = {"d": "DECOUPLING", "r": "RECOUPLING", "m": "MIXED", "o": "NONE",
               "1": "DECOUPLING", "2": "RECOUPLING", "3": "MIXED", "4": "NONE"}
COMMAND_KEYS = {"s": "skip", "u": "undo", "n": "note", "q": "quit"}
POOL = 20_000  # sentences a model scores to find uncertain / disagreeing ones


class AnnotateError(PipelineError):
    """Settings or input the annotation commands cannot use."""


@dataclass
class Item:
    """One sentence to label, with what the annotator is shown."""

    doc: str
    sentence: int | None
    text: str
    title: str | None = None
    date: str | None = None
    before: str = ""
    after: str = ""
    rules: str | None = None
    evidence: list[str] = field(default_factory=list)
    model: str | None = None
    proba: dict[str, float] = field(default_factory=dict)


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


# -- the labels table -------------------------------------------------------------------------------


def add_label(store: Store, *, doc: str, sentence: int | None, text: str, task: str, label: str | None,
              annotator: str, source: str, note: str | None = None, labelled_at: datetime | None = None) -> str:
    """Insert one answer (committed at once); returns its id."""
    key = uuid.uuid4().hex
    store.append("labels", [{"id": key, "doc": doc, "sentence": sentence, "text": text, "task": task, "label": label,
                             "annotator": annotator, "labelled_at": labelled_at or now(), "source": source, "note": note}])
    return key


def delete_label(store: Store, key: str) -> None:
    store.con.execute("DELETE FROM labels WHERE id = ?", [key])


def answered(store: Store, task: str, annotator: str) -> set[tuple[str, str]]:
    """(doc, text) of every sentence this annotator answered (or skipped) for ``task``."""
    rows = store.query("SELECT doc, text FROM labels WHERE task = ? AND annotator = ?", [task, annotator])
    return {(r["doc"], r["text"]) for r in rows}


def latest_labels(store: Store, task: str = "stance", *, annotator: str | None = None) -> list[dict[str, Any]]:
    """The latest non-skip answer of each annotator for each sentence (doc, text)."""
    where = "task = ? AND label IS NOT NULL" + (" AND annotator = ?" if annotator else "")
    params = [task] + ([annotator] if annotator else [])
    return store.query(
        f"SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY doc, text, annotator ORDER BY labelled_at DESC, id DESC) AS rn "
        f"FROM labels WHERE {where}) WHERE rn = 1 ORDER BY doc, sentence, labelled_at", params)


# -- what to label ------------------------------------------------------------------------------------

_CANDIDATES = """
SELECT d.doc, d.title, d.published, s.doc_id, s.idx, s.text, s.simplified, st.label AS rules, st.evidence
FROM sentences s JOIN documents d USING (doc_id)
LEFT JOIN stance st ON st.doc_id = s.doc_id AND st.sentence = s.idx AND st.source = 'rules'
WHERE s.section IN ('title', 'abstract', 'body') AND s.n_han >= 5
ORDER BY d.doc, s.idx
"""


def _evidence_cues(evidence: str | None) -> list[str]:
    try:
        return [f"{e.get('cue')} ({e.get('rule') or e.get('label')})" for e in json.loads(evidence or "[]")]
    except (ValueError, AttributeError):
        return []


def sample_queue(store: Store, *, task: str = "stance", sample: str = "stratified", n: int = 200, annotator: str = "me",
                 seed: int = 0, model_dir: str | Path | None = None) -> list[Item]:
    """The sentences of a session, in order, without those ``annotator`` answered already.

    ``stratified``: the same number from each rules' stance label (rare labels first, filled
    up at random); ``random``: uniform; ``uncertain``: the model's least confident (lowest top
    probability) over a random pool; ``disagree``: where the model's label differs from the
    rules', most confident first. The draw depends only on the store, ``seed`` and the model, so
    a resumed session continues the same queue."""
    if task != "stance":
        raise AnnotateError(f"annotate --task {task}: only the stance task is supported")
    if sample not in SAMPLES:
        raise AnnotateError(f"unknown sample {sample!r}; use one of {', '.join(SAMPLES)}")
    if n < 1:
        raise AnnotateError(f"--n {n}: must be at least 1")
    rows = store.query(_CANDIDATES)
    if not rows:
        raise AnnotateError(f"{store.path}: no sentences to label; ingest documents first")
    rng = random.Random(seed)
    order = list(range(len(rows)))
    rng.shuffle(order)
    chosen: list[int]
    proba_of: dict[int, tuple[str, dict[str, float]]] = {}
    if sample == "random":
        chosen = order[:n]
    elif sample == "stratified":
        by_label: dict[str, list[int]] = {}
        for i in order:
            by_label.setdefault(rows[i]["rules"] or "NONE", []).append(i)
        share = max(1, n // max(1, len(by_label)))
        chosen = []
        for label in sorted(by_label, key=lambda x: len(by_label[x])):
            chosen += by_label[label][:share]
        taken = set(chosen)
        chosen = (chosen + [i for i in order if i not in taken])[:n]
        position = {i: p for p, i in enumerate(order)}
        chosen.sort(key=position.__getitem__)
    else:
        pool = order[:POOL]
        predictions = model_predictions(model_dir, [rows[i]["text"] for i in pool])
        for i, (label, proba) in zip(pool, predictions):
            proba_of[i] = (label, proba)
        if sample == "uncertain":
            chosen = sorted(pool, key=lambda i: max(proba_of[i][1].values()))[:n]
        else:
            chosen = sorted((i for i in pool if proba_of[i][0] != (rows[i]["rules"] or "NONE")),
                            key=lambda i: -max(proba_of[i][1].values()))[:n]
    done = answered(store, task, annotator)
    items = []
    for i in chosen:
        row = rows[i]
        if (row["doc"], row["text"]) in done:
            continue
        item = Item(row["doc"], row["idx"], row["text"], row["title"], row["published"], rules=row["rules"],
                    evidence=_evidence_cues(row["evidence"]))
        if i in proba_of:
            item.model, item.proba = proba_of[i]
        items.append(item)
    add_context(store, items)
    if model_dir is not None and sample in ("stratified", "random"):
        for item, (label, proba) in zip(items, model_predictions(model_dir, [it.text for it in items])):
            item.model, item.proba = label, proba
    return items


def add_context(store: Store, items: Sequence[Item]) -> None:
    """The sentences before and after each item (same document)."""
    for item in items:
        if item.sentence is None:
            continue
        near = store.query("SELECT s.idx, s.text FROM sentences s JOIN documents d USING (doc_id) "
                           "WHERE d.doc = ? AND s.idx IN (?, ?)", [item.doc, item.sentence - 1, item.sentence + 1])
        for r in near:
            if r["idx"] < item.sentence:
                item.before = r["text"]
            else:
                item.after = r["text"]


def model_predictions(model_dir: str | Path | None, texts: list[str]) -> list[tuple[str, dict[str, float]]]:
    """(label, probabilities) of the stance model for each text."""
    if model_dir is None:
        raise AnnotateError("--sample uncertain and --sample disagree need a model: add --model models/NAME")
    from pipeline.train.predict import ModelTagger

    tagger = ModelTagger(model_dir)
    if "stance" not in tagger.model.estimators:
        raise AnnotateError(f"{model_dir}: has no stance model")
    out = []
    for start in range(0, len(texts), 2048):
        for row in tagger.predict(texts[start:start + 2048]):
            out.append((row["stance"], row["stance_proba"]))
    return out


# -- the session ----------------------------------------------------------------------------------------


def render(item: Item, position: int, total: int, note: str | None = None) -> str:
    lines = ["", "=" * 72, f"[{position}/{total}] {item.doc}  sentence {item.sentence}  {item.date or 'undated'}"]
    if item.title:
        lines.append(f"title: {item.title}")
    if item.before:
        lines.append(f"  before: {item.before}")
    lines.append(f">> {item.text}")
    if item.after:
        lines.append(f"  after:  {item.after}")
    rules = f"rules: {item.rules or '-'}" + (f"  ({'; '.join(item.evidence)})" if item.evidence else "")
    lines.append(rules)
    if item.model:
        lines.append(f"model: {item.model}  " + " ".join(f"{k[:3]} {v:.2f}" for k, v in item.proba.items()))
    if note:
        lines.append(f"note: {note}")
    lines.append("d=DECOUPLING r=RECOUPLING m=MIXED o=NONE  s=skip u=undo n=note q=quit")
    return "\n".join(lines)


@dataclass
class SessionResult:
    answered: int = 0
    skipped: int = 0
    undone: int = 0
    quit: bool = False
    remaining: int = 0


def run_session(store: Store, items: Sequence[Item], *, annotator: str, read_key: Callable[[], str],
                write: Callable[[str], None], read_line: Callable[[str], str] | None = None, task: str = "stance",
                source: str = "annotate") -> SessionResult:
    """Show each item, read one key, store the answer at once. ``read_key()`` returns one
    character ('' or EOF ends the session like q); ``read_line(prompt)`` reads a note
    (default: keys up to Enter)."""
    result = SessionResult()
    history: list[tuple[int, str, bool]] = []  # (item index, label id, was a skip)
    i, note = 0, None

    def line(prompt: str) -> str:
        if read_line is not None:
            return read_line(prompt)
        write(prompt)
        chars = []
        while True:
            ch = read_key()
            if ch in ("", "\r", "\n", "\x04"):
                return "".join(chars)
            if ch in ("\x7f", "\b"):
                chars = chars[:-1]
                continue
            chars.append(ch)

    while i < len(items):
        item = items[i]
        write(render(item, i + 1, len(items), note))
        key = read_key()
        if key in ("", "\x04", "\x03"):
            key = "q"
        key = key.lower()
        if key in STANCE_KEYS or key == "s":
            label = STANCE_KEYS.get(key)
            ident = add_label(store, doc=item.doc, sentence=item.sentence, text=item.text, task=task, label=label,
                              annotator=annotator, source=source, note=note)
            history.append((i, ident, label is None))
            if label is None:
                result.skipped += 1
            else:
                result.answered += 1
            write(f"-> {label or 'skipped'} (saved)")
            i, note = i + 1, None
        elif key == "u":
            if not history:
                write("nothing to undo in this session")
                continue
            i, ident, was_skip = history.pop()
            delete_label(store, ident)
            result.undone += 1
            if was_skip:
                result.skipped -= 1
            else:
                result.answered -= 1
            write("-> undone")
            note = None
        elif key == "n":
            note = line("note (Enter to finish): ").strip() or None
        elif key == "q":
            result.quit = True
            break
        else:
            write(f"unknown key {key!r}")
    result.remaining = len(items) - i
    return result


# -- export, import, agreement ----------------------------------------------------------------------------


def export_labels(store: Store, *, task: str = "stance", annotator: str | None = None) -> list[dict[str, Any]]:
    """The latest answer of each annotator per sentence, as labelled-set rows (``stance`` field)."""
    out = []
    for r in latest_labels(store, task, annotator=annotator):
        out.append({"doc": r["doc"], "sentence": r["sentence"], "text": r["text"], task: r["label"],
                    "annotator": r["annotator"], "labelled_at": r["labelled_at"].isoformat() if r["labelled_at"] else None,
                    "source": r["source"], "note": r["note"]})
    return out


def import_labels(store: Store, path: str | Path, *, annotator: str | None = None, task: str = "stance") -> tuple[int, int, list[str]]:
    """Add the labels of a JSON Lines file (``doc``, ``text``, ``stance``; optional ``annotator``
    or ``annotators``, ``sentence``, ``note``). An answer already stored (same sentence,
    annotator, label and file) is not added again. Returns (added, unchanged, errors)."""
    errors: list[str] = []
    rows = read_jsonl(path, errors=errors)
    source = f"import:{Path(path).name}"
    existing = {(r["doc"], r["text"], r["annotator"], r["label"]) for r in
                store.query("SELECT doc, text, annotator, label FROM labels WHERE task = ? AND source = ?", [task, source])}
    index = {(r["doc"], r["text"]): r["idx"] for r in
             store.query("SELECT d.doc, s.text, s.idx FROM sentences s JOIN documents d USING (doc_id)")}
    added = unchanged = 0
    records = []
    for number, row in enumerate(rows, 1):
        label = row.get(task)
        if not isinstance(row.get("doc"), str) or not isinstance(row.get("text"), str):
            errors.append(f"{path}, record {number}: needs doc and text")
            continue
        if label not in STANCE_LABELS:
            errors.append(f"{path}, record {number}: {task} {label!r} is not one of {', '.join(STANCE_LABELS)}")
            continue
        who = annotator or row.get("annotator") or "+".join(row.get("annotators") or []) or "imported"
        key = (row["doc"], row["text"], who, label)
        if key in existing:
            unchanged += 1
            continue
        existing.add(key)
        sentence = row.get("sentence") if isinstance(row.get("sentence"), int) else index.get((row["doc"], row["text"]))
        records.append({"id": uuid.uuid4().hex, "doc": row["doc"], "sentence": sentence, "text": row["text"], "task": task,
                        "label": label, "annotator": who, "labelled_at": now(), "source": source, "note": row.get("note")})
        added += 1
    if records:
        with store.transaction():
            store.append("labels", records)
    return added, unchanged, errors


def store_agreement(store: Store, *, task: str = "stance", model_dir: str | Path | None = None) -> list[dict[str, Any]]:
    """Cohen's kappa between every pair of annotators (on sentences both labelled), and between
    each annotator and the rules (the current rules, re-run on the text) and the model."""
    from pipeline.extract.tagger import Tagger

    labels = latest_labels(store, task)
    by: dict[str, dict[tuple[str, str], str]] = {}
    for r in labels:
        by.setdefault(r["annotator"], {})[(r["doc"], r["text"])] = r["label"]
    names = sorted(by)
    out = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            keys = sorted(set(by[a]) & set(by[b]))
            if keys:
                x, y = [by[a][k] for k in keys], [by[b][k] for k in keys]
                out.append({"a": a, "b": b, "items": len(keys), "kappa": kappa(x, y),
                            "observed": round(sum(p == q for p, q in zip(x, y)) / len(keys), 4)})
    texts = sorted({k for v in by.values() for k in v})
    tagger = Tagger()
    rules = {k: tagger.tag_text(k[1])["stance"] for k in texts}
    model = dict(zip(texts, (p for p, _ in model_predictions(model_dir, [t for _, t in texts])))) if model_dir and texts else {}
    for a in names:
        keys = sorted(by[a])
        for other, pred in (("rules", rules), ("model", model)):
            if not pred:
                continue
            x, y = [by[a][k] for k in keys], [pred[k] for k in keys]
            out.append({"a": a, "b": other, "items": len(keys), "kappa": kappa(x, y),
                        "observed": round(sum(p == q for p, q in zip(x, y)) / len(keys), 4) if keys else None})
    return out


def write_jsonl(rows: Iterable[dict[str, Any]], handle) -> None:
    for row in rows:
        handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
