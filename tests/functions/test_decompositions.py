"""Decompositions and solvers (wright.linalg and torch's top-level forms) against PyTorch:
values, gradients (of gauge-invariant functions for SVD, QR and eigh), float64 gradcheck and
error types."""

import numpy as np
import pytest

import wright
from opinfo import (
    HOST_ONLY,
    OpInfo,
    Sample,
    cases,
    check_against_torch,
    check_gradcheck,
    check_same_error,
)


def _well_conditioned(rng, *shape, dtype=np.float32):
    # Random matrices plus a multiple of the identity: invertible and far from singular.
    a = rng.standard_normal(shape)
    n = min(shape[-2:])
    a[..., :n, :n] += 3 * np.eye(n)
    return np.asarray(a, dtype)


def _spd(rng, *shape, dtype=np.float32):
    a = rng.standard_normal(shape)
    return np.asarray(a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1]), dtype)


def _square(rng):
    yield Sample((_well_conditioned(rng, 3, 3),), label="3x3")
    yield Sample((_well_conditioned(rng, 2, 4, 4, dtype=np.float64),), label="batch64")
    yield Sample((_well_conditioned(rng, 3, 3).T,), label="transposed")


def _rectangular(rng):
    yield Sample((_well_conditioned(rng, 5, 3),), label="tall")
    yield Sample((_well_conditioned(rng, 3, 5),), label="wide")
    yield Sample((_well_conditioned(rng, 2, 4, 4, dtype=np.float64),), label="batch64")


def _tall(rng):
    yield Sample((_well_conditioned(rng, 5, 3),), label="tall")
    yield Sample((_well_conditioned(rng, 4, 4, dtype=np.float64),), label="square64")
    yield Sample((_well_conditioned(rng, 2, 4, 3),), label="batch")


def _symmetric(rng):
    yield Sample((_spd(rng, 4, 4),), label="4x4")
    yield Sample((_spd(rng, 2, 3, 3, dtype=np.float64),), label="batch64")


def _solve_samples(rng):
    yield Sample((_well_conditioned(rng, 3, 3), rng.standard_normal((3, 2)).astype(np.float32)))
    yield Sample(
        (_well_conditioned(rng, 3, 3), rng.standard_normal(3).astype(np.float32)), label="vector"
    )
    yield Sample(
        (_well_conditioned(rng, 2, 3, 3), rng.standard_normal((3, 4)).astype(np.float32)),
        label="broadcast",
    )
    yield Sample(
        (_well_conditioned(rng, 2, 3, 3), rng.standard_normal((2, 3)).astype(np.float32)),
        label="batched-vector",
    )


def _lstsq_samples(rng):
    yield Sample((_well_conditioned(rng, 5, 3), rng.standard_normal((5, 2)).astype(np.float32)))
    yield Sample(
        (_well_conditioned(rng, 4, 4, dtype=np.float64), rng.standard_normal((4, 1))),
        label="square64",
    )


def _gauge_free_svd(lib, a):
    # U diag(S) Vh products and |U| are independent of the signs LAPACK picks.
    u, s, vh = lib.linalg.svd(a, full_matrices=False)
    return s, (u * s.unsqueeze(-2)) @ vh, u @ u.mT, vh.mT @ vh, (u[..., :1] * vh[..., :1, :])


def _gauge_free_qr(lib, a):
    q, r = lib.linalg.qr(a)
    return q @ r, q @ q.mT, r.abs()


def _gauge_free_eigh(lib, a):
    w, v = lib.linalg.eigh(a + a.mT)
    return w, (v * w.unsqueeze(-2)) @ v.mT, v[..., :1] * v[..., :1].mT


def _old_svd_products(u, s, v):
    return s, (u * s.unsqueeze(-2)) @ v.mT


def _product(q, r):
    return q @ r


