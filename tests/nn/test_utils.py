"""Gradient clipping against torch.nn.utils: the returned norm and the rescaled gradients."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from wright.nn.utils import clip_grad_norm_, clip_grad_value_

SHAPES = [(3, 4), (4,), (2, 2, 2)]


def _params_with_grads(scale):
    rng = np.random.default_rng(0)
    params = []
    for shape in SHAPES:
        p = wright.tensor(rng.standard_normal(shape), requires_grad=True)
        p.grad = wright.tensor(rng.standard_normal(shape) * scale)
        params.append(p)
    return params


def _torch_twins(torch, params):
    twins = []
    for p in params:
        t = torch.tensor(p.array, requires_grad=True)
        t.grad = torch.tensor(p.grad.array)
        twins.append(t)
    return twins


@pytest.mark.parametrize("max_norm", [0.5, 100.0])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
def test_clip_grad_norm_matches_torch(max_norm, norm_type):
    torch = pytest.importorskip("torch")
    params = _params_with_grads(scale=2.0)
    twins = _torch_twins(torch, params)
    total = clip_grad_norm_(params, max_norm, norm_type)
    total_torch = torch.nn.utils.clip_grad_norm_(twins, max_norm, norm_type)
    assert total == pytest.approx(total_torch.item(), rel=1e-12)
    for p, t in zip(params, twins):
        np.testing.assert_allclose(p.grad.array, t.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_result_and_untouched_cases():
    params = _params_with_grads(scale=2.0)
    before = [p.grad.array.copy() for p in params]
    total = clip_grad_norm_(params, 1.0)
    expected = np.sqrt(sum((b**2).sum() for b in before))
    assert total == pytest.approx(expected)
    new_norm = np.sqrt(sum((p.grad.array**2).sum() for p in params))
    assert new_norm == pytest.approx(1.0, rel=1e-5)
    small = _params_with_grads(scale=1e-3)
    kept = [p.grad.array.copy() for p in small]
    clip_grad_norm_(small, 1.0)
    for p, k in zip(small, kept):
        np.testing.assert_array_equal(p.grad.array, k)
    assert clip_grad_norm_([wright.zeros(2, requires_grad=True)], 1.0) == 0.0


def test_clip_grad_norm_skips_parameters_without_gradients():
    params = _params_with_grads(scale=1.0)
    params[1].grad = None
    total = clip_grad_norm_(params, 1e9)
    assert total == pytest.approx(
        np.sqrt((params[0].grad.array ** 2).sum() + (params[2].grad.array ** 2).sum())
    )


def test_clip_grad_norm_non_finite_norms_as_in_torch():
    params = _params_with_grads(scale=1.0)
    params[0].grad.array[0, 0] = np.nan
    with pytest.raises(RuntimeError, match="nan"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    assert np.isnan(clip_grad_norm_(params, 1.0).item())  # by default the NaN spreads, as in torch
    assert np.isnan(params[1].grad.array).all()


def test_parameters_as_one_vector_and_back():
    torch = pytest.importorskip("torch")
    for lib in (wright, torch):
        layer = lib.nn.Linear(3, 2)
        vector = lib.nn.utils.parameters_to_vector(layer.parameters())
        assert tuple(vector.shape) == (8,)
        lib.nn.utils.vector_to_parameters(vector * 0 + 1, layer.parameters())
        assert layer.weight.sum().item() == 6.0 and layer.bias.sum().item() == 2.0


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_matches_torch(batch_first, side):
    torch = pytest.importorskip("torch")
    from wright.nn.utils.rnn import pad_sequence

    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((n, 3)) for n in (2, 5, 1)]
    ours = pad_sequence([wright.tensor(a) for a in arrays], batch_first, -1.0, side)
    theirs = torch.nn.utils.rnn.pad_sequence(
        [torch.tensor(a) for a in arrays], batch_first, -1.0, side
    )
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_clip_grad_value_matches_torch():
    torch = pytest.importorskip("torch")
    params = _params_with_grads(scale=2.0)
    twins = _torch_twins(torch, params)
    clip_grad_value_(params, 0.7)
    torch.nn.utils.clip_grad_value_(twins, 0.7)
    for p, t in zip(params, twins):
        np.testing.assert_array_equal(p.grad.array, t.grad.numpy())
