"""Reductions (sum, mean, prod, max and min with their positions, all/any, variance, norms,
log-sum-exp, the softmax family) and scans along a dim (cumsum, cumprod, cummax, logcumsumexp,
diff). Each takes PyTorch's `dim`/`keepdim` and NumPy's `axis`/`keepdims`."""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable

import numpy as np

from wright import dtypes, return_types
from wright.backend import array_module
from wright.functions.pointwise import floating, inplace
from wright.ops import reduce as R
from wright.ops import scan as C
from wright.ops import shape as S
from wright.tensor import Tensor, _from_array, _wrapped_dim, cat, pick, tensor_method, where


def dims(tensor: Tensor, dim) -> tuple[int, ...] | int | None:
    """`dim` checked against the tensor's rank and made non-negative (None for all)."""
    if dim is None or (isinstance(dim, tuple | list) and len(dim) == 0):
        return None
    many = isinstance(dim, tuple | list)
    ndim = builtins.max(tensor.ndim, 1)
    found = []
    for d in dim if many else (dim,):
        d = _wrapped_dim(d, ndim)
        if d in found:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        found.append(d)
    if tensor.ndim == 0:
        return None
    return tuple(found) if many else found[0]


def _axes(x: Tensor, dim, axis, keepdim, keepdims):
    return dims(x, pick(axis, dim, "axis", "dim")), pick(
        keepdims, keepdim, "keepdims", "keepdim", False
    )


def as_line(input: Tensor, dim, name: str) -> tuple[Tensor, int, Callable[[Tensor], Tensor]]:
    """For ops along one dim: the tensor (a 0-d one as 1-D), the dim checked and made
    non-negative, and a function giving results for a 0-d input back their 0-d shape."""
    if isinstance(dim, bool) or not isinstance(dim, int | np.integer):
        raise TypeError(f"{name}(): dim must be an int, got {dim!r}")
    axis = dims(input, int(dim))
    if input.ndim:
        return input, axis, lambda result: result
    return input.reshape(1), 0, lambda result: result.reshape(())


def check_nonempty(input: Tensor, axis, name: str) -> None:
    """Raise as PyTorch does when a reduction without an identity (max, median, mode) meets an
    empty tensor or an empty reduced dim."""
    if axis is None:
        if input.array.size == 0:
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        return
    for d in axis if isinstance(axis, tuple) else (axis,):
        if input.ndim and input.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def select_along(input: Tensor, dim, keepdim: bool, pair: type, choose: Callable) -> tuple:
    """The pair (values, indices) of one element picked from each line along `dim`:
    `choose(array, axis)` gives the picked positions, with the reduced axis kept as size 1. The
    values pass the gradient back to the picked elements."""
    x, axis, restore = as_line(input, dim, pair.__name__)
    check_nonempty(x, axis, pair.__name__)
    index = choose(x.array, axis)
    values = S.Gather.apply(x, axis=axis, index=index)
    if not keepdim:
        values, index = values.squeeze(axis), index.squeeze(axis)
    return pair(restore(values), restore(_from_array(index.astype(np.int64, copy=False))))


@tensor_method
def sum(
    input: Tensor,
    dim=None,
    keepdim=None,
    *,
    dtype=None,
    axis=None,
    keepdims=None,
) -> Tensor:
    """Sum over `dim` (all elements when not given); integers and bools sum as int64."""
    dim, keepdim = _axes(input, dim, axis, keepdim, keepdims)
    if dtype is not None:
        input = input.to(dtype)
    elif input.array.dtype.kind in "biu":
        return _from_array(input.array.sum(axis=dim, keepdims=keepdim, dtype=np.int64))
    return R.Sum.apply(input, axis=dim, keepdims=keepdim)


@tensor_method
def mean(
    input: Tensor,
    dim=None,
    keepdim=None,
    *,
    dtype=None,
    axis=None,
    keepdims=None,
) -> Tensor:
    """Arithmetic mean over `dim` (all elements when not given)."""
    dim, keepdim = _axes(input, dim, axis, keepdim, keepdims)
    if dtype is not None:
        input = input.to(dtype)
    if input.array.dtype.kind != "f":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {input.dtype}"
        )
    return R.Mean.apply(input, axis=dim, keepdims=keepdim)


