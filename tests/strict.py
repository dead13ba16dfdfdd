"""A strict stand-in for a GPU array library, registered as the test-only device 'strict'.

Its arrays wrap NumPy arrays but refuse to become NumPy arrays implicitly: no `__array__`, no
NumPy function or ufunc accepts them, operators refuse NumPy arrays (NumPy scalars and Python
numbers are fine), and its module offers only names CuPy has, with CuPy's limits where wright
could trip on them (ufunc methods, the random generator's methods, no `flags.writeable`). An op
that reaches for NumPy instead of `wright.backend.array_module` fails on this device exactly
where it would fail on a GPU with CuPy.
"""

from __future__ import annotations

import types

import numpy as np

from wright import backend

# CuPy's public top-level names (cupy/__init__.py): only these exist on the strict module.
_CUPY_NAMES = frozenset(
    """abs absolute acos acosh add all allclose amax amin angle any append apply_along_axis
    apply_over_axes arange arccos arccosh arcsin arcsinh arctan arctan2 arctanh argmax argmin
    argpartition argsort argwhere around array array2string array_equal array_equiv array_repr
    array_split array_str asanyarray asarray asarray_chkfinite ascontiguousarray asfortranarray
    asin asinh astype atan atan2 atanh atleast_1d atleast_2d atleast_3d average bartlett
    base_repr binary_repr bincount bitwise_and bitwise_count bitwise_invert bitwise_left_shift
    bitwise_not bitwise_or bitwise_right_shift bitwise_xor blackman bool bool_ broadcast
    broadcast_arrays broadcast_shapes broadcast_to byte can_cast cbrt cdouble ceil choose clip
    column_stack common_type complex128 complex64 complexfloating compress concat concatenate
    conj conjugate convolve copy copysign copyto corrcoef correlate cos cosh count_nonzero cov
    cross csingle cumprod cumsum cumulative_prod cumulative_sum deg2rad degrees delete diag
    diag_indices diag_indices_from diagflat diagonal diff digitize divide divmod dot double
    dsplit dstack dtype e ediff1d einsum empty empty_like equal euler_gamma exp exp2
    expand_dims expm1 extract eye fabs fill_diagonal finfo fix flatiter flatnonzero flip fliplr
    flipud float16 float32 float64 float_power floating floor floor_divide fmax fmin fmod
    format_float_positional format_float_scientific frexp from_dlpack frombuffer fromfunction
    fromiter fromstring full full_like gcd generic gradient greater greater_equal half hamming
    hanning heaviside histogram histogram2d histogramdd hsplit hstack hypot i0 identity iinfo
    imag index_exp indices inexact inf inner int16 int32 int64 int8 int_ intc integer interp
    intersect1d intp invert isclose iscomplex iscomplexobj isdtype isfinite isfortran isin
    isinf isnan isneginf isposinf isreal isrealobj isscalar issubdtype iterable ix_ kaiser kron
    lcm ldexp left_shift less less_equal lexsort linspace log log10 log1p log2 logaddexp
    logaddexp2 logical_and logical_not logical_or logical_xor logspace long longlong
    mask_indices matmul matrix_transpose max maximum may_share_memory mean median meshgrid min
    min_scalar_type minimum mintypecode mod modf moveaxis multiply nan nan_to_num nanargmax
    nanargmin nancumprod nancumsum nanmax nanmean nanmedian nanmin nanprod nanstd nansum nanvar
    ndim ndindex negative newaxis nextafter nonzero not_equal number ones ones_like outer
    packbits pad partition percentile permute_dims pi piecewise place poly poly1d polyadd
    polyfit polymul polysub polyval positive pow power prod promote_types ptp put
    put_along_axis putmask quantile rad2deg radians ravel ravel_multi_index real real_if_close
    reciprocal remainder repeat require reshape resize result_type right_shift rint roll
    rollaxis roots rot90 round row_stack s_ searchsorted select setdiff1d setxor1d shape
    shares_memory short sign signbit signedinteger sin sinc single sinh size sort sort_complex
    split sqrt square squeeze stack std subtract sum swapaxes take take_along_axis tan tanh
    tensordot tile trace transpose trapezoid tri tril tril_indices tril_indices_from trim_zeros
    triu triu_indices triu_indices_from true_divide trunc typename ubyte uint uint16 uint32
    uint64 uint8 uintc uintp ulong ulonglong union1d unique unique_all unique_counts
    unique_inverse unique_values unpackbits unravel_index unsignedinteger unwrap ushort vander
    var vdot vectorize vsplit vstack where zeros zeros_like""".split()  # noqa: SIM905 (a list of names to read, not code)
)
_LINALG_NAMES = frozenset(
    """matrix_power cross matmul matrix_transpose cholesky qr svd eigh eig eigvalsh eigvals norm
    cond det matrix_rank slogdet solve tensorsolve lstsq inv pinv tensorinv LinAlgError""".split()  # noqa: SIM905
)
# Functions that copy host data to the device (as cupy.asarray does); every other function
# refuses NumPy arrays.
_TRANSFERS = frozenset({"asarray", "array"})
# CuPy's ufunc methods: `at` scatters for these ufuncs and dtypes only; reduce and accumulate
# only for add and multiply; reduceat only for add.
_AT = backend._AT_DTYPES
_REDUCES = frozenset({"add", "multiply"})
# The methods of CuPy's random Generator (cupy/random/_generator_api.pyx).
_RANDOM_METHODS = frozenset(
    """random uniform integers beta chisquare dirichlet exponential f geometric hypergeometric
    logseries standard_exponential poisson power standard_normal gamma standard_gamma
    binomial""".split()  # noqa: SIM905
)
# The ndarray methods and attributes CuPy has (cupy/_core/core.pyx).
_ARRAY_METHODS = frozenset(
    """astype copy view fill reshape transpose swapaxes flatten ravel squeeze take put repeat
    choose sort argsort partition argpartition compress diagonal max argmax min argmin ptp clip
    round trace sum cumsum mean var std prod cumprod all any nonzero dot conj conjugate""".split()  # noqa: SIM905
)


