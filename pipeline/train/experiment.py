"""The issue's measurements: leave-one-document-out against gold, and training time at scale.

    python -m pipeline.train.experiment --db /tmp/train.duckdb --gold ../shared/gold

Leave-one-document-out: for each gold document D, train on the store's rule labels plus the
gold of the *other* documents (never D's gold), then score model, rules and combined on D's
gold sentences. ``strict=True`` also drops D's rule-labelled sentences from training.
The TF-IDF vocabulary is fitted once on every text (no labels involved), then each fold
fits only the classifier.
"""

from __future__ import annotations

import argparse
import random
import time
import warnings
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.preprocessing import MultiLabelBinarizer

from pipeline.textview import to_simplified
from pipeline.store import Store
from pipeline.train.data import load_examples, read_gold
from pipeline.train.evaluate import combine_labels, format_metrics, score
from pipeline.train.features import build_estimator, clear_token_cache
from pipeline.train.predict import rule_tagger
from pipeline.train.settings import TASKS, TrainSettings


def _fit_classifier(task: str, model: Any, X, labels: list[Any], classes: list[str]):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if TASKS[task][0] == "multi":
            y = MultiLabelBinarizer(classes=classes).fit_transform([[x for x in y if x in classes] for y in labels])
        else:
            y = np.asarray(labels, dtype=object)
        return model.fit(X, y)


def leave_one_document_out(store: Store, gold_dir: str, settings: TrainSettings = TrainSettings(), *,
                           tasks: tuple[str, ...] = ("stance", "instruments"), strict: bool = False) -> dict[str, dict[str, Any]]:
    gold = read_gold(gold_dir)
    docs = sorted({g["doc"] for g in gold})
    tagger = rule_tagger()
    rules = [tagger.tag_text(g["text"]) for g in gold]
    gold_views = [to_simplified(g["text"]) for g in gold]
    results: dict[str, dict[str, Any]] = {}
    for task in tasks:
        started = time.perf_counter()
        full = load_examples(store, task, settings, gold=gold)
        texts = sorted(set(full.texts) | set(gold_views))
        index = {t: i for i, t in enumerate(texts)}
        pipeline = build_estimator(task, settings)
        features = pipeline.named_steps["features"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            X_all = features.fit_transform(texts)
        truth, model_pred, rule_pred, combined = [], [], [], []
        for doc in docs:
            ex = load_examples(store, task, settings, gold=gold, exclude_gold_docs={doc})
            if strict:
                ex = ex.subset(np.asarray([d != doc for d in ex.docs]))
            if TASKS[task][0] == "multi":
                counts: dict[str, int] = {}
                for labels in ex.labels:
                    for label in labels:
                        counts[label] = counts.get(label, 0) + 1
                classes = sorted(c for c, n in counts.items() if n >= settings.min_label_count)
            else:
                classes = [c for c in TASKS[task][1] if c in set(ex.labels)]
            model = _fit_classifier(task, clone(pipeline.named_steps["model"]), X_all[[index[t] for t in ex.texts]], ex.labels, classes)
            rows = [i for i, g in enumerate(gold) if g["doc"] == doc]
            proba = model.predict_proba(X_all[[index[gold_views[i]] for i in rows]])
            for i, p in zip(rows, proba):
                if TASKS[task][0] == "multi":
                    predicted = [c for c, v in zip(classes, p) if v >= settings.threshold]
                    truth.append(sorted(set(gold[i]["instruments"])))
                    rule = rules[i]["instruments"]
                else:
                    predicted = str(model.classes_[int(np.argmax(p))])
                    truth.append(gold[i]["stance"])
                    rule = rules[i]["stance"]
                model_pred.append(predicted)
                rule_pred.append(rule)
                model_classes = list(classes) if TASKS[task][0] == "multi" else [str(c) for c in model.classes_]
                combined.append(combine_labels(task, rule, predicted, p, model_classes, settings.combine_threshold))
        if TASKS[task][0] == "multi":
            classes = sorted({x for rows in (truth, model_pred, rule_pred, combined) for y in rows for x in y})
        else:
            classes = list(TASKS[task][1])
        results[task] = {
            name: score(task, truth, pred, classes, against=f"gold, leave-one-document-out over {len(docs)} documents")
            for name, pred in (("rules", rule_pred), ("model", model_pred), ("combine", combined))
        }
        results[task]["seconds"] = round(time.perf_counter() - started, 1)
    return results


def synthetic_texts(store: Store, n: int, *, seed: int = 0) -> tuple[list[str], list[str], list[str]]:
    """``n`` sentences made by repeating the store's rule-labelled sentences with small
    perturbations (a character dropped, two clauses swapped, a suffix added), with their rule
    stance labels and synthetic document ids (groups of 200)."""
    rng = random.Random(seed)
    rows = store.query("SELECT s.simplified AS text, st.label FROM sentences s JOIN stance st "
                       "ON st.doc_id = s.doc_id AND st.sentence = s.idx AND st.source = 'rules'")
    texts, labels, docs = [], [], []
    suffixes = ["", "。", "，这一点值得注意。", "（笔者注）", "，值得关注。"]
    for i in range(n):
        row = rows[i % len(rows)]
        text = row["text"]
        if i >= len(rows):
            r = rng.random()
            if r < 0.4 and len(text) > 8:
                k = rng.randrange(len(text))
                text = text[:k] + text[k + 1 :]
            elif r < 0.7 and "，" in text:
                parts = text.split("，")
                rng.shuffle(parts)
                text = "，".join(parts)
            text += rng.choice(suffixes)
        texts.append(text)
        labels.append(row["label"])
        docs.append(f"synthetic-{i // 200}")
    return texts, labels, docs


def time_training(store: Store, n: int = 100_000, settings: TrainSettings = TrainSettings()) -> dict[str, float]:
    """Seconds to fit the stance Pipeline (tokenising included, cold cache) on ``n`` sentences."""
    texts, labels, _ = synthetic_texts(store, n, seed=settings.seed)
    clear_token_cache()
    pipeline = build_estimator("stance", settings)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipeline.fit(texts, np.asarray(labels, dtype=object))
    fit = time.perf_counter() - started
    started = time.perf_counter()
    pipeline.predict_proba(texts[:10_000])
    return {"sentences": n, "fit_seconds": round(fit, 1), "predict_10k_seconds": round(time.perf_counter() - started, 1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--gold", required=True)
    parser.add_argument("--classifier", default=TrainSettings.classifier)
    parser.add_argument("--strict", action="store_true", help="also drop the scored document's rule labels")
    parser.add_argument("--time", type=int, default=0, help="also time training on this many synthetic sentences")
    args = parser.parse_args(argv)
    settings = TrainSettings(classifier=args.classifier).validate()
    with Store.open(args.db, read_only=True) as store:
        results = leave_one_document_out(store, args.gold, settings, strict=args.strict)
        for task, by_name in results.items():
            print(f"== {task} ({by_name['seconds']} s)")
            for name in ("rules", "model", "combine"):
                print(format_metrics(f"{task} / {name}", by_name[name]))
        if args.time:
            print(time_training(store, args.time, settings))


if __name__ == "__main__":
    main()
