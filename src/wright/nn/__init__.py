"""Layers, activations and losses: the modules networks are built from."""

from wright.nn import functional, init, utils
from wright.nn.activation import (
    CELU,
    ELU,
    GLU,
    SELU,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    Identity,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    RReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softmax2d,
    Softmin,
    Softplus,
    Softshrink,
    Softsign,
    Tanh,
    Tanhshrink,
    Threshold,
)
from wright.nn.conv import Conv1d, Conv2d
from wright.nn.distance import CosineSimilarity, PairwiseDistance
from wright.nn.dropout import Dropout
from wright.nn.embedding import Embedding
from wright.nn.linear import Bilinear, Linear
from wright.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CosineEmbeddingLoss,
    CrossEntropyLoss,
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MarginRankingLoss,
    MSELoss,
    MultiLabelMarginLoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    NLLLoss,
    PoissonNLLLoss,
    QuadraticCost,
    SmoothL1Loss,
    SoftMarginLoss,
    TripletMarginLoss,
    TripletMarginWithDistanceLoss,
)
from wright.nn.module import Module, Parameter
from wright.nn.normalization import BatchNorm1d, BatchNorm2d
from wright.nn.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from wright.nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from wright.nn.shape import Flatten, Unflatten
from wright.nn.upsample import Upsample

# isort: split
# Containers; attention and Transformers, with their normalization and activation.
from wright.nn.attention import MultiheadAttention
from wright.nn.container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from wright.nn.gelu import GELU
from wright.nn.layernorm import LayerNorm, RMSNorm
from wright.nn.transformer import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "AdaptiveAvgPool2d",
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "Embedding",
    "Flatten",
    "GRUCell",
    "Identity",
    "LSTMCell",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "MaxPool2d",
    "Module",
    "NLLLoss",
    "Parameter",
    "QuadraticCost",
    "RNNCell",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "Unflatten",
    "Upsample",
    "functional",
    "init",
    "utils",
]

# Activations, losses, distances and bilinear layers beyond the ones listed above.
__all__ += [
    "CELU",
    "ELU",
    "GLU",
    "SELU",
    "Bilinear",
    "CosineEmbeddingLoss",
    "CosineSimilarity",
    "GaussianNLLLoss",
    "Hardshrink",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "HingeEmbeddingLoss",
    "HuberLoss",
    "KLDivLoss",
    "L1Loss",
    "LogSigmoid",
    "MarginRankingLoss",
    "Mish",
    "MultiLabelMarginLoss",
    "MultiLabelSoftMarginLoss",
    "MultiMarginLoss",
    "PReLU",
    "PairwiseDistance",
    "PoissonNLLLoss",
    "RReLU",
    "ReLU6",
    "SiLU",
    "SmoothL1Loss",
    "SoftMarginLoss",
    "Softmax2d",
    "Softmin",
    "Softplus",
    "Softshrink",
    "Softsign",
    "Tanhshrink",
    "Threshold",
    "TripletMarginLoss",
    "TripletMarginWithDistanceLoss",
]

# Containers; attention and Transformers.
__all__ += [
    "GELU",
    "LayerNorm",
    "ModuleDict",
    "ModuleList",
    "MultiheadAttention",
    "ParameterDict",
    "ParameterList",
    "RMSNorm",
    "Sequential",
    "Transformer",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
]
