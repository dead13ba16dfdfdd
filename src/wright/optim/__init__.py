"""Optimizers that turn gradients into weight updates, and learning-rate schedules."""

from wright.optim import lr_scheduler, search
from wright.optim.adam import Adam, AdamW
from wright.optim.optimizer import Optimizer
from wright.optim.rmsprop import RMSprop
from wright.optim.sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler", "search"]
