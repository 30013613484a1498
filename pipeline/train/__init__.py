"""Sentence classifiers trained on the store's rule labels (weak supervision), plus gold.

Public API::

    from pipeline.train import train_model, train_default, load_model, predict_store, CombinedTagger
    result = train_model(store, "models/stance", tasks=("stance",), gold_dir="../shared/gold")
"""

from pipeline.train.artefact import TRUSTED_TYPES, LoadedModel, load_model, save_model
from pipeline.train.features import build_estimator, tokenize
from pipeline.train.predict import CombinedTagger, ModelTagger, predict_store
from pipeline.train.settings import DEFAULT_TASKS, TASKS, ModelError, TrainError, TrainSettings
from pipeline.train.trainer import DEFAULT_MODEL_NAME, TrainResult, train_default, train_model

__all__ = [
    "TRUSTED_TYPES", "LoadedModel", "load_model", "save_model", "build_estimator", "tokenize",
    "CombinedTagger", "ModelTagger", "predict_store", "DEFAULT_TASKS", "TASKS", "ModelError",
    "TrainError", "TrainSettings", "DEFAULT_MODEL_NAME", "TrainResult", "train_default", "train_model",
]
