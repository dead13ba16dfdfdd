"""Shape functions (select, split, unfold, flip, roll, repeat, diagonals, movedim, stacking, ...)
against PyTorch: values, dtypes, gradients, finite differences, view semantics and error types."""

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


def _one(*shapes, low=-2.0, high=2.0):
    """Samples of one float tensor per shape (float32; a float64 and a transposed one too)."""

    def samples(rng):
        for shape in shapes:
            yield Sample((floats(rng, *shape, low=low, high=high),), label=str(shape))
        yield Sample((floats(rng, 3, 4, dtype=np.float64),), label="float64")
        yield Sample((floats(rng, 4, 3).T,), label="transposed")

    return samples


def _with(args_list):
    """Samples of a (3, 4) float tensor followed by each of the given extra arguments."""

    def samples(rng):
        for args in args_list:
            yield Sample((floats(rng, 3, 4), *args), label=repr(args))

    return samples


def _many(*shape_lists):
    """Samples of a list of float tensors, one list per entry."""

    def samples(rng):
        for shapes in shape_lists:
            yield Sample(([floats(rng, *s) for s in shapes],), label=repr(shapes))

    return samples


OPS = [
    OpInfo("select", lambda lib, x, d, i: lib.select(x, d, i), _with([(0, 2), (-1, -4), (1, 0)])),
    OpInfo("unbind", lambda lib, x, d: lib.unbind(x, d), _with([(0,), (-1,)])),
    OpInfo("narrow", lambda lib, x, d, s, n: x.narrow(d, s, n), _with([(1, -2, 2), (0, 0, 0)])),
    OpInfo(
        "tensor_split",
        lambda lib, x, s, d: lib.tensor_split(x, s, d),
        _with([(3, 1), (5, 0), ([1, 3, 10, 2], 1), ([-1], 0), (Const(np.array([1, 3])), 1)]),
    ),
    OpInfo("hsplit", lambda lib, x, s: lib.hsplit(x, s), _with([(2,), ([1, 3],)])),
    OpInfo("vsplit", lambda lib, x, s: x.vsplit(s), _with([(3,), ([2],)])),
    OpInfo(
        "dsplit",
        lambda lib, x, s: lib.dsplit(x, s),
        lambda rng: [Sample((floats(rng, 2, 2, 4), 2))],
    ),
    OpInfo(
        "unfold",
        lambda lib, x, d, n, s: x.unfold(d, n, s),
        _with([(1, 2, 1), (1, 3, 2), (0, 3, 3), (-1, 4, 1), (1, 0, 1), (0, 1, 5)]),
    ),
    OpInfo("unfold_0d", lambda lib, x: x.unfold(0, 1, 1), lambda rng: [Sample((floats(rng),))]),
    OpInfo("flip", lambda lib, x: lib.flip(x, (0, -1)), _one((3, 4), (2, 3, 2))),
    OpInfo("flip_one", lambda lib, x: x.flip(1), _one((3, 4))),
    OpInfo("flip_0d", lambda lib, x: lib.flip(x, (0,)), _one(())),
    OpInfo("fliplr", lambda lib, x: lib.fliplr(x), _one((3, 4))),
    OpInfo("flipud", lambda lib, x: x.flipud(), _one((3,), (3, 4))),
    OpInfo(
        "roll",
        lambda lib, x, *a: lib.roll(x, *a),
        _with([(1,), (-5,), ((1, -1), (0, 1)), (2, -1), ((1, 1), (1, 1))]),
    ),
    OpInfo("roll_0d", lambda lib, x: lib.roll(x, 3), _one(())),
    OpInfo(
        "rot90",
        lambda lib, x, *a: lib.rot90(x, *a),
        _with([(), (2,), (3,), (-1, [1, 0]), (0,), (5, (0, -1))]),
    ),
    OpInfo(
        "repeat", lambda lib, x, *r: x.repeat(*r), _with([(2, 1), (2, 1, 3), ((1, 1),), (0, 2)])
    ),
    OpInfo("repeat_0d", lambda lib, x: x.repeat(2, 3), _one(())),
    OpInfo("tile", lambda lib, x, r: lib.tile(x, r), _with([((2,),), ((2, 1, 2),), ((),)])),
    OpInfo(
        "repeat_interleave",
        lambda lib, x, *a, **kw: lib.repeat_interleave(x, *a, **kw),
        _with(
            [
                (2,),
                (2, 0),
                (Const(np.array([1, 0, 3])), 0),
                (Const(np.array([2])), 1),
                (Const(np.array(3)), -1),
            ]
        ),
    ),
    OpInfo(
        "repeat_interleave_output_size",
        lambda lib, x, r: x.repeat_interleave(r, dim=0, output_size=4),
        lambda rng: [Sample((floats(rng, 3, 2), Const(np.array([1, 0, 3]))))],
    ),
    OpInfo(
        "repeat_interleave_counts",
        lambda lib, r: lib.repeat_interleave(r),
        lambda rng: [Sample((np.array([1, 0, 2]),)), Sample((np.array([3]),))],
        differentiable=False,
    ),
    OpInfo("repeat_interleave_0d", lambda lib, x: x.repeat_interleave(2), _one(())),
    OpInfo("tril", lambda lib, x, *k: lib.tril(x, *k), _with([(), (-1,), (2,), (-5,)])),
    OpInfo("triu", lambda lib, x, *k: x.triu(*k), _with([(), (1,), (-1,), (9,)])),
    OpInfo("tril_batched", lambda lib, x: lib.tril(x), _one((2, 3, 3))),
    OpInfo("triu_", lambda lib, x: x.clone().triu_(1), _one((3, 4))),
    OpInfo("tril_", lambda lib, x: x.clone().tril_(), _one((3, 4))),
    OpInfo(
        "tril_int_bool",
        lambda lib, x: lib.tril(x),
        lambda rng: [Sample((np.arange(9).reshape(3, 3),)), Sample((np.ones((2, 2), bool),))],
    ),
    OpInfo("diag", lambda lib, x, *k: lib.diag(x, *k), _with([(), (1,), (-2,), (5,)])),
    OpInfo(
        "diag_vector",
        lambda lib, x, *k: x.diag(*k),
        lambda rng: [Sample((floats(rng, 3), k), label=str(k)) for k in (0, 2, -1)],
    ),
    OpInfo(
        "diag_embed",
        lambda lib, x, *a: lib.diag_embed(x, *a),
        lambda rng: [
            Sample((floats(rng, 2, 3),)),
            Sample((floats(rng, 2, 3), 1, 0, 2)),
            Sample((floats(rng, 3), -1, 1, 0)),
            Sample((floats(rng, 2, 2, 3), 0, -1, 1)),
        ],
    ),
    OpInfo(
        "diagonal",
        lambda lib, x, *a: lib.diagonal(x, *a),
        lambda rng: [
            Sample((floats(rng, 3, 4),)),
            Sample((floats(rng, 3, 4), 1)),
            Sample((floats(rng, 3, 4), -2, 1, 0)),
            Sample((floats(rng, 2, 3, 4), 1, 2, 0)),
            Sample((floats(rng, 2, 3, 4), 0, -1, -2)),
            Sample((floats(rng, 3, 4), 9)),
        ],
    ),
    OpInfo(
        "diagflat",
        lambda lib, x, *k: lib.diagflat(x, *k),
        lambda rng: [
            Sample((floats(rng, 2, 2), -1)),
            Sample((floats(rng, 3), 2)),
            Sample((floats(rng),), label="0d"),
        ],
    ),
    OpInfo(
        "tril_indices",
        lambda lib, *a, dtype=None: lib.tril_indices(
            *a, **({"dtype": getattr(lib, dtype)} if dtype else {})
        ),
        lambda rng: [
            Sample((3, 4, 1)),
            Sample((4, 3, -1)),
            Sample((0, 3)),
            Sample((3, 3), {"dtype": "int32"}),
        ],
        differentiable=False,
    ),
    OpInfo(
        "triu_indices",
        lambda lib, *a: lib.triu_indices(*a),
        lambda rng: [Sample((4, 3, -1)), Sample((3, 5, 2)), Sample((2, 2))],
        differentiable=False,
    ),
    OpInfo("trace", lambda lib, x: lib.trace(x), _one((3, 4), (4, 3))),
    OpInfo(
        "trace_int",
        lambda lib, x: x.trace(),
        lambda rng: [Sample((np.arange(9, dtype=np.int32).reshape(3, 3),))],
    ),
    OpInfo(
        "movedim",
        lambda lib, x, s, d: lib.movedim(x, s, d),
        lambda rng: [
            Sample((floats(rng, 2, 3, 4), 0, -1)),
            Sample((floats(rng, 2, 3, 4), (0, 1), (-1, 0))),
            Sample((floats(rng, 2, 3, 4), [2], [0])),
        ],
    ),
    OpInfo(
        "moveaxis",
        lambda lib, x: x.moveaxis(1, 0),
        _one((2, 3)),
    ),
    OpInfo(
        "unflatten",
        lambda lib, x, d, s: lib.unflatten(x, d, s),
        _with([(1, (2, -1)), (-1, (4, 1)), (0, (1, 3, 1))]),
    ),
    OpInfo(
        "meshgrid",
        lambda lib, *t, **kw: lib.meshgrid(*t, **kw),
        lambda rng: [
            Sample((floats(rng, 2), floats(rng, 3)), {"indexing": "ij"}),
            Sample((floats(rng, 2), floats(rng, 3), floats(rng, 4)), {"indexing": "xy"}),
            Sample((floats(rng), floats(rng, 3)), {"indexing": "xy"}, label="0d"),
            Sample(([floats(rng, 2), floats(rng, 1)],), {"indexing": "ij"}, label="list"),
        ],
    ),
    OpInfo(
        "broadcast_tensors",
        lambda lib, *t: lib.broadcast_tensors(*t),
        lambda rng: [Sample((floats(rng, 3, 1), floats(rng, 4), floats(rng)))],
    ),
    OpInfo("atleast_1d", lambda lib, x: lib.atleast_1d(x), _one((), (2,), (2, 3))),
    OpInfo("atleast_2d", lambda lib, *t: lib.atleast_2d(*t), _many([()], [(3,), (2, 3, 1)])),
    OpInfo("atleast_3d", lambda lib, t: lib.atleast_3d(t), _many([(), (3,), (2, 3), (1, 2, 2, 2)])),
    OpInfo("hstack", lambda lib, t: lib.hstack(t), _many([(3,), (2,), ()], [(2, 3), (2, 1)])),
    OpInfo("vstack", lambda lib, t: lib.vstack(t), _many([(3,), (2, 3)], [(2,)])),
    OpInfo("row_stack", lambda lib, t: lib.row_stack(t), _many([(3,), (3,)])),
    OpInfo("dstack", lambda lib, t: lib.dstack(t), _many([(3,), (3,)], [(2, 3), (2, 3, 2)])),
    OpInfo(
        "column_stack", lambda lib, t: lib.column_stack(t), _many([(3,), (3, 2), (3,)], [(), ()])
    ),
    OpInfo(
        "hstack_mixed_dtypes",
        lambda lib, t: lib.hstack(t),
        lambda rng: [Sample(([np.arange(3), floats(rng, 2)],))],
    ),
    OpInfo(
        "cartesian_prod",
        lambda lib, *t: lib.cartesian_prod(*t),
        lambda rng: [
            Sample((floats(rng, 2), floats(rng, 3))),
            Sample((floats(rng, 2), floats(rng, 1), floats(rng, 2))),
            Sample((floats(rng, 3),), label="one"),
        ],
    ),
    OpInfo(
        "combinations",
        lambda lib, x, *a, **kw: lib.combinations(x, *a, **kw),
        lambda rng: [
            Sample((floats(rng, 4),)),
            Sample((floats(rng, 4), 3)),
            Sample((floats(rng, 3), 2), {"with_replacement": True}),
            Sample((floats(rng, 3), 4), label="too_long"),
            Sample((floats(rng, 3), 0), label="r0"),
        ],
    ),
    OpInfo(
        "block_diag",
        lambda lib, *t: lib.block_diag(*t),
        lambda rng: [
            Sample((floats(rng, 2, 2), floats(rng), floats(rng, 3), floats(rng, 0, 2))),
            Sample((floats(rng, 1, 3),)),
            Sample((np.array([[1]]), np.array([[True]])), label="int_bool"),
        ],
    ),
    OpInfo(
        "fill_diagonal_",
        lambda lib, x, *a: x.clone().fill_diagonal_(*a),
        lambda rng: [
            Sample((floats(rng, 3, 4), 2.5)),
            Sample((floats(rng, 7, 3), -1.0, True), label="tall_wrap"),
            Sample((floats(rng, 7, 3), -1.0), label="tall"),
            Sample((floats(rng, 3, 3, 3), 0.0), label="cube"),
        ],
    ),
    OpInfo("broadcast_to", lambda lib, x: lib.broadcast_to(x, (2, 3, 4)), _one((3, 1))),
]


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_matches_torch(info, sample):
    check_against_torch(info, sample)


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_gradcheck(info, sample):
    check_gradcheck(info, sample)


