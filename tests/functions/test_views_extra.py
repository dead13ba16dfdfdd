"""In-place shape changes, the *_copy view functions, the *_scatter functions, index_reduce,
split_with_sizes, sum_to_size and the legacy constructors, against PyTorch."""

import numpy as np
import pytest

import wright
from opinfo import (
    HOST_ONLY,
    Const,
    OpInfo,
    Sample,
    cases,
    check_against_torch,
    check_gradcheck,
    check_same_error,
    floats,
)


def _with(shape, args_list):
    """Samples of one float tensor of `shape` followed by each of the extra argument tuples."""

    def samples(rng):
        for args in args_list:
            yield Sample((floats(rng, *shape), *args), label=repr(args))

    return samples


def _src(shape, src_shape, args_list):
    """Samples (input, src, *args) for the scatter functions."""

    def samples(rng):
        for args in args_list:
            yield Sample((floats(rng, *shape), floats(rng, *src_shape), *args), label=repr(args))

    return samples


def _index_reduce_samples(rng):
    index = Const(np.array([0, 2, 0, 3]))
    for reduce in ("prod", "mean", "amax", "amin"):
        for include_self in (True, False):
            yield Sample(
                (floats(rng, 4, 3, low=0.5, high=2), 0, index, floats(rng, 4, 3, low=0.5, high=2)),
                {"reduce": reduce, "include_self": include_self},
                label=f"{reduce}-{include_self}",
            )
    yield Sample(
        (floats(rng, 3, 5), -1, Const(np.array([4, 1])), floats(rng, 3, 2)),
        {"reduce": "amax"},
        label="last-dim",
    )


OPS = [
    OpInfo(
        "split_with_sizes",
        lambda lib, x, s, d: x.split_with_sizes(s, d),
        _with((5, 4), [([2, 3], 0), ([1, 0, 3], -1)]),
    ),
    OpInfo(
        "sum_to_size",
        lambda lib, x, *s: x.sum_to_size(*s),
        _with((2, 3, 4), [((3, 1),), (1, 4), ((2, 3, 4),), ((1, 1, 1),), ((),)]),
    ),
    OpInfo("view_copy", lambda lib, x, s: lib.view_copy(x, s), _with((3, 4), [((4, 3),)])),
    OpInfo(
        "permute_copy", lambda lib, x, d: lib.permute_copy(x, d), _with((2, 3, 4), [((2, 0, 1),)])
    ),
    OpInfo("t_copy", lambda lib, x: lib.t_copy(x), _with((3, 4), [()])),
    OpInfo("transpose_copy", lambda lib, x: lib.transpose_copy(x, 0, -1), _with((3, 4), [()])),
    OpInfo("unsqueeze_copy", lambda lib, x: lib.unsqueeze_copy(x, -1), _with((3, 4), [()])),
    OpInfo("squeeze_copy", lambda lib, x: lib.squeeze_copy(x, 1), _with((3, 1, 4), [()])),
    OpInfo("expand_copy", lambda lib, x: lib.expand_copy(x, (2, 3, 4)), _with((3, 1), [()])),
    OpInfo("diagonal_copy", lambda lib, x: lib.diagonal_copy(x, 1, 1, 0), _with((3, 4), [()])),
    OpInfo("unbind_copy", lambda lib, x: lib.unbind_copy(x, 1), _with((3, 4), [()])),
    OpInfo("split_copy", lambda lib, x: lib.split_copy(x, 2, 1), _with((3, 5), [()])),
    OpInfo(
        "split_with_sizes_copy",
        lambda lib, x: lib.split_with_sizes_copy(x, [1, 2], 0),
        _with((3, 5), [()]),
    ),
    OpInfo("narrow_copy", lambda lib, x: lib.narrow_copy(x, 1, 1, 2), _with((3, 5), [()])),
    OpInfo("select_copy", lambda lib, x: lib.select_copy(x, 0, -1), _with((3, 5), [()])),
    OpInfo(
        "slice_copy",
        lambda lib, x, *a: lib.slice_copy(x, *a),
        _with((4, 6), [(1, 1, 5, 2), (0, None, -1), (1, -3)]),
    ),
    OpInfo("alias_copy", lambda lib, x: lib.alias_copy(x), _with((3,), [()])),
    OpInfo(
        "detach_copy", lambda lib, x: lib.detach_copy(x), _with((3,), [()]), differentiable=False
    ),
    OpInfo(
        "select_scatter",
        lambda lib, x, s, d, i: lib.select_scatter(x, s, d, i),
        _src((3, 4), (3,), [(1, 2), (-1, -1)]),
    ),
    OpInfo(
        "slice_scatter",
        lambda lib, x, s, *a: lib.slice_scatter(x, s, *a),
        _src((4, 6), (4, 2), [(1, 1, 5, 2), (1, 4)]),
    ),
    OpInfo(
        "diagonal_scatter",
        lambda lib, x, s, *a: lib.diagonal_scatter(x, s, *a),
        _src((3, 4), (3,), [(), (-0,), (1,)]),
    ),
    OpInfo(
        "diagonal_scatter_batched",
        lambda lib, x, s: lib.diagonal_scatter(x, s, -1, 2, 0),
        _src((3, 2, 4), (2, 3), [()]),
    ),
    OpInfo(
        "index_reduce",
        lambda lib, x, d, i, s, **k: x.index_reduce(d, i, s, **k),
        _index_reduce_samples,
        # amax/amin ties and prod near zero make finite differences unreliable.
        gradcheck=False,
    ),
]


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_matches_torch(info, sample):
    check_against_torch(info, sample, devices=HOST_ONLY)  # host-only ops: docs/gpu.md