OPS = [
    OpInfo("linalg.solve", lambda lib, a, b: lib.linalg.solve(a, b), _solve_samples, rtol=1e-4),
    OpInfo(
        "linalg.solve-right",
        lambda lib, a, b: lib.linalg.solve(a, b.mT, left=False),
        lambda rng: [Sample((_well_conditioned(rng, 3, 3), np.ones((3, 2), np.float32)))],
        rtol=1e-4,
    ),
    OpInfo("linalg.inv", lambda lib, a: lib.linalg.inv(a), _square, rtol=1e-4),
    OpInfo("linalg.det", lambda lib, a: lib.linalg.det(a), _square, rtol=1e-4),
    OpInfo("linalg.slogdet", lambda lib, a: lib.linalg.slogdet(a), _square, rtol=1e-4),
    OpInfo("slogdet", lambda lib, a: lib.slogdet(a), _square, rtol=1e-4),
    OpInfo("logdet", lambda lib, a: lib.logdet(a @ a.mT), _square, rtol=1e-4),
    # NaN values: no finite differences to compare with.
    OpInfo("logdet-negative", lambda lib, a: (-a[..., :1, :1]).logdet(), _square, gradcheck=False),
    OpInfo(
        "linalg.cholesky",
        lambda lib, a: lib.linalg.cholesky(a + a.mT),
        _symmetric,
        rtol=1e-4,
    ),
    OpInfo("cholesky-upper", lambda lib, a: lib.cholesky(a + a.mT, True), _symmetric, rtol=1e-4),
    OpInfo(
        "cholesky_solve",
        lambda lib, a, b: lib.cholesky_solve(b, lib.linalg.cholesky(a + a.mT)),
        lambda rng: [Sample((_spd(rng, 3, 3), rng.standard_normal((3, 2)).astype(np.float32)))],
        rtol=1e-4,
    ),
    OpInfo(
        "cholesky_inverse",
        lambda lib, a: lib.cholesky_inverse(lib.linalg.cholesky(a + a.mT)),
        _symmetric,
        rtol=1e-4,
    ),
    OpInfo("linalg.qr", _gauge_free_qr, _tall, rtol=1e-4, atol=1e-5),
    OpInfo("linalg.svd", _gauge_free_svd, _rectangular, rtol=1e-4, atol=1e-5),
    OpInfo("linalg.svdvals", lambda lib, a: lib.linalg.svdvals(a), _rectangular, rtol=1e-4),
    OpInfo("linalg.eigh", _gauge_free_eigh, _symmetric, rtol=1e-4, atol=1e-5),
    OpInfo(
        "linalg.eigvalsh",
        lambda lib, a: lib.linalg.eigvalsh(a + a.mT, "U"),
        _symmetric,
        rtol=1e-4,
    ),
    OpInfo("linalg.pinv", lambda lib, a: lib.linalg.pinv(a), _rectangular, rtol=1e-4, atol=1e-5),
    OpInfo("pinverse", lambda lib, a: lib.pinverse(a), _rectangular, rtol=1e-4, atol=1e-5),
    OpInfo(
        "linalg.lstsq",
        lambda lib, a, b: lib.linalg.lstsq(a, b).solution,
        _lstsq_samples,
        rtol=1e-4,
        atol=1e-5,
    ),
    OpInfo(
        "linalg.matrix_norm-nuc",
        lambda lib, a: lib.linalg.matrix_norm(a, "nuc"),
        _rectangular,
        rtol=1e-4,
    ),
    OpInfo(
        "linalg.matrix_norm-2",
        lambda lib, a: lib.linalg.matrix_norm(a, 2, keepdim=True),
        _rectangular,
        rtol=1e-4,
    ),
    OpInfo(
        "linalg.norm-minus2",
        lambda lib, a: lib.linalg.norm(a[..., 0, :, :] if a.ndim == 3 else a, -2),
        _tall,
        rtol=1e-4,
    ),
    OpInfo("linalg.cond", lambda lib, a: lib.linalg.cond(a), _square, rtol=1e-4),
    # torch's backward of cond(A, 'fro') fails (an inverse changed in place); values only.
    OpInfo(
        "linalg.cond-fro",
        lambda lib, a: lib.linalg.cond(a, "fro"),
        _square,
        rtol=1e-4,
        differentiable=False,
    ),
    OpInfo(
        "linalg.solve_triangular",
        lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=True),
        lambda rng: [Sample((_well_conditioned(rng, 3, 3), np.ones((3, 2), np.float32)))],
        rtol=1e-4,
    ),
    OpInfo(
        "linalg.multi_dot",
        lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]),
        lambda rng: [
            Sample(tuple(rng.standard_normal(s).astype(np.float32) for s in ((3,), (3, 4), (4, 2))))
        ],
    ),
    OpInfo(
        "linalg.vecdot",
        lambda lib, a, b: lib.linalg.vecdot(a, b, dim=0),
        lambda rng: [
            Sample((np.ones((3, 2), np.float32), np.arange(6.0, dtype=np.float32)[:3, None]))
        ],
    ),
    OpInfo(
        "linalg.matrix_rank",
        lambda lib, a: lib.linalg.matrix_rank(a),
        lambda rng: [
            Sample((_well_conditioned(rng, 4, 3),), label="full"),
            Sample((np.ones((3, 3), np.float32),), label="rank1"),
            Sample((np.ones((2, 3, 3)),), label="batch"),
        ],
        differentiable=False,
    ),
    OpInfo(
        "svd-old",
        lambda lib, a: _old_svd_products(*lib.svd(a)),
        _rectangular,
        rtol=1e-4,
        atol=1e-5,
    ),
    OpInfo("qr-old", lambda lib, a: _product(*a.qr()), _tall, rtol=1e-4),
    OpInfo("linalg.lu", lambda lib, a: lib.linalg.lu(a), _square, rtol=1e-4, atol=1e-5),
    OpInfo(
        "linalg.lu-rectangular",
        lambda lib, a: lib.linalg.lu(a),
        lambda rng: [
            Sample((_well_conditioned(rng, 5, 3),)),
            Sample((_well_conditioned(rng, 3, 5),)),
        ],
        differentiable=False,
    ),
    OpInfo("linalg.lu_factor", lambda lib, a: lib.linalg.lu_factor(a), _square, rtol=1e-4),
    OpInfo("lu", lambda lib, a: a.lu(get_infos=True), _square, rtol=1e-4),
    OpInfo(
        "linalg.lu_solve",
        lambda lib, a, b, **k: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b, **k),
        lambda rng: [
            Sample((_well_conditioned(rng, 3, 3), np.ones((3, 2), np.float32))),
            Sample(
                (_well_conditioned(rng, 2, 3, 3), np.ones((3, 2), np.float32)),
                {"adjoint": True},
                label="adjoint",
            ),
            Sample(
                (_well_conditioned(rng, 3, 3), np.ones((2, 3), np.float32)),
                {"left": False},
                label="right",
            ),
        ],
        rtol=1e-4,
    ),
    OpInfo(
        "lu_solve-old",
        lambda lib, a, b: b.lu_solve(*lib.linalg.lu_factor(a)),
        lambda rng: [Sample((_well_conditioned(rng, 3, 3), np.ones((3, 1), np.float32)))],
        rtol=1e-4,
    ),
    OpInfo(
        "lu_unpack",
        lambda lib, a: lib.lu_unpack(*lib.linalg.lu_factor(a)),
        _square,
        rtol=1e-4,
    ),
]


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_matches_torch(info, sample):
    check_against_torch(info, sample, devices=HOST_ONLY)  # host-only ops: docs/gpu.md


