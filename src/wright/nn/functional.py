"""Stateless forms of the layers, activations and losses (`wright.nn.functional`, imported as F)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np

from wright import backend, dtypes
from wright.autograd import is_grad_enabled, no_grad
from wright.backend import array_module
from wright.creation import as_tensor
from wright.ops import activation as A
from wright.ops import attention as Attention
from wright.ops import conv as C
from wright.ops import elementwise as E
from wright.ops import embedding as Emb
from wright.ops import folding as Fold_
from wright.ops import gelu as G
from wright.ops import linalg as L
from wright.ops import loss as losses
from wright.ops import norm as N
from wright.ops import reduce as R
from wright.tensor import Tensor, _from_array, _promoted, cat, where
from wright.tensor import pad as tensor_pad

# ----- activations -----
# Each takes PyTorch's arguments; `inplace=True` stores the result in the input's own memory
# through `Tensor._inplace`, so autograd treats it as PyTorch treats `x.relu_()`.


def _no_bool(name: str, input: Tensor) -> None:
    if input.array.dtype == np.bool_:
        raise RuntimeError(f"{name}: bool tensors are not supported")


def _floating_only(name: str, input: Tensor) -> None:
    if input.array.dtype.kind != "f":
        raise NotImplementedError(
            f"{name}: not implemented for {input.dtype} tensors; expected a floating point tensor"
        )


def _activate(input: Tensor, inplace: bool, name: str, compute: Callable[[Tensor], Tensor]):
    """compute(input), or the same stored into input's memory when `inplace` (returns input)."""
    if inplace:
        return input._inplace(f"{name}_", compute)
    return compute(input)