def _x(lib):
    return lib.arange(12.0).reshape(3, 4)


ERRORS = {
    "select_0d": lambda lib: lib.select(lib.tensor(1.0), 0, 0),
    "select_out_of_range": lambda lib: lib.select(_x(lib), 1, 4),
    "select_bad_dim": lambda lib: lib.select(_x(lib), 2, 0),
    "narrow_too_long": lambda lib: lib.narrow(_x(lib), 1, 3, 2),
    "narrow_negative_length": lambda lib: lib.narrow(_x(lib), 1, 1, -1),
    "tensor_split_zero": lambda lib: lib.tensor_split(_x(lib), 0),
    "tensor_split_0d": lambda lib: lib.tensor_split(lib.tensor(1.0), 1),
    "hsplit_uneven": lambda lib: lib.hsplit(_x(lib), 3),
    "vsplit_1d": lambda lib: lib.vsplit(lib.arange(6), 3),
    "unfold_step_0": lambda lib: _x(lib).unfold(1, 1, 0),
    "unfold_too_big": lambda lib: _x(lib).unfold(1, 5, 1),
    "flip_repeated_dim": lambda lib: lib.flip(_x(lib), (0, 0)),
    "flip_bad_dim": lambda lib: lib.flip(_x(lib), (2,)),
    "fliplr_1d": lambda lib: lib.fliplr(lib.arange(3)),
    "flipud_0d": lambda lib: lib.flipud(lib.tensor(3)),
    "roll_mismatch": lambda lib: lib.roll(_x(lib), (1, -1), 0),
    "roll_0d_dim": lambda lib: lib.roll(lib.tensor(3.0), 1, 0),
    "rot90_same_dims": lambda lib: lib.rot90(_x(lib), 1, [0, 0]),
    "rot90_1d": lambda lib: lib.rot90(lib.arange(3), 1, [0, 1]),
    "repeat_too_few": lambda lib: _x(lib).repeat(2),
    "repeat_negative": lambda lib: _x(lib).repeat(-1, 1),
    "repeat_interleave_negative": lambda lib: lib.repeat_interleave(_x(lib), -1, dim=0),
    "repeat_interleave_negative_tensor": lambda lib: lib.repeat_interleave(
        _x(lib), lib.tensor([1, -1, 2]), dim=0
    ),
    "repeat_interleave_length": lambda lib: lib.repeat_interleave(_x(lib), lib.tensor([1, 2]), 0),
    "repeat_interleave_output_size": lambda lib: lib.repeat_interleave(
        _x(lib), lib.tensor([1, 0, 2]), dim=0, output_size=4
    ),
    "tril_1d": lambda lib: lib.tril(lib.arange(3)),
    "diag_3d": lambda lib: lib.diag(lib.zeros(2, 2, 2)),
    "diag_0d": lambda lib: lib.diag(lib.tensor(2.0)),
    "diag_embed_same_dims": lambda lib: lib.diag_embed(lib.zeros(3), 0, 0, 0),
    "diag_embed_0d": lambda lib: lib.diag_embed(lib.tensor(1.0)),
    "diagonal_same_dims": lambda lib: lib.diagonal(_x(lib), 0, 1, 1),
    "diagonal_1d": lambda lib: lib.diagonal(lib.zeros(3)),
    "trace_3d": lambda lib: lib.trace(lib.zeros(2, 2, 2)),
    "movedim_repeated": lambda lib: lib.movedim(lib.zeros(2, 3, 4), (0, 0), (1, 2)),
    "movedim_lengths": lambda lib: lib.movedim(lib.zeros(2, 3, 4), (0, 1), (1,)),
    "unflatten_sizes": lambda lib: lib.unflatten(_x(lib), 1, (3, -1)),
    "meshgrid_dtypes": lambda lib: lib.meshgrid(lib.arange(2), lib.arange(3.0), indexing="ij"),
    "meshgrid_2d": lambda lib: lib.meshgrid(lib.zeros(2, 2), lib.zeros(3), indexing="ij"),
    "meshgrid_indexing": lambda lib: lib.meshgrid(lib.zeros(2), indexing="yx"),
    "broadcast_shapes": lambda lib: lib.broadcast_shapes((3, 1), (4,), (2, 1, 3)),
    "broadcast_shapes_negative": lambda lib: lib.broadcast_shapes((-1,), (4,)),
    "broadcast_tensors": lambda lib: lib.broadcast_tensors(lib.zeros(3), lib.zeros(4)),
    "cartesian_prod_2d": lambda lib: lib.cartesian_prod(lib.zeros(2, 2)),
    "combinations_2d": lambda lib: lib.combinations(lib.zeros(2, 2)),
    "block_diag_3d": lambda lib: lib.block_diag(lib.ones(2, 2, 2)),
    "fill_diagonal_uneven": lambda lib: lib.zeros(2, 3, 2).fill_diagonal_(1.0),
}


