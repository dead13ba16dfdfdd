"""The fused Normalize primitive: values, statistics, gradients over any axes, and PyTorch's
rule that the output of a norm layer may be changed in place."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from wright.autograd import gradcheck
from wright.nn import functional as F
from wright.ops.norm import Normalize


@pytest.mark.parametrize("axes", [(0,), (1, 2), (0, 2), (0, 1, 2)])
def test_values_statistics_and_gradcheck(axes):
    x = np.random.default_rng(0).normal(2.0, 3.0, (3, 4, 5))
    stats: list = []
    out = Normalize.apply(wright.tensor(x), axes=axes, eps=1e-5, stats=stats)
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    np.testing.assert_allclose(out.array, (x - mean) / np.sqrt(var + 1e-5), rtol=1e-12)
    np.testing.assert_allclose(stats[0], mean, rtol=1e-12)
    np.testing.assert_allclose(stats[1], var, rtol=1e-12)
    tensor = wright.tensor(x, requires_grad=True)
    assert gradcheck(lambda a: Normalize.apply(a, axes=axes, eps=1e-5), [tensor])


def test_float32_stays_float32():
    x = wright.randn(4, 3, 2, requires_grad=True)
    out = Normalize.apply(x, axes=(0, 2), eps=1e-5)
    out.sum().backward()
    assert out.dtype == x.grad.dtype == wright.float32


def test_output_may_be_changed_in_place_as_in_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal((4, 3, 5))
    mine, reference = wright.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = F.instance_norm(mine)
    out.relu_()
    expected = torch.nn.functional.instance_norm(reference)
    expected.relu_()
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(mine.grad.array, reference.grad.numpy(), rtol=1e-10, atol=1e-12)
