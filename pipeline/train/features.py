"""Features and estimators: TF-IDF over jieba words plus character n-grams, then a linear model.

``tokenize`` is a module-level function so a saved model refers to it by name: the jieba
tokenizer (with the domain dictionary) lives in this process, never inside the model file.
"""

from __future__ import annotations

import numpy as np
from functools import lru_cache
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from pipeline.segment import words
from pipeline.train.settings import TASKS, TrainSettings

@lru_cache(maxsize=300_000)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(words(text))


def clear_token_cache() -> None:
    """Forget the tokens of texts seen so far (timings start cold)."""
    _tokens.cache_clear()


def tokenize(text: str) -> list[str]:
    """Words of ``text`` (``segment.words``: the domain-aware jieba segmenter, punctuation and
    spaces dropped, one-character words kept). Module-level so a saved model names it."""
    return list(_tokens(text))


def segmenter_name() -> str:
    return "pipeline.segment.Segmenter (own jieba.Tokenizer + lexicon dictionary)"


def build_features(settings: TrainSettings) -> FeatureUnion:
    common = dict(sublinear_tf=True, min_df=settings.min_df, max_features=settings.max_features, dtype=np.float64)
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=True,
                                      ngram_range=tuple(settings.word_ngrams), **common)),
            ("chars", TfidfVectorizer(analyzer="char", lowercase=True, ngram_range=tuple(settings.char_ngrams), **common)),
        ]
    )


def build_classifier(settings: TrainSettings, *, binary: bool = False):
    if settings.classifier == "svm":
        svm = LinearSVC(C=settings.C, class_weight="balanced", random_state=settings.seed)
        return CalibratedClassifierCV(svm, method="sigmoid", cv=3)
    if settings.classifier == "sgd":
        return SGDClassifier(loss="log_loss", alpha=settings.alpha, class_weight="balanced", max_iter=50, tol=1e-4, random_state=settings.seed)
    solver = "liblinear" if binary else "lbfgs"
    return LogisticRegression(C=settings.C, class_weight="balanced", max_iter=500, tol=1e-3, solver=solver, random_state=settings.seed)


def build_estimator(task: str, settings: TrainSettings) -> Pipeline:
    """An unfitted Pipeline for ``task``: features -> linear model (one-vs-rest for multi-label)."""
    kind, _ = TASKS[task]
    if kind == "multi":
        model = OneVsRestClassifier(build_classifier(settings, binary=True))
    else:
        model = build_classifier(settings)
    return Pipeline([("features", build_features(settings)), ("model", model)])
