"""normalize, cosine_similarity, pairwise_distance and their modules against torch: values and
gradients (also at zero vectors and tiny norms, where PyTorch's conventions decide), broadcasting,
float64 gradcheck."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from opinfo import OpInfo, Sample, cases, check_against_torch, check_gradcheck
from wright import nn
from wright.nn import functional as F


def _normalize_samples(rng):
    for p in (2.0, 1.0, 3.0, 0.5, float("inf")):
        yield Sample((rng.standard_normal((3, 4)),), {"p": p}, f"p{p}")
    yield Sample((rng.standard_normal((2, 3, 4)),), {"dim": -1, "eps": 1e-3}, "last")
    yield Sample((rng.standard_normal((2, 3, 4)).astype(np.float32),), {"dim": 0}, "float32")
    yield Sample((rng.standard_normal(5),), {"dim": 0}, "1d")


def _zero_samples(rng):
    zeros = np.zeros((2, 3))
    zeros[1] = [1.0, -2.0, 0.5]
    for p in (2.0, 1.0, 3.0, float("inf")):
        yield Sample((zeros,), {"p": p}, f"zero_rows_p{p}")


def _cosine_samples(rng):
    yield Sample((rng.standard_normal((4, 3)), rng.standard_normal((4, 3))), {}, "rows")
    yield Sample((rng.standard_normal((4, 3)), rng.standard_normal(3)), {"dim": -1}, "broadcast")
    yield Sample((rng.standard_normal((2, 1, 3)), rng.standard_normal((4, 3))), {"dim": 2}, "outer")
    yield Sample((rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 5, 3))), {"dim": 0})
    yield Sample(
        (rng.standard_normal(6).astype(np.float32), rng.standard_normal(6).astype(np.float32)),
        {"dim": 0},
        "float32",
    )


def _tiny_norm_samples(rng):
    x1 = np.array([[1e-10, 2e-10, 0.0], [1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    x2 = np.array([[1.0, 0.5, 2.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    yield Sample((x1, x2), {}, "tiny")


def _distance_samples(rng):
    for p in (2.0, 1.0, 3.0, 0.5, float("inf")):
        yield Sample((rng.standard_normal((4, 3)), rng.standard_normal((4, 3))), {"p": p}, f"p{p}")
    yield Sample((rng.standard_normal((4, 3)), rng.standard_normal(3)), {"keepdim": True})
    yield Sample((rng.standard_normal(3), rng.standard_normal(3)), {"eps": 1e-3}, "1d")
    yield Sample((np.array(1.0), np.array(3.0)), {}, "0d")


def _distance_edges(rng):
    yield Sample((rng.standard_normal((4, 3)), rng.standard_normal((4, 3))), {"p": 0}, "p0")
    same = rng.standard_normal((2, 3))
    yield Sample((same, same.copy()), {}, "equal_inputs")


OPS = [
    OpInfo(
        "normalize", lambda lib, x, **k: lib.nn.functional.normalize(x, **k), _normalize_samples
    ),
    OpInfo(
        "cosine_similarity",
        lambda lib, a, b, **k: lib.nn.functional.cosine_similarity(a, b, **k),
        _cosine_samples,
    ),
    OpInfo(
        "pairwise_distance",
        lambda lib, a, b, **k: lib.nn.functional.pairwise_distance(a, b, **k),
        _distance_samples,
    ),
]
EDGES = [
    OpInfo("normalize_zero_rows", OPS[0].op, _zero_samples, gradcheck=False),
    OpInfo("cosine_tiny_norms", OPS[1].op, _tiny_norm_samples, gradcheck=False),
    OpInfo("distance_edges", OPS[2].op, _distance_edges, gradcheck=False),
]


@pytest.mark.parametrize("info, sample", cases(OPS + EDGES))
def test_matches_torch(info, sample):
    check_against_torch(info, sample)


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_gradcheck(info, sample):
    check_gradcheck(info, sample)


def test_modules_match_their_functions():
    rng = np.random.default_rng(0)
    a, b = wright.tensor(rng.standard_normal((3, 4))), wright.tensor(rng.standard_normal((3, 4)))
    np.testing.assert_array_equal(
        nn.CosineSimilarity(dim=0, eps=1e-4)(a, b).array,
        F.cosine_similarity(a, b, 0, 1e-4).array,
    )
    np.testing.assert_array_equal(
        nn.PairwiseDistance(1.0, 1e-3, True)(a, b).array,
        F.pairwise_distance(a, b, 1.0, 1e-3, True).array,
    )
    assert repr(nn.PairwiseDistance()) == "PairwiseDistance(p=2.0, eps=1e-06, keepdim=False)"
    assert repr(nn.CosineSimilarity()) == "CosineSimilarity(dim=1, eps=1e-08)"


def test_integer_inputs_are_refused():
    with pytest.raises(RuntimeError, match="floating point"):
        F.cosine_similarity(wright.tensor([1, 2, 3]), wright.tensor([1, 0, 1]), dim=0)
    with pytest.raises(RuntimeError, match="int64"):
        F.normalize(wright.tensor([[1, 2]]))


def test_normalized_rows_have_unit_norm():
    x = F.normalize(wright.randn(5, 7), dim=1)
    np.testing.assert_allclose(np.linalg.norm(x.array, axis=1), 1.0, rtol=1e-6)