@pytest.mark.parametrize("info, sample", cases([o for o in OPS if o.gradcheck]))
def test_gradcheck(info, sample):
    check_gradcheck(info, sample)


def test_lstsq_fields_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    for driver in (None, "gelsd", "gelss", "gels"):
        ours = wright.linalg.lstsq(wright.tensor(a), wright.tensor(b), driver=driver)
        theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
        for found, expected in zip(ours, theirs):
            assert tuple(found.shape) == tuple(expected.shape), driver
            assert str(found.dtype)[7:] == str(expected.dtype)[6:], driver
            np.testing.assert_allclose(found.numpy(), expected.numpy(), rtol=1e-10, atol=1e-12)


def test_ex_forms_and_named_results():
    a = wright.tensor([[4.0, 1.0], [1.0, 3.0]])
    inverse, info = wright.linalg.inv_ex(a)
    assert info.item() == 0 and info.dtype == wright.int32
    np.testing.assert_allclose((inverse @ a).numpy(), np.eye(2), atol=1e-6)
    assert (
        wright.linalg.cholesky_ex(a).info.item() == 0
        if hasattr(wright.linalg.cholesky_ex(a), "info")
        else wright.linalg.cholesky_ex(a)[1].item() == 0
    )
    assert wright.linalg.solve_ex(a, wright.ones(2))[1].item() == 0
    found = wright.linalg.eigh(a)
    assert found.eigenvalues is found[0] and found.eigenvectors is found[1]
    assert wright.linalg.svd(a).Vh is not None and wright.svd(a).V is not None
    assert wright.linalg.qr(a).R is not None and wright.linalg.slogdet(a).logabsdet is not None
    assert wright.linalg.qr(a, "r").Q.numel() == 0


