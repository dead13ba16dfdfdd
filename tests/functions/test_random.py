"""Random sampling: shapes, dtypes, argument handling and errors as in PyTorch; distributions
checked loosely by their moments and frequencies, with fixed seeds."""

import numpy as np
import pytest

import wright

N = 20000


def _gen(seed: int = 0) -> wright.Generator:
    return wright.Generator().manual_seed(seed)


# ----- in-place fills: dtype kept, moments right -----

FILLS = {
    # name: (call, expected mean, expected variance)
    "normal_": (lambda x, g: x.normal_(2.0, 3.0, generator=g), 2.0, 9.0),
    "normal_default": (lambda x, g: x.normal_(generator=g), 0.0, 1.0),
    "uniform_": (lambda x, g: x.uniform_(-1.0, 3.0, generator=g), 1.0, 16 / 12),
    "uniform_default": (lambda x, g: x.uniform_(generator=g), 0.5, 1 / 12),
    "bernoulli_": (lambda x, g: x.bernoulli_(0.3, generator=g), 0.3, 0.21),
    "exponential_": (lambda x, g: x.exponential_(4.0, generator=g), 0.25, 1 / 16),
    "geometric_": (lambda x, g: x.geometric_(0.25, generator=g), 4.0, 0.75 / 0.0625),
    "log_normal_": (lambda x, g: x.log_normal_(0.0, 0.5, generator=g), np.exp(0.125), None),
    "random_to": (lambda x, g: x.random_(10, generator=g), 4.5, 99 / 12),
    "random_from_to": (lambda x, g: x.random_(-3, 4, generator=g), 0.0, 4.0),
}