# CuPy's reductions take no `initial=` or `where=`.
_REDUCTIONS = frozenset({"sum", "prod", "max", "min", "amax", "amin", "mean", "any", "all"})


class StrictError(TypeError):
    """An implicit conversion between the strict device and NumPy."""


def _refuse(what: str):
    raise StrictError(
        f"strict device: {what}; reach arrays through wright.backend.array_module (a GPU array "
        "does not turn into a NumPy array implicitly either)"
    )


def _owner(array: np.ndarray) -> np.ndarray:
    return array if array.base is None else array.base


def _unwrap(value, transfer: bool = False):
    if type(value) is StrictArray:
        return value._a
    if isinstance(value, np.ndarray):
        if transfer:
            return value
        _refuse(f"a NumPy array of shape {value.shape} was passed to a device function")
    if isinstance(value, list | tuple):
        return type(value)(_unwrap(v, transfer) for v in value)
    if isinstance(value, dict):
        return {k: _unwrap(v, transfer) for k, v in value.items()}
    return value


def _inputs(values, found: list) -> list:
    for value in values:
        if type(value) is StrictArray:
            found.append(value)
        elif isinstance(value, list | tuple):
            _inputs(value, found)
        elif isinstance(value, dict):
            _inputs(value.values(), found)
    return found


def _wrap(result, inputs=()):
    if isinstance(result, np.ndarray):
        wrapped = StrictArray(result)
        base = result.base
        if base is not None:
            for source in inputs:
                if base is source._a or base is _owner(source._a):
                    wrapped._base = source if source._base is None else source._base
                    break
        return wrapped
    if isinstance(result, np.generic):
        # CuPy returns 0-d arrays where NumPy returns scalars.
        return StrictArray(np.asarray(result))
    if isinstance(result, tuple) and hasattr(result, "_fields"):
        return type(result)(*(_wrap(r, inputs) for r in result))
    if isinstance(result, list | tuple):
        return type(result)(_wrap(r, inputs) for r in result)
    return result


def _call(function, args, kwargs, transfer: bool = False):
    if function.__name__ in _REDUCTIONS and {"initial", "where"} & set(kwargs):
        raise TypeError(f"strict device: {function.__name__} takes no initial= or where= on a GPU")
    inputs = _inputs(list(args) + list(kwargs.values()), [])
    result = function(*_unwrap(args, transfer), **_unwrap(kwargs, transfer))
    if function.__name__ == "diagonal" and result.base.flags.writeable:
        result.flags.writeable = True  # CuPy's diagonal views are writable; NumPy's are not
    return _wrap(result, inputs)