@tensor_method
def prod(
    input: Tensor,
    dim=None,
    keepdim=None,
    *,
    dtype=None,
    axis=None,
    keepdims=None,
) -> Tensor:
    """Product over one `dim` (all elements when not given); integers and bools multiply as
    int64. The gradient is exact when the input holds zeros."""
    dim, keepdim = _axes(input, dim, axis, keepdim, keepdims)
    if isinstance(dim, tuple):
        raise TypeError(f"prod(): dim must be one int, got {dim}")
    if dtype is not None:
        input = input.to(dtype)
    elif input.array.dtype.kind in "biu":
        return _from_array(input.array.prod(axis=dim, keepdims=keepdim, dtype=np.int64))
    return R.Prod.apply(input, axis=dim, keepdims=keepdim)


@tensor_method
def nansum(
    input: Tensor,
    dim=None,
    keepdim=None,
    *,
    dtype=None,
    axis=None,
    keepdims=None,
) -> Tensor:
    """Sum over `dim`, counting NaN as zero (NaN elements get a zero gradient)."""
    if dtype is not None:
        input = input.to(dtype)
    if input.array.dtype.kind == "f":
        input = where(~array_module(input.array).isnan(input.array), input, 0.0)
    return sum(input, dim, keepdim, axis=axis, keepdims=keepdims)


@tensor_method
def nanmean(
    input: Tensor,
    dim=None,
    keepdim=None,
    *,
    dtype=None,
    axis=None,
    keepdims=None,
) -> Tensor:
    """Mean over `dim` of the elements that are not NaN (NaN where all are)."""
    if dtype is not None:
        input = input.to(dtype)
    if input.array.dtype.kind != "f":
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            f"{input.dtype}"
        )
    dim, keepdim = _axes(input, dim, axis, keepdim, keepdims)
    present = ~array_module(input.array).isnan(input.array)
    count = present.sum(axis=dim, keepdims=keepdim, dtype=input.array.dtype)
    with np.errstate(invalid="ignore"):  # a row of NaN only: 0 / 0 is NaN, as in PyTorch
        return nansum(input, dim, keepdim) / _from_array(count)


@tensor_method
def count_nonzero(input: Tensor, dim=None, *, axis=None) -> Tensor:
    """The number of non-zero elements over `dim` (one or several; all when not given), as
    int64."""
    dim = dims(input, pick(axis, dim, "axis", "dim"))
    xp = array_module(input.array)
    return _from_array(xp.asarray(xp.count_nonzero(input.array, axis=dim), dtype=np.int64))


def _logical(input: Tensor, dim, keepdim, axis, keepdims, reduce: str) -> Tensor:
    dim, keepdim = _axes(input, dim, axis, keepdim, keepdims)
    xp = array_module(input.array)
    found = getattr(xp, reduce)(input.array, axis=dim, keepdims=keepdim)
    # PyTorch keeps uint8 for uint8 input (a legacy of byte masks); everything else gives bool.
    return _from_array(xp.asarray(found, dtype=np.uint8 if input.array.dtype == np.uint8 else bool))


@tensor_method
def all(input: Tensor, dim=None, keepdim=None, *, axis=None, keepdims=None) -> Tensor:
    """Whether every element over `dim` (one or several; all when not given) is non-zero."""
    return _logical(input, dim, keepdim, axis, keepdims, "all")


@tensor_method
def any(input: Tensor, dim=None, keepdim=None, *, axis=None, keepdims=None) -> Tensor:
    """Whether some element over `dim` (one or several; all when not given) is non-zero."""
    return _logical(input, dim, keepdim, axis, keepdims, "any")


