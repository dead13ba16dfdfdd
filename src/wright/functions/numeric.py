"""Numerical helpers from PyTorch's top level: integer and float bit functions (`gcd`, `lcm`,
`ldexp`, `frexp`, `nextafter`), integration (`trapezoid`, `cumulative_trapezoid`), statistics
(`cov`, `corrcoef`, `histogram`, `histogramdd`), `vander`, `isin`, `unravel_index`, `renorm`,
norms, `matrix_exp`, signal windows, dtype limits (`finfo`, `iinfo`) and constants."""

from __future__ import annotations

import builtins
import math

import numpy as np

from wright import backend, dtypes, return_types
from wright.functions.decompositions import svdvals
from wright.functions.pointwise import floating, inplace
from wright.functions.reduction import vector_norm
from wright.linalg import multi_dot, solve_triangular
from wright.ops import matrix_exp as M
from wright.tensor import Tensor, _from_array, _promoted, cat, tensor_method, where

e, pi, inf, nan = math.e, math.pi, math.inf, math.nan
newaxis = None

# ----- integers and float bits -----


_TYPE_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "bool": "Bool"}


def _unsupported(op: str, dtype) -> NotImplementedError:
    name = str(dtype).rsplit(".", 1)[-1]
    return NotImplementedError(f"\"{op}_cpu\" not implemented for '{_TYPE_NAMES.get(name, name)}'")


def _integers(op: str, input: Tensor, other: Tensor) -> tuple[np.ndarray, np.ndarray]:
    a, b = _promoted(input, other)
    if a.array.dtype.kind not in "iu":
        raise _unsupported(op, a.dtype)
    return a.array, b.array


@tensor_method
def gcd(input: Tensor, other: Tensor) -> Tensor:
    """The greatest common divisor of integers, elementwise (non-negative)."""
    return _from_array(np.gcd(*_integers("gcd", input, other)))


@tensor_method
def lcm(input: Tensor, other: Tensor) -> Tensor:
    """The least common multiple of integers, elementwise (non-negative)."""
    return _from_array(np.lcm(*_integers("lcm", input, other)))


@tensor_method
def ldexp(input: Tensor, other: Tensor) -> Tensor:
    """input * 2^other, in a floating dtype."""
    a, b = _promoted(input, other, floating=True)
    return a * b.exp2()


@tensor_method
def frexp(input: Tensor) -> tuple[Tensor, Tensor]:
    """(mantissa, exponent) with input = mantissa * 2^exponent, |mantissa| in [0.5, 1) (int32
    exponents); floating inputs only."""
    if input.array.dtype.kind != "f":
        raise RuntimeError(
            f"torch.frexp() only supports floating-point dtypes (got {str(input.dtype)[7:]})"
        )
    mantissa, exponent = np.frexp(input.array)
    return return_types.frexp(_from_array(mantissa), _from_array(exponent.astype(np.int32)))


@tensor_method
def nextafter(input: Tensor, other: Tensor) -> Tensor:
    """The next float after input in the direction of other, elementwise."""
    a, b = _promoted(input, other)
    if a.array.dtype.kind != "f":
        raise _unsupported("nextafter", a.dtype)
    return _from_array(np.nextafter(a.array, b.array))


def _inplace_same_dtype(function):
    def method(self: Tensor, *args) -> Tensor:
        return self._inplace(f"{function.__name__}_", function, *args)

    method.__name__ = f"{function.__name__}_"
    method.__doc__ = f"In-place form of `{function.__name__}`."
    setattr(Tensor, method.__name__, method)
    return method


gcd_ = _inplace_same_dtype(gcd)
lcm_ = _inplace_same_dtype(lcm)
ldexp_ = _inplace_same_dtype(ldexp)
nextafter_ = _inplace_same_dtype(nextafter)


@tensor_method
def angle(input: Tensor) -> Tensor:
    """The argument of each (real) number: 0 for x >= 0, pi for x < 0, NaN for NaN."""
    x = floating(input)
    zero = _from_array(np.zeros((), x.array.dtype))
    found = where(x < 0, _from_array(np.asarray(math.pi, x.array.dtype)), zero)
    return where(x.isnan(), x, found)


# ----- integration -----


def _spacing(y: Tensor, x, dx, dim: int) -> Tensor | float:
    if x is None:
        return 1.0 if dx is None else dx
    if not isinstance(x, Tensor):
        x = _from_array(np.asarray(x))
    if x.ndim == 1:
        shape = [1] * y.ndim
        shape[dim] = -1
        x = x.reshape(shape)
    return x.diff(dim=dim)


