"""Random sampling from tensors: `bernoulli`, `multinomial`, `poisson`, and the in-place fills
`x.normal_()`, `x.uniform_()`, `x.bernoulli_()`, `x.exponential_()`, `x.random_()`,
`x.geometric_()`, `x.cauchy_()`, `x.log_normal_()`.

Every function takes `generator=` (a `wright.Generator` of the tensor's kind of device; None draws
from that device's default generator, which `wright.manual_seed` seeds). The streams differ from
PyTorch's, the distributions do not.
In-place fills keep the tensor's dtype and work on leaves that require grad inside
`wright.no_grad()`, as weight initialisation needs. Samples drawn from a tensor that requires grad
stay in its graph with a zero gradient, as in PyTorch.
"""

from __future__ import annotations

import math

import numpy as np

from wright import backend
from wright.backend import array_module
from wright.functions.pointwise import reject_dtypes
from wright.ops import elementwise as E
from wright.tensor import Tensor, _copied_from, _from_array, tensor_method

_UNSET = object()


def _rng(generator, tensor: Tensor):
    # The array library's generator that draws on the tensor's device.
    return backend.rng(generator, tensor.device)


def _sampled(input: Tensor, values) -> Tensor:
    # Draws that depend on input only through chance: linked to its graph with a zero gradient.
    if not input.requires_grad:
        return _from_array(values)
    condition = array_module(values).zeros(values.shape, bool)
    return E.Where.apply(input, _from_array(values), condition=condition)


def _fill(tensor: Tensor, op: str, values) -> Tensor:
    return tensor._inplace(op, _copied_from, _from_array(values))


def _work_dtype(tensor: Tensor) -> np.dtype:
    # NumPy draws float32 and float64 directly; float16 is drawn in float32 and rounded.
    return np.dtype(np.float64 if tensor.array.dtype == np.float64 else np.float32)


def _check_probabilities(p, op: str) -> None:
    if not bool(((p >= 0) & (p <= 1)).all()):
        raise RuntimeError(f"{op}: expected probabilities in [0, 1], got values outside")


# ----- sampling functions -----


@tensor_method
def bernoulli(input: Tensor, p: float | None = None, *, generator=None, out=None) -> Tensor:
    """1 with probability input (or with probability p, in input's shape), else 0, in input's
    float dtype."""
    reject_dtypes("biu", input, "bernoulli")
    probabilities = input.array if p is None else np.asarray(p)
    _check_probabilities(probabilities, "bernoulli")
    if p is not None:
        probabilities = float(p)
    draws = _rng(generator, input).random(input.array.shape) < probabilities
    return _sampled(input, draws.astype(input.array.dtype))


def poisson(input: Tensor, generator=None) -> Tensor:
    """A Poisson count for each element, the element being its rate, in input's float dtype."""
    reject_dtypes("biu", input, "poisson")
    if not bool((input.array >= 0).all()):
        raise RuntimeError("poisson: invalid rate, expected every rate to be non-negative")
    counts = _rng(generator, input).poisson(input.array.astype(np.float64))
    return _sampled(input, counts.astype(input.array.dtype))


@tensor_method
def multinomial(
    input: Tensor, num_samples: int, replacement: bool = False, *, generator=None, out=None
) -> Tensor:
    """Category indices drawn in proportion to the weights in each row of input (1-D or 2-D,
    non-negative, not all zero): int64 of shape (num_samples,) or (rows, num_samples).

    Without replacement a row never repeats an index (categories of weight zero come only after
    all others are taken).
    """
    if not isinstance(num_samples, int) or isinstance(num_samples, bool):
        raise TypeError(
            f"multinomial(): argument 'num_samples' must be int, not {type(num_samples).__name__}"
        )
    if input.array.dtype.kind != "f":
        raise RuntimeError(
            f"multinomial: only floating-point inputs are supported, got {input.dtype}"
        )
    if input.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: expected a 1-D or 2-D input, got {input.ndim}-D")
    if num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot draw num_samples={num_samples} <= 0 samples")
    categories = input.shape[-1]
    if not replacement and num_samples > categories:
        raise RuntimeError(
            f"multinomial: cannot draw {num_samples} samples without replacement from "
            f"{categories} categories"
        )
    weights = input.array.reshape(-1, categories).astype(np.float64)
    xp = array_module(weights)
    if not bool((xp.isfinite(weights) & (weights >= 0)).all()):
        raise RuntimeError("multinomial: weights must be finite and non-negative")
    if not bool((weights.sum(axis=1) > 0).all()):
        raise RuntimeError("multinomial: invalid distribution, a row's weights sum to 0")
    rng = _rng(generator, input)
    if replacement:
        chosen = _with_replacement(weights, num_samples, rng)
    else:
        # Each category draws an exponential arrival time scaled by 1 / weight; taking the
        # earliest arrivals in order is sampling one at a time without replacement.
        with np.errstate(divide="ignore"):
            arrivals = rng.standard_exponential(weights.shape) / weights
        chosen = xp.argsort(arrivals, axis=1, kind="stable")[:, :num_samples]
    return _from_array(chosen.reshape(input.shape[:-1] + (num_samples,)).astype(np.int64))


def _with_replacement(weights: np.ndarray, num_samples: int, rng) -> np.ndarray:
    # One search over all rows at once: row r's cumulative distribution is shifted into
    # (r, r + 1], and its uniform draws too.
    xp = array_module(weights)
    rows, categories = weights.shape
    cumulative = xp.cumsum(weights, axis=1)
    cumulative /= cumulative[:, -1:]
    offsets = xp.arange(rows, dtype=np.float64)[:, None]
    draws = rng.random((rows, num_samples)) + offsets
    found = xp.searchsorted((cumulative + offsets).ravel(), draws.ravel(), side="right")
    chosen = found.reshape(rows, num_samples) - categories * xp.arange(rows)[:, None]
    # A draw rounded up to the top of its row belongs to the row's last category of weight > 0.
    last = categories - 1 - xp.argmax(weights[:, ::-1] > 0, axis=1)
    return xp.minimum(chosen, last[:, None])


