"""DataLoader in the main process: batching, shuffling, samplers, iterable datasets, the batched
fast path, argument checks; batches compared with torch.utils.data.DataLoader."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wright
from wright.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    IterableDataset,
    SequentialSampler,
    TensorDataset,
    default_collate,
    random_split,
)
from wright.tensor import Tensor

torch = pytest.importorskip("torch")


def _arrays(count: int = 10) -> tuple[np.ndarray, np.ndarray]:
    inputs = np.arange(count * 3, dtype=np.float32).reshape(count, 3)
    labels = np.arange(count, dtype=np.int64) % 4
    return inputs, labels


class PerItem(Dataset):
    """The same samples as TensorDataset(inputs, labels), read one at a time."""

    def __init__(self, inputs: np.ndarray, labels: np.ndarray) -> None:
        self.inputs, self.labels = inputs, labels

    def __getitem__(self, index: int):
        return self.inputs[index], self.labels[index]

    def __len__(self) -> int:
        return len(self.labels)


class Records(Dataset):
    """Dict samples with a string field."""

    def __getitem__(self, index: int):
        return {"value": float(index), "name": f"item{index}", "pair": (index, -index)}

    def __len__(self) -> int:
        return 7


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


class ListHook(Dataset):
    """A `__getitems__` with PyTorch's contract: a list of samples."""

    def __init__(self) -> None:
        self.calls = 0

    def __getitem__(self, index):
        return np.float32(index), index

    def __getitems__(self, indices):
        self.calls += 1
        return [(np.float32(i), i) for i in indices]

    def __len__(self) -> int:
        return 5


def _counter(base, count: int):
    """An iterable dataset of `count` float32 numbers, on either library's base class."""

    class Counter(base):
        def __iter__(self):
            return iter(np.arange(count, dtype=np.float32))

        def __len__(self) -> int:
            return count

    return Counter()


def counter(count: int):
    return _counter(IterableDataset, count)


def torch_counter(count: int):
    return _counter(torch.utils.data.IterableDataset, count)


class Endless(IterableDataset):
    def __iter__(self):
        return iter(range(10**9))