@pytest.mark.parametrize("info, sample", cases([o for o in OPS if o.gradcheck]))
def test_gradcheck(info, sample):
    check_gradcheck(info, sample)


def _x(lib):
    return lib.arange(12.0).reshape(3, 4)


ERRORS = {
    "sum_to_size-not-expandable": lambda lib: _x(lib).sum_to_size(2, 4),
    "split_with_sizes-bad-total": lambda lib: _x(lib).split_with_sizes([1, 1], 0),
    "select_scatter-bad-src": lambda lib: lib.select_scatter(_x(lib), lib.zeros(3), 0, 0),
    "select_scatter-bad-index": lambda lib: lib.select_scatter(_x(lib), lib.zeros(4), 0, 5),
    "slice_scatter-bad-src": lambda lib: lib.slice_scatter(_x(lib), lib.zeros(3, 3), 1, 0, 2),
    "diagonal_scatter-bad-src": lambda lib: lib.diagonal_scatter(_x(lib), lib.zeros(4)),
    "index_reduce-bad-reduce": lambda lib: _x(lib).index_reduce(
        0, lib.tensor([0]), lib.ones(1, 4), "sum"
    ),
    "index_reduce-out-of-range": lambda lib: _x(lib).index_reduce(
        0, lib.tensor([3]), lib.ones(1, 4), "prod"
    ),
    "squeeze_-leaf": lambda lib: lib.ones(3, 1, requires_grad=True).squeeze_(),
}


@pytest.mark.parametrize("call", ERRORS.values(), ids=ERRORS.keys())
def test_errors_match_torch(call):
    check_same_error(call)


SHAPE_CHANGES = {
    "squeeze_": ((2, 1, 3), lambda x: x.squeeze_()),
    "squeeze_-dim": ((2, 1, 3), lambda x: x.squeeze_(1)),
    "unsqueeze_": ((2, 3), lambda x: x.unsqueeze_(0)),
    "t_": ((2, 3), lambda x: x.t_()),
    "transpose_": ((2, 1, 3), lambda x: x.transpose_(0, 2)),
    "swapaxes_": ((2, 3), lambda x: x.swapaxes_(0, 1)),
    "swapdims_": ((2, 1, 3), lambda x: x.swapdims_(-1, 0)),
}


@pytest.mark.parametrize("shape, change", SHAPE_CHANGES.values(), ids=SHAPE_CHANGES.keys())
def test_in_place_shape_changes_match_torch(shape, change):
    torch = pytest.importorskip("torch")
    values = np.arange(6.0).reshape(shape)
    ours, theirs = wright.tensor(values), torch.tensor(values)
    assert change(ours) is ours
    change(theirs)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.stride() == theirs.stride()
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ours._version == theirs._version