def _pairs(y: Tensor, dim: int) -> Tensor:
    count = y.shape[dim]
    return (y.narrow(dim, 1, count - 1) + y.narrow(dim, 0, count - 1)) / 2


def trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The integral of y along `dim` by the trapezoidal rule, with sample points x (a 1-D tensor
    or one shaped like y) or a constant spacing dx (1 by default)."""
    dim = dim % max(y.ndim, 1)
    if y.shape[dim] == 0:
        return floating(y).sum(dim)
    return (_spacing(y, x, dx, dim) * _pairs(floating(y), dim)).sum(dim)


def trapz(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """`trapezoid` under its older name."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The running trapezoidal integral of y along `dim` (one element fewer along it)."""
    dim = dim % max(y.ndim, 1)
    if y.shape[dim] == 0:
        return floating(y)
    return (_spacing(y, x, dx, dim) * _pairs(floating(y), dim)).cumsum(dim)


def _coordinates(spacing, count: int) -> np.ndarray:
    # The sample coordinates along one dim from a spacing (a number) or the coordinates.
    if isinstance(spacing, Tensor):
        if spacing.ndim == 0:
            return np.arange(count) * float(spacing.item())
        return np.asarray(spacing.array, np.float64)
    return np.arange(count) * float(spacing)


def _along(values: np.ndarray, dim: int, ndim: int, dtype) -> Tensor:
    shape = [1] * ndim
    shape[dim] = -1
    return _from_array(np.asarray(values, dtype).reshape(shape))


def _derivative(f: Tensor, x: np.ndarray, dim: int, edge_order: int) -> Tensor:
    n, dtype = f.shape[dim], f.array.dtype

    def part(start: int, length: int) -> Tensor:
        return f.narrow(dim, start, length)

    # Second-order differences on a possibly uneven grid inside; one-sided at the ends.
    left, right = x[1:-1] - x[:-2], x[2:] - x[1:-1]
    scale = left * right * (left + right)
    inside = (
        _along(left * left / scale, dim, f.ndim, dtype) * part(2, n - 2)
        - _along(right * right / scale, dim, f.ndim, dtype) * part(0, n - 2)
        + _along((right * right - left * left) / scale, dim, f.ndim, dtype) * part(1, n - 2)
    )
    if edge_order == 1:
        first = (part(1, 1) - part(0, 1)) / float(x[1] - x[0])
        last = (part(n - 1, 1) - part(n - 2, 1)) / float(x[-1] - x[-2])
    else:
        d1, d2 = float(x[1] - x[0]), float(x[2] - x[1])
        first = (
            part(0, 1) * (-(2 * d1 + d2) / (d1 * (d1 + d2)))
            + part(1, 1) * ((d1 + d2) / (d1 * d2))
            + part(2, 1) * (-d1 / (d2 * (d1 + d2)))
        )
        d1, d2 = float(x[-2] - x[-3]), float(x[-1] - x[-2])
        last = (
            part(n - 3, 1) * (d2 / (d1 * (d1 + d2)))
            + part(n - 2, 1) * (-(d1 + d2) / (d1 * d2))
            + part(n - 1, 1) * ((2 * d2 + d1) / (d2 * (d1 + d2)))
        )
    return cat([first, inside, last], dim)


def gradient(input: Tensor, *, spacing=1, dim=None, edge_order: int = 1) -> tuple[Tensor, ...]:
    """The derivative of sampled values along each of `dim` (all dims by default), by central
    differences inside and one-sided ones (of order edge_order, 1 or 2) at the ends; spacing is
    a number, one per dim, or the sample coordinates (1-D tensors) per dim."""
    if edge_order not in (1, 2):
        raise RuntimeError(
            f"torch.gradient only supports edge_order=1 and edge_order=2., got {edge_order}"
        )
    dims = (
        list(builtins.range(input.ndim))
        if dim is None
        else [dim]
        if isinstance(dim, int)
        else list(dim)
    )
    dims = [d % max(input.ndim, 1) for d in dims]
    spacings = list(spacing) if isinstance(spacing, list | tuple) else [spacing] * len(dims)
    if len(spacings) != len(dims):
        raise RuntimeError(
            f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and "
            f"dim arguments to have the same length, but got a spacing argument of length "
            f"{len(spacings)} and a dim argument of length {len(dims)}."
        )
    f = floating(input)
    found = []
    for d, step in zip(dims, spacings):
        if f.shape[d] < edge_order + 1:
            raise RuntimeError(
                "torch.gradient expected each dimension size to be at least edge_order+1"
            )
        found.append(_derivative(f, _coordinates(step, f.shape[d]), d, edge_order))
    return tuple(found)


