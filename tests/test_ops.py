"""Every op, forward and backward: against NumPy, against finite differences, and against PyTorch.

The table below lists each op once as a wright function, a NumPy reference and a PyTorch reference
(`SAME` when the wright lambda already runs unchanged on arrays or on torch tensors). Each row
goes through three checks: the forward values against NumPy, `gradcheck` in float64, and forward
values plus gradients against torch on the same float64 inputs. Hypothesis adds random shapes
for the binary ops (broadcasting, size-1 dims, 0-d) and for the reductions (every axis form).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import wright
from wright.autograd import gradcheck
from wright.nn import functional as F

SAME = "same"
MASK = np.random.default_rng(1).random((3, 4)) > 0.5
EXPONENTS = np.array([1.0, 2.0, 3.0, 0.0])


def _torch():
    """PyTorch, imported only by the torch-backed checks (which skip when it is missing)."""
    return pytest.importorskip("torch")


@dataclass(frozen=True)
class OpCase:
    """One row of the table: an op, its references, its input shapes and the range of its inputs.

    `domain` is one (low, high) range for every input, or a tuple with one range per input.
    A reference of None skips that comparison; SAME reuses the wright lambda.
    """

    name: str
    fn: Callable
    shapes: tuple[tuple[int, ...], ...]
    numpy: Callable | str | None = SAME
    torch: Callable | str | None = SAME
    domain: tuple = (-2.0, 2.0)

    def domains(self) -> list[tuple[float, float]]:
        if isinstance(self.domain[0], tuple):
            return list(self.domain)
        return [self.domain] * len(self.shapes)

    def reference(self, which: str) -> Callable | None:
        ref = getattr(self, which)
        return self.fn if ref == SAME else ref

    def inputs(self) -> list[np.ndarray]:
        rng = np.random.default_rng(zlib.crc32(self.name.encode()))
        return [
            rng.uniform(low, high, size=shape)
            for shape, (low, high) in zip(self.shapes, self.domains())
        ]


def _linear(x, weight, bias=None):
    return x @ weight.T if bias is None else x @ weight.T + bias


def _torch_linear(*args):
    return _torch().nn.functional.linear(*args)


POSITIVE = (0.5, 2.0)
NONZERO_DENOMINATOR = ((-2.0, 2.0), (0.5, 2.0))

CASES = [
    # ----- arithmetic and broadcasting -----
    OpCase("add", lambda a, b: a + b, ((3, 4), (3, 4))),
    OpCase("add_broadcast_row", lambda a, b: a + b, ((3, 4), (4,))),
    OpCase("add_broadcast_both", lambda a, b: a + b, ((2, 1, 4), (3, 1))),
    OpCase("add_scalar_tensor", lambda a, b: a + b, ((), (2, 3))),
    OpCase("radd_number", lambda a: 1.5 + a, ((3,),)),
    OpCase("sub", lambda a, b: a - b, ((3, 4), (3, 4))),
    OpCase("sub_broadcast", lambda a, b: a - b, ((4,), (3, 1))),
    OpCase("rsub_number", lambda a: 2.0 - a, ((3, 2),)),
    OpCase("mul", lambda a, b: a * b, ((3, 4), (3, 4))),
    OpCase("mul_broadcast", lambda a, b: a * b, ((2, 3, 1), (1, 4))),
    OpCase("mul_self", lambda a: a * a, ((5,),)),
    OpCase("div", lambda a, b: a / b, ((3, 4), (3, 4)), domain=NONZERO_DENOMINATOR),
    OpCase("div_broadcast", lambda a, b: a / b, ((2, 3), (3,)), domain=NONZERO_DENOMINATOR),
    OpCase("rtruediv_number", lambda a: 3.0 / a, ((4,),), domain=POSITIVE),
    OpCase("neg", lambda a: -a, ((3, 4),)),
    OpCase("pow_cube", lambda a: a**3, ((3, 4),)),
    OpCase("pow_half", lambda a: a**0.5, ((3, 4),), domain=POSITIVE),
    OpCase("pow_negative", lambda a: a**-1.5, ((6,),), domain=POSITIVE),
    OpCase("rpow_number", lambda a: 2.0**a, ((3, 2),)),
    OpCase("pow_tensor", lambda a, b: a**b, ((3, 4), (3, 4)), domain=(POSITIVE, (-2.0, 2.0))),
    OpCase(
        "pow_constant_tensor_negative_base",
        lambda a: a ** wright.tensor(EXPONENTS.tolist()),
        ((3, 4),),
        numpy=lambda a: a**EXPONENTS,
        torch=lambda a: a ** _torch().from_numpy(EXPONENTS),
    ),
    # ----- matrix products -----
    OpCase("matmul_1d_1d", lambda a, b: a @ b, ((4,), (4,))),
    OpCase("matmul_2d", lambda a, b: a @ b, ((3, 4), (4, 5))),
    OpCase("matmul_1d_2d", lambda a, b: a @ b, ((4,), (4, 5))),
    OpCase("matmul_2d_1d", lambda a, b: a @ b, ((3, 4), (4,))),
    OpCase("matmul_batched", lambda a, b: a @ b, ((2, 3, 4), (2, 4, 5))),
    OpCase("matmul_broadcast_batch", lambda a, b: a @ b, ((2, 1, 3, 4), (5, 4, 2))),
    OpCase("matmul_batch_times_2d", lambda a, b: a @ b, ((2, 3, 4), (4, 2))),
    OpCase("matmul_batched_1d", lambda a, b: a @ b, ((2, 3, 4), (4,))),
    OpCase("matmul_1d_batched", lambda a, b: a @ b, ((4,), (2, 4, 3))),
    OpCase("linear", F.linear, ((5, 3), (4, 3), (4,)), numpy=_linear, torch=_torch_linear),
    OpCase("linear_no_bias", F.linear, ((5, 3), (4, 3)), numpy=_linear, torch=_torch_linear),
    OpCase("linear_3d", F.linear, ((2, 5, 3), (4, 3), (4,)), numpy=_linear, torch=_torch_linear),
    OpCase("linear_1d_input", F.linear, ((3,), (4, 3), (4,)), numpy=_linear, torch=_torch_linear),
    # ----- elementwise functions -----
    OpCase("exp", lambda a: a.exp(), ((3, 4),), numpy=np.exp),
    OpCase("log", lambda a: a.log(), ((3, 4),), numpy=np.log, domain=POSITIVE),
    OpCase("sqrt", lambda a: a.sqrt(), ((3, 4),), numpy=np.sqrt, domain=POSITIVE),
    OpCase("abs", lambda a: a.abs(), ((3, 4),), numpy=np.abs),
    OpCase("tanh", lambda a: a.tanh(), ((3, 4),), numpy=np.tanh),
    OpCase(
        "sigmoid",
        lambda a: a.sigmoid(),
        ((3, 4),),
        numpy=lambda a: 1 / (1 + np.exp(-a)),
        domain=(-6.0, 6.0),
    ),
    OpCase("relu", lambda a: a.relu(), ((3, 4),), numpy=lambda a: np.maximum(a, 0)),
    OpCase(
        "leaky_relu",
        lambda a: F.leaky_relu(a, 0.1),
        ((3, 4),),
        numpy=lambda a: np.where(a > 0, a, 0.1 * a),
        torch=lambda a: _torch().nn.functional.leaky_relu(a, 0.1),
    ),
    OpCase("clip", lambda a: a.clip(-0.5, 0.7), ((3, 4),), numpy=lambda a: np.clip(a, -0.5, 0.7)),
    OpCase(
        "clamp_min_only",
        lambda a: a.clamp(min=0.3),
        ((3, 4),),
        numpy=lambda a: np.clip(a, 0.3, None),
    ),
    OpCase("maximum", lambda a, b: a.maximum(b), ((3, 4), (3, 4)), numpy=np.maximum),
    OpCase("maximum_broadcast", lambda a, b: a.maximum(b), ((3, 4), (4,)), numpy=np.maximum),
    OpCase(
        "maximum_number",
        lambda a: a.maximum(0.25),
        ((3, 4),),
        numpy=lambda a: np.maximum(a, 0.25),
        torch=lambda a: a.clamp(min=0.25),
    ),
    OpCase("minimum", lambda a, b: a.minimum(b), ((3, 4), (3, 4)), numpy=np.minimum),
    OpCase("minimum_broadcast", lambda a, b: a.minimum(b), ((2, 1), (2, 3)), numpy=np.minimum),
    OpCase(
        "where",
        lambda a, b: wright.where(MASK, a, b),
        ((3, 4), (3, 4)),
        numpy=lambda a, b: np.where(MASK, a, b),
        torch=lambda a, b: _torch().where(_torch().from_numpy(MASK), a, b),
    ),
    OpCase(
        "where_broadcast",
        lambda a, b: wright.where(MASK, a, b),
        ((4,), (3, 1)),
        numpy=lambda a, b: np.where(MASK, a, b),
        torch=lambda a, b: _torch().where(_torch().from_numpy(MASK), a, b),
    ),
    OpCase(
        "where_tensor_condition",
        lambda a, b: wright.where(a > b, a * 2.0, b),
        ((3, 4), (3, 4)),
        numpy=lambda a, b: np.where(a > b, a * 2.0, b),
        torch=lambda a, b: _torch().where(a > b, a * 2.0, b),
    ),
    OpCase(
        "where_number",
        lambda a: wright.where(MASK, a, 0.0),
        ((3, 4),),
        numpy=lambda a: np.where(MASK, a, 0.0),
        torch=lambda a: _torch().where(_torch().from_numpy(MASK), a, 0.0),
    ),
    # ----- reductions (NumPy spelling axis/keepdims and PyTorch spelling dim/keepdim) -----
    OpCase("sum_all", lambda a: a.sum(), ((3, 4),)),
    OpCase("sum_axis", lambda a: a.sum(axis=1), ((3, 4),), torch=lambda a: a.sum(dim=1)),
    OpCase(
        "sum_tuple_keepdims",
        lambda a: a.sum(axis=(0, 2), keepdims=True),
        ((2, 3, 4),),
        torch=lambda a: a.sum(dim=(0, 2), keepdim=True),
    ),
    OpCase(
        "sum_dim_keepdim",
        lambda a: a.sum(dim=-1, keepdim=True),
        ((2, 3, 4),),
        numpy=lambda a: a.sum(axis=-1, keepdims=True),
    ),
    OpCase(
        "sum_function",
        lambda a: wright.sum(a, axis=0),
        ((3, 4),),
        numpy=lambda a: np.sum(a, axis=0),
        torch=lambda a: a.sum(0),
    ),
    OpCase("mean_all", lambda a: a.mean(), ((3, 4),)),
    OpCase("mean_axis", lambda a: a.mean(axis=0), ((3, 4),), torch=lambda a: a.mean(dim=0)),
    OpCase(
        "mean_tuple_negative",
        lambda a: a.mean(axis=(-1, 0)),
        ((2, 3, 4),),
        torch=lambda a: a.mean(dim=(-1, 0)),
    ),
    OpCase(
        "mean_dim_keepdim",
        lambda a: a.mean(dim=1, keepdim=True),
        ((2, 3, 4),),
        numpy=lambda a: a.mean(axis=1, keepdims=True),
    ),
    OpCase("max_all", lambda a: a.max(), ((3, 4),)),
    OpCase(
        "max_axis",
        lambda a: a.max(axis=1).values,
        ((3, 4),),
        numpy=lambda a: a.max(axis=1),
        torch=lambda a: a.max(dim=1).values,
    ),
    OpCase(
        "amax_tuple_keepdim",
        lambda a: a.amax(dim=(0, 2), keepdim=True),
        ((2, 3, 4),),
        numpy=lambda a: a.max(axis=(0, 2), keepdims=True),
    ),
    OpCase(
        "max_dim",
        lambda a: a.max(dim=0).values,
        ((3, 4),),
        numpy=lambda a: a.max(axis=0),
        torch=lambda a: a.max(dim=0).values,
    ),
    OpCase("min_all", lambda a: a.min(), ((3, 4),)),
    OpCase(
        "min_axis_keepdims",
        lambda a: a.min(axis=0, keepdims=True).values,
        ((3, 4),),
        numpy=lambda a: a.min(axis=0, keepdims=True),
        torch=lambda a: a.min(dim=0, keepdim=True).values,
    ),
    OpCase(
        "amin_dim_keepdim",
        lambda a: a.amin(dim=-1, keepdim=True),
        ((2, 3, 4),),
        numpy=lambda a: a.min(axis=-1, keepdims=True),
    ),
    OpCase("var_all", lambda a: a.var(), ((3, 4),), numpy=lambda a: a.var(ddof=1)),
    OpCase(
        "var_axis_biased",
        lambda a: a.var(axis=1, ddof=0),
        ((3, 4),),
        torch=lambda a: a.var(dim=1, correction=0),
    ),
    OpCase("var_ddof", lambda a: a.var(axis=0, ddof=1), ((4, 3),), torch=lambda a: a.var(dim=0)),
    OpCase(
        "var_unbiased_dim",
        lambda a: a.var(dim=(0, 2), keepdim=True, unbiased=True),
        ((2, 3, 4),),
        numpy=lambda a: a.var(axis=(0, 2), keepdims=True, ddof=1),
    ),
    OpCase(
        "var_correction",
        lambda a: a.var(dim=1, correction=1),
        ((3, 4),),
        numpy=lambda a: a.var(axis=1, ddof=1),
    ),
    OpCase("std_all", lambda a: a.std(), ((3, 4),), numpy=lambda a: a.std(ddof=1)),
    OpCase(
        "std_tuple_unbiased_false",
        lambda a: a.std(axis=(0, 1), unbiased=False),
        ((3, 4, 2),),
        numpy=lambda a: a.std(axis=(0, 1)),
        torch=lambda a: a.std(dim=(0, 1), correction=0),
    ),
    OpCase(
        "std_dim_keepdim_unbiased",
        lambda a: a.std(dim=-1, keepdim=True, unbiased=True),
        ((3, 4),),
        numpy=lambda a: a.std(axis=-1, keepdims=True, ddof=1),
    ),
    OpCase(
        "logsumexp_axis",
        lambda a: a.logsumexp(axis=1),
        ((3, 4),),
        numpy=lambda a: np.log(np.exp(a).sum(axis=1)),
        torch=lambda a: a.logsumexp(dim=1),
    ),
    OpCase(
        "logsumexp_all",
        lambda a: a.logsumexp(),
        ((3, 4),),
        numpy=lambda a: np.log(np.exp(a).sum()),
        torch=lambda a: a.logsumexp(dim=(0, 1)),
    ),
    OpCase(
        "logsumexp_keepdim",
        lambda a: a.logsumexp(dim=(0, 2), keepdim=True),
        ((2, 3, 4),),
        numpy=lambda a: np.log(np.exp(a).sum(axis=(0, 2), keepdims=True)),
    ),
    OpCase(
        "logsumexp_large",
        lambda a: (a * 300).logsumexp(axis=-1),
        ((3, 4),),
        numpy=lambda a: (
            (300 * a).max(-1) + np.log(np.exp(300 * a - (300 * a).max(-1, keepdims=True)).sum(-1))
        ),
        torch=lambda a: (a * 300).logsumexp(dim=-1),
    ),
    OpCase(
        "softmax_last",
        lambda a: a.softmax(-1),
        ((3, 4),),
        numpy=lambda a: np.exp(a) / np.exp(a).sum(-1, keepdims=True),
    ),
    OpCase(
        "softmax_dim0",
        lambda a: a.softmax(dim=0),
        ((3, 4),),
        numpy=lambda a: np.exp(a) / np.exp(a).sum(0, keepdims=True),
    ),
    OpCase(
        "softmax_large_logits",
        lambda a: (a * 500).softmax(dim=1),
        ((2, 3, 4),),
        numpy=lambda a: (
            np.exp(500 * a - (500 * a).max(1, keepdims=True))
            / np.exp(500 * a - (500 * a).max(1, keepdims=True)).sum(1, keepdims=True)
        ),
        torch=lambda a: (a * 500).softmax(dim=1),
    ),
    OpCase(
        "log_softmax",
        lambda a: a.log_softmax(dim=1),
        ((3, 4),),
        numpy=lambda a: a - np.log(np.exp(a).sum(1, keepdims=True)),
    ),
    OpCase(
        "log_softmax_function",
        lambda a: wright.log_softmax(a, axis=0),
        ((3, 4),),
        numpy=lambda a: a - np.log(np.exp(a).sum(0, keepdims=True)),
        torch=lambda a: a.log_softmax(0),
    ),
    # ----- shape -----
    OpCase("reshape", lambda a: a.reshape(2, 6), ((3, 4),)),
    OpCase("reshape_tuple_infer", lambda a: a.reshape((4, -1)), ((3, 4),)),
    OpCase("view", lambda a: a.view(6, 2), ((3, 4),), numpy=lambda a: a.reshape(6, 2)),
    OpCase("flatten_all", lambda a: a.flatten(), ((2, 3, 4),)),
    OpCase(
        "flatten_from_1", lambda a: a.flatten(1), ((2, 3, 4),), numpy=lambda a: a.reshape(2, 12)
    ),
    OpCase(
        "flatten_range", lambda a: a.flatten(0, 1), ((2, 3, 4),), numpy=lambda a: a.reshape(6, 4)
    ),
    OpCase(
        "transpose_pair",
        lambda a: a.transpose(0, 2),
        ((2, 3, 4),),
        numpy=lambda a: a.swapaxes(0, 2),
    ),
    OpCase(
        "T_3d",
        lambda a: a.T,
        ((2, 3, 4),),
        torch=lambda a: a.permute(2, 1, 0),
    ),
    OpCase("T", lambda a: a.T, ((3, 4),)),
    OpCase(
        "permute", lambda a: a.permute(2, 0, 1), ((2, 3, 4),), numpy=lambda a: a.transpose(2, 0, 1)
    ),
    OpCase("squeeze_all", lambda a: a.squeeze(), ((3, 1, 4, 1),)),
    OpCase("squeeze_axis", lambda a: a.squeeze(1), ((3, 1, 4, 1),)),
    OpCase("squeeze_dim_not_one", lambda a: a.squeeze(dim=0), ((3, 1, 4),), numpy=lambda a: a),
    OpCase("unsqueeze_front", lambda a: a.unsqueeze(0), ((3, 4),), numpy=lambda a: a[None]),
    OpCase(
        "unsqueeze_negative", lambda a: a.unsqueeze(dim=-1), ((3, 4),), numpy=lambda a: a[..., None]
    ),
    OpCase(
        "expand", lambda a: a.expand(3, 4), ((3, 1),), numpy=lambda a: np.broadcast_to(a, (3, 4))
    ),
    OpCase(
        "expand_new_dims",
        lambda a: a.expand(2, -1, 4),
        ((3, 1),),
        numpy=lambda a: np.broadcast_to(a, (2, 3, 4)),
    ),
    # ----- indexing -----
    OpCase("getitem_int", lambda a: a[1], ((3, 4),)),
    OpCase("getitem_slice", lambda a: a[1:3], ((4, 3),)),
    OpCase("getitem_step", lambda a: a[:, ::2], ((3, 5),)),
    OpCase("getitem_negative_step", lambda a: a[::-1], ((4, 3),), torch=lambda a: a.flip(0)),
    OpCase(
        "getitem_negative_step_2d",
        lambda a: a[::-2, 1:],
        ((5, 3),),
        torch=lambda a: a.flip(0)[::2, 1:],
    ),
    OpCase("getitem_ellipsis_none", lambda a: a[None, ..., 0], ((2, 3, 4),)),
    OpCase("getitem_repeated_indices", lambda a: a[[0, 2, 0, 0]], ((3, 4),)),
    OpCase("getitem_index_pairs", lambda a: a[[0, 1, 1, 0], [2, 2, 0, 2]], ((3, 4),)),
    OpCase("getitem_columns_repeated", lambda a: a[:, [3, 3, 1]], ((3, 4),)),
    OpCase(
        "getitem_tensor_index",
        lambda a: a[wright.tensor([2, 2, 0])],
        ((3, 4),),
        numpy=lambda a: a[[2, 2, 0]],
        torch=lambda a: a[[2, 2, 0]],
    ),
    OpCase("getitem_bool_mask", lambda a: a[MASK], ((3, 4),)),
    OpCase("getitem_mask_from_comparison", lambda a: a[a > 0.0], ((3, 4),)),
    OpCase("getitem_repeated_rows_and_slice", lambda a: a[[0, 0, 2], 1:], ((3, 4),)),
    OpCase("getitem_slice_then_repeated_columns", lambda a: a[1:, [0, 0]], ((3, 4),)),
    OpCase("getitem_bool_rows", lambda a: a[np.array([True, False, True])], ((3, 4),)),
    # ----- joining, splitting, padding -----
    OpCase(
        "concatenate_axis1",
        lambda a, b: wright.concatenate([a, b], axis=1),
        ((3, 2), (3, 4)),
        numpy=lambda a, b: np.concatenate([a, b], axis=1),
        torch=lambda a, b: _torch().cat([a, b], dim=1),
    ),
    OpCase(
        "cat_dim0_three",
        lambda a, b, c: wright.cat([a, b, c], dim=0),
        ((1, 3), (2, 3), (3, 3)),
        numpy=lambda a, b, c: np.concatenate([a, b, c]),
        torch=lambda a, b, c: _torch().cat([a, b, c]),
    ),
    OpCase(
        "cat_negative_axis",
        lambda a, b: wright.cat([a, b], dim=-1),
        ((2, 3, 1), (2, 3, 2)),
        numpy=lambda a, b: np.concatenate([a, b], axis=-1),
        torch=lambda a, b: _torch().cat([a, b], -1),
    ),
    OpCase(
        "stack",
        lambda a, b: wright.stack([a, b]),
        ((3, 4), (3, 4)),
        numpy=lambda a, b: np.stack([a, b]),
        torch=lambda a, b: _torch().stack([a, b]),
    ),
    OpCase(
        "stack_last",
        lambda a, b, c: wright.stack([a, b, c], dim=-1),
        ((3, 2), (3, 2), (3, 2)),
        numpy=lambda a, b, c: np.stack([a, b, c], -1),
        torch=lambda a, b, c: _torch().stack([a, b, c], -1),
    ),
    OpCase(
        "split_size",
        lambda a: a.split(2, dim=1),
        ((3, 5),),
        numpy=lambda a: np.split(a, [2, 4], axis=1),
    ),
    OpCase(
        "split_sections",
        lambda a: wright.split(a, [1, 3], axis=0),
        ((4, 2),),
        numpy=lambda a: np.split(a, [1], axis=0),
        torch=lambda a: a.split([1, 3], dim=0),
    ),
    OpCase(
        "chunk",
        lambda a: a.chunk(3, dim=-1),
        ((2, 5),),
        numpy=lambda a: np.split(a, [2, 4], axis=-1),
    ),
    OpCase(
        "chunk_uneven_count", lambda a: a.chunk(4), ((6, 2),), numpy=lambda a: np.split(a, [2, 4])
    ),
    OpCase(
        "pad",
        lambda a: wright.pad(a, ((1, 2), (0, 1))),
        ((3, 4),),
        numpy=lambda a: np.pad(a, ((1, 2), (0, 1))),
        torch=lambda a: _torch().nn.functional.pad(a, (0, 1, 1, 2)),
    ),
    OpCase(
        "pad_value",
        lambda a: wright.pad(a, 1, value=1.5),
        ((2, 3),),
        numpy=lambda a: np.pad(a, 1, constant_values=1.5),
        torch=lambda a: _torch().nn.functional.pad(a, (1, 1, 1, 1), value=1.5),
    ),
]


def _as_tuple(value) -> tuple:
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def _data(value) -> np.ndarray:
    return value.array if isinstance(value, wright.Tensor) else np.asarray(value)


def _flat(outputs):
    """One tensor from an op's output, so ops that return several pieces can be gradchecked too."""
    pieces = _as_tuple(outputs)
    return pieces[0] if len(pieces) == 1 else wright.cat([p.reshape(-1) for p in pieces])


