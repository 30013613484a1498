"""Using a trained model: label texts, combine with the rules, store predictions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.textview import to_simplified
from pipeline.errors import PipelineError
from pipeline.store import Store
from pipeline.extract.tagger import Tagger
from pipeline.train.artefact import LoadedModel, load_model
from pipeline.train.evaluate import combine, combine_labels, predict_labels
from pipeline.train.settings import TASKS, ModelError  # noqa: F401

_PREDICT_BATCH = 4096


def rule_tagger() -> Tagger:
    """The rule tagger: ``tag_text(text) -> {frameworks, instruments, stance, evidence}``."""
    return Tagger()


class ModelTagger(Tagger):
    """Labels texts with a trained model: for each task its labels and their probabilities.
    A drop-in for ``Tagger`` (``tag_text``, ``tag_record``, ``tag_jsonl(tagger=…)``)."""

    def __init__(self, model_dir: str | Path, *, text_field: str = "text", lexicon_dir: str | None = None):
        super().__init__(lexicon_dir=lexicon_dir, text_field=text_field)
        self.model_dir = model_dir
        self._model: LoadedModel | None = None

    @property
    def model(self) -> LoadedModel:
        if self._model is None:
            self._model = load_model(self.model_dir)
        return self._model

    @property
    def name(self) -> str:
        return self.model.name

    def predict(self, texts: list[str], *, with_rules: bool = True) -> list[dict[str, Any]]:
        """One dict per text: ``stance`` + ``stance_proba``, ``instruments`` +
        ``instruments_proba`` (for each task the model has), ``model`` (its name) and, unless
        ``with_rules`` is false, the lexicons' ``frameworks`` and ``evidence``."""
        model = self.model
        views = [to_simplified(t) for t in texts]
        out: list[dict[str, Any]] = [{} for _ in texts]
        threshold = model.card["settings"]["threshold"]
        for task, estimator in model.estimators.items():
            classes = model.labels(task)
            for start in range(0, len(views), _PREDICT_BATCH):
                chunk = views[start : start + _PREDICT_BATCH]
                labels, proba = predict_labels(task, estimator, chunk, classes, threshold)
                for offset, (label, row) in enumerate(zip(labels, proba)):
                    out[start + offset][task] = label
                    out[start + offset][f"{task}_proba"] = {c: round(float(p), 4) for c, p in zip(classes, row)}
        for text, row in zip(texts, out):
            row["model"] = model.name
            if not with_rules:
                continue
            rules = Tagger.tag_text(self, text)  # a model has no frameworks: they and the evidence come from the lexicons
            row["frameworks"] = rules["frameworks"]
            row["evidence"] = rules["evidence"]
        return out

    def tag_text(self, text: str) -> dict[str, Any]:
        if not isinstance(text, str):
            raise PipelineError(f"text must be a string, got {type(text).__name__}")
        return self.predict([text])[0]


class CombinedTagger(ModelTagger):
    """Stance: the combine rule measured at training time (the card's ``combine``: the model
    where its top probability reaches the chosen threshold, the rules elsewhere); for a model
    without one, rules where a cue fires and the model elsewhere (``evaluate.combine_labels``).

    Frameworks and evidence come from the rules; ``rules`` keeps the rules' own stance and
    instruments; ``stance_source`` says which side gave the stance."""

    def rules_tag(self, text: str) -> dict[str, Any]:
        return Tagger.tag_text(self, text)

    def predict(self, texts: list[str], *, with_rules: bool = True) -> list[dict[str, Any]]:
        model_rows = super().predict(texts, with_rules=False)
        model = self.model
        threshold = model.card["settings"]["combine_threshold"]
        out = []
        for text, model_row in zip(texts, model_rows):
            rules = self.rules_tag(text)
            row = dict(rules)
            seen: set[tuple] = set()
            row["evidence"] = [e for e in rules["evidence"]  # one line per cue, label and span
                               if not ((e["kind"], e["label"], e["start"], e["end"]) in seen or seen.add((e["kind"], e["label"], e["start"], e["end"])))]
            row["rules"] = {"stance": rules["stance"], "instruments": list(rules["instruments"])}
            for task in ("stance", "instruments"):
                if task not in model_row:
                    continue
                classes = model.labels(task)
                proba = np.asarray([model_row[f"{task}_proba"][c] for c in classes])
                measured = model.card["tasks"][task].get("combine") if task == "stance" else None
                if measured:
                    policy = measured.get("policy", "override")
                    row[task] = combine(rules[task], proba, classes, measured["threshold"], policy)
                    row["stance_source"] = "rules" if row[task] == rules[task] else f"model:{model.name}"
                else:
                    row[task] = combine_labels(task, rules[task], model_row[task], proba, classes, threshold)
                    if task == "stance":
                        row["stance_source"] = "rules" if rules["stance"] != "NONE" else f"model:{model.name}"
                row[f"{task}_proba"] = model_row[f"{task}_proba"]
            row["model"] = model.name
            out.append(row)
        return out


def predict_store(store: Store, model_dir: str | Path, *, batch_size: int = 20_000) -> dict[str, int]:
    """Add the model's stance for every stored sentence as ``stance`` rows with
    ``source = 'model:NAME'`` (score: its probability; evidence: all class probabilities),
    replacing that model's earlier rows, in one transaction. Returns counts by label."""
    tagger = ModelTagger(model_dir)
    model = tagger.model
    if "stance" not in model.estimators:
        raise ModelError(f"{model_dir}: has no stance model; predictions are stored in the stance table only")
    source = f"model:{model.name}"
    counts: dict[str, int] = {}
    rows = store.query("SELECT doc_id, idx, simplified FROM sentences ORDER BY doc_id, idx")
    estimator, classes = model.estimators["stance"], model.labels("stance")
    with store.transaction():
        store.con.execute("DELETE FROM stance WHERE source = ?", [source])
        for start in range(0, len(rows), batch_size):
            chunk = rows[start : start + batch_size]
            labels, proba = predict_labels("stance", estimator, [r["simplified"] for r in chunk], classes, 0.5)
            records = []
            for row, label, p in zip(chunk, labels, proba):
                evidence = [{"kind": "model", "label": label, "proba": {c: round(float(v), 4) for c, v in zip(classes, p)}}]
                records.append({"doc_id": row["doc_id"], "sentence": row["idx"], "label": label, "source": source,
                                "evidence": json.dumps(evidence, ensure_ascii=False), "score": float(p.max())})
                counts[label] = counts.get(label, 0) + 1
            if records:
                store.append("stance", records)
    return dict(sorted(counts.items()))


__all__ = ["ModelTagger", "CombinedTagger", "predict_store", "rule_tagger", "TASKS"]


def make_tagger(model_dir: str | Path | None, *, combine: bool = False, text_field: str = "text") -> Tagger:
    """The tagger behind ``policytext tag``: rules alone, the model (``--model``), or rules
    where a cue fires and the model elsewhere (``--model … --combine``)."""
    if model_dir is None:
        if combine:
            raise PipelineError("--combine needs a model: add --model models/NAME")
        return Tagger(text_field=text_field)
    tagger = (CombinedTagger if combine else ModelTagger)(model_dir, text_field=text_field)
    tagger.model  # load now: a bad model directory fails before any line is read
    return tagger
