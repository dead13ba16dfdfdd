"""Indexing functions (gather/scatter, index_*, masked ops, take, nonzero) against PyTorch: values,
dtypes, gradients (repeated positions included), finite differences and error types."""

import dataclasses

import numpy as np
import pytest

import wright
from opinfo import (
    Const,
    OpInfo,
    Sample,
    cases,
    check_against_torch,
    check_gradcheck,
    check_same_error,
    floats,
)


def _idx(*values, dtype=np.int64):
    return Const(np.array(values, dtype=dtype))


def _scalar(value):
    return Const(np.array(value, dtype=np.int64))


def _gather_samples(rng):
    yield Sample((floats(rng, 3, 4), 0, _idx([0, 1, 2, 0], [2, 2, 0, 1])), label="repeats")
    yield Sample((floats(rng, 3, 4), -1, _idx([3, 0, 3], [1, 1, 2])), label="smaller_negdim")
    yield Sample((floats(rng, 2, 3, 4), 1, _idx([[0], [2]], [[1], [1]])), label="3d")
    yield Sample((floats(rng, 2, 3), 0, Const(np.zeros((4, 2), np.int64))), label="longer")
    yield Sample((floats(rng), 0, _scalar(0)), label="0d")
    yield Sample((floats(rng), 0, _idx(0, 0)), label="0d_input")
    yield Sample((floats(rng, 4), 0, _scalar(2)), label="0d_index")
    yield Sample((floats(rng, 3, 4), 1, Const(np.zeros((0, 2), np.int64))), label="empty")
    yield Sample((floats(rng, 3, 4), 1, _idx([0, 3], [1, 1], dtype=np.int32)), label="int32")
    yield Sample((np.arange(12).reshape(3, 4), 1, _idx([0, 3], [1, 1])), label="int")
    yield Sample((floats(rng, 4, 3).T, 0, _idx([0, 2], [1, 0])), label="transposed")


# Positions along dim 0 are unique per column, so the written values do not depend on order.
_UNIQUE = _idx([0, 1, 2, 0], [1, 2, 0, 2])
_REPEATED = _idx([0, 1, 1, 0], [0, 1, 0, 1], [2, 1, 0, 0])


def _scatter_samples(rng):
    yield Sample((floats(rng, 3, 4), 0, _UNIQUE, floats(rng, 2, 4)), label="src")
    yield Sample((floats(rng, 3, 4), -1, _idx([3, 0], [1, 2]), floats(rng, 2, 2)), label="negdim")
    yield Sample((floats(rng), 0, _scalar(0), floats(rng)), label="0d")
    yield Sample((floats(rng), 0, _idx(0), floats(rng)), label="0d_input")
    yield Sample((floats(rng, 3, 4), 1, Const(np.zeros((0, 4), np.int64)), floats(rng, 0, 4)))
    yield Sample((np.arange(12).reshape(3, 4), 0, _UNIQUE, np.ones((2, 4), np.int64)), label="int")


def _scatter_value_samples(rng):
    yield Sample((floats(rng, 3, 4), 0, _REPEATED, 2.5), label="float")
    yield Sample((np.arange(4), 0, _idx(1, 3), 7.5), label="float_into_int")


def _scatter_add_samples(rng):
    yield Sample((floats(rng, 3, 4), 0, _REPEATED, floats(rng, 3, 4)), label="repeats")
    yield Sample((floats(rng, 2, 3, 2), -2, _idx([[2, 2]], [[0, 2]]), floats(rng, 2, 1, 2)))
    yield Sample((np.arange(5), 0, _idx(0, 0, 4), np.array([1, 2, 3])), label="int")


def _scatter_reduce_samples(reduce, include_self):
    def samples(rng):
        kwargs = {"include_self": include_self}
        yield Sample((floats(rng, 3, 4), 0, _REPEATED, floats(rng, 3, 4), reduce), kwargs)
        yield Sample(
            (floats(rng, 5), 0, _idx(4, 0, 4, 4, 1), floats(rng, 5), reduce), kwargs, label="1d"
        )
        yield Sample(
            (np.array([-5, 0, 7]), 0, _idx(0, 0, 2), np.array([0, 2, 4]), reduce),
            kwargs,
            label="int",
        )

    return samples