# ----- statistics -----


@tensor_method
def cov(input: Tensor, *, correction: int = 1, fweights=None, aweights=None) -> Tensor:
    """The covariance matrix of the variables in input's rows (observations in columns), with
    integer frequency and float observation weights."""
    if input.ndim > 2:
        raise ValueError(
            f"cov(): expected input to have two or fewer dimensions but got an input with {input.ndim} dimensions"
        )
    x = floating(input.reshape(1, -1) if input.ndim < 2 else input)
    observations = x.shape[1]
    weight = None
    if fweights is not None:
        weight = fweights
    if aweights is not None:
        weight = aweights if weight is None else weight * aweights
    if weight is None:
        total = _from_array(np.asarray(observations, x.array.dtype))
        mean = x.mean(1, keepdim=True)
        norm = total - correction
    else:
        weight = weight._cast(x.array.dtype)
        total = weight.sum()
        mean = (x * weight).sum(1, keepdim=True) / total
        if correction == 0:
            norm = total
        elif aweights is None:
            norm = total - correction
        else:
            norm = total - correction * (weight * aweights._cast(x.array.dtype)).sum() / total
    centred = x - mean
    scaled = centred if weight is None else centred * weight
    found = (scaled @ centred.mT) / norm.clamp(min=0)
    return found.squeeze() if input.ndim < 2 else found


@tensor_method
def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation coefficients of the variables in input's rows, clipped to [-1, 1]."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    spread = c.diagonal().sqrt()
    return (c / spread.unsqueeze(1) / spread.unsqueeze(0)).clamp(-1, 1)


def _bins_argument(bins):
    return bins.array if isinstance(bins, Tensor) else bins


@tensor_method
def histogram(input: Tensor, bins=100, *, range=None, weight=None, density: bool = False):
    """(hist, bin_edges): counts (or weights' sums, or a density) in `bins` equal bins over
    `range` (the data's extremes by default), or in the bins a tensor of edges gives."""
    if input.array.dtype.kind != "f":
        raise RuntimeError(
            f"torch.histogram: input tensor and bins tensors should have the same dtype, but got "
            f"input {str(input.dtype)[7:]}"
        )
    hist, edges = np.histogram(
        input.array.reshape(-1),
        _bins_argument(bins),
        range=range,
        weights=None if weight is None else weight.array.reshape(-1),
        density=density,
    )
    dtype = input.array.dtype
    return return_types.histogram(_from_array(hist.astype(dtype)), _from_array(edges.astype(dtype)))


def histogramdd(input: Tensor, bins=10, *, range=None, weight=None, density: bool = False):
    """(hist, bin_edges) of the points in input's rows (N, D): a D-dimensional histogram with
    a list of D edge tensors."""
    points = input.array.reshape(-1, input.shape[-1])
    if isinstance(bins, list | tuple):
        bins = [_bins_argument(b) for b in bins]
    ranges = None if range is None else list(zip(range[::2], range[1::2]))
    hist, edges = np.histogramdd(
        points,
        _bins_argument(bins),
        range=ranges,
        weights=None if weight is None else weight.array.reshape(-1),
        density=density,
    )
    dtype = input.array.dtype
    return return_types.histogramdd(
        _from_array(hist.astype(dtype)), [_from_array(e.astype(dtype)) for e in edges]
    )