case_ids = pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])


def test_case_names_are_unique():
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))


@case_ids
def test_forward_matches_numpy(case: OpCase):
    reference = case.reference("numpy")
    if reference is None:
        pytest.skip("no NumPy reference")
    arrays = case.inputs()
    outputs = _as_tuple(case.fn(*[wright.tensor(a) for a in arrays]))
    expected = _as_tuple(reference(*[a.copy() for a in arrays]))
    assert len(outputs) == len(expected)
    for out, want in zip(outputs, expected):
        assert isinstance(out, wright.Tensor)
        assert out.shape == np.shape(want)
        assert out.dtype == np.float64
        np.testing.assert_allclose(out.array, want, rtol=1e-12, atol=1e-12)


@case_ids
def test_float32_stays_float32(case: OpCase):
    inputs = [wright.tensor(a.astype(np.float32), requires_grad=True) for a in case.inputs()]
    outputs = _as_tuple(case.fn(*inputs))
    assert all(out.dtype == np.float32 for out in outputs), [out.dtype for out in outputs]
    _flat(outputs).sum().backward()
    for x in inputs:
        assert x.grad is not None and x.grad.dtype == np.float32 and x.grad.shape == x.shape


@case_ids
def test_gradcheck(case: OpCase):
    inputs = [wright.tensor(a, requires_grad=True) for a in case.inputs()]
    assert gradcheck(lambda *xs: _flat(case.fn(*xs)), inputs, eps=1e-6, atol=1e-5, rtol=1e-3)


