"""Datasets: TensorDataset, StackDataset, ConcatDataset, ChainDataset, Subset and random_split,
against torch.utils.data where they overlap."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from wright.data import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from wright.tensor import Tensor

torch = pytest.importorskip("torch")


def _arrays(count: int = 10) -> tuple[np.ndarray, np.ndarray]:
    inputs = np.arange(count * 3, dtype=np.float32).reshape(count, 3)
    labels = np.arange(count, dtype=np.int64) % 4
    return inputs, labels


class Squares(Dataset):
    """A map-style dataset without the batched hook."""

    def __init__(self, count: int = 6) -> None:
        self.count = count

    def __getitem__(self, index):
        if not -self.count <= index < self.count:
            raise IndexError(index)
        return index * index

    def __len__(self) -> int:
        return self.count


class Stream(IterableDataset):
    def __init__(self, start: int, stop: int) -> None:
        self.start, self.stop = start, stop

    def __iter__(self):
        return iter(range(self.start, self.stop))

    def __len__(self) -> int:
        return self.stop - self.start


# ----- TensorDataset -----


def test_tensor_dataset_items_are_tensor_rows_like_torch():
    inputs, labels = _arrays()
    ours = TensorDataset(wright.tensor(inputs), wright.tensor(labels))
    theirs = torch.utils.data.TensorDataset(torch.tensor(inputs), torch.tensor(labels))
    assert len(ours) == len(theirs) == 10
    for index in (4, -1, slice(2, 5)):
        x, y = ours[index]
        tx, ty = theirs[index]
        assert isinstance(x, Tensor) and isinstance(y, Tensor)
        assert x.shape == tuple(tx.shape) and y.shape == tuple(ty.shape)
        np.testing.assert_array_equal(x.numpy(), tx.numpy())
        np.testing.assert_array_equal(y.numpy(), ty.numpy())
        assert y.dtype == wright.int64


def test_tensor_dataset_batched_hook_gathers_rows():
    inputs, labels = _arrays()
    xb, yb = TensorDataset(inputs, labels).__getitems__([7, 1, 7])
    np.testing.assert_array_equal(xb.numpy(), inputs[[7, 1, 7]])
    np.testing.assert_array_equal(yb.numpy(), labels[[7, 1, 7]])


def test_tensor_dataset_wraps_arrays_without_copy_and_converts_lists():
    inputs = wright.randn(6, 2)
    array = np.zeros((6, 3))
    dataset = TensorDataset(inputs, array, [0, 1, 0, 1, 0, 1])
    assert dataset.tensors[0] is inputs
    assert np.shares_memory(dataset.tensors[1].array, array)
    assert dataset.tensors[1].dtype == wright.float64 and dataset.tensors[2].dtype == wright.int64


def test_tensor_dataset_keeps_the_graph_of_tensors_that_require_grad():
    weights = wright.randn(4, 2, requires_grad=True)
    rows, *_ = TensorDataset(weights, np.arange(4)).__getitems__([3, 0])
    rows.sum().backward()
    np.testing.assert_array_equal(weights.grad.numpy(), [[1, 1], [0, 0], [0, 0], [1, 1]])


def test_tensor_dataset_size_mismatch():
    with pytest.raises(AssertionError, match=r"size mismatch.*\[10, 9\]"):
        TensorDataset(np.zeros((10, 3)), np.zeros(9))
    with pytest.raises(AssertionError):
        torch.utils.data.TensorDataset(torch.zeros(10, 3), torch.zeros(9))


# ----- StackDataset, ConcatDataset, ChainDataset -----


def test_stack_dataset_like_torch():
    inputs, _ = _arrays(6)
    ours = StackDataset(TensorDataset(inputs), Squares())
    theirs = torch.utils.data.StackDataset(
        torch.utils.data.TensorDataset(torch.tensor(inputs)), Squares()
    )
    (x,), square = ours[2]
    ((tx,), their_square) = theirs[2]
    np.testing.assert_array_equal(x.numpy(), tx.numpy())
    assert square == their_square == 4
    batch = ours.__getitems__([1, 5])
    assert [s for _, s in batch] == [s for _, s in theirs.__getitems__([1, 5])] == [1, 25]
    keyed = StackDataset(image=TensorDataset(inputs), square=Squares())
    assert keyed[3]["square"] == 9 and keyed.__getitems__([0, 2])[1]["square"] == 4
    assert len(keyed) == 6


def test_stack_dataset_errors():
    with pytest.raises(ValueError, match="size mismatch"):
        StackDataset(Squares(3), Squares(4))
    with pytest.raises(ValueError, match="not both"):
        StackDataset(Squares(), b=Squares())
    with pytest.raises(ValueError, match="at least one"):
        StackDataset()


def test_concat_dataset_like_torch():
    parts = [Squares(3), Squares(0), Squares(4)]
    ours = ConcatDataset(parts)
    theirs = torch.utils.data.ConcatDataset(parts)
    assert ours.cumulative_sizes == theirs.cumulative_sizes == [3, 3, 7]
    assert [ours[i] for i in range(-7, 7)] == [theirs[i] for i in range(-7, 7)]
    with pytest.raises(ValueError, match="should not exceed"):
        ours[-8]
    with pytest.raises(IndexError):
        ours[7]
    added = Squares(2) + Squares(3)
    assert isinstance(added, ConcatDataset) and len(added) == 5


def test_concat_dataset_errors():
    with pytest.raises(AssertionError, match="empty"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="ChainDataset"):
        ConcatDataset([Stream(0, 3)])


def test_chain_dataset():
    chained = ChainDataset([Stream(0, 3), Stream(10, 12)])
    assert list(chained) == [0, 1, 2, 10, 11] and len(chained) == 5
    assert list(Stream(0, 2) + Stream(5, 6)) == [0, 1, 5]
    with pytest.raises(AssertionError, match="IterableDataset"):
        list(ChainDataset([Squares()]))


def test_dataset_base_classes():
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]
    with pytest.raises(NotImplementedError, match="__iter__"):
        iter(IterableDataset())
    with pytest.raises(TypeError):
        len(Dataset())  # as in torch, the base class has no length


# ----- Subset -----


def test_subset_like_torch():
    ours = Subset(Squares(), [5, 2, 2])
    theirs = torch.utils.data.Subset(Squares(), [5, 2, 2])
    assert len(ours) == 3
    assert [ours[i] for i in range(3)] == [theirs[i] for i in range(3)] == [25, 4, 4]
    assert ours.__getitems__([2, 0]) == theirs.__getitems__([2, 0]) == [4, 25]


def test_subset_passes_the_parents_batches_through():
    inputs, labels = _arrays()
    for indices in ([9, 2, 5], np.array([9, 2, 5])):
        xb, yb = Subset(TensorDataset(inputs, labels), indices).__getitems__([2, 0])
        np.testing.assert_array_equal(xb.numpy(), inputs[[5, 9]])
        np.testing.assert_array_equal(yb.numpy(), labels[[5, 9]])


def test_subset_subclass_overriding_getitem_needs_getitems():
    class Doubled(Subset):
        def __getitem__(self, index):
            return 2 * super().__getitem__(index)

    with pytest.raises(NotImplementedError, match="__getitems__"):
        Doubled(Squares(), [1, 2])


# ----- random_split -----


@pytest.mark.parametrize(
    "count, lengths",
    [
        (20, [12, 5, 3]),
        (10, [0.8, 0.2]),
        (5, [0.5, 0.5]),
        (7, [0.3, 0.3, 0.4]),
        (11, [0.1, 0.2, 0.3, 0.4]),
        (5, [1]),
    ],
)
def test_random_split_sizes_like_torch(count, lengths):
    ours = random_split(Squares(count), lengths, seed=0)
    theirs = torch.utils.data.random_split(Squares(count), lengths)
    assert [len(p) for p in ours] == [len(p) for p in theirs]
    everything = sorted(i for part in ours for i in part.indices)
    assert everything == list(range(count))
    assert all(isinstance(part.indices, list) for part in ours)


def test_random_split_is_reproducible():
    dataset = Squares(20)
    first = [p.indices for p in random_split(dataset, [10, 10], seed=3)]
    assert first == [p.indices for p in random_split(dataset, [10, 10], seed=3)]
    generator = wright.Generator().manual_seed(3)
    assert first == [p.indices for p in random_split(dataset, [10, 10], generator)]
    wright.manual_seed(1)
    default = [p.indices for p in random_split(dataset, [10, 10])]
    wright.manual_seed(1)
    assert default == [p.indices for p in random_split(dataset, [10, 10])]
    with pytest.raises(ValueError, match="seed or generator, not both"):
        random_split(dataset, [10, 10], generator, seed=3)


def test_random_split_warns_about_empty_parts():
    with pytest.warns(UserWarning) as caught:
        random_split(Squares(2), [0.9, 0.05, 0.05], seed=0)
    assert ["index 1 is 0" in str(w.message) for w in caught] == [True, False]


@pytest.mark.parametrize("lengths", [[12, -2], [5.0, 5], [True, 9]])
def test_random_split_refuses_what_torch_would_silently_truncate(lengths):
    with pytest.raises(ValueError, match="non-negative ints"):
        random_split(Squares(10), lengths, seed=0)


@pytest.mark.parametrize(
    "lengths, match",
    [
        ([4, 4], "does not equal the length"),
        ([0.5, 0.6], "does not equal the length"),
        ([1.5, -0.5], "fraction at index 0 is not between 0 and 1"),
    ],
)
def test_random_split_errors_like_torch(lengths, match):
    with pytest.raises(ValueError):
        torch.utils.data.random_split(Squares(10), lengths)
    with pytest.raises(ValueError, match=match):
        random_split(Squares(10), lengths, seed=0)
