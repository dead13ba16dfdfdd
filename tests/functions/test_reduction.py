"""Reductions, norms and scans against PyTorch (values, dtypes, gradients), finite differences,
hypothesis over shapes and dims, and the errors PyTorch raises."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import wright
from opinfo import OpInfo, Sample, assert_same, cases, check_against_torch, check_gradcheck, floats

INF = math.inf


def _ints(rng, *shape, low=-3, high=4, dtype=np.int64):
    return rng.integers(low, high, size=shape).astype(dtype)


def _with_nan(rng, *shape, dtype=np.float32):
    x = floats(rng, *shape, dtype=dtype)
    x.reshape(-1)[:: max(x.size // 3, 1)] = np.nan
    return x


def _reduce_samples(*, tuple_dims=False, empty=True, ints=True, keepdim=True):
    """Inputs for a reduction over `dim` (when given): 0-d, vector, matrix, 3-D float64,
    transposed, empty, int and bool."""

    def samples(rng):
        yield Sample((floats(rng),), label="0d")
        yield Sample((floats(rng),), {"dim": 0}, label="0d_dim")
        yield Sample((floats(rng, 5),), label="1d")
        yield Sample((floats(rng, 3, 4),), label="2d_all")
        yield Sample((floats(rng, 3, 4),), {"dim": 1}, label="dim1")
        if keepdim:
            yield Sample((floats(rng, 3, 4),), {"dim": -1, "keepdim": True}, label="neg_keepdim")
        yield Sample((floats(rng, 2, 3, 4, dtype=np.float64),), {"dim": 0}, label="3d64")
        yield Sample((floats(rng, 4, 3).T,), {"dim": 0}, label="transposed")
        if empty:
            yield Sample((floats(rng, 0, 3),), {"dim": 0}, label="empty")
        if tuple_dims:
            yield Sample((floats(rng, 2, 3, 4),), {"dim": (0, 2)}, label="tuple")
        if tuple_dims and keepdim:
            yield Sample(
                (floats(rng, 2, 3, 4),), {"dim": (-1, 1), "keepdim": True}, label="tuple_k"
            )
        if ints:
            yield Sample((_ints(rng, 3, 4),), {"dim": 1}, label="int")
            yield Sample((_ints(rng, 3, 4, dtype=np.int32),), label="int32_all")
            yield Sample((_ints(rng, 3, 4, low=0, high=2).astype(bool),), {"dim": 0}, label="bool")

    return samples


def _prod_zeros(rng):
    yield Sample((np.array([2.0, 0.0, 3.0, -1.5], dtype=np.float32),), label="one_zero")
    yield Sample((np.array([2.0, 0.0, 3.0, 0.0]),), label="two_zeros")
    rows = np.array([[1.5, 0.0, -2.0], [0.0, 0.0, 3.0], [1.0, 2.0, 0.5]], dtype=np.float32)
    yield Sample((rows,), {"dim": 1}, label="rows")
    yield Sample((rows,), {"dim": 0, "keepdim": True}, label="columns")


def _nan_samples(rng):
    yield Sample((_with_nan(rng, 7),), label="1d")
    yield Sample((_with_nan(rng, 3, 4),), {"dim": 1}, label="dim1")
    yield Sample((_with_nan(rng, 3, 4, dtype=np.float64),), {"dim": (0, 1), "keepdim": True})
    yield Sample((floats(rng, 2, 3),), {"dim": 0}, label="no_nan")


def _scan_samples(*, ints=True, empty=True):
    def samples(rng):
        yield Sample((floats(rng), 0), label="0d")
        yield Sample((floats(rng), -1), label="0d_neg")
        yield Sample((floats(rng, 6), 0), label="1d")
        yield Sample((floats(rng, 3, 4), 1), label="dim1")
        yield Sample((floats(rng, 2, 3, 4, dtype=np.float64), -2), label="3d64")
        yield Sample((floats(rng, 4, 3).T, 0), label="transposed")
        if empty:
            yield Sample((floats(rng, 0, 3), 0), label="empty")
        if ints:
            yield Sample((_ints(rng, 3, 4), 1), label="int")
            yield Sample((_ints(rng, 5, dtype=np.int32), 0), label="int32")
            yield Sample((_ints(rng, 5, low=0, high=2).astype(bool), 0), label="bool")

    return samples


def _cumprod_zeros(rng):
    yield Sample((np.array([2.0, 0.0, 6.0, 0.0, 3.0], dtype=np.float32), 0), label="two_zeros")
    yield Sample((np.array([[0.0, 1.5, 2.0], [1.0, -2.0, 0.0], [1.0, 0.5, 3.0]]), 1), label="rows")
    yield Sample((np.array([[0.0, 1.5], [2.0, 0.0]], dtype=np.float32), 0), label="columns")


def _tie_samples(rng):
    """Rows with repeated values, to check which element wins (and gets the gradient)."""
    yield Sample((np.array([1.0, 3.0, 3.0, 2.0, 5.0, 5.0], dtype=np.float32), 0), label="1d")
    yield Sample((rng.integers(0, 3, size=(4, 6)).astype(np.float32), 1), label="rows")
    yield Sample((rng.integers(0, 3, size=(4, 6)).astype(np.float64), 0), label="columns")
    yield Sample((np.array([1.0, np.nan, 3.0, np.nan, 0.0], dtype=np.float32), 0), label="nan")
    yield Sample((_ints(rng, 3, 5), 1), label="int")
    yield Sample((np.array([False, True, False, True]), 0), label="bool")


def _extreme_ties(rng):
    values = rng.integers(0, 3, size=(4, 5)).astype(np.float32)
    yield Sample((np.array(2.0, dtype=np.float32),), {"dim": 0}, label="0d_dim")
    yield Sample((values,), label="all")
    yield Sample((values,), {"dim": 1}, label="dim1")
    yield Sample((values,), {"dim": 0, "keepdim": True}, label="dim0_keep")


def _logical_samples(rng):
    yield Sample((floats(rng, 3, 4).round(),), label="float")
    yield Sample((_ints(rng, 3, 4, low=0, high=3),), {"dim": 1}, label="int")
    yield Sample((_ints(rng, 3, 4, low=0, high=2, dtype=np.uint8),), label="uint8")
    yield Sample((_ints(rng, 3, 4, low=0, high=2, dtype=np.uint8),), {"dim": 0}, label="uint8_dim")
    yield Sample((_ints(rng, 2, 3, 4, low=0, high=2).astype(bool),), {"dim": (0, 2)}, label="tuple")
    yield Sample((_ints(rng, 2, 3, low=0, high=2).astype(bool),), {"dim": -1, "keepdim": True})
    yield Sample((np.array(0.0),), label="0d")
    yield Sample((floats(rng, 0, 3),), {"dim": 0}, label="empty")
    yield Sample((np.array([np.nan, 1.0]),), label="nan")


def _norm_samples(rng):
    yield Sample((floats(rng, 5),), label="1d")
    yield Sample((floats(rng, 3, 4),), {"dim": 1}, label="dim1")
    yield Sample((floats(rng, 3, 4),), {"dim": -1, "keepdim": True}, label="keepdim")
    yield Sample((floats(rng, 2, 3, 4, dtype=np.float64),), {"dim": (0, 2)}, label="tuple64")
    yield Sample((floats(rng),), label="0d")
    yield Sample((floats(rng, 4, 3).T,), {"dim": 0}, label="transposed")


def _norm_zero_samples(rng):
    yield Sample((np.zeros(4, dtype=np.float32),), label="zero")
    rows = floats(rng, 3, 4)
    rows[1] = 0
    rows[2, 1] = 0
    yield Sample((rows,), {"dim": 1}, label="zero_row")


def _norm_zero_and_empty(rng):
    yield from _norm_zero_samples(rng)
    yield Sample((floats(rng, 0, 3),), {"dim": 0}, label="empty")


def _norm_tie_samples(rng):
    yield Sample((np.array([3.0, -3.0, 1.0], dtype=np.float32),), label="ties")
    yield Sample((np.array([[1.0, -2.0], [-1.0, 2.0], [2.0, 0.0]]),), {"dim": 1}, label="rows")


NORM_ORDERS = [2, 1, 3, 0.5, -1, INF, -INF, 0, "fro"]


def _norm_infos():
    infos = []
    for p in NORM_ORDERS:
        infos.append(
            OpInfo(
                f"norm_p{p}",
                lambda lib, x, p=p, **kw: lib.norm(x, p, **kw),
                _norm_samples,
                # The 0-"norm" counts non-zeros: PyTorch gives no gradient at all.
                gradcheck=p != 0,
            )
        )
        if p != "fro":
            # PyTorch has no empty norm for p < 0 or p = inf (no identity).
            samples = _norm_zero_samples if p in (-1, INF, -INF) else _norm_zero_and_empty
            infos.append(
                OpInfo(
                    f"norm_zero_p{p}",
                    lambda lib, x, p=p, **kw: x.norm(p, **kw),
                    samples,
                    gradcheck=False,
                )
            )
    for p in (INF, -INF):
        infos.append(
            OpInfo(
                f"norm_ties_p{p}",
                lambda lib, x, p=p, **kw: lib.linalg.vector_norm(x, p, **kw),
                _norm_tie_samples,
                gradcheck=False,
            )
        )
    return infos


def _matrix_samples(rng):
    yield Sample((floats(rng, 3, 4),), label="2d")
    yield Sample((floats(rng, 2, 3, 4, dtype=np.float64),), label="batch64")
    yield Sample((floats(rng, 3, 2, 4),), {"dim": (0, 2)}, label="dims")
    yield Sample((floats(rng, 3, 2, 4),), {"dim": (2, 0), "keepdim": True}, label="dims_keep")


def _matrix_norm_infos():
    return [
        OpInfo(
            f"matrix_norm_{ord}",
            lambda lib, x, ord=ord, **kw: lib.linalg.matrix_norm(x, ord, **kw),
            _matrix_samples,
        )
        for ord in ("fro", INF, -INF, 1, -1)
    ]


def _linalg_norm_samples(rng):
    yield Sample((floats(rng, 3, 4),), label="2d_default")
    yield Sample((floats(rng, 2, 3, 4),), label="3d_default")
    yield Sample((floats(rng, 5),), {"ord": 3}, label="1d_ord3")
    yield Sample((floats(rng, 3, 4),), {"ord": INF}, label="2d_ord_inf")
    yield Sample((floats(rng, 3, 4),), {"ord": 1}, label="2d_ord1")
    yield Sample((floats(rng, 3, 4),), {"ord": "fro"}, label="2d_fro")
    yield Sample((floats(rng, 2, 3, 4),), {"dim": 1}, label="dim_int")
    yield Sample((floats(rng, 2, 3, 4),), {"dim": (0, 2), "keepdim": True}, label="dim_pair")
    yield Sample((floats(rng, 2, 3, 4),), {"ord": 0.5, "dim": (-1,)}, label="dim_1tuple")


def _dist_samples(rng):
    yield Sample((floats(rng, 4), floats(rng, 4)), label="1d")
    yield Sample((floats(rng, 3, 1), floats(rng, 4)), label="broadcast")
    yield Sample((floats(rng, 2, 3), floats(rng, 2, 3)), {"p": 3}, label="p3")
    yield Sample((floats(rng, 2, 3), floats(rng, 2, 3)), {"p": INF}, label="pinf")
    yield Sample((floats(rng, 2, 3, dtype=np.float64), floats(rng, 3)), {"p": 1}, label="p1_64")


def _cdist_samples(rng):
    yield Sample((floats(rng, 3, 2), floats(rng, 4, 2)), label="2d")
    batch = (floats(rng, 2, 3, 4, dtype=np.float64), floats(rng, 1, 5, 4, dtype=np.float64))
    yield Sample(batch, label="batch")
    yield Sample((floats(rng, 3, 2), floats(rng, 4, 2)), {"p": 1.0}, label="p1")
    yield Sample((floats(rng, 3, 2), floats(rng, 4, 2)), {"p": 3.0}, label="p3")
    yield Sample((floats(rng, 3, 2), floats(rng, 4, 2)), {"p": INF}, label="pinf")


def _cdist_matmul_samples(rng):
    yield Sample((floats(rng, 30, 3), floats(rng, 4, 3)), label="many_rows")
    yield Sample((floats(rng, 2, 3, 5), floats(rng, 27, 5)), label="batch")
    yield Sample((floats(rng, 3, 2), floats(rng, 4, 2)), {"compute_mode": "use_mm_for_euclid_dist"})
    yield Sample(
        (floats(rng, 30, 2), floats(rng, 4, 2)), {"compute_mode": "donot_use_mm_for_euclid_dist"}
    )


def _cdist_zero(rng):
    x = floats(rng, 3, 2)
    yield Sample((x, x[:2].copy()), label="same_rows")


def _diff_samples(rng):
    yield Sample((floats(rng, 6),), label="1d")
    yield Sample((floats(rng, 6),), {"n": 2}, label="n2")
    yield Sample((floats(rng, 3, 4),), {"dim": 0}, label="dim0")
    yield Sample((floats(rng, 3, 4, dtype=np.float64),), {"n": 3, "dim": -1}, label="n3")
    yield Sample((floats(rng, 3),), {"n": 5}, label="n_past_end")
    yield Sample((floats(rng, 3),), {"n": 0}, label="n0")
    yield Sample(
        (floats(rng, 2, 3),),
        {"dim": 0, "prepend": floats(rng, 1, 3), "append": floats(rng, 2, 3)},
        label="prepend_append",
    )
    yield Sample((_ints(rng, 5),), {"prepend": floats(rng, 2)}, label="int_prepend_float")
    yield Sample((_ints(rng, 4, 3),), {"dim": 1}, label="int")
    yield Sample((np.array([True, False, False, True]),), label="bool")
    yield Sample((np.array([1, 0, 3], dtype=np.uint8),), label="uint8")
    yield Sample((floats(rng, 0),), label="empty")


def _logcumsumexp_extremes(rng):
    yield Sample((np.array([0.0, -1000.0, 5.0, 3.0], dtype=np.float32), 0), label="spread")
    yield Sample((np.array([[-30.0, 40.0, 0.5], [100.0, 90.0, -100.0]]), 1), label="large")


def _dtype_samples(rng):
    yield Sample((_ints(rng, 3, 4),), label="int")
    yield Sample((floats(rng, 3, 4),), label="float")


OPS = [
    OpInfo("sum", lambda lib, x, **kw: lib.sum(x, **kw), _reduce_samples(tuple_dims=True)),
    OpInfo("prod", lambda lib, x, **kw: lib.prod(x, **kw), _reduce_samples()),
    OpInfo("prod_method", lambda lib, x, **kw: x.prod(**kw), _prod_zeros),
    OpInfo(
        "prod_dtype", lambda lib, x: lib.prod(x, 1, dtype=lib.float64), _dtype_samples, rtol=1e-6
    ),
    OpInfo("nansum", lambda lib, x, **kw: lib.nansum(x, **kw), _nan_samples),
    OpInfo("nansum_plain", lambda lib, x, **kw: x.nansum(**kw), _reduce_samples(tuple_dims=True)),
    OpInfo("nansum_dtype", lambda lib, x: lib.nansum(x, dtype=lib.float64), _dtype_samples),
    OpInfo("nanmean", lambda lib, x, **kw: lib.nanmean(x, **kw), _nan_samples),
    OpInfo(
        "count_nonzero",
        lambda lib, x, **kw: lib.count_nonzero(x, **kw),
        _reduce_samples(tuple_dims=True, keepdim=False),
        differentiable=False,
    ),
    OpInfo("all", lambda lib, x, **kw: lib.all(x, **kw), _logical_samples, differentiable=False),
    OpInfo("any", lambda lib, x, **kw: x.any(**kw), _logical_samples, differentiable=False),
    OpInfo("amax_ties", lambda lib, x, **kw: lib.amax(x, **kw), _extreme_ties, gradcheck=False),
    OpInfo("amin_ties", lambda lib, x, **kw: x.amin(**kw), _extreme_ties, gradcheck=False),
    OpInfo("max_ties", lambda lib, x, **kw: lib.max(x, **kw), _extreme_ties, gradcheck=False),
    OpInfo("min_ties", lambda lib, x, **kw: x.min(**kw), _extreme_ties, gradcheck=False),
    OpInfo(
        "aminmax",
        lambda lib, x, **kw: lib.aminmax(x, **kw),
        _reduce_samples(empty=False),
    ),
    OpInfo("aminmax_ties", lambda lib, x, **kw: x.aminmax(**kw), _extreme_ties, gradcheck=False),
    *_norm_infos(),
    *_matrix_norm_infos(),
    OpInfo(
        "vector_norm_dtype",
        lambda lib, x, **kw: lib.linalg.vector_norm(x, 3, dtype=lib.float64, **kw),
        _norm_samples,
    ),
    OpInfo("linalg_norm", lambda lib, x, **kw: lib.linalg.norm(x, **kw), _linalg_norm_samples),
    OpInfo("dist", lambda lib, a, b, **kw: lib.dist(a, b, **kw), _dist_samples),
    OpInfo("cdist", lambda lib, a, b, **kw: lib.cdist(a, b, **kw), _cdist_samples),
    OpInfo(
        "cdist_matmul",
        lambda lib, a, b, **kw: lib.cdist(a, b, **kw),
        _cdist_matmul_samples,
        atol=1e-5,
    ),
    OpInfo(
        "cdist_zero", lambda lib, a, b: lib.cdist(a, b), _cdist_zero, gradcheck=False, atol=1e-5
    ),
    OpInfo("cumsum", lambda lib, x, d: lib.cumsum(x, d), _scan_samples()),
    OpInfo("cumsum_dtype", lambda lib, x: x.cumsum(0, dtype=lib.float64), _dtype_samples),
    OpInfo("cumprod", lambda lib, x, d: x.cumprod(dim=d), _scan_samples()),
    OpInfo("cumprod_zeros", lambda lib, x, d: lib.cumprod(x, d), _cumprod_zeros),
    OpInfo("logcumsumexp", lambda lib, x, d: lib.logcumsumexp(x, d), _scan_samples(ints=False)),
    OpInfo(
        "logcumsumexp_extremes",
        lambda lib, x, d: x.logcumsumexp(d),
        _logcumsumexp_extremes,
        gradcheck=False,
    ),
    OpInfo("cummax", lambda lib, x, d: lib.cummax(x, d), _scan_samples()),
    OpInfo("cummin", lambda lib, x, d: x.cummin(dim=d), _scan_samples()),
    OpInfo("cummax_ties", lambda lib, x, d: x.cummax(d), _tie_samples, gradcheck=False),
    OpInfo("cummin_ties", lambda lib, x, d: lib.cummin(x, d), _tie_samples, gradcheck=False),
    OpInfo("diff", lambda lib, x, **kw: lib.diff(x, **kw), _diff_samples),
    OpInfo("logsumexp", lambda lib, x, d: lib.logsumexp(x, d), _scan_samples(ints=False)),
]


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_matches_torch(info, sample):
    check_against_torch(info, sample)


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_gradcheck(info, sample):
    check_gradcheck(info, sample)


# ----- hypothesis: random shapes, dims and keepdim -----

REDUCTIONS = {
    "sum": lambda lib, x, d, k: lib.sum(x, d, keepdim=k),
    "mean": lambda lib, x, d, k: x.mean(d, keepdim=k),
    "prod": lambda lib, x, d, k: lib.prod(x, d[0], keepdim=k),
    "amax": lambda lib, x, d, k: lib.amax(x, d, keepdim=k),
    "amin": lambda lib, x, d, k: x.amin(d, keepdim=k),
    "max": lambda lib, x, d, k: lib.max(x, d[0], keepdim=k),
    "var": lambda lib, x, d, k: lib.var(x, d, keepdim=k, correction=0),
    "logsumexp": lambda lib, x, d, k: lib.logsumexp(x, d, keepdim=k),
    "norm": lambda lib, x, d, k: lib.norm(x, 3, d, keepdim=k),
    "nansum": lambda lib, x, d, k: lib.nansum(x, d, keepdim=k),
    "all": lambda lib, x, d, k: lib.all(x > 0, d, keepdim=k),
    "count_nonzero": lambda lib, x, d, k: lib.count_nonzero(x > 0, d),
    "cumsum": lambda lib, x, d, k: lib.cumsum(x, d[0]),
    "cumprod": lambda lib, x, d, k: lib.cumprod(x, d[0]),
    "logcumsumexp": lambda lib, x, d, k: lib.logcumsumexp(x, d[0]),
    "cummax": lambda lib, x, d, k: lib.cummax(x, d[0]),
}


@st.composite
def _shape_and_dims(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    ndim = len(shape)
    dims = draw(
        st.lists(
            st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim, unique_by=lambda d: d % ndim
        )
    )
    return shape, tuple(dims), draw(st.booleans())


@settings(max_examples=25, deadline=None)
@given(case=_shape_and_dims(), name=st.sampled_from(sorted(REDUCTIONS)), seed=st.integers(0, 99))
def test_reductions_over_random_dims(case, name, seed):
    shape, dims, keepdim = case
    values = floats(np.random.default_rng(seed), *shape)
    info = OpInfo(name, lambda lib, x: REDUCTIONS[name](lib, x, dims, keepdim), None, rtol=1e-4)
    check_against_torch(info, Sample((values,)))


# ----- errors -----


def _error_type(call):
    try:
        call()
    except Exception as error:  # noqa: BLE001 - the type is what is compared
        return type(error)
    return None


ERRORS = {
    "sum_dim": lambda lib, x: lib.sum(x, 2),
    "sum_repeated_dims": lambda lib, x: lib.sum(x, (0, -2)),
    "prod_dim": lambda lib, x: lib.prod(x, -3),
    "prod_tuple": lambda lib, x: lib.prod(x, (0, 1)),
    "cumsum_dim": lambda lib, x: lib.cumsum(x, 2),
    "cumsum_no_dim": lambda lib, x: lib.cumsum(x),
    "cummax_dim": lambda lib, x: lib.cummax(x, -3),
    "logcumsumexp_int": lambda lib, x: lib.logcumsumexp(x.long(), 0),
    "amax_dim": lambda lib, x: lib.amax(x, 5),
    "amax_empty": lambda lib, x: lib.amax(x[:0]),
    "amax_empty_dim": lambda lib, x: lib.amax(x[:0], 0),
    "max_empty_dim": lambda lib, x: lib.max(x[:0], 0),
    "aminmax_empty": lambda lib, x: lib.aminmax(x[:0]),
    "aminmax_positional_dim": lambda lib, x: lib.aminmax(x, 0),
    "nanmean_int": lambda lib, x: lib.nanmean(x.long()),
    "all_dim": lambda lib, x: lib.all(x, 3),
    "count_nonzero_dim": lambda lib, x: lib.count_nonzero(x, 2),
    "norm_int": lambda lib, x: lib.norm(x.long()),
    "norm_dim": lambda lib, x: lib.norm(x, dim=-3),
    "norm_order": lambda lib, x: lib.norm(x, "abc"),
    "vector_norm_int_dtype": lambda lib, x: lib.linalg.vector_norm(x, dtype=lib.int64),
    "vector_norm_empty_inf": lambda lib, x: lib.linalg.vector_norm(x[:0], INF),
    "vector_norm_empty_negative": lambda lib, x: lib.linalg.vector_norm(x[:0], -1, 0),
    "cdist_dtypes": lambda lib, x: lib.cdist(x, x.double()),
    "matrix_norm_1d": lambda lib, x: lib.linalg.matrix_norm(x[0]),
    "matrix_norm_dim": lambda lib, x: lib.linalg.matrix_norm(x, dim=(1,)),
    "matrix_norm_order": lambda lib, x: lib.linalg.matrix_norm(x, 3),
    "linalg_norm_3d_ord": lambda lib, x: lib.linalg.norm(x.reshape(1, 2, 3), 2),
    "linalg_norm_3dims": lambda lib, x: lib.linalg.norm(x.reshape(1, 2, 3), None, (0, 1, 2)),
    "dist_int": lambda lib, x: lib.dist(x.long(), x.long()),
    "cdist_1d": lambda lib, x: lib.cdist(x[0], x),
    "cdist_columns": lambda lib, x: lib.cdist(x, x.t()),
    "cdist_negative_p": lambda lib, x: lib.cdist(x, x, p=-1),
    "diff_0d": lambda lib, x: lib.diff(x[0, 0]),
    "diff_order": lambda lib, x: lib.diff(x, n=-1),
    "diff_prepend_ndim": lambda lib, x: lib.diff(x, prepend=x[0]),
    "diff_dim": lambda lib, x: lib.diff(x, dim=2),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name):
    values = np.arange(6, dtype=np.float32).reshape(2, 3)
    expected = _error_type(lambda: ERRORS[name](torch, torch.tensor(values)))
    assert expected is not None, f"{name}: torch raised nothing"
    found = _error_type(lambda: ERRORS[name](wright, wright.tensor(values)))
    assert found is not None and issubclass(found, expected), f"{name}: {found} vs {expected}"


# ----- details -----


def test_return_types_have_torch_fields():
    x = wright.tensor([[3.0, 1.0], [2.0, 5.0]])
    found = wright.cummax(x, 1)
    assert isinstance(found, wright.return_types.cummax) and isinstance(found, tuple)
    assert type(wright.max(x, 0)) is wright.return_types.max
    for name in wright.return_types.__all__:
        ours, theirs = getattr(wright.return_types, name), getattr(torch.return_types, name)
        assert theirs.n_fields == len(ours._fields)
        assert all(hasattr(theirs, field) for field in ours._fields), name


def test_inplace_cumsum_keeps_dtype_and_counts_a_version():
    x = wright.tensor([1, 2, 3], dtype=wright.int32)
    version = x._version
    assert x.cumsum_(0) is x
    assert x.tolist() == [1, 3, 6] and x.dtype == wright.int32 and x._version == version + 1
    y = wright.tensor([1.0, 2.0, 3.0], requires_grad=True)
    z = y * 1
    z.cumprod_(0)
    z.sum().backward()
    t = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (t * 1).cumprod_(0).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), t.grad.numpy())


def test_prod_gradient_with_zero_in_float64_gradcheck():
    x = wright.tensor([[2.0, 0.0, 3.0], [0.0, 0.0, 1.0]], dtype=wright.float64, requires_grad=True)
    assert wright.autograd.gradcheck(lambda t: t.prod(1), [x])
    assert wright.autograd.gradcheck(lambda t: t.cumprod(1), [x])


def test_norm_subgradient_at_zero_is_zero():
    x = wright.zeros(3, requires_grad=True)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_nanmean_of_all_nan_is_nan():
    x = wright.tensor([[np.nan, np.nan], [1.0, np.nan]])
    assert_same(
        wright.nanmean(x, 1),
        torch.nanmean(torch.tensor(x.numpy()), 1),
        OpInfo("nanmean", None, None),
    )


def test_numpy_aliases():
    x = wright.tensor(np.arange(12.0).reshape(3, 4))
    assert x.prod(axis=1, keepdims=True).shape == (3, 1)
    assert x.cumsum(axis=0).tolist() == np.cumsum(x.numpy(), axis=0).tolist()
    assert x.amax(axis=0).tolist() == [8.0, 9.0, 10.0, 11.0]
    assert x.all(axis=1).tolist() == [False, True, True]
    assert wright.count_nonzero(x, axis=0).tolist() == [2, 3, 3, 3]


def test_cdist_matrix_product_path_has_zero_gradient_at_zero_distance():
    x = wright.tensor(np.random.default_rng(0).standard_normal((30, 3)), requires_grad=True)
    distances = wright.cdist(x, x)
    np.testing.assert_allclose(np.diag(distances.numpy()), 0, atol=1e-6)
    distances.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


def test_scans_accumulate_in_float64_as_torch():
    x = np.random.default_rng(0).random(100_000).astype(np.float32)
    for name in ("cumsum", "logcumsumexp"):
        ours = getattr(wright, name)(wright.tensor(x), 0)[-1].item()
        theirs = getattr(torch, name)(torch.tensor(x), 0)[-1].item()
        assert ours == theirs, name