@pytest.mark.parametrize("call", ERRORS.values(), ids=ERRORS.keys())
def test_errors_match_torch(call):
    check_same_error(call)


def test_broadcast_shapes_matches_torch():
    torch = pytest.importorskip("torch")
    for shapes in [((3, 1), (4,)), ((2, 1, 3), (), 3), ((0, 1), (1, 5))]:
        assert tuple(wright.broadcast_shapes(*shapes)) == tuple(torch.broadcast_shapes(*shapes))
    assert isinstance(wright.broadcast_shapes((1,)), wright.Size)


def test_views_share_memory_and_copies_do_not():
    # PyTorch's views (select, narrow, unbind, diagonal, unfold, movedim) see changes to their
    # base and write through to it; flip, roll, repeat, tril and diag (of a matrix) make copies.
    x = wright.zeros(3, 4)
    views = [
        x.select(0, 1),
        x.narrow(1, 1, 2),
        x.unbind(1)[0],
        x.diagonal(),
        x.unfold(1, 2, 2),
        x.movedim(0, 1),
    ]
    copies = [x.flip((0,)), x.roll(1), x.repeat(1, 1), x.tril(), x.diag(), wright.rot90(x, 0)]
    with wright.no_grad():
        x.add_(1)
    assert all(v.array.min() == 1 for v in views)
    assert all(c.array.max() == 0 for c in copies)
    x.diagonal().fill_(7)
    assert x.tolist()[1][1] == 7
    for copy in copies:
        copy.fill_(5)
    assert x.array.max() == 7


def test_inplace_through_diagonal_in_a_graph():
    # x.diagonal().mul_(2) inside a graph changes x and sends gradients through both paths.
    for lib in (wright, pytest.importorskip("torch")):
        w = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        x = w * 1
        x.diagonal().mul_(lib.tensor([2.0, 3.0]))
        (x * lib.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
        if lib is wright:
            ours = (x.tolist(), w.grad.tolist())
        else:
            assert ours == (x.tolist(), w.grad.tolist())


def test_unfold_shares_version_with_input():
    x = wright.arange(6.0, requires_grad=True) * 1
    windows = x.unfold(0, 2, 1)
    product = (windows * windows).sum()
    with wright.no_grad():
        x.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        product.backward()


def test_atleast_returns_a_tensor_for_one_and_a_tuple_for_several():
    x = wright.tensor(1.0)
    assert isinstance(wright.atleast_2d(x), wright.Tensor)
    assert isinstance(wright.atleast_2d(x, x), tuple)
    assert isinstance(wright.atleast_2d([x]), tuple)
