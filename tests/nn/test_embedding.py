"""Embedding: lookup equals a one-hot product, gradients add over repeats, padding, bad indices."""

import numpy as np
import pytest

import wright
from wright import nn


def test_lookup_equals_one_hot_times_weight():
    embed = nn.Embedding(6, 3)
    indices = np.array([[0, 5, 2], [2, 2, 1]])
    out = embed(indices)
    assert out.shape == (2, 3, 3)
    np.testing.assert_allclose(out.array, np.eye(6, dtype=np.float32)[indices] @ embed.weight.array)


def test_repeated_indices_add_their_gradients():
    embed = nn.Embedding(4, 2)
    embed(wright.tensor([1, 1, 3, 1])).sum().backward()
    np.testing.assert_array_equal(embed.weight.grad.array, [[0, 0], [3, 3], [0, 0], [1, 1]])


def test_matches_torch():
    torch = pytest.importorskip("torch")
    embed = nn.Embedding(7, 4, padding_idx=2)
    twin = torch.nn.Embedding(7, 4, padding_idx=2)
    twin.load_state_dict({"weight": torch.tensor(embed.weight.array)})
    indices = np.random.default_rng(0).integers(0, 7, (5, 3))
    weights = np.random.default_rng(1).standard_normal((5, 3, 4)).astype(np.float32)
    (embed(indices) * wright.tensor(weights)).sum().backward()
    (twin(torch.tensor(indices)) * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(embed.weight.grad.array, twin.weight.grad.numpy(), atol=1e-6)
    assert not embed.weight.array[2].any()


def test_padding_row_keeps_its_values_but_gets_no_gradient():
    embed = nn.Embedding(3, 2, padding_idx=0)
    embed.weight.array[0] = 5.0
    out = embed(np.array([0, 1]))
    np.testing.assert_array_equal(out.array[0], [5.0, 5.0])
    out.sum().backward()
    np.testing.assert_array_equal(embed.weight.grad.array[0], [0.0, 0.0])
    np.testing.assert_array_equal(embed.weight.grad.array[1], [1.0, 1.0])


def test_functional_form_and_state_dict():
    weight = wright.randn(5, 2, requires_grad=True)
    nn.functional.embedding(wright.tensor([4, 0]), weight).sum().backward()
    assert weight.grad.array[[0, 4]].tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert list(nn.Embedding(5, 2).state_dict()) == ["weight"]


def test_bad_indices_are_named():
    embed = nn.Sequential(nn.Embedding(4, 2))
    with pytest.raises(IndexError, match=r"0 \(Embedding 4x2\) got index 4, outside \[0, 4\)"):
        embed(np.array([1, 4]))
    with pytest.raises(TypeError, match="integer indices"):
        embed(np.array([1.0]))
    with pytest.raises(IndexError, match="embedding got index -1"):
        nn.functional.embedding(np.array([-1]), wright.randn(3, 2))
    with pytest.raises(ValueError, match="padding_idx"):
        nn.Embedding(3, 2, padding_idx=3)


def test_row_gather_gradient_sums_repeats_and_negative_rows():
    table = wright.randn(4, 3, 2, requires_grad=True)
    rows = np.array([[3, -1], [0, 3]])
    weights = np.random.default_rng(0).standard_normal((2, 2, 3, 2))
    (table[rows] * wright.tensor(weights)).sum().backward()
    expected = np.zeros((4, 3, 2))
    np.add.at(expected, rows, weights)
    np.testing.assert_allclose(table.grad.array, expected, rtol=1e-6)


def _twins(torch, *args, **kwargs):
    ours = nn.Embedding(*args, dtype=wright.float64, **kwargs)
    theirs = torch.nn.Embedding(*args, dtype=torch.float64, **kwargs)
    theirs.load_state_dict({"weight": torch.tensor(ours.weight.array)})
    return ours, theirs


@pytest.mark.parametrize(
    "kwargs",
    [
        {"scale_grad_by_freq": True},
        {"scale_grad_by_freq": True, "padding_idx": 1},
        {"max_norm": 1.0},
        {"max_norm": 0.5, "norm_type": 1.0},
        {"max_norm": 2.0, "padding_idx": -1},
    ],
    ids=str,
)
def test_embedding_options_match_torch(kwargs):
    torch = pytest.importorskip("torch")
    ours, theirs = _twins(torch, 6, 3, **kwargs)
    indices = np.array([[0, 1, 1], [5, 1, 3]])
    weights = np.random.default_rng(1).standard_normal((2, 3, 3))
    out = ours(indices)
    out_torch = theirs(torch.tensor(indices))
    np.testing.assert_allclose(out.array, out_torch.detach().numpy(), rtol=1e-6)
    (out * wright.tensor(weights)).sum().backward()
    (out_torch * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.array, theirs.weight.grad.numpy(), rtol=1e-12)
    # max_norm renormalises the looked-up rows of the weight itself.
    np.testing.assert_allclose(ours.weight.array, theirs.weight.detach().numpy(), rtol=1e-6)
    assert repr(ours) == repr(theirs)


def test_positional_signature_and_pretrained_tables():
    torch = pytest.importorskip("torch")
    table = wright.randn(4, 2)
    ours = nn.Embedding(4, 2, None, None, 2.0, False, False, table, True)
    assert ours.weight.array is table.array or np.shares_memory(ours.weight.array, table.array)
    assert not ours.weight.requires_grad
    frozen = nn.Embedding.from_pretrained(table, padding_idx=0)
    assert not frozen.weight.requires_grad and frozen.padding_idx == 0
    np.testing.assert_array_equal(frozen(np.array([1])).array, table.array[[1]])
    trainable = nn.Embedding.from_pretrained(table, freeze=False)
    assert trainable.weight.requires_grad
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(table.array), padding_idx=0)
    assert repr(frozen) == repr(theirs)
    with pytest.raises(NotImplementedError, match="sparse"):
        nn.Embedding(4, 2, sparse=True)
    with pytest.raises(ValueError, match="_weight has shape"):
        nn.Embedding(4, 3, _weight=table)
    with pytest.raises(RuntimeError, match="cuda"):
        nn.Embedding(4, 2, device="cuda")


def test_functional_embedding_options():
    weight = wright.tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    out = nn.functional.embedding(np.array([2, 2, 0]), weight, padding_idx=0)
    out.sum().backward()
    np.testing.assert_array_equal(weight.grad.array[[0, 2]], [[0, 0, 0], [2, 2, 2]])
    with wright.no_grad():
        renormed = weight.detach().clone()
    nn.functional.embedding(np.array([1]), renormed, max_norm=1.0)
    np.testing.assert_allclose(np.linalg.norm(renormed.array[1]), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(renormed.array[2], [6.0, 7.0, 8.0])  # not looked up
    with pytest.raises(NotImplementedError, match="sparse"):
        nn.functional.embedding(np.array([1]), weight, sparse=True)
