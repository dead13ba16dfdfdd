"""Layers, activations and losses: the modules networks are built from."""

from wright.nn import functional, init, utils
from wright.nn.activation import Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from wright.nn.linear import Linear
from wright.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss, QuadraticCost
from wright.nn.module import Module, ModuleList, Parameter, Sequential
from wright.nn.shape import Flatten, Unflatten

__all__ = [
    "Module", "Parameter", "Sequential", "ModuleList", "Linear", "Sigmoid", "Tanh", "ReLU", "LeakyReLU",
    "Softmax", "LogSoftmax", "Identity", "MSELoss", "CrossEntropyLoss", "NLLLoss", "BCELoss",
    "BCEWithLogitsLoss", "QuadraticCost", "Flatten", "Unflatten", "functional", "init", "utils",
]
