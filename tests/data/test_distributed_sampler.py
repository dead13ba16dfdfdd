"""DistributedSampler: each rank's share of a dataset, against PyTorch's where the order is not
random, and the properties data-parallel training relies on where it is."""

from __future__ import annotations

import numpy as np
import pytest
import torch.utils.data as torch_data
from hypothesis import given, settings
from hypothesis import strategies as st
from wright.utils.data import DataLoader, DistributedSampler, TensorDataset

import wright


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(0, 40),
    replicas=st.integers(1, 6),
    drop_last=st.booleans(),
    data=st.data(),
)
def test_matches_torch_without_shuffling(count, replicas, drop_last, data):
    rank = data.draw(st.integers(0, replicas - 1))
    ours = DistributedSampler(range(count), replicas, rank, shuffle=False, drop_last=drop_last)
    theirs = torch_data.DistributedSampler(
        range(count), replicas, rank, shuffle=False, drop_last=drop_last
    )
    assert list(ours) == list(theirs)
    assert len(ours) == len(theirs) == len(list(ours))
    assert (ours.num_samples, ours.total_size) == (theirs.num_samples, theirs.total_size)


@pytest.mark.parametrize("count", [12, 13])
def test_shuffled_shares_cover_one_common_order(count):
    replicas = 3
    samplers = [DistributedSampler(range(count), replicas, r, seed=7) for r in range(replicas)]
    for epoch in range(2):
        for sampler in samplers:
            sampler.set_epoch(epoch)
        order = np.random.default_rng(7 + epoch).permutation(count)
        padded = np.resize(order, samplers[0].total_size)
        for rank, sampler in enumerate(samplers):
            assert list(sampler) == padded[rank::replicas].tolist()
        # Every index appears; with padding the first few appear twice.
        seen = sorted(i for sampler in samplers for i in sampler)
        assert sorted(set(seen)) == list(range(count))
        assert len(seen) == samplers[0].total_size
    assert list(samplers[0]) == list(samplers[0])  # the same epoch gives the same order
    first = list(DistributedSampler(range(count), replicas, 0, seed=7))
    assert first != list(samplers[0])  # epoch 1 differs from epoch 0


def test_drop_last_drops_the_tail():
    samplers = [
        DistributedSampler(range(10), 4, r, shuffle=False, drop_last=True) for r in range(4)
    ]
    assert [list(s) for s in samplers] == [[0, 4], [1, 5], [2, 6], [3, 7]]


def test_rank_batches_make_up_the_single_process_batches():
    # What the equivalence of K processes with batch B/K and one with batch B rests on.
    data = TensorDataset(wright.arange(48))
    replicas, batch = 2, 8
    single = np.random.default_rng(3).permutation(48).reshape(-1, batch)
    loaders = [
        DataLoader(
            data, batch_size=batch // replicas, sampler=DistributedSampler(data, 2, r, seed=3)
        )
        for r in range(replicas)
    ]
    for step, parts in enumerate(zip(*loaders)):
        together = sorted(i for (part,) in parts for i in part.tolist())
        assert together == sorted(single[step].tolist())


def test_arguments():
    with pytest.raises(
        ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"
    ):
        DistributedSampler(range(4), 2, 2)
    with pytest.raises(ValueError, match="num_replicas must be a positive int"):
        DistributedSampler(range(4), 0, 0)
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        DistributedSampler(range(4))
    assert len(DistributedSampler(range(5), num_replicas=2, rank=1)) == 3