def _scatter_reduce_tie_samples(rng):
    # Ties between input and src values (and among src) share the gradient.
    x = np.array([5.0, 1.0, 2.0], np.float32)
    src = np.array([5.0, 3.0, 5.0, 0.0], np.float32)
    for reduce in ("amax", "amin"):
        for include_self in (True, False):
            yield Sample(
                (x, 0, _idx(0, 1, 0, 2), src, reduce),
                {"include_self": include_self},
                label=f"{reduce}_{include_self}",
            )
    zeros = np.array([0.0, 3.0, 0.0, 2.0], np.float32)
    for include_self in (True, False):
        yield Sample(
            (np.array([0.0, 1.0, 2.0], np.float32), 0, _idx(0, 1, 0, 1), zeros, "prod"),
            {"include_self": include_self},
            label=f"prod_zeros_{include_self}",
        )


def _index_select_samples(rng):
    yield Sample((floats(rng, 3, 4), 0, _idx(2, 0, 2, 2)), label="repeats")
    yield Sample((floats(rng, 3, 4), -1, _idx(3, 1)), label="negdim")
    yield Sample((floats(rng, 3, 4), 1, _scalar(2)), label="0d_index")
    yield Sample((floats(rng), 0, _scalar(0)), label="0d")
    yield Sample((floats(rng, 3, 4), 0, Const(np.zeros(0, np.int64))), label="empty")
    yield Sample((floats(rng, 2, 3, 4), 1, _idx(1, 0, dtype=np.int32)), label="int32")
    yield Sample((np.arange(6).reshape(2, 3), 1, _idx(0, 0)), label="int")


def _index_add_samples(rng):
    yield Sample((floats(rng, 3, 4), 0, _idx(0, 2, 0), floats(rng, 3, 4)), label="repeats")
    yield Sample((floats(rng, 3, 4), 1, _idx(3, 3), floats(rng, 3, 2)), {"alpha": 2.5})
    yield Sample((floats(rng, 2, 3, 2), -2, _idx(1, dtype=np.int32), floats(rng, 2, 1, 2)))
    yield Sample((floats(rng), 0, _scalar(0), floats(rng)), label="0d")
    yield Sample((floats(rng, 3, 4), 0, _scalar(1), floats(rng, 1, 4)), label="0d_index")
    yield Sample((np.arange(3), 0, _idx(0), np.array([5])), {"alpha": 2}, label="int")


def _index_copy_samples(rng):
    yield Sample((floats(rng, 3, 4), 0, _idx(2, 0), floats(rng, 2, 4)))
    yield Sample((floats(rng, 3, 4), -1, _idx(1, 3, 0), floats(rng, 3, 3)), label="negdim")
    yield Sample((floats(rng), 0, _scalar(0), floats(rng)), label="0d")


def _index_fill_samples(rng):
    yield Sample((floats(rng, 3, 4), 1, _idx(0, -1, 0), -1.5), label="number_repeats")
    yield Sample((floats(rng, 3, 4), 0, _idx(2, 2, 0), floats(rng)), label="tensor_value")
    yield Sample((np.arange(3), 0, _idx(0), 2.5), label="int")
    yield Sample((floats(rng), 0, _scalar(0), 2.0), label="0d")


def _index_put_samples(rng):
    rows, cols = _idx(0, 2, 1), _idx(3, 0, 0)
    yield Sample((floats(rng, 3, 4), (rows, cols), floats(rng, 3)), label="pairs")
    yield Sample((floats(rng, 3, 4), (rows,), floats(rng, 4)), label="rows_broadcast")
    mask = Const(np.array([True, False, True]))
    yield Sample((floats(rng, 3, 4), (mask,), floats(rng)), label="mask")
    yield Sample((floats(rng, 3, 4), [_idx(-1)], floats(rng, 1, 4)), label="negative")


def _index_put_acc_samples(rng):
    rows, cols = _idx(0, 2, 0, 0), _idx(3, 0, 3, 3)
    yield Sample((floats(rng, 3, 4), (rows, cols), floats(rng, 4), True), label="pairs")
    yield Sample((floats(rng, 3, 4), (_idx(1, 1),), floats(rng, 4), True), label="rows")
    yield Sample((floats(rng, 3, 4), (_idx(-1, 2),), floats(rng), True), label="negative")