@case_ids
def test_forward_and_gradients_match_torch(case: OpCase):
    torch = pytest.importorskip("torch")
    reference = case.reference("torch")
    if reference is None:
        pytest.skip("no torch reference")
    arrays = case.inputs()
    ours = [wright.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    our_out, their_out = _as_tuple(case.fn(*ours)), _as_tuple(reference(*theirs))
    assert len(our_out) == len(their_out)
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(out.shape) for out in our_out]
    for out, ref in zip(our_out, their_out):
        assert out.shape == tuple(ref.shape)
        np.testing.assert_allclose(out.array, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    sum((out * w).sum() for out, w in zip(our_out, weights)).backward()
    sum((ref * torch.from_numpy(w)).sum() for ref, w in zip(their_out, weights)).backward()
    for index, (x, t) in enumerate(zip(ours, theirs)):
        assert x.grad is not None, f"input {index} got no gradient"
        np.testing.assert_allclose(
            x.grad.array,
            t.grad.numpy(),
            rtol=1e-10,
            atol=1e-12,
            err_msg=f"gradient of input {index}",
        )


def test_repeated_indices_accumulate_gradients():
    x = wright.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    x[[0, 2, 0, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.array, [[3.0, 3.0], [0.0, 0.0], [1.0, 1.0]])
    y = wright.tensor(np.zeros(4), requires_grad=True)
    y[np.array([1, 1, 3])].backward(np.array([1.0, 2.0, 5.0]))
    np.testing.assert_array_equal(y.grad.array, [0.0, 3.0, 0.0, 5.0])


def test_split_and_chunk_sizes_follow_torch():
    x = wright.zeros(7, 2)
    assert [p.shape[0] for p in x.split(3)] == [3, 3, 1]
    assert [p.shape[0] for p in x.chunk(3)] == [3, 3, 1]
    assert [p.shape[0] for p in x.chunk(4)] == [2, 2, 2, 1]
    with pytest.raises(RuntimeError, match=r"add up to 5.*has 7"):
        x.split([2, 3])


# ----- hypothesis: broadcasting for binary ops, every axis form for reductions -----

BINARY_OPS = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.divide),
    "maximum": (lambda a, b: a.maximum(b), np.maximum),
    "minimum": (lambda a, b: wright.minimum(a, b), np.minimum),
}