# ----- building and querying -----


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of a vector: columns x^0 ... x^(N-1) (decreasing powers unless
    increasing)."""
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    N = x.shape[0] if N is None else N
    if N < 0:
        raise RuntimeError("N must be non-negative.")
    if x.array.dtype == np.bool_:
        x = x._cast(np.dtype(np.int64))
    ones = _from_array(np.ones((x.shape[0], min(N, 1)), x.array.dtype))
    if N <= 1:
        return ones
    powers = cat([ones, x.unsqueeze(1).expand(-1, N - 1).cumprod(1)], 1)
    return powers if increasing else powers.flip(1)


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """Whether each element of `elements` occurs in `test_elements` (either may be a number)."""
    left = elements.array if isinstance(elements, Tensor) else np.asarray(elements)
    right = test_elements.array if isinstance(test_elements, Tensor) else test_elements
    return _from_array(np.isin(left, right, assume_unique=assume_unique, invert=invert))


def unravel_index(indices: Tensor, shape) -> tuple[Tensor, ...]:
    """The coordinates, one int64 tensor per dim of `shape`, of flat row-major indices."""
    flat = indices.array if isinstance(indices, Tensor) else np.asarray(indices)
    if flat.dtype.kind not in "iu":
        raise TypeError("expected 'indices' to be integer dtype, but got " + str(flat.dtype))
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    # Indices outside the shape wrap around, as in PyTorch (no bounds check).
    coordinates = np.unravel_index(np.mod(flat, max(math.prod(shape), 1)), shape)
    return tuple(_from_array(c.astype(np.int64)) for c in coordinates)


@tensor_method
def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """Each slice along `dim` whose p-norm exceeds maxnorm scaled down to norm maxnorm."""
    if p <= 0:
        raise RuntimeError(f"renorm: non-positive-norm not supported, got p={p}")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    dim = dim % max(input.ndim, 1)
    others = tuple(d for d in builtins.range(input.ndim) if d != dim)
    norms = vector_norm(input, p, others, keepdim=True) if others else input.abs()
    factor = where(norms > maxnorm, maxnorm / (norms + 1e-7), norms.new_ones(()))
    return input * factor


inplace(renorm)


def frobenius_norm(input: Tensor, dim=(-2, -1), keepdim: bool = False) -> Tensor:
    """The square root of the sum of squares over `dim`."""
    return vector_norm(input, 2, dim, keepdim)


def nuclear_norm(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """The sum of the singular values of the matrices over `dim` (the last two by default)."""
    if isinstance(dim, bool):
        dim, keepdim = None, dim
    rows, columns = (-2, -1) if dim is None else dim
    moved = input.movedim((rows, columns), (-2, -1))
    found = svdvals(moved).sum(-1)
    if keepdim:
        for axis in sorted(d % input.ndim for d in (rows, columns)):
            found = found.unsqueeze(axis)
    return found


def chain_matmul(*matrices: Tensor) -> Tensor:
    """The product of the matrices, in order (`linalg.multi_dot`)."""
    if len(matrices) == 1:
        return matrices[0].clone()
    return multi_dot(matrices)


@tensor_method
def matrix_exp(input: Tensor) -> Tensor:
    """The matrix exponential e^A of a square matrix (or each of a batch)."""
    if input.ndim < 2 or input.shape[-1] != input.shape[-2]:
        raise RuntimeError(
            "linalg.matrix_exp: A must be batches of square matrices, but they are "
            f"{' by '.join(map(str, input.shape[-2:]))} matrices"
        )
    return M.MatrixExp.apply(floating(input))


@tensor_method
def triangular_solve(
    b: Tensor, A: Tensor, upper: bool = True, transpose: bool = False, unitriangular: bool = False
) -> tuple[Tensor, Tensor]:
    """(X, A's copy) with op(A) X = b, op(A) = A or A^T, for triangular A."""
    found = solve_triangular(
        A.mT if transpose else A, b, upper=upper != transpose, unitriangular=unitriangular
    )
    return found, A.clone()


def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory=None, requires_grad=False):
    """A 0-d tensor holding s, of the default float dtype unless told."""
    backend.resolve_device(device)
    numpy_dtype = dtypes.default_float_numpy() if dtype is None else dtypes.to_numpy_dtype(dtype)
    return _from_array(np.asarray(s, numpy_dtype)).requires_grad_(requires_grad)


# ----- signal windows -----


def _window(name: str, length: int, periodic: bool, values, dtype, device, requires_grad) -> Tensor:
    backend.resolve_device(device)
    if length < 0:
        raise RuntimeError(
            f"{name} requires non-negative window_length, got window_length={length}"
        )
    numpy_dtype = dtypes.default_float_numpy() if dtype is None else dtypes.to_numpy_dtype(dtype)
    if numpy_dtype.kind != "f":
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dtype}")
    if length <= 1:
        return _from_array(np.ones(length, numpy_dtype)).requires_grad_(requires_grad)
    # A periodic window is the symmetric one of length + 1 without its last point.
    n = length + 1 if periodic else length
    found = values(np.arange(n, dtype=np.float64), n)[:length]
    return _from_array(found.astype(numpy_dtype)).requires_grad_(requires_grad)