def _masked_fill_samples(rng):
    mask = Const(rng.random((3, 4)) > 0.5)
    yield Sample((floats(rng, 3, 4), mask, -1.5), label="number")
    yield Sample((floats(rng, 3, 4), mask, floats(rng)), label="tensor_value")
    yield Sample((floats(rng, 4), mask, -3.0), label="broadcast_input")
    yield Sample((floats(rng, 3, 4), Const(np.array([True, False, True, True])), 2.0))
    yield Sample((np.arange(4), Const(np.array([True, False, True, True])), 2.7), label="int")
    yield Sample((floats(rng, 4), Const(np.array([True] * 4)), np.array(2.7)), label="f64_value")


def _masked_select_samples(rng):
    yield Sample((floats(rng, 3, 4), Const(rng.random((3, 4)) > 0.5)))
    yield Sample((floats(rng, 4), Const(rng.random((3, 4)) > 0.5)), label="broadcast")
    yield Sample((floats(rng), Const(np.array(True))), label="0d")


def _masked_scatter_samples(rng):
    mask = Const(np.array([[True, False, True], [False, True, True]]))
    yield Sample((floats(rng, 2, 3), mask, floats(rng, 2, 4)), label="larger_source")
    yield Sample((floats(rng, 3), mask, floats(rng, 4)), label="broadcast_input")


def _nonzero_samples(rng):
    yield Sample((np.array([[0.0, 1.5], [2.0, 0.0]]),))
    yield Sample((np.array([[True, False], [True, True]]),), label="bool")
    yield Sample((np.array(3.0),), label="0d")
    yield Sample((np.array(0),), label="0d_zero")
    yield Sample((np.zeros((0, 3)),), label="empty")


def _take_samples(rng):
    yield Sample((floats(rng, 3, 4), _idx([-1, 0], [5, 5])), label="repeats_negative")
    yield Sample((floats(rng, 3, 4), _scalar(7)), label="0d_index")
    yield Sample((floats(rng), _scalar(0)), label="0d")


def _take_along_dim_samples(rng):
    yield Sample((floats(rng, 3, 4), _idx(11, 0, 0)), label="flat")
    yield Sample((floats(rng, 3, 4), _idx([0, 2], [1, 1], [3, 3]), 1), label="dim1")
    yield Sample((floats(rng, 3, 1), _idx([0, 0, 0]), 0), label="broadcast_input")
    yield Sample((floats(rng, 3, 4), _idx([2], [-1]), -2), label="broadcast_index_negative")
    x = floats(rng, 3, 4)
    order = Const(np.argsort(x, axis=1))
    yield Sample((x, order, 1), label="argsort")


def _put_samples(rng):
    yield Sample((floats(rng, 3, 4), _idx(0, -1, 5), floats(rng, 3)), label="negative")
    yield Sample((floats(rng, 3, 4), _idx([0, 0]), floats(rng, 2), True), label="accumulate")