def sigmoid(input: Tensor) -> Tensor:
    """Logistic squashing 1 / (1 + e^-x) into (0, 1) (PyTorch keeps this alias of
    `wright.sigmoid`)."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent squashing into (-1, 1) (an alias of `wright.tanh`)."""
    return input.tanh()


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0); the gradient at 0 is 0. Integer tensors keep their dtype."""
    _no_bool("relu", input)
    return _activate(input, inplace, "relu", E.ReLU.apply)


def relu_(input: Tensor) -> Tensor:
    """In-place `relu`."""
    return relu(input, inplace=True)


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """Clamp to [min_val, max_val]; the gradient is 0 at the bounds and outside them."""
    if min_val > max_val:
        raise ValueError(
            f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})"
        )
    _no_bool("hardtanh", input)
    return _activate(
        input, inplace, "hardtanh", lambda x: A.Hardtanh.apply(x, low=min_val, high=max_val)
    )


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place `hardtanh`."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6): hardtanh on [0, 6]."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where positive, negative_slope * x elsewhere (also at 0, for the gradient)."""
    _floating_only("leaky_relu", input)
    return _activate(
        input, inplace, "leaky_relu", lambda x: E.LeakyReLU.apply(x, slope=negative_slope)
    )


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place `leaky_relu`."""
    return leaky_relu(input, negative_slope, inplace=True)


def _elu(name, input, inplace, alpha, scale, input_scale) -> Tensor:
    _floating_only(name, input)
    return _activate(
        input,
        inplace,
        name,
        lambda x: A.ELU.apply(x, alpha=alpha, scale=scale, input_scale=input_scale),
    )


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """Exponential linear unit: x for x > 0, alpha (e^x - 1) otherwise."""
    return _elu("elu", input, inplace, alpha, 1.0, 1.0)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place `elu`."""
    return elu(input, alpha, inplace=True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """Self-normalising ELU: scale * elu(x, alpha) with alpha ~ 1.6733 and scale ~ 1.0507."""
    return _elu("selu", input, inplace, _SELU_ALPHA, _SELU_SCALE, 1.0)


def selu_(input: Tensor) -> Tensor:
    """In-place `selu`."""
    return selu(input, inplace=True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """Continuously differentiable ELU: max(0, x) + min(0, alpha (e^(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("celu: alpha must not be 0 (the input is divided by it)")
    return _elu("celu", input, inplace, alpha, 1.0, 1.0 / alpha)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place `celu`."""
    return celu(input, alpha, inplace=True)


def _pointwise(name: str, op, input: Tensor, inplace: bool = False) -> Tensor:
    _floating_only(name, input)
    return _activate(input, inplace, name, op.apply)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (swish)."""
    return _pointwise("silu", A.SiLU, input, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    return _pointwise("mish", A.Mish, input, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6, a cheap swish."""
    return _pointwise("hardswish", A.Hardswish, input, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6, a piecewise linear sigmoid."""
    return _pointwise("hardsigmoid", A.Hardsigmoid, input, inplace)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)), computed without overflow."""
    return _pointwise("logsigmoid", A.LogSigmoid, input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Smooth relu log(1 + e^(beta x)) / beta; x itself where beta x > threshold."""
    _floating_only("softplus", input)
    return A.Softplus.apply(input, beta=beta, threshold=threshold)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - input.tanh()


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """0 on [-lambd, lambd]; elsewhere x moved lambd towards 0."""
    if lambd < 0:
        raise RuntimeError(f"softshrink: lambd must be at least 0, got {lambd}")
    _floating_only("softshrink", input)
    return A.Shrink.apply(input, lambd=lambd, soft=True)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """0 on [-lambd, lambd]; x elsewhere."""
    _floating_only("hardshrink", input)
    return A.Shrink.apply(input, lambd=lambd, soft=False)


def _threshold(input: Tensor, limit: float, value: float, inplace: bool) -> Tensor:
    _no_bool("threshold", input)
    return _activate(
        input, inplace, "threshold", lambda x: A.Threshold.apply(x, threshold=limit, value=value)
    )


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, `value` elsewhere."""
    return _threshold(input, threshold, value, inplace)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place `threshold`."""
    return _threshold(input, threshold, value, True)


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """Randomised leaky relu: while training, each non-positive x is scaled by its own slope drawn
    from U(lower, upper); in evaluation, by the mean slope (lower + upper) / 2."""
    return _rrelu(input, lower, upper, training, inplace)


def _rrelu(input, lower, upper, training, inplace, generator=None) -> Tensor:
    _floating_only("rrelu", input)
    if training:
        draws = backend.rng(generator, input.device).uniform(lower, upper, input.shape)
        slope = draws.astype(input.array.dtype)
    else:
        slope = (lower + upper) / 2
    return _activate(input, inplace, "rrelu", lambda x: E.LeakyReLU.apply(x, slope=slope))


def rrelu_(
    input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False
) -> Tensor:
    """In-place `rrelu`."""
    return rrelu(input, lower, upper, training, inplace=True)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x where positive, weight * x elsewhere, with a learned slope per channel (dim 1) or one for
    all."""
    _floating_only("prelu", input)
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: weight must be a scalar or 1-D tensor, got {weight.ndim}-D")
    count = weight.numel()
    if count == 1:
        weight = weight.reshape(())
    else:
        channels = input.shape[1] if input.ndim >= 2 else 1
        if count != channels:
            raise RuntimeError(
                f"prelu: {count} slopes given for an input with {channels} channels "
                f"(shape {tuple(input.shape)}); give 1 or one per channel"
            )
        weight = weight.reshape((channels,) + (1,) * (input.ndim - 2))
    return where(input.array > 0, input, weight * input)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: split in two halves a, b along `dim`, return a * sigmoid(b)."""
    if input.ndim == 0:
        raise RuntimeError("glu: a 0-d tensor cannot be split in half")
    size = input.shape[dim]
    if size % 2:
        raise RuntimeError(f"glu: halving dimension {dim} must have an even size, got {size}")
    first, second = input.chunk(2, dim)
    return first * second.sigmoid()


def _warn_implicit_dim(name: str, stacklevel: int) -> None:
    warnings.warn(
        f"{name}: no dim given; the implicit choice of dimension is deprecated, as in PyTorch. "
        "Pass dim=X.",
        UserWarning,
        stacklevel=stacklevel,
    )


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """Exponentiate and normalise along dim: positive values that sum to 1."""
    if dim is None:
        _warn_implicit_dim("softmax", _stacklevel)
    return input.softmax(dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """log(softmax(x)) along dim, computed stably."""
    if dim is None:
        _warn_implicit_dim("log_softmax", _stacklevel)
    return input.log_softmax(dim, dtype=dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(-x) along dim: the smallest values get the most weight."""
    if dim is None:
        _warn_implicit_dim("softmin", _stacklevel)
    return (-input).softmax(dim, dtype=dtype)


def gumbel_softmax(
    logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> Tensor:
    """Sample from softmax(logits) differentiably: softmax((logits + Gumbel noise) / tau). With
    `hard`, the result is one-hot in value while its gradient is the soft sample's."""
    if eps != 1e-10:
        warnings.warn("gumbel_softmax: eps is deprecated and has no effect", stacklevel=2)
    xp = array_module(logits.array)
    noise = -xp.log(backend.rng(None, logits.device).exponential(size=logits.shape))
    soft = ((logits + _from_array(noise.astype(logits.array.dtype))) / tau).softmax(dim)
    if not hard:
        return soft
    winners = xp.zeros_like(soft.array)
    xp.put_along_axis(winners, soft.array.argmax(axis=dim, keepdims=True), 1, axis=dim)
    return _from_array(winners) - soft.detach() + soft


# ----- losses -----
# Each takes `reduction` ('mean', 'sum' or 'none'; kl_div also 'batchmean') and, where PyTorch has
# them, the deprecated `size_average` and `reduce` flags, which then decide the reduction.

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(name: str, reduction: str, extra: tuple[str, ...] = ()) -> None:
    if reduction not in _REDUCTIONS + extra:
        raise ValueError(
            f"{name}: reduction must be one of {_REDUCTIONS + extra}, got {reduction!r}"
        )


def legacy_reduction(size_average: bool | None, reduce: bool | None) -> str:
    """The reduction PyTorch's deprecated flags stand for: reduce=False gives 'none', else
    size_average=False gives 'sum', else 'mean'. Warns that they are deprecated."""
    for name, flag in (("size_average", size_average), ("reduce", reduce)):
        if flag is not None and not isinstance(flag, bool | np.bool_):
            raise TypeError(
                f"{name} must be True, False or None, got {flag!r}; pass the reduction by keyword "
                "(reduction='sum')"
            )
    if reduce is False:
        reduction = "none"
    else:
        reduction = "sum" if size_average is False else "mean"
    warnings.warn(
        f"size_average and reduce are deprecated, as in PyTorch; use reduction={reduction!r}",
        UserWarning,
        stacklevel=3,
    )
    return reduction


def _reduction(
    name: str, reduction: str, size_average=None, reduce=None, extra: tuple[str, ...] = ()
) -> str:
    if size_average is not None or reduce is not None:
        return legacy_reduction(size_average, reduce)
    _check_reduction(name, reduction, extra)
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _as_target(target, like: Tensor) -> Tensor:
    if isinstance(target, Tensor):
        return target
    return _from_array(backend.array_like(np.asarray(target, dtype=like.dtype), like.array))


def _as_labels(target) -> Tensor:
    return target if isinstance(target, Tensor) else as_tensor(np.asarray(target))


def _check_same_shape(name: str, input: Tensor, target: Tensor) -> None:
    if input.shape != target.shape:
        raise ValueError(
            f"{name}: input has shape {tuple(input.shape)} but target has shape "
            f"{tuple(target.shape)}; they must be the same"
        )


def _warn_if_broadcast(name: str, input: Tensor, target: Tensor) -> None:
    if input.shape != target.shape:
        warnings.warn(
            f"{name}: target shape {tuple(target.shape)} differs from input shape "
            f"{tuple(input.shape)}; they will be broadcast, which is likely a mistake (PyTorch "
            "warns too)",
            UserWarning,
            stacklevel=3,
        )


def _floating_pair(name: str, input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """Input and target promoted to one floating dtype (integer pairs are refused, as in
    PyTorch)."""
    input, target = _promoted(input, target)
    _floating_only(name, input)
    return input, target


def _refuse_grad(name: str, argument: str, tensor: Tensor | None) -> None:
    if tensor is not None and tensor.requires_grad and is_grad_enabled():
        raise RuntimeError(
            f"{name} is not differentiable with respect to {argument}; it must not require grad"
        )


def _constant(value, like: Tensor) -> np.ndarray | None:
    """A weight-like argument as a raw array in like's dtype (None stays None)."""
    if value is None:
        return None
    if isinstance(value, Tensor):
        return backend.same_device((value.array, like.array), "weight")[0].astype(
            like.array.dtype, copy=False
        )
    return backend.array_like(np.asarray(value, dtype=like.array.dtype), like.array)


def _weighted(
    name: str, loss: Tensor, weight, input: Tensor, reduction: str, by_weight: bool
) -> Tensor:
    """Elementwise weights, then the reduction; `by_weight` makes 'mean' divide by the weights'
    sum instead of the element count."""
    weight = _as_target(weight, input)
    if weight.shape != input.shape:
        raise ValueError(
            f"{name}: weight has shape {tuple(weight.shape)} but input has shape "
            f"{tuple(input.shape)}; they must be the same"
        )
    loss = loss * weight
    if reduction == "mean" and by_weight:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def l1_loss(
    input: Tensor,
    target,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    weight=None,
) -> Tensor:
    """Mean (or sum) absolute difference |input - target|; `weight` weighs each element and the
    mean then divides by the weights' sum."""
    reduction = _reduction("l1_loss", reduction, size_average, reduce)
    target = _as_target(target, input)
    _warn_if_broadcast("l1_loss", input, target)
    input, target = _floating_pair("l1_loss", input, target)
    loss = (input - target).abs()
    if weight is not None:
        return _weighted("l1_loss", loss, weight, input, reduction, by_weight=True)
    return _reduce(loss, reduction)


def mse_loss(
    input: Tensor,
    target,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    weight=None,
) -> Tensor:
    """Quadratic cost: the mean of (input - target)^2 over all elements (sum with
    reduction='sum'); `weight` weighs each element and the mean then divides by the weights'
    sum."""
    reduction = _reduction("mse_loss", reduction, size_average, reduce)
    target = _as_target(target, input)
    _warn_if_broadcast("mse_loss", input, target)
    input, target = _floating_pair("mse_loss", input, target)
    if weight is not None:
        difference = input - target
        loss = difference * difference
        return _weighted("mse_loss", loss, weight, input, reduction, by_weight=True)
    return losses.MSE.apply(input, target, reduction=reduction)


def smooth_l1_loss(
    input: Tensor,
    target,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta elsewhere (d = input - target): quadratic
    near zero, linear far away. beta = 0 is l1_loss."""
    reduction = _reduction("smooth_l1_loss", reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss: beta must not be negative, got {beta}")
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    target = _as_target(target, input)
    _warn_if_broadcast("smooth_l1_loss", input, target)
    input, target = _floating_pair("smooth_l1_loss", input, target)
    distance = (input - target).abs()
    loss = where(distance.array < beta, 0.5 / beta * distance * distance, distance - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(
    input: Tensor, target, reduction: str = "mean", delta: float = 1.0, weight=None
) -> Tensor:
    """0.5 d^2 where |d| < delta, delta (|d| - 0.5 delta) elsewhere (d = input - target):
    smooth_l1_loss scaled by delta. With `weight`, the mean divides by the element count."""
    _check_reduction("huber_loss", reduction)
    if delta <= 0:
        raise RuntimeError(f"huber_loss: delta must be positive, got {delta}")
    target = _as_target(target, input)
    _warn_if_broadcast("huber_loss", input, target)
    input, target = _floating_pair("huber_loss", input, target)
    distance = (input - target).abs()
    loss = where(
        distance.array < delta, 0.5 * distance * distance, delta * (distance - 0.5 * delta)
    )
    if weight is not None:
        return _weighted("huber_loss", loss, weight, input, reduction, by_weight=False)
    return _reduce(loss, reduction)


def kl_div(
    input: Tensor,
    target,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """Kullback-Leibler divergence of `target` from the distribution whose log-probabilities are
    `input`: target (log target - input) elementwise (target given as log-probabilities with
    `log_target`). 'batchmean' divides the sum by the batch size, the true KL divergence."""
    reduction = _reduction("kl_div", reduction, size_average, reduce, extra=("batchmean",))
    if reduction == "mean" and size_average is None and reduce is None:
        warnings.warn(
            "kl_div: reduction='mean' divides by the number of elements, not by the batch size; "
            "reduction='batchmean' gives the KL divergence (PyTorch warns too)",
            UserWarning,
            stacklevel=2,
        )
    target = _as_target(target, input)
    input, target = _floating_pair("kl_div", input, target)
    loss = losses.KLDivergence.apply(input, target, log_target=log_target)
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim else total
    return _reduce(loss, reduction)


def _check_labels(name: str, input: Tensor, target: Tensor, ignore_index: int | None) -> np.ndarray:
    """Integer class labels of the shape that input (N, C, *) or (C,) needs, each in [0, C) or
    equal to ignore_index."""
    labels = target.array
    if labels.dtype.kind not in "iu":
        raise RuntimeError(
            f"{name}: expected target to hold integer class indices, got dtype {target.dtype}"
        )
    shape = input.array.shape
    if not shape:
        raise ValueError(f"{name}: input must be (N, C), (N, C, *) or (C,), got shape ()")
    expected = (shape[0],) + shape[2:] if len(shape) > 1 else ()
    if labels.shape != expected:
        raise ValueError(
            f"{name}: input of shape {shape} needs target of shape {expected}, got {labels.shape}"
        )
    classes = shape[1] if len(shape) > 1 else shape[0]
    # One check of the whole batch (on a GPU, one wait for the device); the culprit only on error.
    invalid = (labels < 0) | (labels >= classes)
    if ignore_index is not None:
        invalid &= labels != ignore_index
    if invalid.any():
        bad = int(labels[invalid].reshape(-1)[0])
        raise IndexError(f"{name}: target {bad} is out of bounds for {classes} classes")
    return labels


def _class_weights(name: str, weight, input: Tensor, classes: int) -> np.ndarray | None:
    _refuse_grad(name, "weight", weight if isinstance(weight, Tensor) else None)
    weight = _constant(weight, input)
    if weight is not None and weight.shape != (classes,):
        raise RuntimeError(
            f"{name}: weight must hold one value per class ({classes}), got shape "
            f"{tuple(weight.shape)}"
        )
    return weight


def _batched(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """An unbatched (C,) input and its 0-d target as a batch of one."""
    if input.ndim == 1:
        return input.unsqueeze(0), target.reshape(1) if target.ndim == 0 else target.unsqueeze(0)
    return input, target


def nll_loss(
    input: Tensor,
    target,
    weight=None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of integer labels given log-probabilities (N, C, *) or (C,).

    With `weight` (one per class) each term is weighted by its label's weight, and the mean
    divides by the sum of those weights. Labels equal to `ignore_index` add nothing and count
    nowhere; when every label is ignored, the mean is nan (as in PyTorch).
    """
    reduction = _reduction("nll_loss", reduction, size_average, reduce)
    target = _as_labels(target)
    _check_labels("nll_loss", input, target, ignore_index)
    classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    weight = _class_weights("nll_loss", weight, input, classes)
    unbatched = input.ndim == 1
    input, target = _batched(input, target)
    loss = losses.NLL.apply(
        input, weight=weight, target=target.array, ignore_index=ignore_index, reduction=reduction
    )
    return loss.reshape(()) if unbatched and reduction == "none" else loss


def _mean_or_nan(total: Tensor, count: float) -> Tensor:
    """total / count, and nan (with a zero gradient) when count is 0, as PyTorch's means of
    nothing."""
    if count:
        return total / count
    return where(np.zeros((), bool), total, as_tensor(np.array(np.nan, total.array.dtype)))


def _smoothing_term(log_probs, labels, weight, ignore_index, reduction) -> Tensor:
    # Cross-entropy against the uniform distribution (class-weighted), on kept positions only.
    shape = (1, -1) + (1,) * (log_probs.ndim - 2)
    per_class = log_probs if weight is None else log_probs * as_tensor(weight.reshape(shape))
    keep = labels != ignore_index
    term = -per_class.sum(1) * as_tensor(keep.astype(log_probs.array.dtype))
    if reduction != "mean":
        return _reduce(term, reduction)
    kept = labels[keep]
    return _mean_or_nan(term.sum(), float(weight[kept].sum()) if weight is not None else kept.size)


def cross_entropy(
    input: Tensor,
    target,
    weight=None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax over classes (dim 1) then the negative log-probability of the target.

    Args:
        input: (N, C), (N, C, d1, ...) or unbatched (C,) unnormalised scores.
        target: integer labels (N,), (N, d1, ...) or () in [0, C); or class probabilities of
            input's shape.
        weight: one weight per class: each term is weighted by its label's weight, and for
            integer labels the mean divides by the sum of those weights.
        ignore_index: labels to leave out (integer labels only).
        label_smoothing: mix the target with the uniform distribution, this much of it uniform.
    """
    reduction = _reduction("cross_entropy", reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(
            f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}"
        )
    target = _as_labels(target)
    classes = input.shape[1] if input.ndim > 1 else input.shape[-1] if input.ndim else 0
    if target.array.dtype.kind == "f" and target.shape == input.shape:
        if ignore_index != -100:
            raise RuntimeError(
                "cross_entropy: ignore_index is not supported for probability targets"
            )
        return _soft_cross_entropy(input, target, weight, reduction, label_smoothing, classes)
    _check_labels("cross_entropy", input, target, ignore_index)
    weight = _class_weights("cross_entropy", weight, input, classes)
    unbatched = input.ndim == 1
    input, target = _batched(input, target)
    if weight is None:
        loss = losses.CrossEntropy.apply(
            input,
            target,
            reduction=reduction,
            label_smoothing=label_smoothing,
            ignore_index=ignore_index,
        )
    else:
        log_probs = input.log_softmax(1)
        loss = losses.NLL.apply(
            log_probs,
            weight=weight,
            target=target.array,
            ignore_index=ignore_index,
            reduction=reduction,
        )
        if label_smoothing:
            smoothing = _smoothing_term(log_probs, target.array, weight, ignore_index, reduction)
            loss = (1 - label_smoothing) * loss + smoothing * (label_smoothing / classes)
    return loss.reshape(()) if unbatched and reduction == "none" else loss


def _soft_cross_entropy(input, target, weight, reduction, label_smoothing, classes) -> Tensor:
    # Probability targets: -sum_c w_c t_c log p_c per position; the mean is over positions.
    class_dim = 1 if input.ndim > 1 else 0
    log_probs = input.log_softmax(class_dim)
    if label_smoothing:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    terms = log_probs * target
    if weight is not None:
        weight = _as_target(weight, input)
        if weight.shape != (classes,):
            raise RuntimeError(
                f"cross_entropy: weight must hold one value per class ({classes}), got shape "
                f"{tuple(weight.shape)}"
            )
        terms = terms * weight.reshape((-1,) + (1,) * (input.ndim - 2) if input.ndim > 1 else -1)
    return _reduce(-terms.sum(class_dim), reduction)


def _check_probabilities(name: str, input: Tensor) -> None:
    values = input.array
    if values.size and not ((values >= 0) & (values <= 1)).all():
        raise RuntimeError(
            f"{name}: all elements of input must be probabilities in [0, 1]; use "
            "binary_cross_entropy_with_logits for raw scores"
        )


def _broadcast_weight(name: str, weight, input: Tensor, argument: str = "weight"):
    _refuse_grad(name, argument, weight if isinstance(weight, Tensor) else None)
    weight = _constant(weight, input)
    if weight is None:
        return None
    try:
        fits = np.broadcast_shapes(weight.shape, input.shape) == input.shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(
            f"{name}: {argument} of shape {weight.shape} does not broadcast to the input's shape "
            f"{tuple(input.shape)}"
        )
    return weight


def binary_cross_entropy(
    input: Tensor,
    target,
    weight=None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """-w [t log p + (1 - t) log(1 - p)] for probabilities p in [0, 1]; each log is floored at
    -100, so certain mistakes cost 100, not infinity."""
    reduction = _reduction("binary_cross_entropy", reduction, size_average, reduce)
    target = _as_target(target, input)
    _check_same_shape("binary_cross_entropy", input, target)
    input, target = _floating_pair("binary_cross_entropy", input, target)
    _check_probabilities("binary_cross_entropy", input)
    weight = _broadcast_weight("binary_cross_entropy", weight, input)
    return losses.BinaryCrossEntropy.apply(input, target, reduction=reduction, weight=weight)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target,
    weight=None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    pos_weight=None,
) -> Tensor:
    """Sigmoid then binary cross-entropy, fused so that large scores stay finite.

    `weight` weighs each element (broadcast); `pos_weight` weighs the positive term t log p, one
    value per class (the last dimension), to trade recall against precision.
    """
    reduction = _reduction("binary_cross_entropy_with_logits", reduction, size_average, reduce)
    target = _as_target(target, input)
    _check_same_shape("binary_cross_entropy_with_logits", input, target)
    input, target = _floating_pair("binary_cross_entropy_with_logits", input, target)
    name = "binary_cross_entropy_with_logits"
    return losses.BinaryCrossEntropyWithLogits.apply(
        input,
        target,
        reduction=reduction,
        weight=_broadcast_weight(name, weight, input),
        pos_weight=_broadcast_weight(name, pos_weight, input, "pos_weight"),
    )


def poisson_nll_loss(
    input: Tensor,
    target,
    log_input: bool = True,
    full: bool = False,
    size_average=None,
    eps: float = 1e-8,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of counts `target` under Poisson rates: e^input - target input
    (input is the log-rate), or input - target log(input + eps) with log_input=False. `full` adds
    Stirling's approximation of log(target!) where target > 1."""
    reduction = _reduction("poisson_nll_loss", reduction, size_average, reduce)
    target = _as_target(target, input)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        with np.errstate(divide="ignore", invalid="ignore"):
            stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + where(target.array > 1, stirling, 0.0)
    return _reduce(loss, reduction)


def _variance_like(var, input: Tensor) -> Tensor:
    if isinstance(var, int | float):
        if var < 0:
            raise ValueError(f"gaussian_nll_loss: var must not be negative, got {var}")
        return input.new_full(input.shape, var)
    var = _as_target(var, input)
    if (var.array < 0).any():
        raise ValueError("gaussian_nll_loss: var has negative entries")
    if var.shape == input.shape:
        return var
    if var.shape == input.shape[:-1]:
        return var.unsqueeze(-1)  # one variance for all of the last dimension
    mismatched = [b for a, b in zip(input.shape, var.shape) if a != b]
    if var.ndim == input.ndim and sum(mismatched) == 1:
        return var  # one variance shared along a dimension of size 1
    raise ValueError(
        f"gaussian_nll_loss: var of shape {tuple(var.shape)} does not fit input of shape "
        f"{tuple(input.shape)}; give input's shape, or it with the last dimension dropped or "
        "one dimension set to 1"
    )


def gaussian_nll_loss(
    input: Tensor,
    target,
    var,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of `target` under normal distributions with means `input` and
    variances `var`: 0.5 (log var + (input - target)^2 / var) (+ 0.5 log 2 pi with `full`).

    Variances below `eps` are raised to eps for the value; the gradient to var passes as if they
    were not (as in PyTorch).
    """
    var = _variance_like(var, input)
    _check_reduction("gaussian_nll_loss", reduction)
    target = _as_target(target, input)
    clamped = var.clone()
    with no_grad():
        clamped.clamp_(min=eps)
    difference = input - target
    loss = 0.5 * (clamped.log() + difference * difference / clamped)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target,
    margin: float = 0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1: pulls
    similar pairs together and pushes dissimilar ones apart. Inputs (N, D) with target (N,), or
    (D,) with a 0-d target."""
    reduction = _reduction("cosine_embedding_loss", reduction, size_average, reduce)
    target = _as_labels(target)
    if target.ndim > 1:
        raise RuntimeError(
            f"cosine_embedding_loss: target must be 0-d or 1-D, got shape {tuple(target.shape)}"
        )
    wanted = target.ndim + 1
    if input1.ndim != wanted or input2.ndim != wanted:
        raise RuntimeError(
            f"cosine_embedding_loss: a {target.ndim}-D target needs {wanted}-D inputs, got shapes "
            f"{tuple(input1.shape)} and {tuple(input2.shape)}"
        )
    dim = target.ndim
    # PyTorch's form: a tiny constant under the square root keeps zero vectors finite.
    squares = ((input1 * input1).sum(dim) + 1e-12) * ((input2 * input2).sum(dim) + 1e-12)
    cosine = (input1 * input2).sum(dim) / squares.sqrt()
    zero = cosine.new_zeros(())
    labels = target.array
    loss = where(labels == 1, 1 - cosine, zero) + where(
        labels == -1, (cosine - margin).clamp(min=0), zero
    )
    return _reduce(loss, reduction)


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target,
    margin: float = 0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """max(0, -target (input1 - input2) + margin): target 1 asks input1 to rank above input2 by
    the margin, -1 below."""
    reduction = _reduction("margin_ranking_loss", reduction, size_average, reduce)
    target = _as_target(target, input1)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(
            "margin_ranking_loss: input1, input2 and target must have the same number of "
            f"dimensions, got shapes {tuple(input1.shape)}, {tuple(input2.shape)} and "
            f"{tuple(target.shape)}"
        )
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(
    input: Tensor,
    target,
    margin: float = 1.0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """x where target is 1, max(0, margin - x) where it is -1 (x usually a distance)."""
    reduction = _reduction("hinge_embedding_loss", reduction, size_average, reduce)
    labels = _as_labels(target).array
    zero = input.new_zeros(())
    loss = where(labels != 1, (margin - input).clamp(min=0), zero) + where(
        labels != -1, input, zero
    )
    return _reduce(loss, reduction)


def soft_margin_loss(
    input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean"
) -> Tensor:
    """log(1 + e^(-target input)): a smooth two-class hinge for targets 1 and -1."""
    reduction = _reduction("soft_margin_loss", reduction, size_average, reduce)
    target = _as_target(target, input)
    _refuse_grad("soft_margin_loss", "target", target)
    return _reduce(softplus(-target * input), reduction)


def multilabel_soft_margin_loss(
    input: Tensor,
    target,
    weight=None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy of each class (last dimension) from raw scores, averaged over the
    classes: for multi-label targets of 0s and 1s. `weight` weighs each class."""
    reduction = _reduction("multilabel_soft_margin_loss", reduction, size_average, reduce)
    target = _as_target(target, input)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * _as_target(weight, input)
    classes = input.shape[-1]
    return _reduce(loss.sum(-1) / classes, reduction)


def multi_margin_loss(
    input: Tensor,
    target,
    p: int = 1,
    margin: float = 1.0,
    weight=None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-class hinge: sum over wrong classes i of max(0, margin - x[y] + x[i])^p, divided by
    the number of classes C, for input (N, C) or (C,) and integer labels y."""
    reduction = _reduction("multi_margin_loss", reduction, size_average, reduce)
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: only p == 1 and p == 2 are supported, got {p}")
    if weight is not None and (weight.ndim if isinstance(weight, Tensor) else np.ndim(weight)) != 1:
        raise ValueError("multi_margin_loss: weight must be one-dimensional")
    target = _as_labels(target)
    if input.ndim > 2:
        raise RuntimeError(
            f"multi_margin_loss: input must be (N, C) or (C,), got shape {tuple(input.shape)}"
        )
    _check_labels("multi_margin_loss", input, target, ignore_index=None)
    classes = input.shape[-1]
    weight = _class_weights("multi_margin_loss", weight, input, classes)
    unbatched = input.ndim == 1
    input, target = _batched(input, target)
    labels = target.array
    rows = array_module(labels).arange(len(labels))
    picked = input[rows, labels].unsqueeze(1)  # (N, 1)
    # A margin violation counts only when positive (the gradient at exactly 0 is 0, as in PyTorch).
    violations = (margin - picked + input).relu()
    if p == 2:
        violations = violations * violations
    wrong = array_module(labels).ones(input.shape, dtype=input.array.dtype)
    wrong[rows, labels] = 0
    if weight is not None:
        wrong *= weight[labels][:, None]
    loss = (violations * _from_array(wrong)).sum(1) / classes
    return _reduce(loss.reshape(()) if unbatched else loss, reduction)


def multilabel_margin_loss(
    input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean"
) -> Tensor:
    """Multi-label hinge: for each target class j and each non-target class i,
    max(0, 1 - (x[j] - x[i])), summed and divided by the number of classes C.

    `target` (N, C) or (C,) holds class indices, ended by the first -1.
    """
    reduction = _reduction("multilabel_margin_loss", reduction, size_average, reduce)
    target = _as_labels(target)
    if input.ndim > 2 or target.shape != input.shape:
        raise RuntimeError(
            "multilabel_margin_loss: input must be (N, C) or (C,) and target of the same shape, "
            f"got {tuple(input.shape)} and {tuple(target.shape)}"
        )
    unbatched = input.ndim == 1
    input, target = _batched(input, target)
    labels = target.array
    classes = input.shape[-1]
    xp = array_module(labels)
    listed = xp.cumprod(labels != -1, axis=1).astype(bool)  # entries before the first -1
    bad = labels[listed & ((labels < 0) | (labels >= classes))]
    if bad.size:
        raise IndexError(
            f"multilabel_margin_loss: target {int(bad[0])} is out of bounds for {classes} classes"
        )
    counts = xp.zeros(input.shape, dtype=input.array.dtype)  # how often each class is listed
    rows = xp.broadcast_to(xp.arange(len(labels))[:, None], labels.shape)
    backend.ufunc_at("add", counts, (rows[listed], labels[listed]), 1)
    pairs = counts[:, :, None] * (counts == 0)[:, None, :]  # (N, target j, other i)
    # A violation counts only when positive (the gradient at exactly 0 is 0, as in PyTorch).
    violations = (1 - input.unsqueeze(2) + input.unsqueeze(1)).relu()
    loss = (violations * _from_array(pairs)).sum((1, 2)) / classes
    return _reduce(loss.reshape(()) if unbatched else loss, reduction)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """max(0, margin + d(anchor, positive) - d(anchor, negative)) with the p-norm distance of
    `pairwise_distance`; `swap` uses d(positive, negative) when that is smaller."""
    reduction = _reduction("triplet_margin_loss", reduction, size_average, reduce)

    def distance(x1: Tensor, x2: Tensor) -> Tensor:
        return pairwise_distance(x1, x2, p, eps)

    return _triplet_loss(
        "triplet_margin_loss", anchor, positive, negative, distance, margin, swap, reduction
    )


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """triplet_margin_loss with any distance function (pairwise_distance by default)."""
    _check_reduction("triplet_margin_with_distance_loss", reduction)
    if margin <= 0:
        raise ValueError(
            f"triplet_margin_with_distance_loss: margin must be greater than 0, got {margin}"
        )
    return _triplet_loss(
        "triplet_margin_with_distance_loss",
        anchor,
        positive,
        negative,
        distance_function or pairwise_distance,
        margin,
        swap,
        reduction,
    )


def _triplet_loss(name, anchor, positive, negative, distance, margin, swap, reduction) -> Tensor:
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(
            f"{name}: anchor, positive and negative must have the same number of dimensions, "
            f"got {anchor.ndim}-D, {positive.ndim}-D and {negative.ndim}-D"
        )
    to_positive, to_negative = distance(anchor, positive), distance(anchor, negative)
    if swap:
        to_negative = to_negative.minimum(distance(positive, negative))
    return _reduce((margin + to_positive - to_negative).clamp(min=0), reduction)


# ----- distances and normalisation -----


def _norm(input: Tensor, p: float, dim, keepdim: bool) -> Tensor:
    return R.VectorNorm.apply(input, ord=float(p), axis=dim, keepdims=keepdim)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None) -> Tensor:
    """Divide by the p-norm along `dim` (at least eps), making each vector's norm 1."""
    if out is not None:
        raise TypeError("normalize: out= is not supported; use the returned tensor")
    _floating_only("normalize", input)
    dim = dim % input.ndim if input.ndim else 0
    return input / _norm(input, p, dim, keepdim=True).clamp(min=eps)


def _unclamped_gradient_floor(norm: Tensor, eps: float) -> Tensor:
    # Raise the value to eps, but let the gradient pass as if it had not been raised (PyTorch's
    # cosine_similarity clamps its norms in place with gradients off).
    floored = norm.clone()
    with no_grad():
        floored.clamp_(min=eps)
    return floored


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """The cosine of the angle between x1 and x2 along `dim` (inputs broadcast): each is divided
    by its norm (at least eps) before the dot product, which keeps the result within [-1, 1]."""
    x1, x2 = _promoted(x1, x2)
    if x1.array.dtype.kind != "f":
        raise RuntimeError(
            f"cosine_similarity: expected floating point inputs, got {x1.dtype} and {x2.dtype}"
        )
    shape = np.broadcast_shapes(x1.shape, x2.shape)
    x1, x2 = x1.expand(shape), x2.expand(shape)
    if shape:
        dim = dim % len(shape)
    norm1 = _unclamped_gradient_floor(_norm(x1, 2, dim, keepdim=True), eps)
    norm2 = _unclamped_gradient_floor(_norm(x2, 2, dim, keepdim=True), eps)
    return ((x1 / norm1) * (x2 / norm2)).sum(dim)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """The p-norm of x1 - x2 + eps along the last dimension (inputs broadcast); eps keeps the
    gradient finite when x1 == x2."""
    x1, x2 = _promoted(x1, x2)
    difference = x1 - x2 + eps
    if difference.ndim == 0:
        return difference.abs()
    return _norm(difference, p, difference.ndim - 1, keepdim)


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The p-norm distances between all pairs of rows of an (N, M) input: (N (N - 1) / 2,), the
    pairs (i, j) with i < j in row-major order (the upper triangle of cdist's matrix)."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if not input.is_floating_point():
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    first, second = np.triu_indices(input.shape[0], 1)
    return _norm(input[first] - input[second], p, 1, keepdim=False)


# ----- embeddings and linear maps -----


def one_hot(tensor, num_classes: int = -1) -> Tensor:
    """Integer labels of any shape (*) to one-hot vectors (*, num_classes), as int64 (0s and 1s).

    num_classes=-1 means one more than the largest label.
    """
    labels = getattr(tensor, "array", tensor)
    if not backend.is_array(labels):
        labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise RuntimeError(f"one_hot: expected integer class indices, got dtype {labels.dtype}")
    if num_classes < 0:
        if labels.size == 0:
            raise RuntimeError("one_hot: cannot infer the number of classes from an empty tensor")
        num_classes = int(labels.max()) + 1
    if labels.size and labels.min() < 0:
        raise RuntimeError(f"one_hot: class values must not be negative, got {int(labels.min())}")
    if labels.size and labels.max() >= num_classes:
        raise RuntimeError(
            f"one_hot: class values must be smaller than num_classes ({num_classes}), got "
            f"{int(labels.max())}"
        )
    return _from_array(array_module(labels).eye(num_classes, dtype=np.int64)[labels])


def _checked_indices(owner: str, input, rows: int) -> np.ndarray:
    """The indices as an integer array, or an error naming `owner` when one is outside [0, rows)."""
    indices = input.array if isinstance(input, Tensor) else np.asarray(input)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"{owner} needs integer indices, got dtype {indices.dtype}")
    if indices.size and (indices.min() < 0 or indices.max() >= rows):
        bad = int(indices[(indices < 0) | (indices >= rows)][0])
        raise IndexError(f"{owner} got index {bad}, outside [0, {rows})")
    return indices


def _padding_row(owner: str, padding_idx: int | None, rows: int) -> int | None:
    """padding_idx checked and made non-negative (None stays None)."""
    if padding_idx is None:
        return None
    if not -rows <= padding_idx < rows:
        raise ValueError(f"{owner}: padding_idx {padding_idx} is outside [-{rows}, {rows})")
    return padding_idx % rows


def _renormalise_rows(weight: Tensor, indices: np.ndarray, max_norm: float, norm_type: float):
    # Rows that are looked up and longer than max_norm are scaled down to it, in the weight
    # itself and outside the graph (PyTorch's embedding_renorm_).
    xp = array_module(weight.array)
    rows = xp.unique(indices)
    picked = weight.array[rows]
    norms = xp.linalg.norm(picked, ord=norm_type, axis=1)
    long = norms > max_norm
    if long.any():
        scale = (max_norm / (norms[long] + 1e-7)).astype(picked.dtype)
        with no_grad():
            weight[rows[long]] = picked[long] * scale[:, None]


def embedding(
    input,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Look up rows of `weight` (V, E) for integer indices of any shape: (*) -> (*, E).

    The same as multiplying one-hot vectors by `weight`, without building them. The row at
    `padding_idx` receives no gradient. With `max_norm`, looked-up rows longer than it (in the
    `norm_type`-norm) are first scaled down to it in place. `scale_grad_by_freq` divides each
    row's gradient by how often the row appears in `input`.
    """
    return _embed(
        "embedding", input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse
    )


def _embed(owner, input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse):
    if sparse:
        raise NotImplementedError(
            f"{owner}: sparse gradients are not supported; use sparse=False (dense gradients)"
        )
    rows = weight.shape[0]
    indices = _checked_indices(owner, input, rows)
    padding_idx = _padding_row(owner, padding_idx, rows)
    if max_norm is not None:
        _renormalise_rows(weight, indices, max_norm, norm_type)
    return Emb.Embedding.apply(
        weight, indices=indices, padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq
    )


def _bag_ids(input: Tensor, offsets, include_last_offset: bool) -> tuple[np.ndarray, int]:
    # The flat indices' bag numbers, and the number of bags.
    indices = np.asarray(input.array)
    if indices.ndim == 2:
        if offsets is not None:
            raise ValueError(
                "embedding_bag: if input is 2D, then offsets has to be None, as input is treated "
                "as a mini-batch of fixed-length sequences"
            )
        bags, length = indices.shape
        return np.repeat(np.arange(bags), length), bags
    if indices.ndim != 1:
        raise ValueError(f"embedding_bag: input has to be 1D or 2D, but got {indices.ndim}D")
    if offsets is None:
        raise ValueError("embedding_bag: offsets has to be a 1D Tensor but got None")
    starts = np.asarray(offsets.array if isinstance(offsets, Tensor) else offsets).reshape(-1)
    if starts.ndim != 1 or starts.dtype.kind not in "iu":
        raise ValueError("embedding_bag: offsets has to be a 1D integer Tensor")
    if starts.size and starts[0] != 0:
        raise RuntimeError(
            f"embedding_bag: offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
            f"has to start from position 0. However, got {starts[0]}"
        )
    if np.any(np.diff(starts) < 0) or (starts.size and starts[-1] > indices.size):
        raise RuntimeError(
            f"embedding_bag: offsets must be non-decreasing and at most the input's length "
            f"{indices.size}, got {starts.tolist()}"
        )
    bags = starts.size - 1 if include_last_offset else starts.size
    ids = np.searchsorted(starts[:bags], np.arange(indices.size), "right") - 1
    return ids, bags


def embedding_bag(
    input: Tensor,
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """Sum, mean or max of bags of embedding rows, without building the (bag, length, E) tensor:
    a 2-D input is one bag per row; a 1-D input is cut into bags starting at `offsets`. Entries
    equal to padding_idx are left out (and not counted by the mean); empty bags give zeros.
    per_sample_weights (mode 'sum' only) scale each looked-up row."""
    if mode not in ("sum", "mean", "max"):
        raise ValueError("embedding_bag: mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights is only supported for mode='sum' "
            f"(got mode='{mode}')"
        )
    if per_sample_weights is not None and tuple(per_sample_weights.shape) != tuple(input.shape):
        raise ValueError(
            f"embedding_bag: per_sample_weights must have the input's shape "
            f"{tuple(input.shape)}, got {tuple(per_sample_weights.shape)}"
        )
    rows = weight.shape[0]
    indices = _checked_indices("embedding_bag", input, rows).reshape(-1)
    padding_idx = _padding_row("embedding_bag", padding_idx, rows)
    ids, bags = _bag_ids(input, offsets, include_last_offset)
    kept = np.ones(indices.shape, bool) if padding_idx is None else indices != padding_idx
    indices, ids = indices[kept], ids[kept]
    if max_norm is not None:
        _renormalise_rows(weight, indices, max_norm, norm_type)
    picked = _embed("embedding_bag", indices, weight, None, None, 2.0, scale_grad_by_freq, sparse)
    if per_sample_weights is not None:
        scale = per_sample_weights.reshape(-1)[kept.nonzero()[0]]
        picked = picked * scale.unsqueeze(-1)
    dim = weight.shape[1]
    total = weight.new_zeros((bags, dim))
    positions = _from_array(ids)
    if mode == "max":
        spread = _from_array(np.broadcast_to(ids[:, None], (ids.size, dim)).copy())
        return total.scatter_reduce(0, spread, picked, "amax", include_self=False)
    total = total.index_add(0, positions, picked)
    if mode == "sum":
        return total
    counts = np.bincount(ids, minlength=bags).astype(weight.array.dtype)
    return total / _from_array(np.maximum(counts, 1)[:, None])


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x W^T + b: every output is a weighted sum of the inputs plus a bias."""
    if bias is None:
        return L.Linear.apply(input, weight)
    return L.Linear.apply(input, weight, bias)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y_k = x1^T A_k x2 + b_k for each output k: inputs (*, in1) and (*, in2), weight
    (out, in1, in2), output (*, out)."""
    if (
        weight.ndim != 3
        or input1.shape[-1:] != weight.shape[1:2]
        or (input2.shape[-1:] != weight.shape[2:])
    ):
        raise RuntimeError(
            f"bilinear: inputs (*, in1) and (*, in2) need weight (out, in1, in2); got shapes "
            f"{tuple(input1.shape)}, {tuple(input2.shape)} and weight {tuple(weight.shape)}"
        )
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(
            f"bilinear: the inputs' leading dimensions must match, got {tuple(input1.shape)} and "
            f"{tuple(input2.shape)}"
        )
    out, in1, in2 = weight.shape
    # x1 times every A_k at once: (*, in1) @ (in1, out * in2), then the dot product with x2.
    mixed = input1 @ weight.permute(1, 0, 2).reshape(in1, out * in2)
    result = (mixed.reshape(*input1.shape[:-1], out, in2) * input2.unsqueeze(-2)).sum(-1)
    return result if bias is None else result + bias


# ----- convolution, pooling, padding, resizing, dropout, normalization -----

_LAYOUTS = {
    1: ("(N, C, L)", "(C, L)"),
    2: ("(N, C, H, W)", "(C, H, W)"),
    3: ("(N, C, D, H, W)", "(C, D, H, W)"),
}


def _check_image(
    owner: str, x: Tensor, layouts: tuple[str, ...], channels: int | None = None
) -> None:
    """Raise a ValueError naming `owner` unless x has a layout's rank and `channels` at dim 1."""
    ranks = [layout.count(",") + 1 for layout in layouts]
    if x.ndim not in ranks or (channels is not None and x.shape[1] != channels):
        wanted = " or ".join(layouts) + (f" with C = {channels}" if channels is not None else "")
        raise ValueError(f"{owner} got input of shape {tuple(x.shape)}; expected {wanted}")


def _add_batch(owner: str, x: Tensor, spatial: int, channels: int | None = None):
    """x as (N, C, *spatial), with a batch of one added to an unbatched (C, *spatial) input (as
    PyTorch's layers take it), and whether it was added; a ValueError naming `owner` otherwise."""
    batched, unbatched = _LAYOUTS[spatial]
    single = x.ndim == spatial + 1
    found = x.unsqueeze(0) if single else x
    if found.ndim != spatial + 2 or (channels is not None and found.shape[1] != channels):
        wanted = batched + (f" with C = {channels}" if channels is not None else "")
        raise ValueError(
            f"{owner} got input of shape {tuple(x.shape)}; expected {wanted} "
            f"(or unbatched {unbatched})"
        )
    return found, single


def _drop_batch(out: Tensor, single: bool) -> Tensor:
    return out.squeeze(0) if single else out


def _check_weights(owner: str, x: Tensor, weight: Tensor, bias: Tensor | None, channels: int):
    """A RuntimeError, as PyTorch's, for a bias of the wrong shape or mixed or integer dtypes."""
    if bias is not None and tuple(bias.shape) != (channels,):
        raise RuntimeError(
            f"{owner}: expected bias of shape ({channels},) (one per output channel), "
            f"got {tuple(bias.shape)}"
        )
    kinds = [t.dtype for t in (x, weight, bias) if t is not None]
    if len(set(kinds)) > 1 or not x.is_floating_point():
        raise RuntimeError(
            f"{owner}: input, weight and bias must share one floating-point dtype, got "
            + ", ".join(str(kind) for kind in kinds)
        )


def _convolve(
    owner: str,
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride,
    padding,
    dilation,
    groups: int,
) -> Tensor:
    spatial = weight.ndim - 2
    if spatial not in (1, 2) or groups < 1 or weight.shape[0] % groups:
        raise ValueError(
            f"{owner}: weight must be (out_channels, in_channels / groups, *kernel) "
            f"with 1 or 2 kernel dimensions and out_channels divisible by "
            f"groups={groups}, got {weight.shape}"
        )
    x, single = _add_batch(owner, x, spatial, weight.shape[1] * groups)
    _check_weights(owner, x, weight, bias, weight.shape[0])
    window = C.sliding_window(owner, x.shape[2:], weight.shape[2:], stride, padding, dilation)
    if spatial == 2:
        return _drop_batch(C.conv2d(x, weight, bias, window, groups), single)
    # A signal is an image one row high.
    out = C.conv2d(x.unsqueeze(2), weight.unsqueeze(2), bias, window.unsqueezed(), groups)
    return _drop_batch(out.squeeze(2), single)


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride=1,
    padding=0,
    dilation=1,
    groups: int = 1,
) -> Tensor:
    """Slide (out, C/groups, K) kernels along (N, C, L) signals: (N, out, L_out). See Conv1d."""
    return _convolve("conv1d", input, weight, bias, stride, padding, dilation, groups)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride=1,
    padding=0,
    dilation=1,
    groups: int = 1,
) -> Tensor:
    """Filter (N, C, H, W) images with (out, C/groups, KH, KW) kernels: (N, out, H_out, W_out).

    See Conv2d for the arguments and the output size.
    """
    return _convolve("conv2d", input, weight, bias, stride, padding, dilation, groups)


def _transposed_window(owner: str, size, kernel, stride, padding, output_padding, dilation):
    """The window of the convolution a transposed convolution reverses, and the output size
    (size - 1) stride - 2 padding + dilation (kernel - 1) + output_padding + 1."""
    n = len(size)
    stride, padding, output_padding, dilation = (
        C.as_tuple(value, n, name, owner)
        for value, name in (
            (stride, "stride"),
            (padding, "padding"),
            (output_padding, "output_padding"),
            (dilation, "dilation"),
        )
    )
    if min(stride) < 1 or min(dilation) < 1:
        raise RuntimeError(
            f"{owner}: stride and dilation must be positive, got {stride} and {dilation}"
        )
    if min(padding) < 0 or min(output_padding) < 0:
        raise RuntimeError(f"{owner}: negative padding is not supported, got {padding}")
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= s and op >= d:
            raise RuntimeError(
                f"{owner}: output padding must be smaller than either stride or dilation, got "
                f"output_padding {output_padding}, stride {stride} and dilation {dilation}"
            )
    out = tuple(
        (i - 1) * s - 2 * p + d * (k - 1) + op + 1
        for i, k, s, p, op, d in zip(size, kernel, stride, padding, output_padding, dilation)
    )
    if min(out) < 1:
        raise RuntimeError(
            f"{owner}: the output size (input - 1) * stride - 2 * padding + dilation * "
            f"(kernel_size - 1) + output_padding + 1 = {out} is too small for input size "
            f"{tuple(size)}"
        )
    window = C.Window(tuple(kernel), stride, dilation, padding, padding, tuple(size))
    return window, out


def _convolve_transposed(
    owner: str,
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride,
    padding,
    output_padding,
    groups: int,
    dilation,
) -> Tensor:
    spatial = weight.ndim - 2
    if spatial not in (1, 2) or groups < 1:
        raise ValueError(
            f"{owner}: weight must be (in_channels, out_channels / groups, *kernel) with 1 or 2 "
            f"kernel dimensions and groups >= 1, got {weight.shape} and groups={groups}"
        )
    x, single = _add_batch(owner, x, spatial, weight.shape[0])
    if x.shape[1] % groups:
        raise RuntimeError(f"{owner}: in_channels {x.shape[1]} not divisible by groups {groups}")
    _check_weights(owner, x, weight, bias, weight.shape[1] * groups)
    window, size = _transposed_window(
        owner, x.shape[2:], weight.shape[2:], stride, padding, output_padding, dilation
    )
    if spatial == 2:
        return _drop_batch(C.conv_transpose2d(x, weight, bias, window, groups, size), single)
    out = C.conv_transpose2d(
        x.unsqueeze(2), weight.unsqueeze(2), bias, window.unsqueezed(), groups, (1, *size)
    )
    return _drop_batch(out.squeeze(2), single)


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride=1,
    padding=0,
    output_padding=0,
    groups: int = 1,
    dilation=1,
) -> Tensor:
    """Transposed convolution of (N, C_in, L) signals with (C_in, C_out/groups, K) kernels:
    (N, C_out, L_out). See ConvTranspose1d."""
    return _convolve_transposed(
        "conv_transpose1d", input, weight, bias, stride, padding, output_padding, groups, dilation
    )


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride=1,
    padding=0,
    output_padding=0,
    groups: int = 1,
    dilation=1,
) -> Tensor:
    """Transposed convolution of (N, C_in, H, W) images with (C_in, C_out/groups, KH, KW)
    kernels: (N, C_out, H_out, W_out). See ConvTranspose2d."""
    return _convolve_transposed(
        "conv_transpose2d", input, weight, bias, stride, padding, output_padding, groups, dilation
    )


_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad (or, with negative sizes, crop) the last dimensions, PyTorch's way.

    Args:
        pad: (left, right) for the last dimension, then (top, bottom) for the one before, and
            so on: 2 numbers per padded dimension, last dimension first.
        mode: 'constant' (fill with `value`, any number of dimensions), 'reflect' (mirror without
            repeating the edge), 'replicate' (repeat the edge) or 'circular' (wrap around); the
            last three pad the last 1, 2 or 3 dimensions of a (batched or unbatched) input.
        value: the fill for 'constant' (default 0).

    Example:
        >>> nn.functional.pad(wright.tensor([[1.0, 2.0, 3.0]]), (2, 1), mode="reflect").tolist()
        [[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]
    """
    if not isinstance(pad, tuple | list) or not all(
        isinstance(p, int | np.integer) and not isinstance(p, bool) for p in pad
    ):
        raise TypeError(f"pad: pad must be a tuple of ints, got {pad!r}")
    if mode not in _PAD_MODES:
        raise NotImplementedError(
            f"pad: unknown padding mode {mode!r}; expected one of {_PAD_MODES}"
        )
    if len(pad) % 2:
        raise RuntimeError(f"pad: padding length must be divisible by 2, got {len(pad)}")
    dims = len(pad) // 2
    if dims > input.ndim:
        raise RuntimeError(
            f"pad: padding length {len(pad)} is more than two per dimension of an input with "
            f"{input.ndim} dimensions"
        )
    # (axis, before, after) for the padded axes, the last axis first as in `pad`
    sides = [(input.ndim - 1 - i, int(pad[2 * i]), int(pad[2 * i + 1])) for i in range(dims)]
    if mode == "constant":
        return _pad_constant(input, sides, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f"pad: mode {mode!r} does not take a value, got value={value}")
    if dims not in (1, 2, 3) or input.ndim not in (dims + 1, dims + 2):
        raise NotImplementedError(
            f"pad: mode {mode!r} pads the last 1, 2 or 3 dimensions of a batched or unbatched "
            f"input (2-D or 3-D, 3-D or 4-D, 4-D or 5-D); got {len(pad)} padding sizes for a "
            f"{input.ndim}-D input"
        )
    plan = []
    for axis, before, after in sides:
        size = input.shape[axis]
        # PyTorch lets 2-D and 3-D padding (not 1-D) crop a dimension away entirely.
        smallest = 1 if dims == 1 and mode != "circular" else 0
        _check_pad_sizes(mode, input, axis, size, before, after, smallest)
        if before or after:
            positions = C.pad_positions(mode, size, before, after)
            plan.append((axis, positions[None], None))
    # Like PyTorch, return a new tensor even when nothing is padded.
    return C.Resample.apply(input, plan=tuple(plan)) if plan else input.clone()


def _pad_constant(x: Tensor, sides, value) -> Tensor:
    crop = [slice(None)] * x.ndim
    widths = [(0, 0)] * x.ndim
    for axis, before, after in sides:
        if x.shape[axis] + before + after < 0:
            raise RuntimeError(
                f"pad: padding ({before}, {after}) leaves a negative size for dimension {axis} "
                f"of size {x.shape[axis]}"
            )
        crop[axis] = slice(max(-before, 0), x.shape[axis] - max(-after, 0))
        widths[axis] = (max(before, 0), max(after, 0))
    if any(min(before, after) < 0 for _, before, after in sides):
        x = x[tuple(crop)]
    if not any(before or after for before, after in widths):
        return x.clone()
    # The fill is cast as PyTorch casts it: truncated for integers, nonzero -> True for bools.
    return tensor_pad(x, widths, value=np.asarray(value).astype(x.array.dtype).item())


def _check_pad_sizes(mode: str, x: Tensor, axis: int, size: int, before: int, after: int, smallest):
    if size == 0:
        raise RuntimeError(
            f"pad: mode {mode!r} needs non-empty padded dimensions, got input of shape "
            f"{tuple(x.shape)}"
        )
    if mode == "reflect" and max(before, after) >= size:
        raise RuntimeError(
            f"pad: reflect padding ({before}, {after}) must be less than the size {size} of "
            f"dimension {axis} of input of shape {tuple(x.shape)}"
        )
    kept = size - max(-before, 0) - max(-after, 0)
    if mode == "circular" and max(before, after) > kept:
        raise RuntimeError(
            f"pad: circular padding ({before}, {after}) wraps around more than once a dimension "
            f"of {kept} kept elements (dimension {axis} of input of shape {tuple(x.shape)})"
        )
    if size + before + after < smallest:
        raise RuntimeError(
            f"pad: padding ({before}, {after}) leaves no elements of dimension {axis} of size "
            f"{size}"
        )


def _shuffle_factor(owner: str, x: Tensor, factor) -> int:
    if not isinstance(factor, int | np.integer) or isinstance(factor, bool):
        raise TypeError(f"{owner}: the factor must be an int, got {factor!r}")
    if factor < 1:
        raise RuntimeError(f"{owner}: the factor must be positive, got {factor}")
    if x.ndim < 3:
        raise RuntimeError(
            f"{owner}: expected an input of at least 3 dimensions (*, C, H, W), got shape "
            f"{tuple(x.shape)}"
        )
    return int(factor)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """Move channel blocks into space: (*, C r^2, H, W) -> (*, C, H r, W r), r = upscale_factor.

    Output pixel (h r + i, w r + j) of channel c is input channel c r^2 + i r + j at (h, w): the
    sub-pixel convolution of super-resolution networks.
    """
    r = _shuffle_factor("pixel_shuffle", input, upscale_factor)
    *batch, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(
            f"pixel_shuffle: the channels ({c}) must be divisible by upscale_factor squared "
            f"({r * r}), got input of shape {tuple(input.shape)}"
        )
    k = len(batch)
    x = input.reshape(*batch, c // (r * r), r, r, h, w)
    x = x.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)  # (*, C, H, r, W, r)
    return x.reshape(*batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """The inverse of pixel_shuffle: (*, C, H r, W r) -> (*, C r^2, H, W), r = downscale_factor."""
    r = _shuffle_factor("pixel_unshuffle", input, downscale_factor)
    *batch, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(
            f"pixel_unshuffle: height and width ({h}, {w}) must be divisible by "
            f"downscale_factor {r}"
        )
    k = len(batch)
    x = input.reshape(*batch, c, h // r, r, w // r, r)
    x = x.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)  # (*, C, r, r, H, W)
    return x.reshape(*batch, c * r * r, h // r, w // r)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Interleave the channels (dim 1) of (N, C, *) from `groups` groups: channel g * (C / groups)
    + k moves to k * groups + g, so grouped convolutions that follow see every group (ShuffleNet).
    """
    if input.ndim <= 2:
        raise RuntimeError(
            "channel_shuffle expects input with > 2 dims, but got input with sizes "
            f"{list(input.shape)}"
        )
    if groups <= 0:
        raise RuntimeError(
            f"Number of groups to divide channels in must be positive. Value of groups:{groups}"
        )
    n, c, *rest = input.shape
    if c % groups:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups."
        )
    grouped = input.reshape(n, groups, c // groups, *rest)
    return grouped.transpose(1, 2).reshape(input.shape)


def _window_or_error(owner: str, size, kernel_size, dilation, padding, stride):
    # torch raises RuntimeError for impossible windows here.
    try:
        return C.sliding_window(owner, tuple(size), kernel_size, stride, padding, dilation)
    except ValueError as error:
        raise RuntimeError(str(error)) from None


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """im2col: every sliding window of (N, C, H, W) (or (C, H, W)) as a column,
    (N, C * kh * kw, L), L the number of windows; conv2d is this followed by a matmul."""
    if input.ndim not in (3, 4):
        raise RuntimeError(
            "Input Error: Only 3D or 4D input Tensors are supported (got "
            f"{input.ndim}D); unfold extracts 2-D patches"
        )
    batched = input if input.ndim == 4 else input.unsqueeze(0)
    window = _window_or_error("unfold", batched.shape[2:], kernel_size, dilation, padding, stride)
    out = Fold_.Unfold.apply(batched, window=window)
    return out if input.ndim == 4 else out.squeeze(0)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """col2im, the adjoint of unfold: (N, C * kh * kw, L) (or unbatched) columns added into an
    (N, C, *output_size) image, overlapping windows summed."""
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got "
            f"{input.ndim}D)"
        )
    batched = input if input.ndim == 3 else input.unsqueeze(0)
    size = C.as_tuple(output_size, 2, "output_size", "fold")
    window = _window_or_error("fold", size, kernel_size, dilation, padding, stride)
    taps = window.kernel[0] * window.kernel[1]
    blocks = window.out[0] * window.out[1]
    if batched.shape[1] % taps:
        raise RuntimeError(
            f"Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={batched.shape[1]} and "
            f"kernel_size={window.kernel}"
        )
    if batched.shape[2] != blocks:
        raise RuntimeError(
            f"Given output_size={size}, kernel_size={window.kernel}, dilation={window.dilation}, "
            f"padding={window.pad_before}, stride={window.stride}, expected size of input's "
            f"dimension 2 to match the calculated number of sliding blocks {window.out[0]} * "
            f"{window.out[1]} = {blocks}, but got input.size(2)={batched.shape[2]}."
        )
    out = Fold_.Fold.apply(batched, window=window, size=size)
    return out if input.ndim == 3 else out.squeeze(0)


def _pool(
    owner: str,
    x: Tensor,
    spatial: int,
    op,
    kernel_size,
    stride,
    padding,
    dilation,
    ceil_mode,
    return_indices: bool = False,
    **attrs,
):
    x, single = _add_batch(owner, x, spatial)
    window = C.sliding_window(
        owner, x.shape[2:], kernel_size, stride, padding, dilation, ceil_mode, pooling=True
    )
    if spatial == 1:
        # A signal is an image one row high.
        x, window = x.unsqueeze(2), window.unsqueezed()
    found: list = []
    if return_indices:
        attrs["indices"] = found
    out = op.apply(x, window=window, **attrs)
    if spatial == 1:
        out = out.squeeze(2)
    if not return_indices:
        return _drop_batch(out, single)
    indices = as_tensor(found[0].reshape(out.shape))
    return _drop_batch(out, single), _drop_batch(indices, single)


def max_pool1d(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
):
    """The largest value in each window of (N, C, L) signals; with `return_indices`, also each
    maximum's position along L (int64). See MaxPool1d."""
    return _pool(
        "max_pool1d",
        input,
        1,
        C.MaxPool2d,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        return_indices,
    )


def max_pool2d(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
):
    """The largest value in each window (stride defaults to the kernel size); with
    `return_indices`, also each maximum's flat position h * W + w in its input plane (int64), for
    max_unpool2d. See MaxPool2d."""
    return _pool(
        "max_pool2d",
        input,
        2,
        C.MaxPool2d,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        return_indices,
    )


def avg_pool1d(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """The mean of each window of (N, C, L) signals. See AvgPool1d."""
    return _pool(
        "avg_pool1d",
        input,
        1,
        C.AvgPool2d,
        kernel_size,
        stride,
        padding,
        1,
        ceil_mode,
        count_include_pad=count_include_pad,
    )


def avg_pool2d(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """The mean of each window (stride defaults to the kernel size); `divisor_override` divides
    every window's sum by that number instead. See AvgPool2d."""
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("avg_pool2d: divisor_override must not be zero")
    return _pool(
        "avg_pool2d",
        input,
        2,
        C.AvgPool2d,
        kernel_size,
        stride,
        padding,
        1,
        ceil_mode,
        count_include_pad=count_include_pad,
        divisor_override=divisor_override,
    )


def max_pool1d_with_indices(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """max_pool1d's (values, indices), whatever `return_indices` says (PyTorch's spelling)."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """max_pool2d's (values, indices), whatever `return_indices` says (PyTorch's spelling)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _lp_pool(owner: str, input: Tensor, spatial: int, norm_type, kernel_size, stride, ceil_mode):
    # (sum of x^p over the window)^(1/p), from the window's mean of x^p times its size; a negative
    # sum (odd p) is clipped to zero before the root, as PyTorch does.
    kernel = C.as_tuple(kernel_size, spatial, "kernel_size", owner)
    pool = avg_pool1d if spatial == 1 else avg_pool2d
    means = pool(input.pow(norm_type), kernel, stride, 0, ceil_mode)
    return (means.sign() * relu(means.abs())).mul(math.prod(kernel)).pow(1.0 / norm_type)


def lp_pool1d(
    input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False
) -> Tensor:
    """The p-norm of each window of (N, C, L) signals: p = inf is max pooling, p = 1 sum pooling."""
    return _lp_pool("lp_pool1d", input, 1, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(
    input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False
) -> Tensor:
    """The p-norm of each window of (N, C, H, W) images (see lp_pool1d)."""
    return _lp_pool("lp_pool2d", input, 2, norm_type, kernel_size, stride, ceil_mode)


def _output_size(owner: str, output_size, size: tuple[int, ...]) -> tuple[int, ...]:
    """An adaptive pool's output size: an int for every axis, or a tuple where None keeps that
    axis's input size."""
    sizes = tuple(output_size) if isinstance(output_size, tuple | list) else (output_size,)
    if len(sizes) == 1 and len(size) > 1:
        sizes = sizes * len(size)
    if len(sizes) != len(size):
        raise ValueError(f"{owner}: output_size must be an int or {len(size)} ints, got {sizes}")
    sizes = tuple(s if o is None else o for s, o in zip(size, sizes))
    if min(sizes) < 0 or min(size) < 1:
        raise RuntimeError(
            f"{owner}: needs a non-empty input plane and output_size >= 0, got input size "
            f"{tuple(size)} and output_size {sizes}"
        )
    return sizes


def _averaging_matrix(size: int, out: int, dtype) -> np.ndarray:
    """(size, out): column i averages PyTorch's adaptive bin i (see ops.conv.adaptive_bins)."""
    start, end = C.adaptive_bins(size, out)
    inside = (np.arange(size)[:, None] >= start) & (np.arange(size)[:, None] < end)
    return (inside / (end - start)).astype(dtype)


def _average_bins(x: Tensor, sizes: tuple[int, ...]) -> Tensor:
    """Adaptive average pooling of x's spatial axes (2, 3, ...) to `sizes` (a new tensor)."""
    out = x
    for axis, size in enumerate(sizes, start=2):
        before = out.shape[axis]
        if size == before:
            continue
        # Averaging along an axis is a product with a fixed matrix: move the axis last, multiply.
        moved = out.transpose(axis, -1)
        average = as_tensor(_averaging_matrix(before, size, x.dtype), device=x.device)
        rows = moved.reshape(-1, before) @ average
        out = rows.reshape(*moved.shape[:-1], size).transpose(axis, -1)
    return x.clone() if out is x else out


def _adaptive_avg_pool(owner: str, x: Tensor, spatial: int, output_size) -> Tensor:
    x, single = _add_batch(owner, x, spatial)
    if not x.is_floating_point():
        raise RuntimeError(f"{owner}: expected a floating-point input, got {x.dtype}")
    return _drop_batch(_average_bins(x, _output_size(owner, output_size, x.shape[2:])), single)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Average (N, C, L) over bins chosen so the output is (N, C, output_size)."""
    return _adaptive_avg_pool("adaptive_avg_pool1d", input, 1, output_size)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average over bins chosen so the output is `output_size` (an int or a pair; None keeps that
    side's size)."""
    return _adaptive_avg_pool("adaptive_avg_pool2d", input, 2, output_size)


def _adaptive_max_pool(owner: str, x: Tensor, spatial: int, output_size, return_indices: bool):
    x, single = _add_batch(owner, x, spatial)
    sizes = _output_size(owner, output_size, x.shape[2:])
    if spatial == 1:
        x, sizes = x.unsqueeze(2), (1, *sizes)
    found: list = []
    if 0 in sizes:
        # Nothing to pool: an empty output (still linked to the input, like PyTorch's).
        out = _average_bins(x, sizes)
        found.append(array_module(x.array).zeros(out.shape, np.int64))
    elif all(size % out == 0 for size, out in zip(x.shape[2:], sizes)):
        # Equal bins that do not overlap: plain max pooling with strided views, no gathers.
        kernel = tuple(size // out for size, out in zip(x.shape[2:], sizes))
        window = C.sliding_window(owner, x.shape[2:], kernel, pooling=True)
        out = C.MaxPool2d.apply(x, window=window, indices=found)
    else:
        out = C.AdaptiveMaxPool2d.apply(x, size=sizes, indices=found)
    if spatial == 1:
        out = out.squeeze(2)
    if not return_indices:
        return _drop_batch(out, single)
    return _drop_batch(out, single), _drop_batch(as_tensor(found[0].reshape(out.shape)), single)


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """The largest value in each adaptive bin of (N, C, L) signals (and, with `return_indices`,
    its position along L)."""
    return _adaptive_max_pool("adaptive_max_pool1d", input, 1, output_size, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """The largest value in each adaptive bin (and, with `return_indices`, its flat position in
    the input plane)."""
    return _adaptive_max_pool("adaptive_max_pool2d", input, 2, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size, return_indices=True):
    """adaptive_max_pool1d's (values, indices) (PyTorch's spelling)."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size, return_indices=True):
    """adaptive_max_pool2d's (values, indices) (PyTorch's spelling)."""
    return adaptive_max_pool2d(input, output_size, True)


def _max_unpool(
    owner: str, x: Tensor, indices, spatial: int, kernel_size, stride, padding, output_size
) -> Tensor:
    x, single = _add_batch(owner, x, spatial)
    positions = indices.array if isinstance(indices, Tensor) else np.asarray(indices)
    positions = backend.same_device((positions, x.array), owner)[0]
    if positions.dtype != np.int64:
        raise RuntimeError(f"{owner}: indices must be int64, got {positions.dtype}")
    positions = positions.reshape(x.shape) if single and positions.ndim == x.ndim - 1 else positions
    if positions.shape != tuple(x.shape):
        raise RuntimeError(
            f"{owner}: indices of shape {positions.shape} do not match the input's {tuple(x.shape)}"
        )
    kernel = C.as_tuple(kernel_size, spatial, "kernel_size", owner)
    stride = kernel if stride is None else C.as_tuple(stride, spatial, "stride", owner)
    padding = C.as_tuple(padding, spatial, "padding", owner)
    default = tuple(
        (i - 1) * s - 2 * p + k for i, k, s, p in zip(x.shape[2:], kernel, stride, padding)
    )
    size = default
    if output_size is not None:
        size = tuple(int(n) for n in tuple(output_size)[-spatial:])
        for axis, (n, d, s) in enumerate(zip(size, default, stride)):
            if not d - s < n < d + s:
                raise ValueError(
                    f"{owner}: invalid output_size {tuple(output_size)} (dim {axis} must be "
                    f"between {d - s} and {d + s}, exclusive)"
                )
    if positions.size and (positions.min() < 0 or positions.max() >= math.prod(size)):
        bad = int(positions[(positions < 0) | (positions >= math.prod(size))].reshape(-1)[0])
        raise RuntimeError(f"{owner}: found an invalid max index {bad} for an output of {size}")
    return _drop_batch(C.MaxUnpool.apply(x, indices=positions, size=size), single)


def max_unpool1d(
    input: Tensor, indices, kernel_size, stride=None, padding=0, output_size=None
) -> Tensor:
    """Put each value of (N, C, L) back at the position max_pool1d found it, zeros elsewhere."""
    return _max_unpool("max_unpool1d", input, indices, 1, kernel_size, stride, padding, output_size)


def max_unpool2d(
    input: Tensor, indices, kernel_size, stride=None, padding=0, output_size=None
) -> Tensor:
    """Put each value back at the position max_pool2d(..., return_indices=True) found it, zeros
    elsewhere: (N, C, H, W) -> (N, C, H_out, W_out), H_out = (H - 1) stride - 2 padding + kernel
    unless `output_size` says otherwise."""
    return _max_unpool("max_unpool2d", input, indices, 2, kernel_size, stride, padding, output_size)


def _check_probability(owner: str, p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{owner}: p must be a probability in [0, 1], got {p}")


def _apply_mask(x: Tensor, mask: np.ndarray, inplace: bool, shift=None) -> Tensor:
    """x * mask (+ shift), in x's memory when `inplace`."""
    if inplace:
        x.mul_(as_tensor(mask))
        return x if shift is None else x.add_(as_tensor(shift))
    out = x * as_tensor(mask)
    return out if shift is None else out + as_tensor(shift)


def _keep_mask(owner: str, x: Tensor, p: float, shape: tuple[int, ...]) -> np.ndarray:
    """Keep (True) each entry of `shape` with probability 1 - p."""
    if not x.is_floating_point():
        raise RuntimeError(f"{owner}: expected a floating-point input, got {x.dtype}")
    return backend.rng(None, x.device).random(shape, dtype=np.float32) >= p


def _dropout(owner: str, x: Tensor, p: float, training: bool, inplace: bool, shape) -> Tensor:
    """Inverted dropout with one random draw per entry of `shape` (which broadcasts to x's)."""
    _check_probability(owner, p)
    if not training or p == 0.0:
        return x
    keep = _keep_mask(owner, x, p, shape)
    mask = keep * x.array.dtype.type(0.0 if p == 1.0 else 1.0 / (1.0 - p))
    return _apply_mask(x, mask, inplace)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Inverted dropout: while training, zero each element with probability p and scale survivors
    by 1/(1-p), so nothing needs rescaling at evaluation, when the input passes through as it is."""
    return _dropout("dropout", input, p, training, inplace, tuple(input.shape))


def _channel_shape(x: Tensor, batched: bool) -> tuple[int, ...]:
    """One draw per channel: (N, C, 1, ...) for a batch, (C, 1, ...) for one unbatched sample."""
    kept = 2 if batched else 1
    return tuple(x.shape[:kept]) + (1,) * (x.ndim - kept)


def _feature_dropout_shape(owner: str, x: Tensor) -> tuple[int, ...]:
    if x.ndim < 2:
        raise RuntimeError(f"{owner}: channel dropout needs at least 2 dimensions, got {x.ndim}")
    return _channel_shape(x, batched=True)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Channel dropout of (N, C, L) or unbatched (C, L) signals: zero whole channels with
    probability p, scale the rest by 1/(1-p)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: expected a 2-D (C, L) or 3-D (N, C, L) input, got {input.ndim}-D"
        )
    shape = _channel_shape(input, batched=input.ndim == 3)
    return _dropout("dropout1d", input, p, training, inplace, shape)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Channel dropout of (N, C, H, W) images. As in PyTorch, a 3-D input is taken as (N, C, L)
    (with a warning; use dropout1d for that), not as an unbatched (C, H, W) image."""
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: a {input.ndim}-D input is deprecated (expected 4-D (N, C, H, W)); "
            "channels are taken along dim 1",
            stacklevel=2,
        )
    elif input.ndim == 3:
        warnings.warn(
            "dropout2d: a 3-D input is taken as (N, C, L), one draw per (sample, channel), not "
            "as an unbatched (C, H, W) image; use dropout1d for channel dropout of signals",
            stacklevel=2,
        )
    shape = _feature_dropout_shape("dropout2d", input)
    return _dropout("dropout2d", input, p, training, inplace, shape)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Channel dropout of (N, C, D, H, W) volumes or unbatched (C, D, H, W) ones."""
    if input.ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: a {input.ndim}-D input is deprecated (expected 4-D or 5-D); it is taken "
            "as one unbatched sample with channels along dim 0",
            stacklevel=2,
        )
    shape = _channel_shape(input, batched=input.ndim == 5)
    return _dropout("dropout3d", input, p, training, inplace, shape)


# SELU's negative saturation value, -scale * alpha: what alpha dropout sets dropped units to.
_SELU_SATURATION = 1.7580993408473766


def _alpha_dropout(owner: str, x: Tensor, p: float, training: bool, inplace: bool, shape):
    _check_probability(owner, p)
    if not training or p == 0.0:
        return x
    dtype = x.array.dtype
    if p == 1.0:
        return _apply_mask(x, np.zeros((), dtype), inplace)
    keep = _keep_mask(owner, x, p, shape)
    # Affine a * (x or -saturation) + b keeps a SELU network's zero mean and unit variance.
    a = 1.0 / math.sqrt((_SELU_SATURATION**2 * p + 1.0) * (1.0 - p))
    b = _SELU_SATURATION * a * p
    shift = array_module(keep).where(keep, b, b - _SELU_SATURATION * a).astype(dtype)
    return _apply_mask(x, (keep * a).astype(dtype), inplace, shift)


def alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """Dropout for SELU networks: dropped elements take SELU's saturation value and everything is
    scaled and shifted so the mean and variance stay as they were. Off unless `training`."""
    return _alpha_dropout("alpha_dropout", input, p, training, inplace, tuple(input.shape))


def feature_alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """Alpha dropout of whole channels (dim 1) of (N, C, ...) inputs. Off unless `training`."""
    shape = _feature_dropout_shape("feature_alpha_dropout", input)
    return _alpha_dropout("feature_alpha_dropout", input, p, training, inplace, shape)


def _standardize(x: Tensor, axes: tuple[int, ...], eps: float):
    """(x - mean) / sqrt(var + eps) over `axes`, with the (biased) mean and variance as arrays."""
    stats: list = []
    out = N.Normalize.apply(x, axes=axes, eps=eps, stats=stats)
    return out, *stats


def _scale_and_shift(out: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    """out * weight + bias, with one weight and bias per channel (dim 1)."""
    shape = (1, out.shape[1]) + (1,) * (out.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(shape)
    return out if bias is None else out + bias.reshape(shape)


def _batch_norm(
    owner: str,
    x: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None,
    bias: Tensor | None,
    training: bool,
    momentum: float,
    eps: float,
) -> Tensor:
    if not (training or running_mean is None):
        # Evaluation: one fixed scale and shift per channel.
        inv_std = as_tensor((running_var.array + eps) ** -0.5)
        scale = inv_std if weight is None else weight * inv_std
        shift = -(as_tensor(running_mean.array) * scale)
        return _scale_and_shift(x, scale, shift if bias is None else shift + bias)
    channels = x.shape[1] if x.ndim > 1 else None
    count = x.array.size // channels
    if training and count < 2:
        raise ValueError(
            f"{owner} needs more than one value per channel to train, got input "
            f"of shape {tuple(x.shape)}"
        )
    out, mean, var = _standardize(x, (0,) + tuple(range(2, x.ndim)), eps)
    if training and running_mean is not None:
        _update_running_stats(
            owner, running_mean, running_var, mean.ravel(), var.ravel(), count, momentum
        )
    return _scale_and_shift(out, weight, bias)


def _update_running_stats(
    owner: str,
    running_mean: Tensor,
    running_var: Tensor,
    mean: np.ndarray,
    var: np.ndarray,
    count: int,
    momentum: float,
) -> None:
    xp = array_module(mean)
    bad = ~(xp.isfinite(mean) & xp.isfinite(var))
    if bad.any():
        raise FloatingPointError(
            f"{owner}: the batch mean or variance of channel(s) {xp.flatnonzero(bad).tolist()} is "
            "not finite (the input holds NaN or inf); the running statistics were left as they were"
        )
    # The running variance is the unbiased estimate, as in PyTorch.
    unbiased = var * (count / (count - 1))
    with no_grad():
        running_mean.mul_(1 - momentum).add_(as_tensor(momentum * mean))
        running_var.mul_(1 - momentum).add_(as_tensor(momentum * unbiased))


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (axis 1) to mean 0, variance 1, then scale by weight, shift by bias.

    Training uses the batch's statistics and, when running_mean/running_var are given, moves them
    `momentum` of the way towards the batch's (in place). Evaluation uses the running statistics.

    Raises:
        FloatingPointError: in training, when the batch statistics are NaN or infinite; the running
            statistics are left as they were rather than silently poisoned.
    """
    return _batch_norm(
        "batch_norm", input, running_mean, running_var, weight, bias, training, momentum, eps
    )


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel of each sample of (N, C, *) over its own positions, then scale by
    weight and shift by bias (one per channel).

    With `use_input_stats=False`, the running statistics are used instead; with it and running
    statistics given, they move `momentum` of the way towards the batch's average of the
    per-sample statistics (in place).
    """
    return _instance_norm(
        "instance_norm",
        input,
        running_mean,
        running_var,
        weight,
        bias,
        use_input_stats,
        momentum,
        eps,
    )


def _instance_norm(
    owner: str,
    x: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None,
    bias: Tensor | None,
    use_input_stats: bool,
    momentum: float,
    eps: float,
) -> Tensor:
    if not use_input_stats:
        return _batch_norm(owner, x, running_mean, running_var, weight, bias, False, 0.0, eps)
    if x.ndim < 3:
        raise ValueError(f"{owner}: expected an (N, C, *) input, got shape {tuple(x.shape)}")
    count = math.prod(x.shape[2:])
    if count < 2:
        raise ValueError(
            f"{owner} needs more than one spatial element per channel when normalising with the "
            f"input's statistics, got input of shape {tuple(x.shape)}"
        )
    out, mean, var = _standardize(x, tuple(range(2, x.ndim)), eps)
    if running_mean is not None:
        n, c = x.shape[:2]
        _update_running_stats(
            owner,
            running_mean,
            running_var,
            mean.reshape(n, c).mean(axis=0),
            var.reshape(n, c).mean(axis=0),
            count,
            momentum,
        )
    return _scale_and_shift(out, weight, bias)


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise (N, C, *) over groups of C / num_groups channels (and all positions) per sample,
    then scale by weight and shift by bias (one per channel)."""
    return _group_norm("group_norm", input, num_groups, weight, bias, eps)


def _group_norm(owner, x, num_groups, weight, bias, eps) -> Tensor:
    if x.ndim < 2:
        raise RuntimeError(f"{owner}: expected an (N, C, *) input, got shape {tuple(x.shape)}")
    n, c = x.shape[:2]
    if num_groups < 1 or c % num_groups:
        raise RuntimeError(
            f"{owner}: the channels of input of shape {tuple(x.shape)} must be divisible by "
            f"num_groups={num_groups}"
        )
    for name, parameter in (("weight", weight), ("bias", bias)):
        if parameter is not None and tuple(parameter.shape) != (c,):
            raise RuntimeError(
                f"{owner}: expected {name} of shape ({c},) for input of shape {tuple(x.shape)}, "
                f"got {tuple(parameter.shape)}"
            )
    out, _, _ = _standardize(x.reshape(n, num_groups, -1), (2,), eps)
    return _scale_and_shift(out.reshape(x.shape), weight, bias)


def local_response_norm(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """Divide each value by (k + alpha * mean of squares over `size` neighbouring channels)^beta
    (AlexNet's normalisation across channels, dim 1, zero-padded at the ends)."""
    if input.ndim < 3:
        raise ValueError(
            f"local_response_norm: expected an (N, C, *) input of 3 or more dimensions, got "
            f"shape {tuple(input.shape)}"
        )
    channels = input.shape[1]
    squares = input * input
    widths = [(0, 0)] * input.ndim
    widths[1] = (size // 2, (size - 1) // 2)
    padded = tensor_pad(squares, widths)
    total = padded[:, :channels]
    for offset in range(1, size):
        total = total + padded[:, offset : offset + channels]
    return input / (total * (alpha / size) + k) ** beta


_INTERPOLATION_MODES = (
    "nearest",
    "linear",
    "bilinear",
    "bicubic",
    "trilinear",
    "area",
    "nearest-exact",
)
_MODE_RANK = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}


def _interpolation_sizes(owner: str, x: Tensor, size, scale_factor, recompute_scale_factor):
    """PyTorch's output size for each spatial axis, and the scale factors its kernels use (None
    where the size alone decides)."""
    spatial = tuple(x.shape[2:])
    n = len(spatial)
    if size is not None and scale_factor is not None:
        raise ValueError(f"{owner}: give only one of size and scale_factor")
    if size is None and scale_factor is None:
        raise ValueError(f"{owner}: give either size or scale_factor")
    if size is not None:
        if recompute_scale_factor:
            raise ValueError(f"{owner}: recompute_scale_factor is not meaningful with a size")
        sizes = tuple(size) if isinstance(size, tuple | list) else (size,) * n
        if len(sizes) != n:
            raise ValueError(
                f"{owner}: input with spatial size {list(spatial)} needs a size of {n} numbers, "
                f"got {size}"
            )
        if not all(isinstance(s, int | np.integer) and not isinstance(s, bool) for s in sizes):
            raise TypeError(f"{owner}: size must be an int or a tuple of ints, got {size}")
        return tuple(int(s) for s in sizes), (None,) * n
    factors = tuple(scale_factor) if isinstance(scale_factor, tuple | list) else (scale_factor,) * n
    if len(factors) != n:
        raise ValueError(
            f"{owner}: input with spatial size {list(spatial)} needs a scale_factor of {n} "
            f"numbers, got {scale_factor}"
        )
    sizes = tuple(math.floor(s * float(f)) for s, f in zip(spatial, factors))
    if recompute_scale_factor:
        return sizes, (None,) * n
    return sizes, tuple(float(f) for f in factors)


def interpolate(
    input: Tensor,
    size=None,
    scale_factor=None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize (N, C, L), (N, C, H, W) or (N, C, D, H, W) to `size`, or by `scale_factor`.

    Positions and weights follow PyTorch's kernels exactly: 'nearest' copies input position
    floor(j * scale) (scale = 1 / scale_factor, or input size / output size), 'nearest-exact'
    floor((j + 1/2) * scale); 'linear', 'bilinear' and 'trilinear' interpolate between the two
    neighbours of (j + 1/2) * scale - 1/2 (j * (in - 1) / (out - 1) with `align_corners=True`),
    'bicubic' between four with Keys' cubic (A = -0.75, edges repeated), and 'area' averages
    (adaptive average pooling).

    Args:
        size: the output's spatial size (an int, or one per spatial dimension), or
        scale_factor: a multiplier per spatial dimension; output size floor(size * factor).
        mode: one of 'nearest', 'linear' (3-D), 'bilinear', 'bicubic' (4-D), 'trilinear' (5-D),
            'area', 'nearest-exact'.
        align_corners: for the interpolating modes, map the corner pixels' centres onto each other.
        recompute_scale_factor: interpolate with input size / output size rather than the given
            scale_factor.
        antialias: not supported (an error when True).
    """
    owner = "interpolate"
    if mode not in _INTERPOLATION_MODES:
        raise NotImplementedError(
            f"{owner}: unknown mode {mode!r}; expected one of {_INTERPOLATION_MODES}"
        )
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                f"{owner}: align_corners can only be set with the interpolating modes linear, "
                "bilinear, bicubic and trilinear"
            )
    elif align_corners is None:
        align_corners = False
    if input.ndim not in (3, 4, 5):
        raise NotImplementedError(
            f"{owner}: expected a 3-D, 4-D or 5-D input (N, C, *spatial), got shape "
            f"{tuple(input.shape)}"
        )
    if mode in _MODE_RANK and input.ndim != _MODE_RANK[mode]:
        raise NotImplementedError(
            f"{owner}: mode {mode!r} needs a {_MODE_RANK[mode]}-D input, got {input.ndim}-D"
        )
    if antialias:
        raise NotImplementedError(f"{owner}: antialias=True is not supported")
    sizes, factors = _interpolation_sizes(owner, input, size, scale_factor, recompute_scale_factor)
    spatial = tuple(input.shape[2:])
    if min(sizes) < 1 or min(spatial) < 1:
        raise RuntimeError(
            f"{owner}: input and output sizes must be positive, got input {spatial} and output "
            f"{sizes}"
        )
    if mode == "area":
        return _average_bins(input, sizes)
    if mode not in ("nearest", "nearest-exact") and not input.is_floating_point():
        raise RuntimeError(
            f"{owner}: mode {mode!r} needs a floating-point input, got {input.dtype}"
        )
    return _resample(input, mode, sizes, factors, align_corners)


def _resample(x: Tensor, mode: str, sizes, factors, align_corners) -> Tensor:
    plan = []
    # Which of PyTorch's nearest kernels (they round differently) a contiguous input gets.
    one_pixel = x.ndim > 3 and x.shape[1] > 3 and math.prod(x.shape[2:]) == 1
    vectorized = one_pixel or (x.ndim == 4 and sum(sizes) <= 128)
    for axis, (before, after, factor) in enumerate(zip(x.shape[2:], sizes, factors), start=2):
        if mode.startswith("nearest"):
            exact = mode == "nearest-exact"
            index = C.nearest_positions(before, after, factor, exact, x.array.dtype, vectorized)
            plan.append((axis, index[None], None))
        elif mode == "bicubic":
            plan.append((axis, *C.cubic_taps(before, after, factor, align_corners, x.array.dtype)))
        elif after != before:  # PyTorch copies an axis whose size stays, whatever the factor
            plan.append((axis, *C.linear_taps(before, after, factor, align_corners, x.array.dtype)))
    return C.Resample.apply(x, plan=tuple(plan)) if plan else x.clone()


def upsample(
    input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None
) -> Tensor:
    """Deprecated name of interpolate (PyTorch warns too)."""
    warnings.warn("upsample is deprecated; use interpolate", DeprecationWarning, stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: interpolate(..., mode='nearest')."""
    warnings.warn(
        "upsample_nearest is deprecated; use interpolate", DeprecationWarning, stacklevel=2
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: interpolate(..., mode='bilinear', align_corners=True)."""
    warnings.warn(
        "upsample_bilinear is deprecated; use interpolate", DeprecationWarning, stacklevel=2
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ----- Transformer building blocks: GELU, layer and RMS normalization, attention -----


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF: the Gaussian error linear unit.

    Args:
        approximate: 'none' (exact, through erf) or 'tanh' (PyTorch's tanh approximation).
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _check_floating("gelu", input)
    return G.Gelu.apply(input, approximate=approximate)


def _check_floating(owner: str, *tensors: Tensor | None) -> None:
    present = [t for t in tensors if t is not None]
    for t in present:
        if not t.is_floating_point():
            raise NotImplementedError(f"\"{owner}\" not implemented for '{t.dtype}'")
    if len({t.array.dtype for t in present}) > 1:
        raise RuntimeError(
            f"{owner}: mixed dtype (CPU): all inputs must share same datatype, got "
            + ", ".join(str(t.dtype) for t in present)
        )


def _normalized_axes(
    owner: str, input: Tensor, normalized_shape, params: dict[str, Tensor | None]
) -> tuple[int, ...]:
    """The trailing axes that `normalized_shape` names, after checking input and parameters."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if not shape:
        raise RuntimeError(
            f"{owner}: expected normalized_shape to be at least 1-dimensional, i.e., containing "
            "at least one element, but got normalized_shape = []"
        )
    if tuple(input.shape[-len(shape) :]) != shape or input.ndim < len(shape):
        raise RuntimeError(
            f"{owner}: given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size {list(input.shape)}"
        )
    for name, param in params.items():
        if param is not None and tuple(param.shape) != shape:
            raise RuntimeError(
                f"{owner}: expected {name} to be of same shape as normalized_shape, but got "
                f"{name} of shape {list(param.shape)} and normalized_shape = {list(shape)}"
            )
    _check_floating(owner, input, *params.values())
    return tuple(range(input.ndim - len(shape), input.ndim))


def _normalize(
    input: Tensor, axes: tuple[int, ...], weight, bias, eps: float, centre: bool
) -> Tensor:
    affine = [t for t in (weight, bias) if t is not None]
    return N.Normalize.apply(
        input, *affine, axes=axes, eps=eps, centre=centre, has_weight=weight is not None
    )


def layer_norm(
    input: Tensor,
    normalized_shape,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the trailing `normalized_shape` dimensions to mean 0 and (biased) variance
    1, then scale by weight and shift by bias. See LayerNorm."""
    axes = _normalized_axes("layer_norm", input, normalized_shape, {"weight": weight, "bias": bias})
    return _normalize(input, axes, weight, bias, eps, centre=True)


def rms_norm(
    input: Tensor, normalized_shape, weight: Tensor | None = None, eps: float | None = None
) -> Tensor:
    """Divide by the root mean square over the trailing `normalized_shape` dimensions, then scale
    by weight; eps None means the dtype's machine epsilon. See RMSNorm."""
    axes = _normalized_axes("rms_norm", input, normalized_shape, {"weight": weight})
    eps = float(np.finfo(input.array.dtype).eps) if eps is None else eps
    return _normalize(input, axes, weight, None, eps, centre=False)


def _as_additive_mask(mask: np.ndarray, dtype) -> Tensor:
    """A bool 'may attend' mask as a float one: 0 where allowed, -inf where not."""
    return _from_array(array_module(mask).where(mask, 0.0, -np.inf).astype(dtype))


def _attend(query, key, value, bias, dropout_p: float, scale: float, safe: bool):
    """softmax(query key^T * scale + bias) value over the last two dimensions; also returns the
    attention weights. `safe` gives zero weights, not NaN, on rows where every key is masked."""
    scores = (query * scale) @ key.mT
    if bias is not None:
        scores = scores + bias
    # Without `safe`, rows where every key is masked are NaN, as in PyTorch (without a warning).
    with np.errstate(invalid="ignore"):
        weights = (Attention.SafeSoftmax if safe else R.Softmax).apply(scores, axis=-1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return weights @ value, weights


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(Q K^T / sqrt(E) + mask) V: each query position's weighted mix of the values, the
    weights from how well the query matches each key.

    Leading (batch, head) dimensions broadcast. A bool `attn_mask` says where a query may attend
    (True), a float one is added to the scores; rows where nothing may be attended give zeros.
    Dropout (on the weights) applies whenever `dropout_p` > 0, in training or not.

    Args:
        query: (..., L, E).
        key: (..., S, E).
        value: (..., S, Ev).
        attn_mask: broadcastable to (..., L, S).
        is_causal: let position i attend only to keys 0..i (no attn_mask then).
        scale: multiplies the scores instead of 1 / sqrt(E).
        enable_gqa: grouped-query attention: key and value have fewer heads (dimension -3), each
            shared by a group of query heads.

    Returns:
        (..., L, Ev).
    """
    owner = "scaled_dot_product_attention"
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError(
            f"{owner}: expected query, key, and value to all be at least 2 dimensional, but got "
            f"query.dim: {query.ndim} key.dim: {key.ndim} and value.dim: {value.ndim} instead."
        )
    if not query.dtype == key.dtype == value.dtype or not query.is_floating_point():
        raise RuntimeError(
            f"{owner}: expected query, key, and value to have the same floating dtype, but got "
            f"query.dtype: {query.dtype} key.dtype: {key.dtype} and value.dtype: {value.dtype} "
            "instead."
        )
    if attn_mask is not None and attn_mask.array.dtype not in (np.bool_, query.array.dtype):
        raise RuntimeError(
            f"{owner}: expected attn_mask dtype to be bool or to match query dtype, but got "
            f"attn_mask.dtype: {attn_mask.dtype} and query.dtype: {query.dtype} instead."
        )
    if is_causal and attn_mask is not None:
        raise RuntimeError(f"{owner}: explicit attn_mask should not be set when is_causal=True")
    if enable_gqa and key.shape[-3] != query.shape[-3]:
        key, value = (_repeat_heads(owner, t, query.shape[-3]) for t in (key, value))
    length, source = query.shape[-2], key.shape[-2]
    scale = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    fused = is_causal and dropout_p == 0.0 and length and source
    if fused and query.shape[:-2] == key.shape[:-2] == value.shape[:-2]:
        return Attention.CausalAttention.apply(query, key, value, scale=scale)
    if is_causal:
        attn_mask = _from_array(array_module(query.array).tri(length, source, dtype=bool))
    bias = attn_mask
    if attn_mask is not None and attn_mask.array.dtype == np.bool_:
        bias = _as_additive_mask(attn_mask.array, query.array.dtype)
    return _attend(query, key, value, bias, dropout_p, scale, safe=True)[0]


def _repeat_heads(owner: str, t: Tensor, heads: int) -> Tensor:
    """Key or value heads repeated in place (h0 h0 h1 h1 ...) up to the query's head count."""
    groups, remainder = divmod(heads, t.shape[-3])
    if remainder:
        raise RuntimeError(
            f"{owner}: with enable_gqa, the query's {heads} heads must be a multiple of the "
            f"key's and value's {t.shape[-3]}"
        )
    shape = t.shape
    expanded = t.unsqueeze(-3).expand(*shape[:-2], groups, *shape[-2:])
    return expanded.reshape(*shape[:-3], heads, *shape[-2:])


def _canonical_mask(
    mask: Tensor | None,
    mask_name: str,
    other_type,
    other_name: str,
    target_type,
    check_other: bool = True,
) -> Tensor | None:
    """A bool 'ignore' mask (True = masked out, PyTorch's nn convention) as a float one with -inf
    where True; float masks pass through."""
    if mask is None:
        return None
    if mask.array.dtype != np.bool_ and not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(
            f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type "
            "for both instead.",
            stacklevel=3,
        )
    if mask.is_floating_point():
        return mask
    return _as_additive_mask(~mask.array, dtypes.to_numpy_dtype(target_type))


def _none_or_dtype(input: Tensor | None):
    return None if input is None else input.dtype


def _check_mha_shapes(query, key, value, key_padding_mask, attn_mask, num_heads: int) -> bool:
    """Whether the inputs are batched (3-D); AssertionError for inconsistent dimensions."""
    if query.ndim not in (2, 3):
        raise AssertionError(
            "query should be unbatched 2D or batched 3D tensor but received "
            f"{query.ndim}-D query tensor"
        )
    batched = query.ndim == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.ndim != query.ndim or value.ndim != query.ndim:
        raise AssertionError(
            f"For {kind} `query`, expected `key` and `value` to be {query.ndim}-D but found "
            f"{key.ndim}-D and {value.ndim}-D tensors respectively"
        )
    if key_padding_mask is not None and key_padding_mask.ndim != query.ndim - 1:
        raise AssertionError(
            f"For {kind} `query`, expected `key_padding_mask` to be `None` or "
            f"{query.ndim - 1}-D but found {key_padding_mask.ndim}-D tensor instead"
        )
    if attn_mask is not None and attn_mask.ndim not in (2, 3):
        raise AssertionError(
            f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
            f"{attn_mask.ndim}-D tensor instead"
        )
    if not batched and attn_mask is not None and attn_mask.ndim == 3:
        expected = (num_heads, query.shape[0], key.shape[0])
        if tuple(attn_mask.shape) != expected:
            raise AssertionError(
                f"Expected `attn_mask` shape to be {expected} but got {tuple(attn_mask.shape)}"
            )
    return batched


def _in_projection(query, key, value, weight, bias, separate) -> tuple[Tensor, Tensor, Tensor]:
    if separate is not None:
        w_q, w_k, w_v = separate
        expected = [(query.shape[-1],) * 2]
        expected += [(query.shape[-1], t.shape[-1]) for t in (key, value)]
        for name, w, shape in zip(("query", "key", "value"), (w_q, w_k, w_v), expected):
            if tuple(w.shape) != shape:
                raise AssertionError(
                    f"expecting {name} weights shape of {shape}, but got {tuple(w.shape)}"
                )
    else:
        if weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        if query is key and key is value:
            # Self-attention: one matrix product for all three projections.
            return linear(query, weight, bias).chunk(3, dim=-1)
        w_q, w_k, w_v = weight.chunk(3)
    b_q, b_k, b_v = (None,) * 3 if bias is None else bias.chunk(3)
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def _heads(t: Tensor, batch: int, num_heads: int) -> Tensor:
    """(T, N, E) to (N, heads, T, E / heads)."""
    return t.reshape(t.shape[0], batch, num_heads, -1).permute(1, 2, 0, 3)


def _pad_last(mask: Tensor | None) -> Tensor | None:
    """A float mask with one more (zero: attend) column, for an appended key."""
    if mask is None:
        return None
    return cat([mask, mask.new_zeros((*mask.shape[:-1], 1))], -1)


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Tensor | None = None,
    need_weights: bool = True,
    attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None,
    static_v: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention on sequence-first inputs; see MultiheadAttention for the arguments.

    Shape:
        query (L, N, E) or (L, E); key (S, N, Ek), value (S, N, Ev) (or without N) ->
        output (L, N, E) and weights (N, L, S), or (N, num_heads, L, S) without averaging.
    """
    batched = _check_mha_shapes(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    length, batch, embed_dim = query.shape
    key_padding_mask = _canonical_mask(
        key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask), "attn_mask", query.dtype
    )
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
            "method `generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and key_padding_mask is None and not need_weights:
        # PyTorch trusts the hint and attends causally without looking at attn_mask.
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, False)
        is_causal = is_causal and key_padding_mask is None
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(
                f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                f"{tuple(value.shape[:2])}"
            )
        separate = (q_proj_weight, k_proj_weight, v_proj_weight)
        if any(w is None for w in separate):
            raise AssertionError("use_separate_proj_weight is True but a projection weight is None")
    else:
        if key.shape != value.shape:
            raise AssertionError(
                f"key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}"
            )
        separate = None
    q, k, v = _in_projection(query, key, value, in_proj_weight, in_proj_bias, separate)
    source = key.shape[0]
    if attn_mask is not None:
        expected = (length, source) if attn_mask.ndim == 2 else (batch * num_heads, length, source)
        if tuple(attn_mask.shape) != expected:
            raise RuntimeError(
                f"The shape of the {attn_mask.ndim}D attn_mask is {tuple(attn_mask.shape)}, but "
                f"should be {expected}."
            )
    if (bias_k is None) != (bias_v is None):
        raise AssertionError("bias_k and bias_v must be given together")
    if bias_k is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key or value.")
        k = cat([k, bias_k.expand(1, batch, embed_dim)])
        v = cat([v, bias_v.expand(1, batch, embed_dim)])
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    q, k, v = (_heads(t, batch, num_heads) for t in (q, k, v))
    if static_k is not None:
        k = _static_heads(static_k, "static_k", batch, num_heads, head_dim)
    if static_v is not None:
        v = _static_heads(static_v, "static_v", batch, num_heads, head_dim)
    if add_zero_attn:
        zeros = k.new_zeros((batch, num_heads, 1, head_dim))
        k, v = cat([k, zeros], dim=2), cat([v, zeros], dim=2)
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    source = k.shape[2]
    if attn_mask is not None:
        attn_mask = attn_mask.reshape(-1, num_heads if attn_mask.ndim == 3 else 1, length, source)
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (batch, source):
            raise AssertionError(
                f"Expected key_padding_mask of shape {(batch, source)}, but got "
                f"{tuple(key_padding_mask.shape)}"
            )
        padding = key_padding_mask.reshape(batch, 1, 1, source)
        attn_mask = padding if attn_mask is None else attn_mask + padding
    dropout_p = dropout_p if training else 0.0
    if need_weights:
        out, weights = _attend(q, k, v, attn_mask, dropout_p, 1 / math.sqrt(head_dim), safe=False)
        if average_attn_weights:
            weights = weights.mean(dim=1)
    else:
        out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
        weights = None
    out = out.permute(2, 0, 1, 3).reshape(length, batch, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    if not batched:
        out = out.squeeze(1)
        weights = None if weights is None else weights.squeeze(0)
    return out, weights


def _static_heads(static: Tensor, name: str, batch: int, num_heads: int, head_dim: int) -> Tensor:
    if static.shape[0] != batch * num_heads or static.shape[2] != head_dim:
        raise AssertionError(
            f"expecting {name} of shape ({batch * num_heads}, S, {head_dim}), but got "
            f"{tuple(static.shape)}"
        )
    return static.reshape(batch, num_heads, static.shape[1], head_dim)
