"""scaled_dot_product_attention and MultiheadAttention against PyTorch: values, attention weights
and gradients (inputs, masks, every parameter) with the same state dict, masks of every kind,
batched and unbatched inputs, and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from opinfo import Const, OpInfo, Sample, cases, check_against_torch, check_gradcheck, floats
from torch_pairs import assert_close, run, same_module
from wright import nn

torch = pytest.importorskip("torch")


# ----- scaled_dot_product_attention -----


def _causal_blocked(length: int, source: int) -> np.ndarray:
    mask = np.ones((length, source), dtype=bool)
    mask[1] = False  # a row where nothing may be attended
    return mask


def _sdpa_samples(rng):
    q, k, v = floats(rng, 2, 3, 4, 5), floats(rng, 2, 3, 6, 5), floats(rng, 2, 3, 6, 7)
    yield Sample((q, k, v), label="4d")
    yield Sample((q[0, 0], k[0, 0], v[0, 0]), label="2d")
    yield Sample((q[0], k[:1, 0], v[:1, 0]), label="broadcast_batch")
    yield Sample((q, k[:, :1], v[:, :1]), label="broadcast_heads")
    yield Sample((q, k, v, Const(rng.random((4, 6)) > 0.3)), label="bool_mask")
    yield Sample((q, k, v, Const(_causal_blocked(4, 6))), label="fully_masked_row")
    yield Sample((q, k, v, floats(rng, 3, 1, 6)), label="float_mask_broadcast")
    float_mask = floats(rng, 4, 6)
    float_mask[2, :3] = -np.inf
    yield Sample((q, k, v, float_mask), label="float_mask_with_inf")
    yield Sample((q, k, v), {"is_causal": True}, label="causal_wide")
    yield Sample((k, q, floats(rng, 2, 3, 4, 7)), {"is_causal": True}, label="causal_tall")
    yield Sample((q, k[:, :1], v[:, :1]), {"is_causal": True}, label="causal_broadcast_heads")
    yield Sample((q, k, v), {"scale": 0.3}, label="scale")
    qs = floats(rng, 2, 6, 4, 5)
    yield Sample((qs, k, v), {"enable_gqa": True}, label="grouped_query")
    yield Sample((q.astype(np.float64), k.astype(np.float64), v.astype(np.float64)), label="64")
    yield Sample((q[..., :0, :], k, v), label="no_queries")


SDPA = OpInfo(
    "scaled_dot_product_attention",
    lambda lib, *args, **kw: lib.nn.functional.scaled_dot_product_attention(*args, **kw),
    _sdpa_samples,
    rtol=1e-5,
    atol=1e-6,
)


@pytest.mark.parametrize("info, sample", cases([SDPA]))
def test_sdpa_matches_torch(info, sample):
    check_against_torch(info, sample)


@pytest.mark.parametrize("info, sample", cases([SDPA]))
def test_sdpa_gradcheck(info, sample):
    check_gradcheck(info, sample)


def test_causal_attention_split_over_threads_matches_torch():
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((3, 5, 9, 4)).astype(np.float32) for _ in range(3)]
    grad = rng.standard_normal((3, 5, 9, 4)).astype(np.float32)
    ours = [wright.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    with threadpool_limits(2):
        out = nn.functional.scaled_dot_product_attention(*ours, is_causal=True)
        out.backward(wright.tensor(grad))
    expected = torch.nn.functional.scaled_dot_product_attention(*theirs, is_causal=True)
    expected.backward(torch.tensor(grad))
    np.testing.assert_allclose(out.array, expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_sdpa_dropout_keeps_the_expected_output():
    query = wright.zeros(1, 1, 2000, 4)  # every key weighs the same: 1/S
    out = nn.functional.scaled_dot_product_attention(
        query, wright.zeros(1, 1, 10, 4), wright.ones(1, 1, 10, 3), dropout_p=0.5
    )
    assert abs(out.array.mean() - 1.0) < 0.03 and out.array.std() > 0.1


def test_sdpa_errors_follow_torch():
    q = wright.randn(2, 3, 4)
    f = nn.functional.scaled_dot_product_attention
    with pytest.raises(RuntimeError, match="at least 2 dimensional"):
        f(wright.randn(4), q, q)
    with pytest.raises(RuntimeError, match="same floating dtype"):
        f(q.double(), q, q)
    with pytest.raises(RuntimeError, match="attn_mask dtype to be bool"):
        f(q, q, q, attn_mask=wright.ones(3, 3, dtype=wright.int64))
    with pytest.raises(RuntimeError, match="should not be set when is_causal=True"):
        f(q, q, q, attn_mask=wright.ones(3, 3, dtype=wright.bool), is_causal=True)
    with pytest.raises(RuntimeError, match="multiple of"):
        f(
            wright.randn(1, 3, 4, 2),
            wright.randn(1, 2, 4, 2),
            wright.randn(1, 2, 4, 2),
            enable_gqa=True,
        )


# ----- MultiheadAttention -----


def _pair(**kwargs):
    """The same MultiheadAttention in wright and torch (float64, random weights and biases)."""
    return same_module(lambda lib, dtype: lib.nn.MultiheadAttention(dtype=dtype, **kwargs))


CONFIGS = {
    "default": {},
    "batch_first": {"batch_first": True},
    "kdim_vdim": {"kdim": 3, "vdim": 5},
    "bias_kv_zero_attn": {"add_bias_kv": True, "add_zero_attn": True},
    "no_bias": {"bias": False},
}


def _inputs(config: dict, batch: int | None = 3, length: int = 4, source: int = 5):
    rng = np.random.default_rng(2)

    def seq(n: int, width: int):
        if batch is None:
            return rng.standard_normal((n, width))
        shape = (batch, n, width) if config.get("batch_first") else (n, batch, width)
        return rng.standard_normal(shape)

    return {
        "query": seq(length, 8),
        "key": seq(source, config.get("kdim", 8)),
        "value": seq(source, config.get("vdim", 8)),
    }


def _padding(batch: int | None, source: int = 5) -> np.ndarray:
    mask = np.zeros((batch, source) if batch else (source,), dtype=bool)
    mask[..., -2:] = True
    if batch:
        mask[0, :] = False
    return mask


CALLS = {
    "plain": {},
    "no_weights": {"need_weights": False},
    "per_head_weights": {"average_attn_weights": False},
    "key_padding": {"key_padding_mask": _padding(3)},
    "float_mask": {"attn_mask": np.random.default_rng(3).standard_normal((4, 5))},
    "bool_mask_no_weights": {
        "attn_mask": np.random.default_rng(4).random((4, 5)) > 0.6,
        "need_weights": False,
    },
    "masks_3d_float_padding": {
        "attn_mask": np.random.default_rng(5).standard_normal((6, 4, 5)),
        "key_padding_mask": np.where(_padding(3), -np.inf, 0.0),
        "need_weights": False,
    },
}


@pytest.mark.parametrize("config", list(CONFIGS), ids=list(CONFIGS))
@pytest.mark.parametrize("call", list(CALLS), ids=list(CALLS))
def test_multihead_attention_matches_torch(config, call):
    kwargs = CONFIGS[config]
    ours, theirs = _pair(embed_dim=8, num_heads=2, **kwargs)
    arrays = _inputs(kwargs)
    expected = run(theirs, torch, arrays, CALLS[call])
    assert_close(run(ours, wright, arrays, CALLS[call]), expected, f"{config}/{call}")


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("config", ["default", "batch_first", "bias_kv_zero_attn"])
def test_self_attention_and_unbatched_match_torch(config, need_weights):
    kwargs = CONFIGS[config]
    ours, theirs = _pair(embed_dim=8, num_heads=4, **kwargs)
    arrays = _inputs(kwargs, source=4)
    same = {"key": "query", "value": "query"}
    call = {"need_weights": need_weights, "attn_mask": np.triu(np.ones((4, 4), bool), 1)}
    expected = run(theirs, torch, arrays, call, same)
    assert_close(run(ours, wright, arrays, call, same), expected, "self")
    single = _inputs(kwargs, batch=None)
    call = {"need_weights": need_weights, "key_padding_mask": _padding(None)}
    assert_close(run(ours, wright, single, call), run(theirs, torch, single, call), "unbatched")


def test_fully_masked_rows_nan_with_weights_and_zero_without_as_torch():
    ours, theirs = _pair(embed_dim=4, num_heads=2)
    x = np.random.default_rng(6).standard_normal((3, 2, 4))
    padding = np.array([[False] * 3, [True] * 3])
    for need_weights in (True, False):
        ours_out, ours_w = ours(
            *[wright.tensor(x)] * 3,
            key_padding_mask=wright.tensor(padding),
            need_weights=need_weights,
        )
        theirs_out, theirs_w = theirs(
            *[torch.tensor(x)] * 3,
            key_padding_mask=torch.tensor(padding),
            need_weights=need_weights,
        )
        np.testing.assert_allclose(ours_out.array, theirs_out.detach().numpy(), equal_nan=True)
        assert np.isnan(ours_out.array[:, 1]).all() == need_weights
        if need_weights:
            np.testing.assert_allclose(ours_w.array, theirs_w.detach().numpy(), equal_nan=True)


def test_causal_hint_is_trusted_without_weights_as_in_torch():
    ours, theirs = _pair(embed_dim=4, num_heads=2)
    x = np.random.default_rng(7).standard_normal((3, 2, 4))
    hint = np.zeros((3, 3), dtype=bool)
    hint[0, 1] = True  # not the causal mask
    for need_weights in (False, True):
        ours_out = ours(
            *[wright.tensor(x)] * 3,
            attn_mask=wright.tensor(hint),
            is_causal=True,
            need_weights=need_weights,
        )[0]
        theirs_out = theirs(
            *[torch.tensor(x)] * 3,
            attn_mask=torch.tensor(hint),
            is_causal=True,
            need_weights=need_weights,
        )[0]
        np.testing.assert_allclose(ours_out.array, theirs_out.detach().numpy(), rtol=1e-10)


def test_gradcheck_through_multihead_attention():
    attention = nn.MultiheadAttention(4, 2, add_bias_kv=True, dtype=wright.float64)
    mask = wright.tensor(np.array([[False, False, True]]))

    def run(query, key):
        return attention(query, key, key, key_padding_mask=mask)[0]

    query = wright.randn(2, 1, 4, dtype=wright.float64, requires_grad=True)
    key = wright.randn(3, 1, 4, dtype=wright.float64, requires_grad=True)
    assert wright.autograd.gradcheck(run, [query, key])


def test_parameters_state_dict_and_repr_follow_torch():
    for kwargs in CONFIGS.values():
        ours, theirs = (
            nn.MultiheadAttention(8, 2, **kwargs),
            torch.nn.MultiheadAttention(8, 2, **kwargs),
        )
        assert repr(ours) == repr(theirs)
        assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
        assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == {
            k: tuple(v.shape) for k, v in theirs.state_dict().items()
        }
    attention = nn.MultiheadAttention(8, 2)
    assert attention.in_proj_weight.dtype == wright.float32
    assert not attention.in_proj_bias.array.any() and not attention.out_proj.bias.array.any()
    bound = np.sqrt(6 / (8 + 24))  # Xavier-uniform over the stacked (24, 8) projection
    assert np.abs(attention.in_proj_weight.array).max() <= bound


def test_dropout_only_in_training():
    attention = nn.MultiheadAttention(8, 2, dropout=0.5)
    x = wright.randn(5, 2, 8)
    eval_out = attention.eval()(x, x, x)[0].array
    np.testing.assert_array_equal(attention(x, x, x)[0].array, eval_out)
    assert not np.allclose(attention.train()(x, x, x)[0].array, eval_out)


def test_errors_follow_torch():
    with pytest.raises(AssertionError, match="divisible by num_heads"):
        nn.MultiheadAttention(8, 3)
    with pytest.raises(ValueError, match="greater than 0"):
        nn.MultiheadAttention(0, 1)
    attention = nn.MultiheadAttention(8, 2)
    x = wright.randn(4, 2, 8)
    cases = [
        (RuntimeError, "Need attn_mask", {"is_causal": True}),
        (RuntimeError, "2D attn_mask is", {"attn_mask": wright.zeros(3, 4)}),
        (RuntimeError, "3D attn_mask is", {"attn_mask": wright.zeros(2, 4, 4)}),
        (
            AssertionError,
            "only bool and floating",
            {"attn_mask": wright.zeros(4, 4, dtype=wright.int64)},
        ),
        (AssertionError, "key_padding_mask", {"key_padding_mask": wright.zeros(2, 4, 1)}),
    ]
    for error, message, kwargs in cases:
        with pytest.raises(error, match=message):
            attention(x, x, x, **kwargs)
    with pytest.raises(AssertionError, match="query should be unbatched 2D or batched 3D"):
        attention(x[None], x[None], x[None])
    with pytest.raises(AssertionError, match="expecting embedding dimension of 8"):
        attention(wright.randn(4, 2, 6), x, x)
    with pytest.warns(UserWarning, match="mismatched key_padding_mask and attn_mask"):
        attention(
            x,
            x,
            x,
            key_padding_mask=wright.zeros(2, 4, dtype=wright.bool),
            attn_mask=wright.zeros(4, 4),
        )
