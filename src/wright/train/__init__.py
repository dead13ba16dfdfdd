"""Training utilities: the fit/evaluate loop, callbacks, metrics and the History they record, the
recipes that train registered classifiers and language models, and the lock on a run's folder."""

from wright.train.callbacks import Callback, EarlyStopping, ModelCheckpoint, ProgressBar
from wright.train.classifier import holdout, train_classifier
from wright.train.history import History
from wright.train.loop import FitState, NonFiniteLossError, evaluate, fit
from wright.train.metrics import accuracy
from wright.train.runs import FolderInUseError, RunLock

__all__ = [
    "Callback",
    "EarlyStopping",
    "FitState",
    "FolderInUseError",
    "History",
    "ModelCheckpoint",
    "NonFiniteLossError",
    "ProgressBar",
    "RunLock",
    "accuracy",
    "evaluate",
    "fit",
    "holdout",
    "train_classifier",
]