def _describe(value):
    if isinstance(value, Tensor | torch.Tensor):
        array = value.numpy()
        return ("tensor", str(array.dtype), array.tolist())
    if isinstance(value, dict):
        return {k: _describe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return (type(value).__name__, [_describe(v) for v in value])
    return value


def _same_batches_as_torch(make_dataset, torch_dataset=None, **settings):
    ours = [_describe(b) for b in DataLoader(make_dataset(), **settings)]
    made = (torch_dataset or make_dataset)()
    theirs = [_describe(b) for b in torch.utils.data.DataLoader(made, **settings)]
    assert ours == theirs
    return ours


def _epoch(loader: DataLoader) -> np.ndarray:
    """The order in which one epoch visits the samples of `_arrays`, read back from the inputs."""
    return np.concatenate([xb.array[:, 0] // 3 for xb, _ in loader]).astype(np.int64)


# ----- batches like torch's -----


@pytest.mark.parametrize(
    "settings",
    [{}, {"batch_size": 4}, {"batch_size": 4, "drop_last": True}, {"batch_size": None}],
    ids=["default", "4", "drop_last", "no batching"],
)
@pytest.mark.parametrize("make", [lambda: PerItem(*_arrays()), Records], ids=["pairs", "dicts"])
def test_batches_match_torch(make, settings):
    _same_batches_as_torch(make, **settings)


def test_tensor_dataset_batches_match_torch():
    inputs, labels = _arrays()
    ours = DataLoader(TensorDataset(inputs, labels), batch_size=4)
    theirs = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(inputs), torch.tensor(labels)), batch_size=4
    )
    assert [_describe(b) for b in ours] == [_describe(b) for b in theirs]
    xb, yb = next(iter(ours))
    assert isinstance(xb, Tensor) and xb.dtype == wright.float32 and yb.dtype == wright.int64


def test_samplers_and_batch_samplers_match_torch():
    order = [3, 1, 4, 1, 5, 9, 2, 6]

    def make():
        return PerItem(*_arrays())

    _same_batches_as_torch(make, batch_size=3, sampler=order)
    _same_batches_as_torch(make, batch_sampler=[[0, 1], [9], [2, 2, 2]])
    _same_batches_as_torch(make, batch_sampler=BatchSampler(SequentialSampler(range(10)), 4, True))
    _same_batches_as_torch(make, batch_size=None, sampler=order)


@pytest.mark.parametrize(
    "settings",
    [{"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": None}],
)
def test_iterable_dataset_batches_match_torch(settings):
    _same_batches_as_torch(lambda: counter(10), lambda: torch_counter(10), **settings)
    length = len(DataLoader(counter(10), **settings))
    assert length == len(torch.utils.data.DataLoader(torch_counter(10), **settings))


def test_iterable_dataset_without_length():
    loader = DataLoader(Endless(), batch_size=4)
    first = next(iter(loader))
    assert first.tolist() == [0, 1, 2, 3]
    with pytest.raises(TypeError):
        len(loader)


# ----- sizes and order -----


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


def test_without_shuffle_order_is_the_dataset_order():
    loader = DataLoader(TensorDataset(*_arrays()), batch_size=4)
    np.testing.assert_array_equal(_epoch(loader), np.arange(10))


def test_empty_dataset_gives_no_batches():
    loader = DataLoader(TensorDataset(np.zeros((0, 3))), batch_size=4)
    assert len(loader) == 0 and list(loader) == []


# ----- shuffling and generators -----


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
    seeded = _epoch(DataLoader(dataset, 8, shuffle=True, seed=5))
    for generator in (wright.Generator().manual_seed(5), np.random.default_rng(5)):
        np.testing.assert_array_equal(
            _epoch(DataLoader(dataset, 8, shuffle=True, generator=generator)), seeded
        )
    with pytest.raises(ValueError, match="seed or generator, not both"):
        DataLoader(dataset, shuffle=True, seed=1, generator=np.random.default_rng(1))


def test_loader_over_split():
    train, _ = random_split(TensorDataset(*_arrays(30)), [20, 10], seed=0)
    seen = _epoch(DataLoader(train, batch_size=8, shuffle=True, seed=0))
    np.testing.assert_array_equal(np.sort(seen), np.sort(train.indices))


# ----- the batched hook -----


def test_batched_hook_and_per_item_reads_give_identical_batches():
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


def test_custom_collate_fn_receives_samples():
    dataset = CountingTensorDataset(*_arrays())
    loader = DataLoader(dataset, batch_size=4, collate_fn=lambda samples: samples)
    batches = list(loader)
    assert [len(b) for b in batches] == [4, 4, 2]
    x, y = batches[1][0]
    assert x.tolist() == [12.0, 13.0, 14.0] and y.item() == 0
    # The hook answers with whole batches, so after one try the samples are read one by one.
    assert dataset.batch_calls == 1 and dataset.item_calls == 10


def test_hook_returning_a_list_of_samples_follows_torch():
    dataset = ListHook()
    ours = [_describe(b) for b in DataLoader(dataset, batch_size=2)]
    theirs = [_describe(b) for b in torch.utils.data.DataLoader(ListHook(), batch_size=2)]
    assert ours == theirs and dataset.calls == 3
    samples = list(DataLoader(ListHook(), batch_size=2, collate_fn=len))
    assert samples == [2, 2, 1]


def test_explicit_default_collate_keeps_the_fast_path():
    dataset = CountingTensorDataset(*_arrays())
    list(DataLoader(dataset, batch_size=4, collate_fn=default_collate))
    assert dataset.item_calls == 0 and dataset.batch_calls == 3


# ----- arguments -----


@pytest.mark.parametrize(
    "iterable, settings",
    [
        (False, {"num_workers": -1}),
        (False, {"timeout": -1}),
        (False, {"prefetch_factor": 2}),
        (False, {"persistent_workers": True}),
        (False, {"sampler": [0, 1], "shuffle": True}),
        (False, {"batch_sampler": [[0]], "batch_size": 2}),
        (False, {"batch_sampler": [[0]], "shuffle": True}),
        (False, {"batch_sampler": [[0]], "sampler": [0]}),
        (False, {"batch_sampler": [[0]], "drop_last": True}),
        (False, {"batch_size": None, "drop_last": True}),
        (False, {"batch_size": 0}),
        (False, {"batch_size": 2.0}),
        (False, {"multiprocessing_context": "fork"}),
        (True, {"shuffle": True}),
        (True, {"sampler": [0]}),
        (True, {"batch_sampler": [[0]]}),
    ],
)
def test_argument_errors_like_torch(iterable, settings):
    with pytest.raises(ValueError):
        dataset = torch_counter(3) if iterable else PerItem(*_arrays())
        torch.utils.data.DataLoader(dataset, **settings)
    with pytest.raises(ValueError):
        DataLoader(counter(3) if iterable else PerItem(*_arrays()), **settings)


def test_multiprocessing_context_checks():
    dataset = PerItem(*_arrays())
    with pytest.raises(ValueError, match="valid start method"):
        DataLoader(dataset, num_workers=1, multiprocessing_context="teleport")
    with pytest.raises(TypeError, match="context"):
        DataLoader(dataset, num_workers=1, multiprocessing_context=3)


def test_timeout_needs_workers():
    """torch fails later (an internal assertion when iterating); wright refuses at once."""
    with pytest.raises(ValueError, match="num_workers > 0"):
        DataLoader(PerItem(*_arrays()), timeout=5)


def test_fixed_attributes_cannot_be_changed_like_torch():
    ours = DataLoader(PerItem(*_arrays()), batch_size=2)
    theirs = torch.utils.data.DataLoader(PerItem(*_arrays()), batch_size=2)
    for name in ("batch_size", "sampler", "batch_sampler", "drop_last", "dataset"):
        with pytest.raises(ValueError):
            setattr(theirs, name, None)
        with pytest.raises(ValueError, match=f"{name} attribute should not be set"):
            setattr(ours, name, None)
    ours.collate_fn = len
    assert next(iter(ours)) == 2


def test_pin_memory_is_accepted_with_a_warning():
    loader = DataLoader(TensorDataset(*_arrays()), batch_size=5, pin_memory=True)
    with pytest.warns(UserWarning, match="pin_memory"):
        assert len(list(loader)) == 2


def test_loader_length_and_iterator_length():
    loader = DataLoader(TensorDataset(*_arrays()), batch_size=3)
    assert len(loader) == len(iter(loader)) == 4