@pytest.mark.parametrize("dtype", [wright.float32, wright.float64, wright.float16])
@pytest.mark.parametrize("name", FILLS)
def test_fill_keeps_dtype_and_shape_and_has_the_right_moments(name, dtype):
    call, mean, variance = FILLS[name]
    x = wright.zeros(N // 100, 100, dtype=dtype)
    array = x.array
    assert call(x, _gen()) is x
    assert x.dtype == dtype and x.shape == (N // 100, 100) and x.array is array
    values = x.numpy().astype(np.float64)
    spread = np.sqrt(variance if variance is not None else values.var())
    assert abs(values.mean() - mean) < 5 * spread / np.sqrt(N) + 2e-3 * abs(mean)
    if variance is not None:
        assert abs(values.var() - variance) < 0.06 * variance


def test_uniform_stays_in_range_and_cauchy_median():
    x = wright.empty(N).uniform_(2.0, 2.5, generator=_gen())
    assert x.min().item() >= 2.0 and x.max().item() < 2.5
    c = wright.empty(N, dtype=wright.float64).cauchy_(1.0, 2.0, generator=_gen())
    assert abs(np.median(c.numpy()) - 1.0) < 0.1
    quartiles = np.percentile(c.numpy(), [25, 75])
    np.testing.assert_allclose(quartiles, [-1.0, 3.0], atol=0.15)


@pytest.mark.parametrize(
    "dtype, low, high",
    [
        (wright.int64, 0, 2**63 - 1),
        (wright.int32, 0, 2**31 - 1),
        (wright.uint8, 0, 255),
        (wright.int8, 0, 127),
        (wright.bool, 0, 1),
        (wright.float32, 0, 2**24),
        (wright.float64, 0, 2**53),
        (wright.float16, 0, 2**11),
    ],
)
def test_random_without_bounds_covers_the_dtype(dtype, low, high):
    x = wright.zeros(N, dtype=dtype).random_(generator=_gen())
    values = x.numpy().astype(np.float64)
    assert x.dtype == dtype
    assert values.min() >= low and values.max() <= high
    # Spread over the whole range, not just a corner of it.
    assert values.max() > low + 0.9 * (high - low)
    assert values.min() < low + 0.1 * (high - low) + 1


def test_random_bounds_forms():
    g = _gen()
    assert set(wright.zeros(N, dtype=wright.long).random_(3, generator=g).tolist()) == {0, 1, 2}
    assert set(wright.zeros(N).random_(-2, 1, generator=g).tolist()) == {-2.0, -1.0, 0.0}
    assert set(wright.zeros(N).random_(to=2, generator=g).tolist()) == {0.0, 1.0}
    top = wright.zeros(N, dtype=wright.uint8).random_(250, None, generator=g)
    assert set(top.tolist()) == set(range(250, 256))


def test_bernoulli_fills_any_dtype_and_takes_tensor_probabilities():
    p = wright.tensor([0.0, 1.0, 0.25])
    for dtype in (wright.long, wright.bool, wright.uint8, wright.float64):
        x = wright.zeros(N, 3, dtype=dtype).bernoulli_(p, generator=_gen())
        assert x.dtype == dtype
        frequencies = x.numpy().astype(np.float64).mean(axis=0)
        np.testing.assert_allclose(frequencies, [0.0, 1.0, 0.25], atol=0.015)
    x = wright.zeros(3).bernoulli_(wright.tensor([1.0, 0.0, 1.0], dtype=wright.float64))
    assert x.tolist() == [1.0, 0.0, 1.0]


def test_fills_under_no_grad_on_leaves_and_raise_outside():
    weight = wright.zeros(4, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        weight.normal_()
    with wright.no_grad():
        for fill in (
            lambda w: w.normal_(0.0, 0.1),
            lambda w: w.uniform_(-1.0, 1.0),
            lambda w: w.bernoulli_(0.5),
            lambda w: w.exponential_(),
            lambda w: w.random_(0, 5),
            lambda w: w.geometric_(0.5),
            lambda w: w.cauchy_(),
            lambda w: w.log_normal_(),
        ):
            version = weight._version
            assert fill(weight) is weight
            assert weight._version == version + 1
    assert weight.requires_grad and weight.is_leaf and weight.grad_fn is None


def test_fill_of_a_graph_tensor_keeps_it_in_the_graph_with_zero_gradient():
    # As in PyTorch: the filled tensor still requires grad, and nothing flows to what made it.
    x = wright.ones(3, requires_grad=True)
    y = x * 2
    y.uniform_()
    assert y.requires_grad and y.grad_fn is not None
    (y * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())


def test_fill_of_a_view_changes_the_base():
    base = wright.zeros(4, 5)
    base[1:3].normal_(generator=_gen())
    values = base.numpy()
    assert not values[[0, 3]].any() and values[1:3].all()


def test_generator_reproduces_and_default_generator_is_seeded():
    first = wright.empty(10).normal_(generator=_gen(7))
    second = wright.empty(10).normal_(generator=_gen(7))
    assert wright.equal(first, second)
    wright.manual_seed(3)
    third = wright.empty(10).uniform_()
    wright.manual_seed(3)
    assert wright.equal(third, wright.empty(10).uniform_())


# ----- sampling functions -----


def test_bernoulli_from_probabilities():
    p = wright.tensor([[0.0, 0.2, 0.9, 1.0]] * (N // 4), dtype=wright.float64)
    draws = wright.bernoulli(p, generator=_gen())
    assert draws.dtype == wright.float64 and draws.shape == p.shape
    assert set(np.unique(draws.numpy())) <= {0.0, 1.0}
    np.testing.assert_allclose(draws.numpy().mean(axis=0), [0.0, 0.2, 0.9, 1.0], atol=0.02)
    fixed = wright.bernoulli(wright.zeros(N), 0.7, generator=_gen())
    assert abs(fixed.mean().item() - 0.7) < 0.02
    assert p.bernoulli().shape == p.shape


def test_poisson_counts():
    rates = wright.tensor(np.tile(np.float32([0.0, 0.5, 4.0, 30.0]), (N // 4, 1)))
    counts = wright.poisson(rates, generator=_gen())
    assert counts.dtype == wright.float32
    assert np.all(counts.numpy() == np.round(counts.numpy()))
    np.testing.assert_allclose(counts.numpy().mean(axis=0), [0.0, 0.5, 4.0, 30.0], rtol=0.03)
    np.testing.assert_allclose(counts.numpy().var(axis=0), [0.0, 0.5, 4.0, 30.0], rtol=0.1)


def test_samples_of_a_tensor_that_requires_grad_have_zero_gradient():
    p = wright.tensor([0.3, 0.6], requires_grad=True)
    for sample in (wright.bernoulli(p), wright.poisson(p)):
        assert sample.requires_grad
        sample.sum().backward()
        assert p.grad is not None and not p.grad.numpy().any()
    assert not wright.multinomial(p, 1).requires_grad


def test_multinomial_with_replacement_frequencies():
    weights = wright.tensor([1.0, 0.0, 3.0, 6.0])
    draws = wright.multinomial(weights, N, replacement=True, generator=_gen())
    assert draws.dtype == wright.int64 and draws.shape == (N,)
    frequencies = np.bincount(draws.numpy(), minlength=4) / N
    np.testing.assert_allclose(frequencies, [0.1, 0.0, 0.3, 0.6], atol=0.015)


def test_multinomial_rows_are_independent_distributions():
    weights = wright.tensor([[0.0, 0.0, 1.0], [5.0, 5.0, 0.0], [1.0, 1.0, 1.0]])
    draws = wright.multinomial(weights, 3000, replacement=True, generator=_gen()).numpy()
    assert draws.shape == (3, 3000)
    assert (draws[0] == 2).all() and set(np.unique(draws[1])) == {0, 1}
    np.testing.assert_allclose(np.bincount(draws[2], minlength=3) / 3000, [1 / 3] * 3, atol=0.04)


def test_multinomial_without_replacement_never_repeats():
    weights = wright.rand(50, 20, generator=_gen(1)) + 0.01
    draws = weights.multinomial(20, generator=_gen()).numpy()
    assert draws.shape == (50, 20)
    assert all(sorted(row) == list(range(20)) for row in draws)
    # Weight-zero categories come after all others.
    sparse = wright.tensor([0.0, 2.0, 0.0, 1.0])
    for seed in range(5):
        order = wright.multinomial(sparse, 4, generator=_gen(seed)).tolist()
        assert set(order[:2]) == {1, 3} and set(order[2:]) == {0, 2}


def test_multinomial_without_replacement_first_draw_follows_weights():
    weights = wright.tensor(np.tile(np.float32([1.0, 2.0, 7.0]), (N, 1)))
    draws = wright.multinomial(weights, 2, generator=_gen()).numpy()
    first = np.bincount(draws[:, 0], minlength=3) / N
    np.testing.assert_allclose(first, [0.1, 0.2, 0.7], atol=0.015)
    # P(second = 0 | first = 2) = 1 / 3
    after_two = draws[draws[:, 0] == 2, 1]
    assert abs(np.mean(after_two == 0) - 1 / 3) < 0.02


def test_multinomial_shapes_like_torch():
    torch = pytest.importorskip("torch")
    for shape, samples, replacement in [((4,), 2, False), ((2, 3), 3, False), ((0, 3), 2, True)]:
        ours = wright.multinomial(wright.ones(*shape), samples, replacement)
        theirs = torch.multinomial(torch.ones(*shape), samples, replacement)
        assert tuple(ours.shape) == tuple(theirs.shape) and ours.dtype == wright.int64


# ----- errors where PyTorch raises -----

ERRORS = {
    "normal_negative_std": lambda lib: lib.zeros(3).normal_(0, -1),
    "normal_int": lambda lib: lib.zeros(3, dtype=lib.long).normal_(),
    "normal_generator_positional": lambda lib: lib.zeros(3).normal_(1, 2, None),
    "uniform_reversed": lambda lib: lib.zeros(3).uniform_(1, 0),
    "uniform_int": lambda lib: lib.zeros(3, dtype=lib.long).uniform_(),
    "uniform_infinite": lambda lib: lib.zeros(3).uniform_(0, float("inf")),
    "exponential_zero": lambda lib: lib.zeros(3).exponential_(0),
    "exponential_int": lambda lib: lib.zeros(3, dtype=lib.long).exponential_(),
    "random_reversed": lambda lib: lib.zeros(3).random_(5, 2),
    "random_empty_range": lambda lib: lib.zeros(3).random_(0),
    "random_uint8_too_high": lambda lib: lib.zeros(3, dtype=lib.uint8).random_(0, 300),
    "random_uint8_negative": lambda lib: lib.zeros(3, dtype=lib.uint8).random_(-5, 0),
    "geometric_zero": lambda lib: lib.zeros(3).geometric_(0),
    "geometric_one": lambda lib: lib.zeros(3).geometric_(1),
    "cauchy_zero_sigma": lambda lib: lib.zeros(3).cauchy_(0, 0),
    "cauchy_int": lambda lib: lib.zeros(3, dtype=lib.long).cauchy_(),
    "log_normal_zero_std": lambda lib: lib.zeros(3).log_normal_(0, 0),
    "log_normal_int": lambda lib: lib.zeros(3, dtype=lib.long).log_normal_(),
    "bernoulli__p": lambda lib: lib.zeros(3).bernoulli_(1.5),
    "bernoulli__tensor_p": lambda lib: lib.zeros(3).bernoulli_(lib.tensor([1.1, 0.5, 0.5])),
    "bernoulli__shape": lambda lib: lib.zeros(3).bernoulli_(lib.tensor([[0.5, 0.5, 0.5]])),
    "bernoulli_int": lambda lib: lib.bernoulli(lib.tensor([0, 1])),
    "bernoulli_bad_p": lambda lib: lib.bernoulli(lib.tensor([1.5])),
    "bernoulli_nan_p": lambda lib: lib.bernoulli(lib.tensor([float("nan")])),
    "poisson_int": lambda lib: lib.poisson(lib.tensor([1, 2])),
    "poisson_negative": lambda lib: lib.poisson(lib.tensor([-1.0])),
    "multinomial_too_many": lambda lib: lib.multinomial(lib.ones(4), 5),
    "multinomial_no_samples": lambda lib: lib.multinomial(lib.ones(4), 0),
    "multinomial_int": lambda lib: lib.multinomial(lib.tensor([1, 2]), 1),
    "multinomial_bool": lambda lib: lib.multinomial(lib.tensor([True, False]), 1),
    "multinomial_negative": lambda lib: lib.multinomial(lib.tensor([-1.0, 2.0]), 1),
    "multinomial_zero_sum": lambda lib: lib.multinomial(lib.tensor([[1.0, 0.0], [0.0, 0.0]]), 1),
    "multinomial_inf": lambda lib: lib.multinomial(lib.tensor([float("inf"), 2.0]), 1),
    "multinomial_nan": lambda lib: lib.multinomial(lib.tensor([float("nan"), 2.0]), 1),
    "multinomial_0d": lambda lib: lib.multinomial(lib.tensor(1.0), 1),
    "multinomial_3d": lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1),
    "multinomial_float_count": lambda lib: lib.multinomial(lib.ones(3), 2.0),
    "multinomial_empty_categories": lambda lib: lib.multinomial(lib.ones(2, 0), 2),
}


@pytest.mark.parametrize("call", ERRORS.values(), ids=ERRORS.keys())
def test_raises_like_torch(call):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(theirs.type):
        call(wright)