class _Flags:
    __slots__ = ("c_contiguous", "f_contiguous", "owndata")

    def __init__(self, array: StrictArray) -> None:
        self.c_contiguous = array._a.flags.c_contiguous
        self.f_contiguous = array._a.flags.f_contiguous
        self.owndata = array._base is None


def _operand(value):
    if type(value) is StrictArray:
        return value._a
    if isinstance(value, np.ndarray):
        _refuse("an operator mixed a device array with a NumPy array")
    if isinstance(value, bool | int | float | complex | np.generic):
        return value
    return NotImplemented


def _binary(name: str):
    def method(self, other):
        operand = _operand(other)
        if operand is NotImplemented:
            return NotImplemented
        return _wrap(getattr(self._a, name)(operand), (self,))

    method.__name__ = name
    return method


def _inplace(name: str):
    def method(self, other):
        operand = _operand(other)
        if operand is NotImplemented:
            return NotImplemented
        getattr(self._a, name)(operand)
        return self

    method.__name__ = name
    return method


def _unary(name: str):
    def method(self):
        return _wrap(getattr(self._a, name)(), (self,))

    method.__name__ = name
    return method


class StrictArray:
    """A device array of the strict device: a NumPy array that never converts implicitly."""

    __slots__ = ("__weakref__", "_a", "_base")
    __array_ufunc__ = None
    __array_priority__ = 1000
    __hash__ = None

    def __init__(self, array: np.ndarray) -> None:
        self._a = array
        self._base = None

    def __array__(self, *args, **kwargs):
        _refuse("np.asarray (or another implicit conversion) was called on a device array")

    def __array_function__(self, func, types, args, kwargs):
        _refuse(f"NumPy's {func.__name__} was called on a device array")

    # ----- attributes -----
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)
    base = property(lambda self: self._base)
    flags = property(_Flags)
    T = property(lambda self: _wrap(self._a.T, (self,)))
    device = property(lambda self: STRICT.device_of(self))

    def __getattr__(self, name: str):
        if name not in _ARRAY_METHODS:
            raise AttributeError(f"strict array has no attribute {name!r} (CuPy's have none)")

        def call(*args, **kwargs):
            return _call(method, (self, *args), kwargs)

        method = getattr(np.ndarray, name)
        return call

    # ----- conversions that CuPy allows (explicit, or to Python scalars) -----
    def get(self) -> np.ndarray:
        """A host copy (CuPy's ndarray.get)."""
        return self._a.copy()

    def item(self):
        return self._a.item()

    def tolist(self):
        return self._a.tolist()

    def __bool__(self) -> bool:
        return bool(self._a)

    def __int__(self) -> int:
        return int(self._a)

    def __float__(self) -> float:
        return float(self._a)

    def __complex__(self) -> complex:
        return complex(self._a)

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self):
        if self._a.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(len(self._a)))

    def __repr__(self) -> str:
        return f"strict_array({np.array2string(self._a, separator=', ')}, dtype={self._a.dtype})"

    def __copy__(self) -> StrictArray:
        return StrictArray(self._a.copy())

    def __deepcopy__(self, memo) -> StrictArray:
        return StrictArray(self._a.copy())

    def __reduce__(self):
        return (StrictArray, (self._a.copy(),))

    # ----- indexing -----
    def __getitem__(self, index):
        return _wrap(self._a[_unwrap(index, transfer=True)], (self,))

    def __setitem__(self, index, value) -> None:
        if isinstance(value, np.ndarray):
            _refuse("a NumPy array was assigned into a device array")
        self._a[_unwrap(index, transfer=True)] = _unwrap(value)

    # ----- operators -----
    for _name in (
        *("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul"),
        *("and", "or", "xor", "lshift", "rshift"),
    ):
        locals()[f"__{_name}__"] = _binary(f"__{_name}__")
        locals()[f"__r{_name}__"] = _binary(f"__r{_name}__")
        locals()[f"__i{_name}__"] = _inplace(f"__i{_name}__")
    for _name in ("lt", "le", "gt", "ge", "eq", "ne"):
        locals()[f"__{_name}__"] = _binary(f"__{_name}__")
    for _name in ("neg", "pos", "abs", "invert"):
        locals()[f"__{_name}__"] = _unary(f"__{_name}__")
    del _name