def _extreme(input: Tensor, dim, keepdim, axis, keepdims, smallest: bool, pair: type):
    if isinstance(dim, Tensor):  # max(input, other): the elementwise maximum
        return input.minimum(dim) if smallest else input.maximum(dim)
    dim = pick(axis, dim, "axis", "dim")
    keepdim = pick(keepdims, keepdim, "keepdims", "keepdim", False)
    if dim is None:
        check_nonempty(input, None, pair.__name__)
        # The whole tensor: tied elements share the gradient equally, as in PyTorch.
        return R.Max.apply(input, axis=None, keepdims=False, smallest=smallest)
    if isinstance(dim, tuple):
        raise TypeError(f"{pair.__name__}(): dim must be one int; use amax/amin for several")
    find = "argmin" if smallest else "argmax"  # the first of ties, as PyTorch on the CPU
    return select_along(
        input, dim, keepdim, pair, lambda a, d: getattr(a, find)(axis=d, keepdims=True)
    )


@tensor_method
def max(input: Tensor, dim=None, keepdim=None, *, axis=None, keepdims=None):
    """The largest value; with `dim`, a (values, indices) pair along it; with a tensor, the
    elementwise maximum."""
    return _extreme(input, dim, keepdim, axis, keepdims, False, return_types.max)


@tensor_method
def min(input: Tensor, dim=None, keepdim=None, *, axis=None, keepdims=None):
    """The smallest value; with `dim`, a (values, indices) pair along it; with a tensor, the
    elementwise minimum."""
    return _extreme(input, dim, keepdim, axis, keepdims, True, return_types.min)


def _bound(input: Tensor, dim, keepdim, axis, keepdims, smallest: bool, name: str) -> Tensor:
    dim, keepdim = _axes(input, None if dim == () else dim, axis, keepdim, keepdims)
    check_nonempty(input, dim, name)
    return R.Max.apply(input, axis=dim, keepdims=keepdim, smallest=smallest)


@tensor_method
def amax(input: Tensor, dim=(), keepdim=None, *, axis=None, keepdims=None) -> Tensor:
    """The largest values over one or several dims; ties share the gradient equally."""
    return _bound(input, dim, keepdim, axis, keepdims, False, "amax")


@tensor_method
def amin(input: Tensor, dim=(), keepdim=None, *, axis=None, keepdims=None) -> Tensor:
    """The smallest values over one or several dims; ties share the gradient equally."""
    return _bound(input, dim, keepdim, axis, keepdims, True, "amin")


@tensor_method
def aminmax(input: Tensor, *, dim=None, keepdim: bool = False):
    """The pair (min, max) over `dim` (all elements when not given); ties share the gradient
    equally."""
    if dim is not None and (isinstance(dim, bool) or not isinstance(dim, int | np.integer)):
        raise TypeError(f"aminmax(): dim must be an int, got {dim!r}")
    axis = dims(input, dim)
    if input.array.size == 0 and (axis is None or input.shape[axis] == 0):
        raise RuntimeError(
            "aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
            "identity."
        )
    dim = () if dim is None else dim
    return return_types.aminmax(amin(input, dim, keepdim), amax(input, dim, keepdim))


def _positions(input: Tensor, dim, keepdim, axis, keepdims, find: str) -> Tensor:
    dim = dims(input, pick(axis, dim, "axis", "dim"))
    keepdim = pick(keepdims, keepdim, "keepdims", "keepdim", False)
    if dim is None:
        found = getattr(input.array, find)()
        shape = (1,) * input.ndim if keepdim else ()
        return _from_array(array_module(input.array).asarray(found, dtype=np.int64).reshape(shape))
    found = getattr(input.array, find)(axis=dim, keepdims=keepdim)
    return _from_array(found.astype(np.int64))


@tensor_method
def argmax(input: Tensor, dim=None, keepdim=None, *, axis=None, keepdims=None) -> Tensor:
    """Index of the largest value along `dim` (in the flattened tensor when not given)."""
    return _positions(input, dim, keepdim, axis, keepdims, "argmax")


@tensor_method
def argmin(input: Tensor, dim=None, keepdim=None, *, axis=None, keepdims=None) -> Tensor:
    """Index of the smallest value along `dim` (in the flattened tensor when not given)."""
    return _positions(input, dim, keepdim, axis, keepdims, "argmin")