def _cosine_sum(*coefficients: float):
    def values(k, n):
        angle = 2 * np.pi * k / (n - 1)
        return sum(c * (-1) ** i * np.cos(i * angle) for i, c in enumerate(coefficients))

    return values


def hann_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The Hann window 0.5 - 0.5 cos(2 pi k / (N - 1))."""
    return _window(
        "hann_window", window_length, periodic, _cosine_sum(0.5, 0.5), dtype, device, requires_grad
    )


def hamming_window(
    window_length: int,
    periodic: bool = True,
    alpha: float = 0.54,
    beta: float = 0.46,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The Hamming window alpha - beta cos(2 pi k / (N - 1))."""
    return _window(
        "hamming_window",
        window_length,
        periodic,
        _cosine_sum(alpha, beta),
        dtype,
        device,
        requires_grad,
    )


def blackman_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The Blackman window 0.42 - 0.5 cos(2 pi k / (N - 1)) + 0.08 cos(4 pi k / (N - 1))."""
    return _window(
        "blackman_window",
        window_length,
        periodic,
        _cosine_sum(0.42, 0.5, 0.08),
        dtype,
        device,
        requires_grad,
    )


def _bartlett(k, n):
    return 1 - np.abs(2 * k / (n - 1) - 1)


def bartlett_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The triangular window 1 - |2k / (N - 1) - 1|."""
    return _window(
        "bartlett_window", window_length, periodic, _bartlett, dtype, device, requires_grad
    )


def kaiser_window(
    window_length: int,
    periodic: bool = True,
    beta: float = 12.0,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The Kaiser window I0(beta sqrt(1 - (2k / (N - 1) - 1)^2)) / I0(beta)."""

    def values(k, n):
        ratio = 2 * k / (n - 1) - 1
        return np.i0(beta * np.sqrt(np.clip(1 - ratio * ratio, 0, None))) / np.i0(beta)

    return _window("kaiser_window", window_length, periodic, values, dtype, device, requires_grad)


# ----- dtype limits -----


class finfo:
    """The limits of a floating dtype: bits, eps, max, min, tiny (smallest_normal), resolution."""

    def __init__(self, type=None) -> None:
        numpy_dtype = dtypes.default_float_numpy() if type is None else dtypes.to_numpy_dtype(type)
        if numpy_dtype.kind != "f":
            raise TypeError(f"torch.finfo() requires a floating point input type, got {type}")
        info = np.finfo(numpy_dtype)
        self.bits = info.bits
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.tiny)
        self.resolution = 10.0**-info.precision
        self.dtype = str(dtypes.from_numpy_dtype(numpy_dtype)).rsplit(".", 1)[-1]

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution}, min={self.min:.6g}, max={self.max:.6g}, "
            f"eps={self.eps:.6g}, smallest_normal={self.tiny:.6g}, tiny={self.tiny:.6g}, "
            f"dtype={self.dtype})"
        )


class iinfo:
    """The limits of an integer dtype: bits, max, min."""

    def __init__(self, type) -> None:
        numpy_dtype = dtypes.to_numpy_dtype(type)
        if numpy_dtype.kind not in "iu":
            raise TypeError(f"torch.iinfo() requires an integer input type, got {type}")
        info = np.iinfo(numpy_dtype)
        self.bits, self.max, self.min = info.bits, int(info.max), int(info.min)
        self.dtype = str(dtypes.from_numpy_dtype(numpy_dtype)).rsplit(".", 1)[-1]

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:.6g}, max={self.max:.6g}, dtype={self.dtype})"


__all__ = [
    "angle",
    "bartlett_window",
    "blackman_window",
    "chain_matmul",
    "corrcoef",
    "cov",
    "cumulative_trapezoid",
    "e",
    "finfo",
    "frexp",
    "frobenius_norm",
    "gcd",
    "gradient",
    "hamming_window",
    "hann_window",
    "histogram",
    "histogramdd",
    "iinfo",
    "inf",
    "isin",
    "kaiser_window",
    "lcm",
    "ldexp",
    "matrix_exp",
    "nan",
    "newaxis",
    "nextafter",
    "nuclear_norm",
    "pi",
    "renorm",
    "scalar_tensor",
    "trapezoid",
    "trapz",
    "triangular_solve",
    "unravel_index",
    "vander",
]