class _Ufunc:
    """A NumPy ufunc seen through CuPy's limits on its methods."""

    def __init__(self, ufunc: np.ufunc) -> None:
        self._ufunc = ufunc
        self.__name__ = ufunc.__name__
        self.nin, self.nout = ufunc.nin, ufunc.nout

    def __call__(self, *args, **kwargs):
        return _call(self._ufunc, args, kwargs)

    def at(self, target, index, values=None) -> None:
        allowed = _AT.get(self.__name__)
        if allowed is None or str(target.dtype) not in allowed:
            raise NotImplementedError(
                f"strict device: {self.__name__}.at on {target.dtype} is not supported on a GPU"
            )
        self._ufunc.at(_unwrap(target), _unwrap(index, transfer=True), _unwrap(values))

    def reduce(self, array, *args, **kwargs):
        self._check(_REDUCES, "reduce")
        return _call(self._ufunc.reduce, (array, *args), kwargs)

    def accumulate(self, array, *args, **kwargs):
        self._check(_REDUCES, "accumulate")
        return _call(self._ufunc.accumulate, (array, *args), kwargs)

    def reduceat(self, array, *args, **kwargs):
        self._check({"add"}, "reduceat")
        return _call(self._ufunc.reduceat, (array, *args), kwargs)

    def outer(self, a, b, **kwargs):
        return _call(self._ufunc.outer, (a, b), kwargs)

    def _check(self, allowed, method: str) -> None:
        if self.__name__ not in allowed:
            raise NotImplementedError(
                f"strict device: {self.__name__}.{method} is not supported on a GPU"
            )


def _function(name: str, function):
    if isinstance(function, np.ufunc):
        return _Ufunc(function)
    if not callable(function) or isinstance(function, type):
        return function  # constants, dtypes and scalar types

    def forward(*args, **kwargs):
        return _call(function, args, kwargs, transfer=name in _TRANSFERS)

    forward.__name__ = name
    return forward


def _namespace(name: str, source, names) -> types.SimpleNamespace:
    return types.SimpleNamespace(
        __name__=name, **{n: _function(n, getattr(source, n)) for n in names if hasattr(source, n)}
    )


module = _namespace("strict", np, _CUPY_NAMES)
module.ndarray = StrictArray
module.linalg = _namespace("strict.linalg", np.linalg, _LINALG_NAMES)
module.lib = types.SimpleNamespace(
    stride_tricks=_namespace(
        "strict.lib.stride_tricks",
        np.lib.stride_tricks,
        ("as_strided", "sliding_window_view"),
    )
)


class StrictGenerator:
    """A NumPy generator behind the methods of CuPy's random Generator only, drawing the same
    numbers as NumPy's for the same seed."""

    def __init__(self, seed: int) -> None:
        self._rng = np.random.default_rng(seed)

    def __getattr__(self, name: str):
        if name not in _RANDOM_METHODS:
            raise AttributeError(f"strict device: a GPU generator has no method {name!r}")
        method = getattr(self._rng, name)
        return lambda *args, **kwargs: _call(method, args, kwargs)


class StrictDevice(backend.DeviceType):
    """The 'strict' device: computes with NumPy behind the strict wrapper."""

    name = "strict"

    def is_available(self) -> bool:
        return True

    @property
    def module(self):
        return module

    def device_of(self, array) -> backend.device:
        return backend.device("strict", 0)

    def from_numpy(self, array: np.ndarray, index: int) -> StrictArray:
        return StrictArray(np.array(array, copy=True))

    def to_numpy(self, array: StrictArray) -> np.ndarray:
        return array._a.copy()

    def new_rng(self, seed: int, index: int) -> StrictGenerator:
        return StrictGenerator(seed)


STRICT = StrictDevice()
backend.register_device_type(STRICT)
backend.register_array_type(StrictArray, STRICT)
