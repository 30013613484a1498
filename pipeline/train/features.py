"""Features and estimators: TF-IDF over jieba words plus character n-grams, then a linear model.

``tokenize`` is a module-level function so a saved model refers to it by name: the jieba
tokenizer (with the domain dictionary) lives in this process, never inside the model file.
"""

from __future__ import annotations

import numpy as np
from functools import lru_cache
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction import DictVectorizer
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


# -- stance from human labels: the rules' votes as features -----------------------------------------


_RULE_FEATURES: dict[tuple[int, str], dict[str, float]] = {}


def rule_feature_dict(text: str, lexicon_dir: str | None = None) -> dict[str, float]:
    """Cached :func:`rule_features_of` (per extractor: an edited lexicon gives new features)."""
    from pipeline.extract import get_extractor

    key = (id(get_extractor(lexicon_dir)), text)
    found = _RULE_FEATURES.get(key)
    if found is None:
        if len(_RULE_FEATURES) > 200_000:
            _RULE_FEATURES.clear()
        found = _RULE_FEATURES[key] = rule_features_of(text, lexicon_dir)
    return found


def rule_features_of(text: str, lexicon_dir: str | None = None) -> dict[str, float]:
    """What the stance rules see in ``text``, as named features: each labelling function's vote
    (``vote:RULE``), the label the rules decide (``rules:LABEL``), the China-target and China-US
    pair flags, and every cue with its polarity, negation and the filter that blocked it
    (``cue:POLARITY:KEY``, ``blocked:POLARITY:FILTER``)."""
    from pipeline.extract import get_extractor
    from pipeline.extract.stance import STANCE_RULES, decide

    ctx = get_extractor(lexicon_dir).stance_context(text)
    features: dict[str, float] = {}
    votes = {}
    for lf in STANCE_RULES:
        evidence = lf(ctx)
        if evidence:
            votes[lf.name] = evidence
            features[f"vote:{lf.name}"] = min(3.0, float(len(evidence)))
    features[f"rules:{decide(votes)}"] = 1.0
    if ctx.has_china:
        features["china_target"] = 1.0
    if ctx.has_pair:
        features["china_us_pair"] = 1.0
    for cue in ctx.cues:
        state = cue.blocked_by or ("negated" if cue.negated else "fires")
        features[f"cue:{cue.polarity}:{cue.hit.alias.key}:{state}"] = 1.0
        features[f"state:{cue.polarity}:{cue.mode}:{state}"] = features.get(f"state:{cue.polarity}:{cue.mode}:{state}", 0.0) + 1.0
    for evidence, negated in ctx.reduced:
        features["reducer:negated" if negated else "reducer"] = 1.0
    return features


class RuleFeatures(TransformerMixin, BaseEstimator):
    """Texts -> the stance rules' votes and evidence (:func:`rule_feature_dict`), one-hot by a
    DictVectorizer fitted on the training texts. The lexicons come from the running process
    (never stored in the model file), like the tokenizer."""

    def fit(self, texts, y=None):
        self.vectorizer_ = DictVectorizer().fit([rule_feature_dict(t) for t in texts])
        self.vectorizer_.vocabulary_ = {k: int(v) for k, v in self.vectorizer_.vocabulary_.items()}
        return self

    def transform(self, texts):
        return self.vectorizer_.transform([rule_feature_dict(t) for t in texts])


def build_stance_estimator(settings: TrainSettings) -> Pipeline:
    """Stance from human labels: character n-gram TF-IDF + word TF-IDF + the rules' votes and
    evidence (weighted ``settings.rule_weight``), then the classifier (calibrated LinearSVC
    by default: ``CalibratedClassifierCV``, sigmoid)."""
    common = dict(sublinear_tf=True, min_df=settings.min_df, max_features=settings.max_features, dtype=np.float64)
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=True, ngram_range=tuple(settings.word_ngrams), **common)),
            ("chars", TfidfVectorizer(analyzer="char", lowercase=True, ngram_range=tuple(settings.char_ngrams), **common)),
            ("rules", RuleFeatures()),
        ],
        transformer_weights={"words": 1.0, "chars": 1.0, "rules": settings.rule_weight},
    )
    from dataclasses import replace

    return Pipeline([("features", features), ("model", build_classifier(replace(settings, classifier=settings.stance_classifier)))])
