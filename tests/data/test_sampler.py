"""Samplers: orders, lengths, generators and argument checks, against torch.utils.data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wright
from wright.data import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

torch = pytest.importorskip("torch")


def test_sequential_sampler():
    sampler = SequentialSampler(range(5))
    assert list(sampler) == list(torch.utils.data.SequentialSampler(range(5))) == [0, 1, 2, 3, 4]
    assert len(sampler) == 5


def test_random_sampler_permutes_anew_each_pass():
    sampler = RandomSampler(range(50), generator=wright.Generator().manual_seed(0))
    first, second = list(sampler), list(sampler)
    assert sorted(first) == sorted(second) == list(range(50))
    assert first != second
    assert all(type(i) is int for i in first)


@pytest.mark.parametrize("num_samples", [3, 10, 25])
def test_random_sampler_num_samples_without_replacement(num_samples):
    drawn = list(RandomSampler(range(10), num_samples=num_samples))
    assert len(drawn) == num_samples
    # Every full pass over the data is a permutation, as in torch.
    for start in range(0, num_samples - num_samples % 10, 10):
        assert sorted(drawn[start : start + 10]) == list(range(10))
    assert len(set(drawn[num_samples - num_samples % 10 :])) == num_samples % 10


def test_random_sampler_with_replacement():
    drawn = list(RandomSampler(range(4), replacement=True, num_samples=400))
    assert len(drawn) == 400 and set(drawn) == {0, 1, 2, 3}
    assert len(RandomSampler(range(4), replacement=True)) == 4


def test_random_sampler_generators():
    seeded = [list(RandomSampler(range(20), generator=wright.Generator().manual_seed(4)))]
    numpy_generator = np.random.default_rng(4)
    assert seeded == [list(RandomSampler(range(20), generator=numpy_generator))]
    sampler = RandomSampler(range(20))
    wright.manual_seed(2)
    first = list(sampler)
    wright.manual_seed(2)
    assert list(sampler) == first


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"replacement": 1}, TypeError),
        ({"num_samples": 0}, ValueError),
        ({"num_samples": 2.5}, ValueError),
    ],
)
def test_random_sampler_errors_like_torch(kwargs, error):
    with pytest.raises(error):
        torch.utils.data.RandomSampler(range(5), **kwargs)
    with pytest.raises(error, match="RandomSampler"):
        RandomSampler(range(5), **kwargs)


def test_subset_random_sampler():
    indices = [10, 20, 30, 40]
    sampler = SubsetRandomSampler(indices, generator=wright.Generator().manual_seed(0))
    assert sorted(sampler) == indices and len(sampler) == 4


def test_weighted_random_sampler_follows_the_weights():
    sampler = WeightedRandomSampler([0.1, 0.0, 0.9], num_samples=2000)
    counts = np.bincount(list(sampler), minlength=3)
    assert counts[1] == 0 and 100 < counts[0] < 300 and len(sampler) == 2000
    distinct = list(WeightedRandomSampler(wright.tensor([1.0, 2, 3, 4]), 4, replacement=False))
    assert sorted(distinct) == [0, 1, 2, 3]
    # Without replacement, as in torch, zero weights are drawn only after all the others.
    for _ in range(5):
        assert list(WeightedRandomSampler([0.0, 1.0, 0.0, 5.0], 3, replacement=False))[2] in (0, 2)
    sampler = WeightedRandomSampler([1.0, 9.0], 1, replacement=False)
    firsts = [next(iter(sampler)) for _ in range(400)]
    assert 300 < sum(firsts) < 400


@pytest.mark.parametrize(
    "args, error",
    [
        (([1.0, 2.0], 0), ValueError),
        (([1.0, 2.0], True), ValueError),
        (([1.0, 2.0], 2, 1), ValueError),
        (([[1.0, 2.0]], 2), ValueError),
    ],
)
def test_weighted_random_sampler_argument_errors_like_torch(args, error):
    with pytest.raises(error):
        torch.utils.data.WeightedRandomSampler(*args)
    with pytest.raises(error, match="WeightedRandomSampler"):
        WeightedRandomSampler(*args)


@pytest.mark.parametrize(
    "weights, count, replacement",
    [([1.0, -1.0], 2, True), ([0.0, 0.0], 1, True), ([1.0, 0.0, 1.0], 4, False)],
)
def test_weighted_random_sampler_bad_distributions_raise_when_drawn(weights, count, replacement):
    with pytest.raises(RuntimeError):
        list(torch.utils.data.WeightedRandomSampler(weights, count, replacement))
    with pytest.raises(RuntimeError, match="WeightedRandomSampler"):
        list(WeightedRandomSampler(weights, count, replacement))


@settings(max_examples=30, deadline=None)
@given(count=st.integers(0, 30), batch_size=st.integers(1, 8), drop_last=st.booleans())
def test_batch_sampler_like_torch(count, batch_size, drop_last):
    ours = BatchSampler(SequentialSampler(range(count)), batch_size, drop_last)
    theirs = torch.utils.data.BatchSampler(range(count), batch_size, drop_last)
    assert list(ours) == list(theirs)
    assert len(ours) == len(theirs)


@pytest.mark.parametrize(
    "batch_size, drop_last", [(0, False), (2.0, False), (True, False), (2, "yes"), (2, None)]
)
def test_batch_sampler_errors_like_torch(batch_size, drop_last):
    with pytest.raises(ValueError):
        torch.utils.data.BatchSampler(range(4), batch_size, drop_last)
    with pytest.raises(ValueError, match="BatchSampler"):
        BatchSampler(range(4), batch_size, drop_last)


def test_sampler_base_class():
    with pytest.raises(NotImplementedError):
        iter(Sampler())

    class Evens(Sampler):
        def __iter__(self):
            return iter(range(0, 10, 2))

        def __len__(self):
            return 5

    assert list(BatchSampler(Evens(), 2, drop_last=True)) == [[0, 2], [4, 6]]