OPS = [
    OpInfo("gather", lambda lib, x, d, i: lib.gather(x, d, i), _gather_samples),
    OpInfo("scatter", lambda lib, x, d, i, s: lib.scatter(x, d, i, s), _scatter_samples),
    OpInfo(
        "scatter_value",
        lambda lib, x, d, i, v: x.scatter(d, i, value=v),
        _scatter_value_samples,
    ),
    # PyTorch computes no gradient when src is larger than index; wright's is checked below.
    OpInfo(
        "scatter_larger_src",
        lambda lib, x, d, i, s: lib.scatter(x, d, i, s),
        lambda rng: [Sample((floats(rng, 3, 4), 0, _UNIQUE, floats(rng, 3, 5)))],
        differentiable=False,
    ),
    OpInfo(
        "scatter_repeated",
        lambda lib, x, d, i, s: lib.scatter(x, d, i, s),
        lambda rng: [Sample((floats(rng, 3, 4), 0, _REPEATED, floats(rng, 3, 4)))],
        # The last write wins in the values; the gradient still reaches every src element.
        gradcheck=False,
    ),
    OpInfo(
        "scatter_reduce_legacy",
        lambda lib, x, d, i, s, r: lib.scatter(x, d, i, s, reduce=r),
        lambda rng: [
            Sample((floats(rng, 3, 4), 0, _REPEATED, floats(rng, 3, 4), r), label=r)
            for r in ("add", "multiply")
        ],
        differentiable=False,
    ),
    OpInfo("scatter_add", lambda lib, x, d, i, s: x.scatter_add(d, i, s), _scatter_add_samples),
    *(
        OpInfo(
            f"scatter_reduce_{reduce}_{include_self}",
            lambda lib, x, d, i, s, r, **kw: lib.scatter_reduce(x, d, i, s, r, **kw),
            _scatter_reduce_samples(reduce, include_self),
        )
        for reduce in ("sum", "prod", "mean", "amax", "amin")
        for include_self in (True, False)
    ),
    OpInfo(
        "scatter_reduce_ties",
        lambda lib, x, d, i, s, r, **kw: x.scatter_reduce(d, i, s, r, **kw),
        _scatter_reduce_tie_samples,
        gradcheck=False,
    ),
    OpInfo("index_select", lambda lib, x, d, i: lib.index_select(x, d, i), _index_select_samples),
    OpInfo(
        "index_add", lambda lib, x, d, i, s, **kw: x.index_add(d, i, s, **kw), _index_add_samples
    ),
    OpInfo("index_copy", lambda lib, x, d, i, s: lib.index_copy(x, d, i, s), _index_copy_samples),
    OpInfo("index_fill", lambda lib, x, d, i, v: x.index_fill(d, i, v), _index_fill_samples),
    OpInfo("index_put", lambda lib, x, i, v: lib.index_put(x, i, v), _index_put_samples),
    OpInfo(
        "index_put_accumulate",
        lambda lib, x, i, v, acc: x.index_put(i, v, accumulate=acc),
        _index_put_acc_samples,
    ),
    OpInfo("masked_fill", lambda lib, x, m, v: lib.masked_fill(x, m, v), _masked_fill_samples),
    OpInfo(
        "masked_fill_inf",
        lambda lib, x, m, v: x.masked_fill(m, v),
        lambda rng: [Sample((floats(rng, 2, 3), Const(np.tri(2, 3, dtype=bool)), float("-inf")))],
        gradcheck=False,
    ),
    OpInfo("masked_select", lambda lib, x, m: x.masked_select(m), _masked_select_samples),
    OpInfo(
        "masked_scatter", lambda lib, x, m, s: lib.masked_scatter(x, m, s), _masked_scatter_samples
    ),
    OpInfo("nonzero", lambda lib, x: lib.nonzero(x), _nonzero_samples, differentiable=False),
    OpInfo(
        "nonzero_tuple",
        lambda lib, x: x.nonzero(as_tuple=True),
        _nonzero_samples,
        differentiable=False,
    ),
    OpInfo("argwhere", lambda lib, x: lib.argwhere(x), _nonzero_samples, differentiable=False),
    OpInfo("take", lambda lib, x, i: lib.take(x, i), _take_samples),
    OpInfo("take_along_dim", lambda lib, x, *a: lib.take_along_dim(x, *a), _take_along_dim_samples),
    OpInfo("put", lambda lib, x, i, s, *a: lib.put(x, i, s, *a), _put_samples),
]

# In-place forms change a clone, so the original input still gets a gradient through it.
INPLACE = [
    OpInfo(
        "scatter_",
        lambda lib, x, d, i, s: x.clone().scatter_(d, i, s),
        _scatter_samples,
    ),
    OpInfo(
        "scatter_add_",
        lambda lib, x, d, i, s: x.clone().scatter_add_(d, i, s),
        _scatter_add_samples,
    ),
    OpInfo(
        "scatter_reduce_",
        lambda lib, x, d, i, s, r, **kw: x.clone().scatter_reduce_(d, i, s, r, **kw),
        _scatter_reduce_samples("amax", False),
    ),
    OpInfo(
        "index_add_",
        lambda lib, x, d, i, s, **kw: x.clone().index_add_(d, i, s, **kw),
        _index_add_samples,
    ),
    OpInfo(
        "index_copy_", lambda lib, x, d, i, s: x.clone().index_copy_(d, i, s), _index_copy_samples
    ),
    OpInfo(
        "index_fill_", lambda lib, x, d, i, v: x.clone().index_fill_(d, i, v), _index_fill_samples
    ),
    OpInfo(
        "index_put_",
        lambda lib, x, i, v, acc: x.clone().index_put_(i, v, accumulate=acc),
        _index_put_acc_samples,
    ),
    OpInfo(
        "masked_fill_",
        lambda lib, x, m, v: x.clone().masked_fill_(m, v),
        lambda rng: [Sample((floats(rng, 3, 4), Const(rng.random((3, 4)) > 0.5), floats(rng)))],
    ),
    OpInfo(
        "masked_scatter_",
        lambda lib, x, m, s: x.clone().masked_scatter_(m, s),
        lambda rng: [Sample((floats(rng, 2, 3), Const(rng.random((2, 3)) > 0.5), floats(rng, 6)))],
    ),
    OpInfo("put_", lambda lib, x, i, s, *a: x.clone().put_(i, s, *a), _put_samples),
]