broadcast_pairs = hnp.mutually_broadcastable_shapes(
    num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=3
)


def _draw_values(data, *shapes) -> list[np.ndarray]:
    """Values in (-2, 2) for each shape from one seeded generator, kept away from 0 for division."""
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    values = [rng.uniform(-2.0, 2.0, size=shape) for shape in shapes]
    return [np.where(np.abs(v) < 0.2, v + 0.5, v) for v in values]


@pytest.mark.parametrize("name", sorted(BINARY_OPS))
@settings(max_examples=15, deadline=None)
@given(shapes=broadcast_pairs, data=st.data())
def test_binary_ops_broadcast(name, shapes, data):
    fn, reference = BINARY_OPS[name]
    a_shape, b_shape = shapes.input_shapes
    arrays = _draw_values(data, a_shape, b_shape)
    a, b = (wright.tensor(x, requires_grad=True) for x in arrays)
    out = fn(a, b)
    assert out.shape == shapes.result_shape
    np.testing.assert_allclose(out.array, reference(*arrays), rtol=1e-12)
    assert gradcheck(fn, [a, b])
    assert a.grad.shape == a_shape and b.grad.shape == b_shape


@pytest.mark.parametrize("name", sorted(BINARY_OPS))
@settings(max_examples=10, deadline=None)
@given(shapes=broadcast_pairs, data=st.data())
def test_binary_ops_broadcast_match_torch(name, shapes, data):
    torch = pytest.importorskip("torch")
    fn, _ = BINARY_OPS[name]
    torch_fn = {"maximum": torch.maximum, "minimum": torch.minimum}.get(name, fn)
    arrays = _draw_values(data, *shapes.input_shapes)
    ours = [wright.tensor(x, requires_grad=True) for x in arrays]
    theirs = [torch.tensor(x, requires_grad=True) for x in arrays]
    fn(*ours).sum().backward()
    torch_fn(*theirs).sum().backward()
    for x, t in zip(ours, theirs):
        np.testing.assert_allclose(x.grad.array, t.grad.numpy(), rtol=1e-12)


