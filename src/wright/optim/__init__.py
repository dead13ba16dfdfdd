"""Optimizers that turn gradients into weight updates, and learning-rate schedules."""

from wright.optim import lr_scheduler, search
from wright.optim.adadelta import Adadelta
from wright.optim.adagrad import Adagrad
from wright.optim.adam import Adam, AdamW
from wright.optim.adamax import Adamax
from wright.optim.lbfgs import LBFGS
from wright.optim.nadam import NAdam
from wright.optim.optimizer import Optimizer
from wright.optim.radam import RAdam
from wright.optim.rmsprop import RMSprop
from wright.optim.sgd import SGD

__all__ = [
    "LBFGS",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "lr_scheduler",
    "search",
]
