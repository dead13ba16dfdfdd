"""Matrix and tensor products (mm, bmm, addmm, einsum, tensordot, kron, cross, matrix_power, det,
inverse) against PyTorch: values, dtypes, gradients, finite differences and error types; einsum
equations from hypothesis."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wright
from opinfo import (
    OpInfo,
    Sample,
    assert_same,
    cases,
    check_against_torch,
    check_gradcheck,
    check_same_error,
    floats,
)


def _shapes(*shape_lists, dtype=np.float32):
    """Samples of float tensors, one tuple of shapes per sample."""

    def samples(rng):
        for shapes in shape_lists:
            yield Sample(tuple(floats(rng, *s, dtype=dtype) for s in shapes), label=repr(shapes))

    return samples


def _ints(*shapes):
    def samples(rng):
        yield Sample(tuple(rng.integers(-3, 4, size=s) for s in shapes), label="int")

    return samples


def _well_conditioned(rng, *shape):
    # A random matrix (batch) kept away from singular: identity times 3 plus noise.
    eye = np.eye(shape[-1], dtype=np.float32)
    return (3 * eye + floats(rng, *shape, low=-1.0, high=1.0)).astype(np.float32)


def _square_samples(rng):
    yield Sample((_well_conditioned(rng, 3, 3),), label="3x3")
    yield Sample((_well_conditioned(rng, 2, 2, 2),), label="batch")
    yield Sample((_well_conditioned(rng, 1, 1),), label="1x1")


def _einsum_samples(rng):
    cases_ = [
        ("ij,jk->ik", (2, 3), (3, 4)),
        ("ij,jk", (2, 3), (3, 4)),
        ("bij,bjk->bik", (2, 2, 3), (2, 3, 2)),
        ("ii", (3, 3)),
        ("ii->i", (3, 3)),
        ("ij->ji", (2, 3)),
        ("ij->", (2, 3)),
        ("ij->j", (2, 3)),
        ("i,i->", (3,), (3,)),
        ("i,j->ij", (2,), (3,)),
        ("...ij,...jk->...ik", (2, 1, 2, 3), (4, 3, 2)),
        ("b...a,ac", (2, 3, 3), (3, 4)),
        ("...->...", ()),
        ("i...->...", (3, 2)),
        ("...i->i", (2, 3)),
        ("ij,ij->ij", (2, 3), (1, 3)),
        ("Ba,ab", (2, 3), (3, 4)),
        (",i->i", (), (3,)),
        ("iij->j", (2, 2, 3)),
        ("ij,jk,kl->il", (2, 3), (3, 2), (2, 2)),
        ("i j , j k -> i k", (2, 3), (3, 2)),
        ("ij,jk->ik", (2, 0), (0, 3)),
    ]
    for equation, *shapes in cases_:
        yield Sample((equation, *(floats(rng, *s) for s in shapes)), label=equation)
    yield Sample(("ij,jk->ik", [floats(rng, 2, 3), floats(rng, 3, 2)]), label="list")


def _tensordot_samples(rng):
    yield Sample((floats(rng, 2, 3, 4), floats(rng, 3, 4, 2)), label="default")
    yield Sample((floats(rng, 2, 3), floats(rng, 4), 0), label="outer")
    yield Sample((floats(rng, 2, 3, 4), floats(rng, 4, 3, 2), ([1, 2], [1, 0])), label="lists")
    yield Sample((floats(rng, 2, 3), floats(rng, 3), ([-1], [-1])), label="negative")
    yield Sample((floats(rng, 2, 3, 4), floats(rng, 4, 3, 2), [[2], [0]]), label="one_pair")


OPS = [
    OpInfo("matmul", lambda lib, a, b: a @ b, _shapes([(2, 3), (3, 4)], [(3,), (3,)])),
    OpInfo("mm", lambda lib, a, b: lib.mm(a, b), _shapes([(2, 3), (3, 4)], [(1, 0), (0, 2)])),
    OpInfo("mm_int", lambda lib, a, b: a.mm(b), _ints((2, 3), (3, 4))),
    OpInfo("mm_float64", lambda lib, a, b: a.mm(b), _shapes([(2, 3), (3, 2)], dtype=np.float64)),
    OpInfo("bmm", lambda lib, a, b: lib.bmm(a, b), _shapes([(2, 2, 3), (2, 3, 4)])),
    OpInfo("mv", lambda lib, a, b: lib.mv(a, b), _shapes([(2, 3), (3,)])),
    OpInfo("dot", lambda lib, a, b: lib.dot(a, b), _shapes([(3,), (3,)], [(0,), (0,)])),
    OpInfo("dot_int", lambda lib, a, b: a.dot(b), _ints((3,), (3,))),
    OpInfo("vdot", lambda lib, a, b: lib.vdot(a, b), _shapes([(3,), (3,)])),
    OpInfo("outer", lambda lib, a, b: lib.outer(a, b), _shapes([(3,), (2,)])),
    OpInfo("ger", lambda lib, a, b: a.ger(b), _shapes([(3,), (2,)])),
    OpInfo(
        "outer_mixed",
        lambda lib, a, b: lib.outer(a, b),
        lambda rng: [Sample((np.arange(3), floats(rng, 2)))],
    ),
    OpInfo(
        "inner",
        lambda lib, a, b: lib.inner(a, b),
        _shapes([(2, 3), (4, 3)], [(3,), (3,)], [(), (2, 3)], [(2, 2, 3), (3,)]),
    ),
    OpInfo(
        "addmm",
        lambda lib, c, a, b, **kw: lib.addmm(c, a, b, **kw),
        lambda rng: [
            Sample((floats(rng, 4), floats(rng, 2, 3), floats(rng, 3, 4))),
            Sample(
                (floats(rng, 2, 4), floats(rng, 2, 3), floats(rng, 3, 4)),
                {"beta": 0.5, "alpha": 2.0},
            ),
            Sample((floats(rng, 2, 1), floats(rng, 2, 3), floats(rng, 3, 4)), {"beta": 0}),
        ],
    ),
    OpInfo(
        "addmm_beta0_nan",
        lambda lib, c, a, b: lib.addmm(c, a, b, beta=0),
        lambda rng: [
            Sample((np.full(4, np.nan, np.float32), floats(rng, 2, 3), floats(rng, 3, 4)))
        ],
        gradcheck=False,
    ),
    OpInfo(
        "addmm_int",
        lambda lib, c, a, b: c.addmm(a, b, beta=2, alpha=3),
        _ints((4,), (2, 3), (3, 4)),
    ),
    OpInfo(
        "addmm_",
        lambda lib, c, a, b: c.clone().addmm_(a, b, alpha=0.5),
        _shapes([(2, 4), (2, 3), (3, 4)]),
    ),
    OpInfo(
        "addbmm",
        lambda lib, c, a, b: lib.addbmm(c, a, b, beta=2.0),
        _shapes([(2, 4), (3, 2, 3), (3, 3, 4)]),
    ),
    OpInfo(
        "baddbmm",
        lambda lib, c, a, b: lib.baddbmm(c, a, b, alpha=-1.0),
        _shapes([(1, 4), (3, 2, 3), (3, 3, 4)]),
    ),
    OpInfo("addmv", lambda lib, c, a, b: c.addmv(a, b), _shapes([(1,), (2, 3), (3,)])),
    OpInfo(
        "addr",
        lambda lib, c, a, b: lib.addr(c, a, b, beta=0.5, alpha=2),
        _shapes([(2, 3), (2,), (3,)]),
    ),
    OpInfo("einsum", lambda lib, eq, *ops: lib.einsum(eq, *ops), _einsum_samples, rtol=1e-4),
    OpInfo(
        "einsum_sublist",
        lambda lib, a, b: lib.einsum(a, [0, 27], b, [27, Ellipsis], [Ellipsis, 0]),
        _shapes([(2, 3), (3, 4, 2)]),
    ),
    OpInfo("einsum_int", lambda lib, a, b: lib.einsum("ij,jk", a, b), _ints((2, 3), (3, 2))),
    OpInfo("tensordot", lambda lib, a, b, *d: lib.tensordot(a, b, *d), _tensordot_samples),
    OpInfo(
        "kron",
        lambda lib, a, b: lib.kron(a, b),
        lambda rng: [
            Sample((floats(rng, 2, 3), floats(rng, 2, 2))),
            Sample((floats(rng, 2, 3), floats(rng, 4))),
            Sample((floats(rng), floats(rng, 3))),
            Sample((np.arange(4).reshape(2, 2), floats(rng, 2))),
        ],
    ),
    OpInfo(
        "cross",
        lambda lib, a, b, *d: lib.cross(a, b, *d),
        lambda rng: [
            Sample((floats(rng, 4, 3), floats(rng, 4, 3)), label="first_size_3"),
            Sample((floats(rng, 3, 3, 2), floats(rng, 3, 3, 2), 1)),
            Sample((floats(rng, 4, 3), floats(rng, 1, 3), -1), label="broadcast"),
            Sample((np.arange(3), np.array([2, 0, 1]), 0), label="int"),
        ],
    ),
    OpInfo(
        "matrix_power",
        lambda lib, a, n: lib.matrix_power(a, n),
        lambda rng: [
            Sample((_well_conditioned(rng, 3, 3), n), label=str(n)) for n in (1, 2, 3, 5, -1, -2)
        ],
        rtol=1e-4,
    ),
    OpInfo(
        "matrix_power_0",
        lambda lib, a: a.matrix_power(0),
        lambda rng: [Sample((floats(rng, 2, 3, 3),)), Sample((np.arange(4).reshape(2, 2),))],
    ),
    OpInfo("det", lambda lib, a: lib.det(a), _square_samples, rtol=1e-4),
    OpInfo("inverse", lambda lib, a: a.inverse(), _square_samples, rtol=1e-4),
]


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_matches_torch(info, sample):
    check_against_torch(info, sample)


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_gradcheck(info, sample):
    check_gradcheck(info, sample)


def _m(lib, *shape, dtype=None):
    return lib.ones(*shape, dtype=dtype or lib.float32)


ERRORS = {
    "mm_dtypes": lambda lib: lib.mm(_m(lib, 2, 3), _m(lib, 3, 4, dtype=lib.float64)),
    "mm_vector": lambda lib: lib.mm(_m(lib, 2, 3), _m(lib, 3)),
    "mm_shapes": lambda lib: lib.mm(_m(lib, 2, 3), _m(lib, 2, 3)),
    "matmul_int_float": lambda lib: lib.matmul(_m(lib, 2, 3).long(), _m(lib, 3, 4)),
    "bmm_batches": lambda lib: lib.bmm(_m(lib, 2, 2, 3), _m(lib, 1, 3, 4)),
    "bmm_2d": lambda lib: lib.bmm(_m(lib, 2, 3), _m(lib, 3, 4)),
    "mv_sizes": lambda lib: lib.mv(_m(lib, 2, 3), _m(lib, 2)),
    "dot_dtypes": lambda lib: lib.dot(_m(lib, 3), _m(lib, 3, dtype=lib.float64)),
    "dot_2d": lambda lib: lib.dot(_m(lib, 3, 1), _m(lib, 3)),
    "dot_lengths": lambda lib: lib.dot(_m(lib, 3), _m(lib, 2)),
    "outer_2d": lambda lib: lib.outer(_m(lib, 3, 1), _m(lib, 2)),
    "inner_dtypes": lambda lib: lib.inner(_m(lib, 3).long(), _m(lib, 3)),
    "inner_sizes": lambda lib: lib.inner(_m(lib, 3), _m(lib, 2)),
    "addmm_dtypes": lambda lib: lib.addmm(
        _m(lib, 4, dtype=lib.float64), _m(lib, 2, 3), _m(lib, 3, 4)
    ),
    "addmm_broadcast": lambda lib: lib.addmm(_m(lib, 3), _m(lib, 2, 3), _m(lib, 3, 4)),
    "einsum_dtypes": lambda lib: lib.einsum(
        "ij,jk->ik", _m(lib, 2, 3), _m(lib, 3, 4, dtype=lib.float64)
    ),
    "einsum_unknown_output": lambda lib: lib.einsum("ij->k", _m(lib, 2, 3)),
    "einsum_repeated_output": lambda lib: lib.einsum("ij->ii", _m(lib, 2, 3)),
    "einsum_too_few": lambda lib: lib.einsum("ij,jk->ik", _m(lib, 2, 3)),
    "einsum_rank": lambda lib: lib.einsum("ijk->i", _m(lib, 2, 3)),
    "einsum_sizes": lambda lib: lib.einsum("ij,ij->i", _m(lib, 2, 3), _m(lib, 3, 4)),
    "einsum_diagonal_sizes": lambda lib: lib.einsum("ii->i", _m(lib, 2, 3)),
    "einsum_two_ellipses": lambda lib: lib.einsum("...i...->i", _m(lib, 2, 3)),
    "einsum_bad_letter": lambda lib: lib.einsum("i1->i", _m(lib, 2, 3)),
    "tensordot_dtypes": lambda lib: lib.tensordot(_m(lib, 2, 3), _m(lib, 3, dtype=lib.float64), 1),
    "tensordot_sizes": lambda lib: lib.tensordot(_m(lib, 2, 3), _m(lib, 2, 3), 1),
    "cross_length": lambda lib: lib.cross(_m(lib, 4, 2), _m(lib, 4, 2), dim=1),
    "cross_dtypes": lambda lib: lib.cross(_m(lib, 3), _m(lib, 3).long()),
    "matrix_power_square": lambda lib: lib.matrix_power(_m(lib, 2, 3), 2),
    "matrix_power_int_inverse": lambda lib: lib.matrix_power(_m(lib, 2, 2).long(), -1),
    "det_int": lambda lib: lib.det(_m(lib, 3, 3).long()),
    "inverse_singular": lambda lib: lib.inverse(lib.zeros(2, 2)),
}


@pytest.mark.parametrize("call", ERRORS.values(), ids=ERRORS.keys())
def test_errors_match_torch(call):
    check_same_error(call)


# ----- einsum equations from hypothesis -----

_POOL = "abcde"


@st.composite
def _equations(draw):
    """An einsum call: subscripts per operand over a small alphabet (repeats allowed), an
    optional '...' with broadcasting sizes, and an explicit or implicit output."""
    sizes = {c: draw(st.integers(1, 3)) for c in _POOL}
    count = draw(st.integers(1, 3))
    with_ellipsis = draw(st.booleans())
    batch = draw(st.lists(st.integers(1, 3), max_size=2)) if with_ellipsis else []
    terms, shapes = [], []
    for _ in range(count):
        letters = draw(st.lists(st.sampled_from(_POOL), max_size=3))
        shape = [sizes[c] for c in letters]
        term = "".join(letters)
        if with_ellipsis and draw(st.booleans()):
            # A trailing part of the batch dims, some of them broadcast (size 1).
            own = batch[len(batch) - draw(st.integers(0, len(batch))) :]
            own = [n if draw(st.booleans()) else 1 for n in own]
            at = draw(st.integers(0, len(letters)))
            term = term[:at] + "..." + term[at:]
            shape = shape[:at] + own + shape[at:]
        terms.append(term)
        shapes.append(tuple(shape))
    equation = ",".join(terms)
    if draw(st.booleans()):
        used = sorted(set("".join(terms).replace(".", "")))
        output = "".join(draw(st.permutations(used))[: draw(st.integers(0, len(used)))])
        if "..." in equation and draw(st.booleans()):
            output = "..." + output
        equation += "->" + output
    return equation, shapes


@settings(max_examples=60, deadline=None, derandomize=True)
@given(_equations(), st.integers(0, 2**16))
def test_einsum_equations_match_torch(case, seed):
    torch = pytest.importorskip("torch")
    equation, shapes = case
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes]
    ours = [wright.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    expected = torch.einsum(equation, *theirs)
    found = wright.einsum(equation, *ours)
    info = OpInfo("einsum " + equation, None, None, rtol=1e-9, atol=1e-9)
    assert_same(found, expected, info)
    weights = rng.standard_normal(tuple(expected.shape))
    (expected * torch.tensor(weights)).sum().backward()
    (found * wright.tensor(weights)).sum().backward()
    for a, b in zip(ours, theirs):
        assert_same(a.grad, b.grad, info, "gradient")


def test_einsum_result_is_new_memory():
    x = wright.ones(2, 3)
    y = wright.einsum("ij->ji", x)
    y.fill_(5.0)
    assert x.array.max() == 1.0