def _correction(unbiased, correction, ddof) -> float:
    given = [v for v in (unbiased, correction, ddof) if v is not None]
    if len(given) > 1:
        raise TypeError("var/std: pass only one of unbiased, correction and ddof")
    if correction is not None:
        return correction
    if ddof is not None:
        return ddof
    return 1 if unbiased is None else int(bool(unbiased))


@tensor_method
def var(
    input: Tensor,
    dim=None,
    unbiased=None,
    keepdim=None,
    *,
    correction=None,
    axis=None,
    keepdims=None,
    ddof=None,
) -> Tensor:
    """Variance over `dim`, dividing by N - correction: PyTorch's default correction=1 is the
    unbiased estimate (`unbiased=False`, `correction=0` or NumPy's `ddof=0` divide by N)."""
    if isinstance(dim, bool):  # var(input, unbiased) in PyTorch's older signature
        dim, unbiased = None, dim
    correction = _correction(unbiased, correction, ddof)
    dim, keepdim = _axes(input, dim, axis, keepdim, keepdims)
    input = floating(input)
    centred = input - input.mean(dim, keepdim=True)
    count = R._count(input.shape, dim)
    # No room for the correction gives inf or nan, as in PyTorch.
    return (centred * centred).sum(dim, keepdim=keepdim) / builtins.max(count - correction, 0)


@tensor_method
def std(input: Tensor, *args, **kwargs) -> Tensor:
    """Standard deviation: the square root of `var`, with the same arguments."""
    return input.var(*args, **kwargs).sqrt()


def var_mean(input: Tensor, *args, **kwargs) -> tuple[Tensor, Tensor]:
    """(var, mean) over the same dims."""
    variance = input.var(*args, **kwargs)
    dim = kwargs.get("dim", args[0] if args else None)
    keepdim = kwargs.get("keepdim", False)
    return variance, input.mean(dim, keepdim=keepdim)


def std_mean(input: Tensor, *args, **kwargs) -> tuple[Tensor, Tensor]:
    """(std, mean) over the same dims."""
    variance, average = var_mean(input, *args, **kwargs)
    return variance.sqrt(), average