def test_in_place_shape_change_keeps_the_graph():
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (wright, torch):
        a = lib.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
        y = a * 2
        y.squeeze_(0).unsqueeze_(1).t_()
        (y * lib.tensor([[1.0, 10.0, 100.0]])).sum().backward()
        grads.append(a.grad.numpy())
    np.testing.assert_array_equal(*grads)


def test_copies_do_not_share_memory():
    x = wright.arange(6.0).reshape(2, 3)
    for copy in (wright.t_copy(x), wright.view_copy(x, (3, 2)), wright.select_copy(x, 0, 0)):
        copy.fill_(-1)
    assert x.min().item() == 0


def test_new_and_new_empty_strided_match_torch():
    torch = pytest.importorskip("torch")
    for lib in (wright, torch):
        x = lib.tensor([1, 2], dtype=lib.int32)
        assert tuple(x.new(2, 3).shape) == (2, 3) and x.new(2, 3).dtype == lib.int32
        assert x.new([4, 5]).tolist() == [4, 5] and x.new([4, 5]).dtype == lib.int32
        assert tuple(x.new().shape) == (0,)
        made = x.new_empty_strided((2, 3), (1, 2))
        assert made.stride() == (1, 2) and made.dtype == lib.int32
        made = x.new_empty_strided((2, 3), (3, 1), dtype=lib.float64)
        assert made.dtype == lib.float64 and made.stride() == (3, 1)


def _strided_samples(rng):
    yield Sample((floats(rng, 10),), {"size": (3, 3), "stride": (2, 1), "storage_offset": 1})
    yield Sample((floats(rng, 3, 4),), {"size": (4, 3), "stride": (1, 4)}, label="transpose")
    yield Sample((floats(rng, 6),), {"size": (2, 2), "stride": (0, 1)}, label="zero-stride")


STRIDED = [
    OpInfo("as_strided", lambda lib, x, **k: lib.as_strided(x, **k), _strided_samples),
    OpInfo("as_strided-method", lambda lib, x, **k: (x * 1).as_strided(**k), _strided_samples),
    OpInfo("as_strided_copy", lambda lib, x, **k: lib.as_strided_copy(x, **k), _strided_samples),
]


@pytest.mark.parametrize("info, sample", cases(STRIDED))
def test_as_strided_matches_torch(info, sample):
    check_against_torch(info, sample, devices=HOST_ONLY)  # host-only ops: docs/gpu.md


@pytest.mark.parametrize("info, sample", cases(STRIDED[:1]))
def test_as_strided_gradcheck(info, sample):
    check_gradcheck(info, sample)


def test_as_strided_views_memory_like_torch():
    torch = pytest.importorskip("torch")
    for lib in (wright, torch):
        x = lib.arange(12.0).reshape(3, 4)[:, 1:]
        view = x.as_strided((2, 2), (1, 4))
        assert view.tolist() == [[1.0, 5.0], [2.0, 6.0]]
        view[0, 0] = -1.0
        assert x[0, 0].item() == -1.0
        y = lib.arange(6.0)
        y.as_strided_((2, 2), (2, 1), 1)
        assert y.tolist() == [[1.0, 2.0], [3.0, 4.0]] and y.stride() == (2, 1)
    check_same_error(lambda lib: lib.as_strided(lib.ones(4), (3, 3), (1, 1)))
    check_same_error(lambda lib: lib.as_strided(lib.ones(4), (2,), (1, 1)))


def test_unsafe_forms_nonzero_static_and_is_set_to_match_torch():
    torch = pytest.importorskip("torch")
    for lib in (wright, torch):
        x = lib.tensor([[0, 1], [2, 0]])
        assert lib.nonzero_static(x, size=4).tolist() == [[0, 1], [1, 0], [-1, -1], [-1, -1]]
        assert x.nonzero_static(size=1, fill_value=7).tolist() == [[0, 1]]
        assert [t.tolist() for t in lib.unsafe_chunk(lib.arange(5), 2)] == [[0, 1, 2], [3, 4]]
        assert [t.tolist() for t in x.unsafe_split(1, 1)] == [[[0], [2]], [[1], [0]]]
        assert len(lib.unsafe_split_with_sizes(lib.arange(5), [2, 3])) == 2
        assert x.is_set_to(x) and x.is_set_to(x[:]) and not x.is_set_to(x.view(4))
        assert lib.get_device(x) == -1 and lib.set_flush_denormal(False)