@pytest.mark.parametrize("info, sample", cases(OPS + INPLACE))
def test_matches_torch(info, sample):
    check_against_torch(info, sample)


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_gradcheck(info, sample):
    check_gradcheck(info, sample)


def test_scatter_larger_src_gradcheck():
    larger = next(info for info in OPS if info.name == "scatter_larger_src")
    (param,) = cases([dataclasses.replace(larger, differentiable=True)])
    check_gradcheck(*param.values)


def _x(lib):
    return lib.arange(12.0).reshape(3, 4)


def _long(lib, *values):
    return lib.tensor(values, dtype=lib.int64)


ERRORS = {
    "gather_negative": lambda lib: lib.gather(_x(lib), 0, _long(lib, [-1, 0, 0, 0])),
    "gather_out_of_range": lambda lib: lib.gather(_x(lib), 0, _long(lib, [3, 0, 0, 0])),
    "gather_rank": lambda lib: lib.gather(_x(lib), 0, _long(lib, 0, 1)),
    "gather_too_wide": lambda lib: lib.gather(_x(lib), 0, lib.zeros(3, 5, dtype=lib.int64)),
    "gather_float_index": lambda lib: lib.gather(_x(lib), 0, lib.zeros(1, 4)),
    "gather_int16_index": lambda lib: lib.gather(_x(lib), 0, lib.zeros(1, 4, dtype=lib.int16)),
    "gather_bad_dim": lambda lib: lib.gather(_x(lib), 2, _long(lib, [0])),
    "scatter_dtype": lambda lib: lib.scatter(_x(lib), 0, _long(lib, [0]), lib.ones(1, 1).double()),
    "scatter_small_src": lambda lib: lib.scatter(
        _x(lib), 0, _long(lib, [1, 0, 2, 0]), lib.ones(1, 2)
    ),
    "scatter_bad_reduce": lambda lib: lib.scatter(_x(lib), 0, _long(lib, [0]), 2.0, reduce="sum"),
    "scatter_add_dtype": lambda lib: lib.scatter_add(
        _x(lib), 0, _long(lib, [0]), lib.ones(1, 1).double()
    ),
    "index_select_vector": lambda lib: lib.index_select(_x(lib), 1, _long(lib, [3, 1])),
    "index_select_negative": lambda lib: lib.index_select(_x(lib), 1, _long(lib, -1)),
    "index_select_out_of_range": lambda lib: lib.index_select(_x(lib), 0, _long(lib, 3)),
    "index_select_float": lambda lib: lib.index_select(_x(lib), 1, lib.zeros(1)),
    "index_add_negative": lambda lib: lib.index_add(_x(lib), 0, _long(lib, -1), lib.ones(1, 4)),
    "index_add_dtype": lambda lib: lib.index_add(
        _x(lib), 0, _long(lib, 0), lib.ones(1, 4).double()
    ),
    "index_add_shape": lambda lib: lib.index_add(_x(lib), 0, _long(lib, 0), lib.ones(1, 3)),
    "index_add_count": lambda lib: lib.index_add(_x(lib), 0, _long(lib, 1, 2), lib.ones(1, 4)),
    "index_add_matrix": lambda lib: lib.index_add(_x(lib), 0, _long(lib, [0]), lib.ones(1, 4)),
    "index_copy_int32": lambda lib: lib.index_copy(
        _x(lib), 0, lib.zeros(1, dtype=lib.int32), lib.ones(1, 4)
    ),
    "index_copy_negative": lambda lib: lib.index_copy(_x(lib), 0, _long(lib, -1), lib.ones(1, 4)),
    "index_fill_int32": lambda lib: lib.index_fill(_x(lib), 0, lib.zeros(1, dtype=lib.int32), 1.0),
    "index_fill_vector_value": lambda lib: lib.index_fill(_x(lib), 1, _long(lib, 0), lib.ones(1)),
    "index_fill_out_of_range": lambda lib: lib.index_fill(_x(lib), 0, _long(lib, 3), 1.0),
    "index_put_dtype": lambda lib: lib.index_put(_x(lib), (_long(lib, 0),), lib.ones(1).double()),
    "index_put_too_many": lambda lib: lib.index_put(_x(lib), (_long(lib, 0),) * 3, lib.tensor(1.0)),
    "index_put_shape": lambda lib: lib.index_put(_x(lib), (_long(lib, 0),), lib.ones(3)),
    "index_put_out_of_range": lambda lib: lib.index_put(_x(lib), (_long(lib, 3),), lib.tensor(1.0)),
    "masked_fill_uint8": lambda lib: lib.masked_fill(_x(lib), lib.ones(4, dtype=lib.uint8), 1.0),
    "masked_fill_vector_value": lambda lib: lib.masked_fill(_x(lib), _x(lib) > 2, lib.ones(1)),
    "masked_fill_inplace_broadcast": lambda lib: lib.zeros(3).masked_fill_(
        lib.ones(2, 3).bool(), 2
    ),
    "masked_select_float": lambda lib: lib.masked_select(_x(lib), _x(lib)),
    "masked_scatter_few": lambda lib: lib.masked_scatter(_x(lib), _x(lib) > 2, lib.ones(3)),
    "masked_scatter_dtype": lambda lib: lib.masked_scatter(
        _x(lib), _x(lib) > 2, lib.ones(12).long()
    ),
    "take_int32": lambda lib: lib.take(_x(lib), lib.zeros(1, dtype=lib.int32)),
    "take_out_of_range": lambda lib: lib.take(_x(lib), _long(lib, 12)),
    "take_empty": lambda lib: lib.take(lib.zeros(0), _long(lib, 0)),
    "take_along_dim_rank": lambda lib: lib.take_along_dim(_x(lib), _long(lib, 0), dim=0),
    "take_along_dim_int32": lambda lib: lib.take_along_dim(
        _x(lib), lib.zeros(1, 1, dtype=lib.int32), 0
    ),
    "put_count": lambda lib: lib.put(_x(lib), _long(lib, 0, 1), lib.ones(3)),
    "put_dtype": lambda lib: lib.put(_x(lib), _long(lib, 0), lib.ones(1).double()),
}