def vector_norm(input: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The p-norm (sum |x|^p)^(1/p) over `dim` (all elements when not given); `ord` may be any
    number, inf (the largest |x|), -inf (the smallest) or 0 (the count of non-zeros). Also
    `wright.linalg.vector_norm`.

    At zero the gradient is PyTorch's subgradient 0; for ord = +-inf, tied elements share it.
    """
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
        if not dtype.is_floating_point:
            raise RuntimeError(f"linalg.vector_norm: dtype should be floating point, got {dtype}")
        input = input.to(dtype)
    if input.array.dtype.kind != "f":
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point tensor as input. Got {input.dtype}"
        )
    if isinstance(ord, str | bool):
        raise TypeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    ord = builtins.float(ord)
    axis = dims(input, dim)
    reduced = input.array.size if axis is None else _reduced_size(input, axis)
    if reduced == 0 and (ord < 0 or ord == math.inf):
        raise RuntimeError(
            f"linalg.vector_norm cannot compute the {ord:g} norm over an empty dimension because "
            "the operation does not have an identity"
        )
    return R.VectorNorm.apply(input, ord=ord, axis=axis, keepdims=keepdim)


def _reduced_size(input: Tensor, axis) -> int:
    return math.prod(input.shape[d] for d in (axis if isinstance(axis, tuple) else (axis,)))


@tensor_method
def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """The vector p-norm over `dim` (all elements when not given): `p` is a number, inf, -inf or
    'fro' (the 2-norm, which over a matrix's two dims is the Frobenius norm). `wright.linalg` has
    the matrix norms."""
    if p is None or p == "fro":
        p = 2
    elif p == "nuc":
        raise NotImplementedError(
            "norm(): the nuclear norm needs singular values, which wright does not compute"
        )
    elif isinstance(p, str):
        raise RuntimeError(f"norm(): order {p!r} not supported; use a number, inf, -inf or 'fro'")
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


@tensor_method
def dist(input: Tensor, other, p=2) -> Tensor:
    """The p-norm of input - other (broadcast together)."""
    difference = input - other
    if difference.array.dtype.kind != "f":
        raise RuntimeError(
            f"dist(): expected floating point inputs, got {input.dtype} and "
            f"{getattr(other, 'dtype', type(other).__name__)}"
        )
    return vector_norm(difference, p)


def cdist(
    x1: Tensor,
    x2: Tensor,
    p: float = 2.0,
    compute_mode: str = "use_mm_for_euclid_dist_if_necessary",
) -> Tensor:
    """The p-norm distance between each row of x1 and each row of x2, batched over leading dims.

    Shape:
        x1 (B..., P, M) and x2 (B..., R, M) give (B..., P, R).
    """
    for name, x in (("X1", x1), ("X2", x2)):
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {x.ndim}D")
        if x.array.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {x.dtype}")
    if x1.array.dtype != x2.array.dtype:
        raise RuntimeError(
            f"cdist: expected X1 and X2 of the same dtype, got {x1.dtype} and {x2.dtype}"
        )
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}"
        )
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"cdist: {compute_mode} is not a valid value for compute_mode")
    use_mm = _CDIST_MODES[compute_mode]
    if use_mm is None:
        use_mm = x1.shape[-2] > 25 or x2.shape[-2] > 25
    if p == 2 and use_mm:
        # |a - b|^2 = |a|^2 + |b|^2 - 2 a.b with one matrix product, as PyTorch does for larger
        # inputs: fast and without a (P, R, M) array, at some cost in accuracy for close points.
        squares = (x1 * x1).sum(-1, keepdim=True) + (x2 * x2).sum(-1).unsqueeze(-2)
        squares = (squares - 2 * x1.matmul(x2.mT)).clamp(min=0)
        # The square root's gradient is made 0 (not inf) where the distance is 0.
        positive = squares.array > 0
        return where(positive, where(positive, squares, 1.0).sqrt(), 0.0)
    # Every pair's difference, computed directly: exact, and the gradient at zero distance is 0.
    return vector_norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, -1)


# Whether cdist computes Euclidean distances with a matrix product: always, never, or for more
# than 25 rows (None).
_CDIST_MODES = {
    "use_mm_for_euclid_dist_if_necessary": None,
    "use_mm_for_euclid_dist": True,
    "donot_use_mm_for_euclid_dist": False,
}


@tensor_method
def logsumexp(input: Tensor, dim=None, keepdim=None, *, axis=None, keepdims=None) -> Tensor:
    """log(sum(exp(x))) over `dim`, computed without overflow."""
    dim, keepdim = _axes(input, dim, axis, keepdim, keepdims)
    return R.LogSumExp.apply(floating(input), axis=dim, keepdims=keepdim)


def _softmax_dim(input: Tensor, dim, axis) -> int:
    dim = pick(axis, dim, "axis", "dim")
    if dim is None:
        # PyTorch's implicit choice (deprecated there): 0 for 0-, 1- and 3-D input, else 1.
        dim = 0 if input.ndim in (0, 1, 3) else 1
    found = dims(input, dim)
    return 0 if found is None else found


@tensor_method
def softmax(input: Tensor, dim=None, dtype=None, *, axis=None) -> Tensor:
    """Exponentiate and normalise along `dim`: positive values summing to 1."""
    if dtype is not None:
        input = input.to(dtype)
    return R.Softmax.apply(floating(input), axis=_softmax_dim(input, dim, axis))


@tensor_method
def log_softmax(input: Tensor, dim=None, dtype=None, *, axis=None) -> Tensor:
    """log(softmax(x)) along `dim`, computed stably."""
    if dtype is not None:
        input = input.to(dtype)
    return R.LogSoftmax.apply(floating(input), axis=_softmax_dim(input, dim, axis))


# ----- scans along one dim -----


def _scan_line(input: Tensor, dim, axis, name: str):
    dim = pick(axis, dim, "axis", "dim")
    if dim is None:
        raise TypeError(f"{name}(): missing the required argument 'dim'")
    return as_line(input, dim, name)


@tensor_method
def cumsum(input: Tensor, dim=None, *, dtype=None, axis=None) -> Tensor:
    """Running sums along `dim`; integers and bools sum as int64."""
    x, dim, restore = _scan_line(input, dim, axis, "cumsum")
    if dtype is not None:
        x = x.to(dtype)
    elif x.array.dtype.kind in "biu":
        return restore(_from_array(x.array.cumsum(axis=dim, dtype=np.int64)))
    return restore(C.CumSum.apply(x, axis=dim))


@tensor_method
def cumprod(input: Tensor, dim=None, *, dtype=None, axis=None) -> Tensor:
    """Running products along `dim`; integers and bools multiply as int64. The gradient is exact
    when the input holds zeros."""
    x, dim, restore = _scan_line(input, dim, axis, "cumprod")
    if dtype is not None:
        x = x.to(dtype)
    elif x.array.dtype.kind in "biu":
        return restore(_from_array(x.array.cumprod(axis=dim, dtype=np.int64)))
    return restore(C.CumProd.apply(x, axis=dim))


inplace(cumsum)
inplace(cumprod)


@tensor_method
def logcumsumexp(input: Tensor, dim=None, *, axis=None) -> Tensor:
    """Running log(sum(exp(x))) along `dim`, without overflow or underflow."""
    x, dim, restore = _scan_line(input, dim, axis, "logcumsumexp")
    if x.array.dtype.kind != "f":
        raise NotImplementedError(
            f"logcumsumexp(): not implemented for {x.dtype} input; pass a floating point tensor"
        )
    return restore(C.LogCumSumExp.apply(x, axis=dim))


def _running_extreme(input: Tensor, dim, axis, smallest: bool, pair: type):
    x, dim, restore = _scan_line(input, dim, axis, pair.__name__)
    a = x.array
    xp = array_module(a)
    running = C.running("minimum" if smallest else "maximum", a, dim)
    # The index moves to each element that equals the running extreme (the last of ties, as in
    # PyTorch); NaN propagates and counts as equal to NaN.
    leads = a == running
    if a.dtype.kind == "f":
        leads |= xp.isnan(a)
    shape = [1] * a.ndim
    shape[dim] = a.shape[dim]
    position = xp.arange(a.shape[dim]).reshape(shape)
    indices = C.running("maximum", xp.where(leads, position, 0), dim)
    values = S.Gather.apply(x, axis=dim, index=indices)
    return pair(restore(values), restore(_from_array(indices.astype(np.int64, copy=False))))


@tensor_method
def cummax(input: Tensor, dim=None, *, axis=None):
    """Running maxima along `dim` and where they are, a (values, indices) pair; the gradient goes
    to the element each running maximum came from."""
    return _running_extreme(input, dim, axis, False, return_types.cummax)


@tensor_method
def cummin(input: Tensor, dim=None, *, axis=None):
    """Running minima along `dim` and where they are, a (values, indices) pair; the gradient goes
    to the element each running minimum came from."""
    return _running_extreme(input, dim, axis, True, return_types.cummin)


@tensor_method
def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """The n-th forward difference along `dim` (x[i+1] - x[i], applied n times), after joining
    `prepend` and `append` to the input along `dim`; bools give x[i+1] != x[i]."""
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    dim = dims(input, dim)
    pieces = []
    for extra in (prepend, input, append):
        if extra is None:
            continue
        if extra.ndim != input.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        pieces.append(extra)
    x = cat(pieces, dim) if len(pieces) > 1 else input
    head = (slice(None),) * dim
    for _ in range(n):
        later, earlier = x[(*head, slice(1, None))], x[(*head, slice(None, -1))]
        x = _from_array(later.array != earlier.array) if x.array.dtype == bool else later - earlier
    return input.clone() if x is input else x  # n = 0: a new tensor all the same


__all__ = [
    "all",
    "amax",
    "amin",
    "aminmax",
    "any",
    "argmax",
    "argmin",
    "cdist",
    "count_nonzero",
    "cummax",
    "cummin",
    "cumprod",
    "cumsum",
    "diff",
    "dist",
    "log_softmax",
    "logcumsumexp",
    "logsumexp",
    "max",
    "mean",
    "min",
    "nanmean",
    "nansum",
    "norm",
    "prod",
    "softmax",
    "std",
    "std_mean",
    "sum",
    "var",
    "var_mean",
]
