"""Transformer encoder and decoder layers, their stacks and nn.Transformer against PyTorch in
float64: outputs and gradients with the same state dict, in eval mode and in train mode without
dropout, with every kind of mask; copies of layers, causal masks and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import wright
from torch_pairs import assert_close, run, same_module
from wright import nn

torch = pytest.importorskip("torch")

SMALL = {"d_model": 8, "nhead": 2, "dim_feedforward": 16}


def _both(build, training: bool):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's note that nested tensors are not used
        ours, theirs = same_module(build, scale=0.3)
    ours.train(training)
    theirs.train(training)
    return ours, theirs


def _sequences(*lengths: int, batch: int | None = 2, batch_first: bool = False, seed: int = 0):
    rng = np.random.default_rng(seed)
    shapes = [
        (n, 8) if batch is None else ((batch, n, 8) if batch_first else (n, batch, 8))
        for n in lengths
    ]
    return [rng.standard_normal(shape) for shape in shapes]


def _padding(batch: int, length: int) -> np.ndarray:
    mask = np.zeros((batch, length), dtype=bool)
    mask[1:, -2:] = True
    return mask


def _float(mask: np.ndarray) -> np.ndarray:
    """A bool 'ignore' mask as the float mask it stands for (-inf where True)."""
    return np.where(mask, -np.inf, 0.0)


def _causal(n: int) -> np.ndarray:
    return nn.Transformer.generate_square_subsequent_mask(n, dtype=wright.float64).array


LAYER_OPTIONS = {
    "post_norm": {},
    "pre_norm_gelu": {"norm_first": True, "activation": "gelu"},
    "batch_first_no_bias": {"batch_first": True, "bias": False},
}


@pytest.mark.parametrize("training", [False, True], ids=["eval", "train"])
@pytest.mark.parametrize("options", list(LAYER_OPTIONS), ids=list(LAYER_OPTIONS))
def test_encoder_layer_matches_torch(options, training):
    kwargs = {**SMALL, **LAYER_OPTIONS[options], "dropout": 0.0 if training else 0.1}
    ours, theirs = _both(
        lambda lib, dtype: lib.nn.TransformerEncoderLayer(**kwargs, dtype=dtype), training
    )
    (src,) = _sequences(5, batch_first=kwargs.get("batch_first", False))
    masks = {"src_mask": _causal(5), "src_key_padding_mask": _float(_padding(2, 5))}
    for call in ({}, masks, {"src_mask": _causal(5), "is_causal": True}):
        expected = run(theirs, torch, {"src": src}, call)
        assert_close(run(ours, wright, {"src": src}, call), expected, f"{options} {call}")


@pytest.mark.parametrize("training", [False, True], ids=["eval", "train"])
@pytest.mark.parametrize("options", list(LAYER_OPTIONS), ids=list(LAYER_OPTIONS))
def test_decoder_layer_matches_torch(options, training):
    kwargs = {**SMALL, **LAYER_OPTIONS[options], "dropout": 0.0 if training else 0.1}
    ours, theirs = _both(
        lambda lib, dtype: lib.nn.TransformerDecoderLayer(**kwargs, dtype=dtype), training
    )
    tgt, memory = _sequences(4, 6, batch_first=kwargs.get("batch_first", False))
    call = {
        "tgt_mask": _causal(4),
        "memory_mask": np.random.default_rng(3).random((4, 6)) > 0.8,
        "tgt_key_padding_mask": _float(_padding(2, 4)),
        "memory_key_padding_mask": _padding(2, 6),
        "tgt_is_causal": True,
    }
    inputs = {"tgt": tgt, "memory": memory}
    for kwargs_of_call in ({}, call):
        expected = run(theirs, torch, inputs, kwargs_of_call)
        assert_close(run(ours, wright, inputs, kwargs_of_call), expected, options)


def test_stacks_and_transformer_match_torch():
    def build(lib, dtype):
        return lib.nn.Transformer(
            **SMALL, num_encoder_layers=2, num_decoder_layers=2, dropout=0.0, dtype=dtype
        )

    ours, theirs = _both(build, training=True)
    src, tgt = _sequences(6, 4)
    inputs = {"src": src, "tgt": tgt}
    call = {
        "tgt_mask": _causal(4),
        "src_key_padding_mask": _padding(2, 6),
        "memory_key_padding_mask": _padding(2, 6),
    }
    assert_close(run(ours, wright, inputs, call), run(theirs, torch, inputs, call))
    ours.eval(), theirs.eval()
    single = dict(zip(("src", "tgt"), _sequences(6, 4, batch=None)))
    assert_close(run(ours, wright, single), run(theirs, torch, single), "unbatched")


def test_encoder_with_norm_detects_the_causal_mask():
    def build(lib, dtype):
        layer = lib.nn.TransformerEncoderLayer(**SMALL, batch_first=True, dtype=dtype)
        return lib.nn.TransformerEncoder(
            layer, 3, norm=lib.nn.LayerNorm(8, dtype=dtype), enable_nested_tensor=False
        )

    ours, theirs = _both(build, training=False)
    (src,) = _sequences(5, batch_first=True)
    for call in ({"mask": _causal(5)}, {"mask": _causal(5) == -np.inf, "is_causal": False}):
        assert_close(run(ours, wright, {"src": src}, call), run(theirs, torch, {"src": src}, call))


def test_layers_are_independent_copies():
    layer = nn.TransformerEncoderLayer(**SMALL)
    encoder = nn.TransformerEncoder(layer, 2)
    first, second = encoder.layers
    assert first is not layer and first.linear1.weight is not second.linear1.weight
    np.testing.assert_array_equal(first.linear1.weight.array, second.linear1.weight.array)
    with wright.no_grad():
        first.linear1.weight.fill_(0.0)
    assert second.linear1.weight.array.any() and layer.linear1.weight.array.any()
    names = [name for name, _ in encoder.named_parameters()]
    assert names[0] == "layers.0.self_attn.in_proj_weight" and len(names) == 2 * 12
    assert first.self_attn.path() == "layers.0.self_attn"


def test_structure_and_repr_match_torch():
    def build(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return lib.nn.Transformer(**SMALL, num_encoder_layers=1, num_decoder_layers=2)

    ours, theirs = build(wright), build(torch)
    # Dropout's inplace flag belongs to Dropout's own tests.
    assert repr(ours).replace(", inplace=False", "") == repr(theirs).replace(", inplace=False", "")
    assert list(ours.state_dict()) == list(theirs.state_dict())
    # Every matrix is re-drawn Xavier-uniform, as in PyTorch.
    weight = ours.encoder.layers[0].linear1.weight.array
    assert np.abs(weight).max() <= np.sqrt(6 / (8 + 16))


def test_generate_square_subsequent_mask_matches_torch():
    ours = nn.Transformer.generate_square_subsequent_mask(4)
    theirs = torch.nn.Transformer.generate_square_subsequent_mask(4)
    np.testing.assert_array_equal(ours.array, theirs.numpy())
    assert ours.dtype == wright.float32
    assert nn.Transformer.generate_square_subsequent_mask(2, dtype=wright.float64).dtype == (
        wright.float64
    )


def test_activation_may_be_a_callable():
    layer = nn.TransformerEncoderLayer(**SMALL, activation=nn.functional.gelu, dropout=0.0)
    gelu_by_name = nn.TransformerEncoderLayer(**SMALL, activation="gelu", dropout=0.0)
    gelu_by_name.load_state_dict(layer.state_dict())
    x = wright.randn(3, 2, 8)
    np.testing.assert_allclose(layer(x).array, gelu_by_name(x).array)
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(**SMALL, activation="tanh")


def test_transformer_errors_follow_torch():
    model = nn.Transformer(**SMALL, num_encoder_layers=1, num_decoder_layers=1)
    with pytest.raises(RuntimeError, match="batch number of src and tgt must be equal"):
        model(wright.randn(5, 2, 8), wright.randn(4, 3, 8))
    with pytest.raises(RuntimeError, match="feature number of src and tgt must be equal"):
        model(wright.randn(5, 2, 8), wright.randn(4, 2, 6))


def test_a_tiny_transformer_learns_to_copy():
    wright.manual_seed(0)
    model = nn.TransformerEncoder(
        nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True), 1
    )
    embed, head = nn.Embedding(5, 16), nn.Linear(16, 5)
    params = [*model.parameters(), *embed.parameters(), *head.parameters()]
    optimizer = wright.optim.Adam(params, lr=0.01)
    tokens = np.random.default_rng(0).integers(0, 5, (32, 6))
    for _ in range(60):
        logits = head(model(embed(wright.tensor(tokens))))
        loss = nn.functional.cross_entropy(logits.reshape(-1, 5), wright.tensor(tokens.ravel()))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.1


@pytest.mark.parametrize("norm_first", [False, True], ids=["post_norm", "pre_norm"])
def test_inference_without_gradients_matches_torchs_packed_sequences(norm_first):
    def build(lib, dtype):
        layer = lib.nn.TransformerEncoderLayer(
            **SMALL, batch_first=True, norm_first=norm_first, dtype=dtype
        )
        return lib.nn.TransformerEncoder(layer, 2, norm=lib.nn.LayerNorm(8, dtype=dtype))

    ours, theirs = _both(build, training=False)
    (src,) = _sequences(5, batch_first=True)
    at_the_end = _padding(2, 5)
    inside = at_the_end.copy()
    inside[0, 1] = True
    for padding in (at_the_end, inside):
        with torch.no_grad(), wright.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's note that nested tensors are a prototype
            expected = theirs(torch.tensor(src), src_key_padding_mask=torch.tensor(padding))
            found = ours(wright.tensor(src), src_key_padding_mask=wright.tensor(padding))
        np.testing.assert_allclose(found.array, expected.numpy(), rtol=1e-9, atol=1e-10)
    assert ours.use_nested_tensor == (not norm_first)
