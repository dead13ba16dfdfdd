"""Layers, activations and losses: the modules networks are built from."""

from wright.nn import functional, init, utils
from wright.nn.activation import Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from wright.nn.conv import Conv1d, Conv2d
from wright.nn.dropout import Dropout
from wright.nn.embedding import Embedding
from wright.nn.linear import Linear
from wright.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss, QuadraticCost
from wright.nn.module import Module, ModuleList, Parameter, Sequential
from wright.nn.normalization import BatchNorm1d, BatchNorm2d
from wright.nn.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from wright.nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from wright.nn.shape import Flatten, Unflatten
from wright.nn.upsample import Upsample

__all__ = [
    "Module", "Parameter", "Sequential", "ModuleList", "Linear", "Sigmoid", "Tanh", "ReLU", "LeakyReLU",
    "Softmax", "LogSoftmax", "Identity", "MSELoss", "CrossEntropyLoss", "NLLLoss", "BCELoss",
    "BCEWithLogitsLoss", "QuadraticCost", "Flatten", "Unflatten", "functional", "init", "utils",
    "Conv1d", "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Dropout", "BatchNorm1d",
    "BatchNorm2d", "Upsample", "Embedding", "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell",
]