def _logsumexp(a, axis=None, keepdims=False):
    return np.log(np.sum(np.exp(a), axis=axis, keepdims=keepdims))


REDUCTIONS = {
    "sum": np.sum,
    "mean": np.mean,
    "amax": np.max,
    "amin": np.min,
    "var": lambda a, axis=None, keepdims=False: np.var(a, axis=axis, keepdims=keepdims, ddof=1),
    "std": lambda a, axis=None, keepdims=False: np.std(a, axis=axis, keepdims=keepdims, ddof=1),
    "logsumexp": _logsumexp,
}


@st.composite
def reduction_arguments(draw):
    """A shape (0-d included) and an axis: None, one int (maybe negative) or a tuple of axes."""
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
    ndim = len(shape)
    choices = [st.none(), hnp.valid_tuple_axes(ndim, min_size=1)] if ndim else [st.none()]
    if ndim:
        choices.append(st.integers(-ndim, ndim - 1))
    return shape, draw(st.one_of(*choices)), draw(st.booleans())


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@settings(max_examples=20, deadline=None)
@given(arguments=reduction_arguments(), torch_spelling=st.booleans(), data=st.data())
def test_reductions(name, arguments, torch_spelling, data):
    shape, axis, keepdims = arguments
    reference = REDUCTIONS[name]
    (values,) = _draw_values(data, shape)
    if name in ("var", "std"):
        # The unbiased estimate needs two elements (and sqrt has no derivative at 0).
        count = (
            int(np.prod([shape[i] for i in np.atleast_1d(axis)]))
            if axis is not None
            else values.size
        )
        assume(count > 1)
    spelled = (
        {"dim": axis, "keepdim": keepdims}
        if torch_spelling or name in ("amax", "amin")
        else {"axis": axis, "keepdims": keepdims}
    )
    if name in ("amax", "amin") and axis is None:
        spelled["dim"] = ()

    def fn(x):
        return getattr(x, name)(**spelled)

    x = wright.tensor(values, requires_grad=True)
    out = fn(x)
    expected = reference(values, axis=axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.array, expected, rtol=1e-12, atol=1e-12)
    assert gradcheck(fn, [x])
    assert x.grad.shape == shape


