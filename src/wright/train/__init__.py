"""Training utilities: the fit/evaluate loop, callbacks, metrics and the History they record."""

from wright.train.callbacks import Callback, EarlyStopping, ModelCheckpoint, ProgressBar
from wright.train.history import History
from wright.train.loop import FitState, NonFiniteLossError, evaluate, fit
from wright.train.metrics import accuracy

__all__ = [
    "Callback",
    "EarlyStopping",
    "FitState",
    "History",
    "ModelCheckpoint",
    "NonFiniteLossError",
    "ProgressBar",
    "accuracy",
    "evaluate",
    "fit",
]
