"""DataLoader with worker processes: the same batches in the same order as in-process loading,
seeding, get_worker_info, iterable datasets split across workers, errors raised in workers,
persistent workers, and no process left behind."""

from __future__ import annotations

import multiprocessing
import os
import time

import numpy as np
import pytest

import wright
from wright.data import DataLoader, Dataset, IterableDataset, TensorDataset, get_worker_info

# Test machines may have fewer CPUs than the workers started here.
pytestmark = pytest.mark.filterwarnings("ignore:DataLoader. this loader will create")


def _arrays(count: int = 23) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(count * 2, dtype=np.float32).reshape(count, 2), np.arange(count) % 5


class WhoLoads(Dataset):
    """Each sample says which worker read it, with that worker's seed and a random draw."""

    def __getitem__(self, index):
        info = get_worker_info()
        return index, info.id, info.num_workers, info.seed, float(wright.rand(1).item())

    def __len__(self) -> int:
        return 12


class Shards(IterableDataset):
    """0..count-1, each worker yielding its share (as the docs of get_worker_info suggest)."""

    def __init__(self, count: int) -> None:
        self.count = count

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.count))
        return iter(range(info.id, self.count, info.num_workers))


class Failing(Dataset):
    def __getitem__(self, index):
        if index == 5:
            raise KeyError(f"no sample {index}")
        return index

    def __len__(self) -> int:
        return 8


class Dying(Dataset):
    def __getitem__(self, index):
        if index == 3:
            os._exit(1)
        return index

    def __len__(self) -> int:
        return 8


class Slow(Dataset):
    def __getitem__(self, index):
        time.sleep(1.0)
        return index

    def __len__(self) -> int:
        return 4


def _values(loader):
    return [[part.tolist() for part in batch] for batch in loader]


def _no_workers_left():
    deadline = time.monotonic() + 5
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not multiprocessing.active_children()


@pytest.mark.parametrize("shuffle", [False, True])
def test_same_batches_in_the_same_order_as_in_process(shuffle):
    dataset = TensorDataset(*_arrays())
    inline = DataLoader(dataset, batch_size=4, shuffle=shuffle, seed=3)
    workers = DataLoader(dataset, batch_size=4, shuffle=shuffle, seed=3, num_workers=2)
    for _ in range(2):
        assert _values(workers) == _values(inline)
    assert _no_workers_left()


def test_worker_info_seeds_and_init_fn():
    started = multiprocessing.get_context().Queue()
    loader = DataLoader(
        WhoLoads(), batch_size=3, num_workers=3, worker_init_fn=started.put, prefetch_factor=1
    )
    wright.manual_seed(0)
    batches = list(loader)
    ids = [batch[1].tolist() for batch in batches]
    # Batches go round robin: batch i is loaded by worker i % 3.
    assert ids == [[i % 3] * 3 for i in range(4)]
    assert {n for batch in batches for n in batch[2].tolist()} == {3}
    seeds = {worker: batch[3][0].item() for worker, batch in zip([0, 1, 2, 0], batches)}
    assert seeds[1] == seeds[0] + 1 and seeds[2] == seeds[0] + 2
    draws = [batch[4].tolist() for batch in batches[:3]]
    assert draws[0] != draws[1] != draws[2]  # each worker has its own random stream
    assert sorted(started.get(timeout=5) for _ in range(3)) == [0, 1, 2]
    wright.manual_seed(0)
    assert [batch[4].tolist() for batch in loader] == [batch[4].tolist() for batch in batches]
    assert get_worker_info() is None


def test_iterable_dataset_split_across_workers():
    loader = DataLoader(Shards(10), batch_size=2, num_workers=3)
    values = [v for batch in loader for v in batch.tolist()]
    assert sorted(values) == list(range(10))
    unbatched = [int(v) for v in DataLoader(Shards(7), batch_size=None, num_workers=2)]
    assert sorted(unbatched) == list(range(7))
    assert _no_workers_left()


def test_an_exception_in_a_worker_is_raised_with_its_type():
    loader = DataLoader(Failing(), batch_size=2, num_workers=2)
    with pytest.raises(KeyError, match="no sample 5") as caught:
        list(loader)
    assert "DataLoader worker process 0" in str(caught.value)
    del caught, loader
    assert _no_workers_left()


def test_an_exception_in_worker_init_fn_is_raised():
    def init(worker_id):
        raise ValueError(f"worker {worker_id} cannot start")

    loader = DataLoader(TensorDataset(*_arrays()), batch_size=4, num_workers=1, worker_init_fn=init)
    with pytest.raises(ValueError, match="worker 0 cannot start"):
        list(loader)


def test_a_dead_worker_is_reported():
    with pytest.raises(RuntimeError, match="exited unexpectedly"):
        list(DataLoader(Dying(), batch_size=2, num_workers=2))
    assert _no_workers_left()


def test_timeout():
    loader = DataLoader(Slow(), batch_size=1, num_workers=1, timeout=0.2)
    iterator = iter(loader)
    with pytest.raises(RuntimeError, match="timed out after 0.2 seconds"):
        next(iterator)
    del iterator
    assert _no_workers_left()


def test_breaking_out_of_an_epoch_stops_the_workers():
    loader = DataLoader(TensorDataset(*_arrays(200)), batch_size=2, num_workers=2)
    for _ in loader:
        break
    assert _no_workers_left()


def test_persistent_workers_survive_between_epochs():
    dataset = TensorDataset(*_arrays())
    loader = DataLoader(dataset, batch_size=5, num_workers=2, persistent_workers=True)
    expected = _values(DataLoader(dataset, batch_size=5))
    first = iter(loader)
    assert _values([next(first)]) == expected[:1]  # abandon the epoch part way
    pids = {p.pid for p in multiprocessing.active_children()}
    assert len(pids) == 2
    assert _values(loader) == expected
    assert _values(loader) == expected
    assert {p.pid for p in multiprocessing.active_children()} == pids
    shards = DataLoader(Shards(6), batch_size=2, num_workers=2, persistent_workers=True)
    for _ in range(2):
        assert sorted(v for batch in shards for v in batch.tolist()) == list(range(6))
    del loader, first, shards
    assert _no_workers_left()


def test_batches_out_of_order():
    loader = DataLoader(TensorDataset(*_arrays()), batch_size=3, num_workers=2, in_order=False)
    rows = sorted(v for xb, _ in loader for v in xb[:, 0].tolist())
    assert rows == list(range(0, 46, 2))


def test_spawn_start_method():
    loader = DataLoader(
        TensorDataset(*_arrays(9)), batch_size=4, num_workers=1, multiprocessing_context="spawn"
    )
    assert _values(loader) == _values(DataLoader(TensorDataset(*_arrays(9)), batch_size=4))


@pytest.mark.filterwarnings("default")
def test_too_many_workers_warn():
    with pytest.warns(UserWarning, match="worker processes"):
        DataLoader(TensorDataset(*_arrays()), num_workers=10_000)
