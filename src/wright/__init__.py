"""wright: a readable deep learning framework on NumPy, with a PyTorch-shaped API."""

from wright.autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from wright.backend import (
    float32,
    float64,
    get_default_dtype,
    int32,
    int64,
    manual_seed,
    set_default_dtype,
    uint8,
)
from wright.creation import (
    arange,
    eye,
    from_numpy,
    full,
    linspace,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    tensor,
    zeros,
    zeros_like,
)
from wright.functions import (
    abs,
    argmax,
    clip,
    exp,
    log,
    logsumexp,
    log_softmax,
    matmul,
    maximum,
    mean,
    minimum,
    relu,
    sigmoid,
    softmax,
    sqrt,
    sum,
    tanh,
)
from wright.serialization import load, save
from wright.tensor import Tensor, cat, concatenate, pad, split, stack, where
from wright.tune import tune

# Subpackages, so that `import wright` gives wright.nn, wright.optim, ... as PyTorch users expect.
from wright import autograd, data, datasets, interpret, models, nn, optim, train, viz  # noqa: E402  isort: skip

__version__ = "0.1.0"

__all__ = [
    "Tensor", "tensor", "from_numpy", "zeros", "ones", "full", "zeros_like", "ones_like", "eye", "arange",
    "linspace", "randn", "rand", "randint", "cat", "concatenate", "stack", "split", "where", "pad",
    "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "clip", "maximum", "minimum", "sum", "mean",
    "argmax", "logsumexp", "softmax", "log_softmax", "matmul",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "manual_seed", "get_default_dtype",
    "set_default_dtype", "float32", "float64", "int32", "int64", "uint8", "save", "load", "tune", "__version__",
]