def test_complete_decompositions_match_torch_shapes():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).standard_normal((4, 2))
    for lib in (wright, torch):
        u, s, vh = lib.linalg.svd(lib.tensor(a))
        assert (tuple(u.shape), tuple(s.shape), tuple(vh.shape)) == ((4, 4), (2,), (2, 2))
        q, r = lib.linalg.qr(lib.tensor(a), mode="complete")
        assert (tuple(q.shape), tuple(r.shape)) == ((4, 4), (4, 2))
        np.testing.assert_allclose((q @ r).numpy(), a, atol=1e-12)


ERRORS = {
    "solve-singular": lambda lib: lib.linalg.solve(lib.zeros(2, 2), lib.ones(2)),
    "solve-shapes": lambda lib: lib.linalg.solve(lib.eye(2), lib.ones(3, 1)),
    "solve-dtypes": lambda lib: lib.linalg.solve(lib.eye(2), lib.ones(2, dtype=lib.float64)),
    "solve-not-square": lambda lib: lib.linalg.solve(lib.ones(2, 3), lib.ones(2)),
    "cholesky-not-pd": lambda lib: lib.linalg.cholesky(-lib.eye(2)),
    "cholesky-int": lambda lib: lib.linalg.cholesky(lib.eye(2, dtype=lib.int64)),
    "qr-1d": lambda lib: lib.linalg.qr(lib.ones(3)),
    "qr-mode": lambda lib: lib.linalg.qr(lib.eye(2), "thin"),
    "svd-1d": lambda lib: lib.linalg.svd(lib.ones(3)),
    "eigh-not-square": lambda lib: lib.linalg.eigh(lib.ones(2, 3)),
    "eigh-uplo": lambda lib: lib.linalg.eigh(lib.eye(2), "X"),
    "slogdet-not-square": lambda lib: lib.linalg.slogdet(lib.ones(2, 3)),
    "lstsq-driver": lambda lib: lib.linalg.lstsq(lib.eye(2), lib.ones(2, 1), driver="fast"),
    "lstsq-rows": lambda lib: lib.linalg.lstsq(lib.eye(2), lib.ones(3, 1)),
    "multi_dot-one": lambda lib: lib.linalg.multi_dot([lib.eye(2)]),
    "lu-1d": lambda lib: lib.linalg.lu(lib.ones(3)),
}


@pytest.mark.parametrize("call", ERRORS.values(), ids=ERRORS.keys())
def test_errors_match_torch(call):
    check_same_error(call)


def test_lu_of_a_singular_matrix_reports_info_like_torch():
    torch = pytest.importorskip("torch")
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 0.0, 1.0]])
    ours = wright.linalg.lu_factor_ex(wright.tensor(a))
    theirs = torch.linalg.lu_factor_ex(torch.tensor(a))
    for found, expected in zip(ours, theirs):
        np.testing.assert_allclose(found.numpy(), expected.numpy())


def test_linalg_error_is_a_runtime_error():
    with pytest.raises(wright.linalg.LinAlgError):
        wright.linalg.solve(wright.zeros(2, 2), wright.ones(2))
    assert issubclass(wright.linalg.LinAlgError, RuntimeError)


def test_node_names_and_version_checks():
    a = wright.eye(3, requires_grad=True) * 2
    s = wright.linalg.svd(a)[1]
    assert s.grad_fn.name() == "LinalgSvdBackward0"
    v = wright.linalg.eigh(a)[1]
    v.add_(1)
    with pytest.raises(RuntimeError):
        v.sum().backward()
