"""fetch_batch: the batch at given indices, through the batched hook or one sample at a time."""

from __future__ import annotations

import numpy as np

from wright.data import Dataset, TensorDataset, fetch_batch
from wright.tensor import Tensor


class Pairs(Dataset):
    def __getitem__(self, index):
        return np.full(2, index, np.float32), index

    def __len__(self) -> int:
        return 6


def test_fetch_batch_with_the_hook_and_without():
    inputs = np.arange(12, dtype=np.float32).reshape(6, 2)
    fast = fetch_batch(TensorDataset(inputs, np.arange(6)), [4, 0])
    slow = fetch_batch(Pairs(), [4, 0])
    assert isinstance(fast, list) and isinstance(slow, list)
    np.testing.assert_array_equal(fast[0].numpy(), inputs[[4, 0]])
    np.testing.assert_array_equal(slow[0].numpy(), [[4, 4], [0, 0]])
    assert all(isinstance(t, Tensor) for t in fast + slow)
    assert fast[1].tolist() == slow[1].tolist() == [4, 0]


def test_fetch_batch_with_a_collate_fn():
    assert fetch_batch(Pairs(), [1, 2, 3], collate_fn=len) == 3
    assert fetch_batch(TensorDataset(np.zeros((6, 1))), [1, 2], collate_fn=len) == 2