# ----- in-place fills -----


@tensor_method
def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Fill with draws from the normal distribution N(mean, std^2)."""
    reject_dtypes("biu", self, "normal_")
    if not std >= 0:
        raise RuntimeError(f"normal_: expected std >= 0.0, got std={std}")
    draws = _rng(generator, self).standard_normal(self.shape, dtype=_work_dtype(self))
    draws *= std
    draws += mean
    return _fill(self, "normal_", draws)


@tensor_method
def uniform_(self: Tensor, from_: float = 0.0, to: float = 1.0, *, generator=None) -> Tensor:
    """Fill with draws from the uniform distribution on [from_, to)."""
    reject_dtypes("biu", self, "uniform_")
    if from_ > to:
        raise RuntimeError(f"uniform_: expected from <= to, got from={from_} > to={to}")
    if not math.isfinite(to - from_):
        raise RuntimeError(f"uniform_: the range [{from_}, {to}) is too wide for {self.dtype}")
    draws = _rng(generator, self).random(self.shape, dtype=_work_dtype(self))
    draws *= to - from_
    draws += from_
    return _fill(self, "uniform_", draws)


@tensor_method
def bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    """Fill with 1 with probability p (a number, or a tensor that broadcasts to self's shape),
    else 0; any dtype."""
    if isinstance(p, Tensor):
        probabilities = backend.same_device((p.array, self.array), "bernoulli_")[0]
    else:
        probabilities = backend.array_like(np.asarray(p), self.array)
    try:
        probabilities = array_module(probabilities).broadcast_to(probabilities, self.shape)
    except ValueError:
        raise RuntimeError(
            f"bernoulli_: p of shape {list(probabilities.shape)} does not broadcast to the "
            f"tensor's shape {list(self.shape)}"
        ) from None
    _check_probabilities(probabilities, "bernoulli_")
    draws = _rng(generator, self).random(self.shape) < probabilities
    return _fill(self, "bernoulli_", draws)


@tensor_method
def exponential_(self: Tensor, lambd: float = 1.0, *, generator=None) -> Tensor:
    """Fill with draws from the exponential distribution of rate lambd (mean 1 / lambd)."""
    if self.array.dtype.kind != "f":
        raise RuntimeError(f"exponential_: expected a floating-point tensor, got {self.dtype}")
    if not lambd > 0:
        raise RuntimeError(f"exponential_: expected lambd > 0.0, got lambd={lambd}")
    draws = _rng(generator, self).standard_exponential(self.shape, dtype=_work_dtype(self))
    draws /= lambd
    return _fill(self, "exponential_", draws)


@tensor_method
def random_(self: Tensor, from_: int | None = None, to=_UNSET, *, generator=None) -> Tensor:
    """Fill with integers drawn uniformly: `random_(to)` from [0, to), `random_(from_, to)` from
    [from_, to); with no upper bound, up to the dtype's largest integer (2^24 for float32 and
    2^53 for float64, where every integer is exact)."""
    if to is _UNSET:
        low, high = (0, None) if from_ is None else (0, from_)
    else:
        low, high = (0 if from_ is None else from_), to
    numpy_dtype = self.array.dtype
    if numpy_dtype.kind == "f":
        top = 2 ** (np.finfo(numpy_dtype).nmant + 1)
    elif numpy_dtype == np.bool_:
        top = 1
    else:
        info = np.iinfo(numpy_dtype)
        if low < info.min:
            raise RuntimeError(f"random_: from={low} is out of bounds for {self.dtype}")
        if high is not None and high - 1 > info.max:
            raise RuntimeError(f"random_: to - 1 = {high - 1} is out of bounds for {self.dtype}")
        top = int(info.max)
    if high is None:
        high = top + 1
    if low >= high:
        raise RuntimeError(f"random_: expected from < to, got from={low} >= to={high}")
    draws = _rng(generator, self).integers(low, high - 1, self.shape, endpoint=True)
    return _fill(self, "random_", draws)


@tensor_method
def geometric_(self: Tensor, p: float, *, generator=None) -> Tensor:
    """Fill with the number of trials up to the first success (1, 2, ...) at success rate p."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_: expected p in (0, 1), got p={p}")
    return _fill(self, "geometric_", _rng(generator, self).geometric(p, self.shape))


@tensor_method
def cauchy_(self: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator=None) -> Tensor:
    """Fill with draws from the Cauchy distribution of the given median and scale sigma."""
    if self.array.dtype.kind != "f":
        raise RuntimeError(f"cauchy_: expected a floating-point tensor, got {self.dtype}")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_: expected sigma > 0.0, got sigma={sigma}")
    draws = backend.standard_cauchy(_rng(generator, self), self.shape) * sigma + median
    return _fill(self, "cauchy_", draws)


@tensor_method
def log_normal_(self: Tensor, mean: float = 1.0, std: float = 2.0, *, generator=None) -> Tensor:
    """Fill with e^N, N drawn from the normal distribution N(mean, std^2)."""
    reject_dtypes("biu", self, "log_normal_")
    if not std > 0:
        raise RuntimeError(f"log_normal_: expected std > 0.0, got std={std}")
    draws = backend.lognormal(_rng(generator, self), mean, std, self.shape)
    return _fill(self, "log_normal_", draws)


__all__ = ["bernoulli", "multinomial", "poisson"]
