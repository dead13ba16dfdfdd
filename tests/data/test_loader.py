"""DataLoader, TensorDataset, Subset, random_split and default_collate."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wright
from wright.data import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)
from wright.tensor import Tensor


def _arrays(count: int = 10) -> tuple[np.ndarray, np.ndarray]:
    inputs = np.arange(count * 3, dtype=np.float32).reshape(count, 3)
    labels = np.arange(count, dtype=np.int64) % 4
    return inputs, labels


class PerItem(Dataset):
    """The same samples as TensorDataset(inputs, labels), but without the batched hook."""

    def __init__(self, inputs: np.ndarray, labels: np.ndarray) -> None:
        self.inputs, self.labels = inputs, labels
        self.calls = 0

    def __getitem__(self, index: int):
        self.calls += 1
        return self.inputs[index], self.labels[index]

    def __len__(self) -> int:
        return len(self.labels)


class CountingTensorDataset(TensorDataset):
    """Counts single-item and batched reads."""

    def __init__(self, *arrays) -> None:
        super().__init__(*arrays)
        self.item_calls = self.batch_calls = 0

    def __getitem__(self, index):
        self.item_calls += 1
        return super().__getitem__(index)

    def __getitems__(self, indices):
        self.batch_calls += 1
        return super().__getitems__(indices)


def _epoch(loader: DataLoader) -> np.ndarray:
    """The order in which one epoch visits the samples of `_arrays`, read back from the inputs."""
    return np.concatenate([xb.array[:, 0] // 3 for xb, _ in loader]).astype(np.int64)


# ----- TensorDataset -----


def test_tensor_dataset_items_and_batches():
    inputs, labels = _arrays()
    dataset = TensorDataset(inputs, labels)
    assert len(dataset) == 10
    x, y = dataset[4]
    np.testing.assert_array_equal(x, inputs[4])
    assert y == labels[4]
    xb, yb = dataset.__getitems__(np.array([7, 1]))
    np.testing.assert_array_equal(xb, inputs[[7, 1]])
    np.testing.assert_array_equal(yb, labels[[7, 1]])


def test_tensor_dataset_keeps_tensor_arrays_without_copy():
    inputs = wright.randn(6, 2)
    dataset = TensorDataset(inputs, [0, 1, 0, 1, 0, 1])
    assert dataset.arrays[0] is inputs.array
    assert dataset.arrays[1].dtype == np.int64


def test_tensor_dataset_errors():
    with pytest.raises(ValueError, match=r"same first dimension.*\(10, 3\), \(9,\)"):
        TensorDataset(np.zeros((10, 3)), np.zeros(9))
    with pytest.raises(ValueError, match="same first dimension"):
        TensorDataset(np.zeros(3), np.float32(1.0))
    with pytest.raises(ValueError, match="at least one array"):
        TensorDataset()


# ----- batching -----


@pytest.mark.parametrize(
    "batch_size, drop_last, sizes",
    [
        (3, False, [3, 3, 3, 1]),
        (3, True, [3, 3, 3]),
        (5, True, [5, 5]),
        (1, False, [1] * 10),
        (32, False, [10]),
        (32, True, []),
    ],
)
def test_batch_sizes_and_length(batch_size, drop_last, sizes):
    loader = DataLoader(TensorDataset(*_arrays()), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(sizes)
    assert [len(yb) for _, yb in batches] == sizes


def test_batches_are_tensors_with_dtypes_kept():
    inputs, labels = _arrays()
    xb, yb = next(iter(DataLoader(TensorDataset(inputs, labels), batch_size=4)))
    assert isinstance(xb, Tensor) and isinstance(yb, Tensor)
    assert xb.dtype == np.float32 and yb.dtype == np.int64
    np.testing.assert_array_equal(xb.array, inputs[:4])
    np.testing.assert_array_equal(yb.array, labels[:4])


def test_without_shuffle_order_is_the_dataset_order():
    loader = DataLoader(TensorDataset(*_arrays()), batch_size=4)
    np.testing.assert_array_equal(_epoch(loader), np.arange(10))


@settings(max_examples=25, deadline=None)
@given(count=st.integers(0, 40), batch_size=st.integers(1, 12), drop_last=st.booleans())
def test_batches_cover_the_data_once(count, batch_size, drop_last):
    inputs, labels = _arrays(count)
    loader = DataLoader(TensorDataset(inputs, labels), batch_size, drop_last=drop_last)
    batches = list(loader)
    kept = count - count % batch_size if drop_last else count
    assert len(batches) == len(loader)
    assert all(len(yb) == batch_size for _, yb in batches[:-1])
    got = np.concatenate([yb.array for _, yb in batches]) if batches else np.zeros(0, np.int64)
    np.testing.assert_array_equal(got, labels[:kept])


def test_empty_dataset_gives_no_batches():
    loader = DataLoader(TensorDataset(np.zeros((0, 3))), batch_size=4)
    assert len(loader) == 0 and list(loader) == []


@pytest.mark.parametrize(
    "batch_size, error", [(0, ValueError), (-2, ValueError), (2.0, TypeError), (True, TypeError)]
)
def test_bad_batch_size(batch_size, error):
    with pytest.raises(error, match="batch_size"):
        DataLoader(TensorDataset(*_arrays()), batch_size=batch_size)


# ----- shuffling -----


def test_shuffle_is_a_new_permutation_each_epoch():
    loader = DataLoader(TensorDataset(*_arrays(50)), batch_size=8, shuffle=True, seed=0)
    first, second = _epoch(loader), _epoch(loader)
    np.testing.assert_array_equal(np.sort(first), np.arange(50))
    np.testing.assert_array_equal(np.sort(second), np.arange(50))
    assert not np.array_equal(first, second)
    assert not np.array_equal(first, np.arange(50))


def test_same_seed_same_epochs():
    dataset = TensorDataset(*_arrays(50))
    a = DataLoader(dataset, batch_size=8, shuffle=True, seed=7)
    b = DataLoader(dataset, batch_size=8, shuffle=True, seed=7)
    for _ in range(3):
        np.testing.assert_array_equal(_epoch(a), _epoch(b))
    other = DataLoader(dataset, batch_size=8, shuffle=True, seed=8)
    assert not np.array_equal(_epoch(DataLoader(dataset, 8, shuffle=True, seed=7)), _epoch(other))


def test_global_generator_is_used_without_seed():
    loader = DataLoader(TensorDataset(*_arrays(50)), batch_size=8, shuffle=True)
    wright.manual_seed(3)
    first = _epoch(loader)
    wright.manual_seed(3)
    np.testing.assert_array_equal(_epoch(loader), first)


def test_generator_argument():
    dataset = TensorDataset(*_arrays(50))
    given_generator = DataLoader(dataset, 8, shuffle=True, generator=np.random.default_rng(5))
    seeded = DataLoader(dataset, 8, shuffle=True, seed=5)
    np.testing.assert_array_equal(_epoch(given_generator), _epoch(seeded))
    with pytest.raises(ValueError, match="seed or generator, not both"):
        DataLoader(dataset, shuffle=True, seed=1, generator=np.random.default_rng(1))


# ----- batched hook versus one sample at a time -----


def test_batched_hook_and_fallback_give_identical_batches():
    inputs, labels = _arrays(23)
    fast = DataLoader(TensorDataset(inputs, labels), batch_size=5, shuffle=True, seed=1)
    slow = DataLoader(PerItem(inputs, labels), batch_size=5, shuffle=True, seed=1)
    for _ in range(2):
        for (fx, fy), (sx, sy) in zip(fast, slow, strict=True):
            assert fx.dtype == sx.dtype and fy.dtype == sy.dtype
            np.testing.assert_array_equal(fx.array, sx.array)
            np.testing.assert_array_equal(fy.array, sy.array)


def test_batched_hook_is_one_call_per_batch():
    dataset = CountingTensorDataset(*_arrays(23))
    batches = list(DataLoader(dataset, batch_size=5, shuffle=True, seed=0))
    assert dataset.batch_calls == len(batches) == 5
    assert dataset.item_calls == 0


def test_collate_fn_receives_samples():
    inputs, labels = _arrays()
    dataset = CountingTensorDataset(inputs, labels)
    loader = DataLoader(dataset, batch_size=4, collate_fn=lambda samples: len(samples))
    assert list(loader) == [4, 4, 2]
    assert dataset.item_calls == 10 and dataset.batch_calls == 0


# ----- default_collate -----


def test_default_collate_kinds():
    x, y = default_collate([(np.ones(2, np.float32), 1), (np.zeros(2, np.float32), 3)])
    assert x.shape == (2, 2) and x.dtype == np.float32
    assert y.tolist() == [1, 3] and y.dtype == np.int64
    assert default_collate([0.5, 1.5]).dtype == np.float32
    assert default_collate([np.float64(0.5), np.float64(1.0)]).dtype == np.float64
    stacked = default_collate([wright.ones(3), wright.zeros(3)])
    assert isinstance(stacked, np.ndarray) and stacked.shape == (2, 3)
    assert default_collate(["a", "b"]) == ["a", "b"]


def test_default_collate_errors():
    with pytest.raises(ValueError, match=r"shapes \[\(2,\), \(3,\)\]"):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(ValueError, match="different numbers of fields"):
        default_collate([(1, 2), (1, 2, 3)])


def test_single_array_samples_give_single_tensor_batches():
    class Squares(Dataset):
        def __getitem__(self, index):
            return np.float32(index) ** 2

        def __len__(self):
            return 5

    batches = list(DataLoader(Squares(), batch_size=2))
    assert all(isinstance(b, Tensor) for b in batches)
    assert batches[1].tolist() == [4.0, 9.0]


# ----- Subset and random_split -----


def test_subset_items_and_batches():
    inputs, labels = _arrays()
    for base in (TensorDataset(inputs, labels), PerItem(inputs, labels)):
        subset = Subset(base, [9, 2, 5])
        assert len(subset) == 3
        np.testing.assert_array_equal(subset[0][0], inputs[9])
        xb, yb = subset.__getitems__(np.array([2, 0]))
        np.testing.assert_array_equal(xb, inputs[[5, 9]])
        np.testing.assert_array_equal(yb, labels[[5, 9]])


def test_random_split_partitions_reproducibly():
    dataset = TensorDataset(*_arrays(20))
    parts = random_split(dataset, [12, 5, 3], seed=0)
    assert [len(p) for p in parts] == [12, 5, 3]
    everything = np.concatenate([p.indices for p in parts])
    np.testing.assert_array_equal(np.sort(everything), np.arange(20))
    again = random_split(dataset, [12, 5, 3], seed=0)
    for a, b in zip(parts, again, strict=True):
        np.testing.assert_array_equal(a.indices, b.indices)
    wright.manual_seed(1)
    first = random_split(dataset, [10, 10])[0].indices
    wright.manual_seed(1)
    np.testing.assert_array_equal(random_split(dataset, [10, 10])[0].indices, first)


def test_random_split_fractions():
    dataset = TensorDataset(*_arrays(10))
    assert [len(p) for p in random_split(dataset, [0.8, 0.2], seed=0)] == [8, 2]
    assert [len(p) for p in random_split(TensorDataset(*_arrays(5)), [0.5, 0.5], seed=0)] == [3, 2]


@pytest.mark.parametrize(
    "lengths, match",
    [
        ([4, 4], "sum to 8, expected 10"),
        ([12, -2], "non-negative ints"),
        ([0.5, 0.6], "non-negative ints summing to 10 or fractions summing to 1"),
    ],
)
def test_random_split_errors(lengths, match):
    with pytest.raises(ValueError, match=match):
        random_split(TensorDataset(*_arrays()), lengths, seed=0)


def test_loader_over_split():
    train, _ = random_split(TensorDataset(*_arrays(30)), [20, 10], seed=0)
    loader = DataLoader(train, batch_size=8, shuffle=True, seed=0)
    seen = _epoch(loader)
    np.testing.assert_array_equal(np.sort(seen), np.sort(train.indices))