@pytest.mark.parametrize("call", ERRORS.values(), ids=ERRORS.keys())
def test_errors_match_torch(call):
    check_same_error(call)


def test_scatter_gradient_rules():
    # src gets the output gradient gathered at its positions (repeats included); input gets none
    # where it was overwritten.
    x = wright.zeros(3, requires_grad=True)
    src = wright.tensor([1.0, 2.0, 3.0], requires_grad=True)
    wright.scatter(x, 0, wright.tensor([2, 2, 0]), src).backward(wright.tensor([10.0, 20.0, 30.0]))
    assert x.grad.tolist() == [0.0, 20.0, 0.0]
    assert src.grad.tolist() == [30.0, 30.0, 10.0]


def test_legacy_reduce_has_no_gradient_in_torch_but_values_match():
    x = wright.arange(4.0)
    out = wright.scatter(x, 0, wright.tensor([1, 1]), wright.tensor([2.0, 3.0]), reduce="multiply")
    assert out.tolist() == [0.0, 6.0, 2.0, 3.0]


def test_inplace_forms_change_the_tensor_and_return_it():
    x = wright.zeros(2, 3)
    assert x.index_fill_(1, wright.tensor([0]), 1.0) is x
    assert x.masked_fill_(x == 0, 2.0) is x
    assert x.tolist() == [[1.0, 2.0, 2.0], [1.0, 2.0, 2.0]]
    assert wright.index_put_(x, (wright.tensor([1]),), wright.tensor(5.0)) is x
    assert x.tolist()[1] == [5.0, 5.0, 5.0]


def test_inplace_on_leaf_that_requires_grad_raises():
    x = wright.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        x.scatter_(0, wright.tensor([0]), 1.0)
