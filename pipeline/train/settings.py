"""Settings and errors of the training stage: one frozen dataclass, keyword-only."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from pipeline.errors import PipelineError
from pipeline.schema import STANCE_LABELS

# task -> (kind, fixed label inventory or None when the labels come from the data)
TASKS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "stance": ("single", STANCE_LABELS),
    "instruments": ("multi", None),
    "claims": ("multi", None),
}
DEFAULT_TASKS = ("stance", "instruments")
CLASSIFIERS = ("logreg", "svm", "sgd")


class TrainError(PipelineError):
    """Training data or settings that cannot give a model."""


class ModelError(PipelineError):
    """A model directory that cannot be loaded: missing, tampered with, or of untrusted types."""


@dataclass(frozen=True)
class TrainSettings:
    """How models are built and evaluated. Every field ends up in the model card."""

    classifier: str = "svm"  # svm (LinearSVC + sigmoid calibration) | logreg | sgd (log loss)
    C: float = 1.0  # svm and logreg
    alpha: float = 1e-5  # sgd
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (1, 3)
    min_df: int = 2
    max_features: int = 200_000  # per vectorizer
    folds: int = 5  # GroupKFold by document; fewer when there are fewer documents
    gold_weight: int = 3  # each gold sentence counts this many times in training
    min_label_count: int = 3  # multi-label: labels with fewer positives are not modelled
    threshold: float = 0.5  # multi-label: a label is predicted when its probability reaches this
    combine_threshold: float = 0.8  # --combine: model instrument labels added beside the rules' ones
    sections: tuple[str, ...] = ("title", "abstract", "body")
    seed: int = 0
    stance_labels: str = "human"  # stance: human labels (shipped set + labels table), rule votes as features | rules
    stance_classifier: str = "svm"  # the human-label stance model's classifier (svm: calibrated LinearSVC)
    rule_weight: float = 1.0  # weight of the rules' vote features beside the TF-IDF blocks
    bootstrap: int = 1000  # resamples (by document) for the 95% intervals

    def validate(self) -> "TrainSettings":
        if self.classifier not in CLASSIFIERS:
            raise TrainError(f"unknown classifier {self.classifier!r}; use one of {', '.join(CLASSIFIERS)}")
        if self.folds < 2:
            raise TrainError(f"folds={self.folds}: grouped cross-validation needs at least 2")
        if not 0 < self.threshold < 1 or not 0 < self.combine_threshold < 1:
            raise TrainError("thresholds must lie strictly between 0 and 1")
        if self.stance_labels not in ("human", "rules"):
            raise TrainError(f"stance_labels={self.stance_labels!r}: use human or rules")
        if self.gold_weight < 1:
            raise TrainError(f"gold_weight={self.gold_weight}: must be at least 1")
        return self

    def as_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


def check_task(task: str) -> str:
    if task not in TASKS:
        raise TrainError(f"unknown task {task!r}; use one of {', '.join(TASKS)}")
    return task