def test_amax_splits_gradient_between_ties():
    x = wright.tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]], requires_grad=True)
    x.amax(dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [[0.0, 0.5, 0.5], [0.5, 0.0, 0.5]])


def test_max_along_a_dim_returns_values_and_indices_and_sends_the_gradient_to_the_index():
    torch = pytest.importorskip("torch")
    values = [[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]]
    x, t = wright.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    found, expected = x.max(dim=1), t.max(dim=1)
    assert found.indices.tolist() == expected.indices.tolist()
    found.values.sum().backward()
    expected.values.sum().backward()
    np.testing.assert_array_equal(x.grad.array, t.grad.numpy())
    smallest = x.min(1, keepdim=True)
    assert smallest.values.shape == (2, 1) and smallest.indices.dtype == wright.int64


def test_softmax_family_survives_huge_logits():
    x = wright.tensor([[1000.0, -1000.0, 0.0], [-1e4, -1e4, -1e4]])
    assert np.isfinite(x.softmax(-1).array).all()
    assert np.isfinite(x.log_softmax(-1).array).all()
    np.testing.assert_allclose(x.softmax(-1).array.sum(-1), 1.0)
    np.testing.assert_allclose(x.logsumexp(axis=1).array, [1000.0, -1e4 + np.log(3)], rtol=1e-6)
