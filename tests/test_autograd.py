"""The backward walk: shared nodes, deep graphs, freeing, accumulation, grad modes, gradcheck."""

from __future__ import annotations

from collections import Counter
from typing import ClassVar

import numpy as np
import pytest

import wright
from wright.autograd import Function, GradcheckError, gradcheck, unbroadcast


def leaf(values, dtype=np.float64) -> wright.Tensor:
    return wright.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


# ----- the shape of the graph -----


def test_tensor_used_twice_gets_summed_gradients():
    x = leaf([1.0, 2.0, 3.0])
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.array, [2.0, 4.0, 6.0])


def test_intermediate_used_twice_gets_summed_gradients():
    x = leaf([0.5, -1.0])
    h = x.exp()
    (h * h + h).sum().backward()
    h_value = np.exp([0.5, -1.0])
    np.testing.assert_allclose(x.grad.array, (2 * h_value + 1) * h_value)


def test_diamond_graph():
    # x -> a, b -> c: both paths contribute, the shared x is differentiated once through each.
    x = leaf(1.5)
    a, b = x * 2.0, x.tanh()
    (a * b).backward()
    expected = 2.0 * np.tanh(1.5) + 2.0 * 1.5 * (1 - np.tanh(1.5) ** 2)
    np.testing.assert_allclose(x.grad.array, expected)


def test_stacked_diamonds_match_closed_form():
    # y_{k+1} = y_k * y_k + y_k: each level reuses the one below twice, 2^20 paths in all.
    x = leaf(0.1)
    y, value, derivative = x, 0.1, 1.0
    for _ in range(20):
        y = y * y + y
        value, derivative = value * value + value, (2 * value + 1) * derivative
    y.backward()
    np.testing.assert_allclose(x.grad.array, derivative, rtol=1e-12)


def test_deep_chain_has_no_recursion_limit():
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.00001
    y.backward(retain_graph=True)
    np.testing.assert_allclose(x.grad.array, 1.00001**100_000, rtol=1e-9)
    # Dropping the retained 100,000-node graph must not recurse either.
    del y


def test_broadcast_gradients_are_summed_back_to_the_input_shape():
    row, column = leaf(np.ones(4)), leaf(np.ones((3, 1)))
    (row * column * 2.0).sum().backward()
    np.testing.assert_allclose(row.grad.array, np.full(4, 6.0))
    np.testing.assert_allclose(column.grad.array, np.full((3, 1), 8.0))


@pytest.mark.parametrize(
    "grad_shape, shape, expected",
    [
        ((2, 3), (2, 3), np.ones((2, 3))),
        ((2, 3), (3,), np.full(3, 2.0)),
        ((2, 3), (2, 1), np.full((2, 1), 3.0)),
        ((4, 2, 3), (1, 3), np.full((1, 3), 8.0)),
        ((2, 3), (), np.array(6.0)),
    ],
)
def test_unbroadcast(grad_shape, shape, expected):
    np.testing.assert_array_equal(unbroadcast(np.ones(grad_shape), shape), expected)


# ----- running backward -----


def test_second_backward_needs_retain_graph():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.array, [4.0, 8.0])


def test_backward_frees_the_saved_values():
    x = leaf([1.0, 2.0])
    y = x.exp()
    z = y.sum()
    z.backward()
    assert z._ctx.edges is None and y._ctx.edges is None
    assert not hasattr(y._ctx, "out")


def test_gradients_accumulate_across_backward_calls():
    x = leaf([1.0, -1.0])
    (x * 3.0).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.array, [3.0 + 2.0, 3.0 - 2.0])


def test_backward_with_explicit_gradient():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x * 2.0
    y.backward(np.array([[1.0, 0.0], [0.5, -1.0]]))
    np.testing.assert_allclose(x.grad.array, [[2.0, 0.0], [1.0, -2.0]])


def test_backward_errors():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"scalar outputs.*\(2,\)"):
        (x * 2.0).backward()
    with pytest.raises(RuntimeError, match=r"\(3,\).*\(2,\)"):
        (x * 2.0).backward(np.ones(3))
    with pytest.raises(RuntimeError, match="does not require grad"):
        wright.tensor([1.0]).sum().backward()


def test_leaf_gradients_are_separate_writable_arrays():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()
    a.grad.zero_()
    np.testing.assert_array_equal(b.grad.array, [1.0, 1.0])
    x = leaf([1.0, 2.0])
    seed = np.array([5.0, 6.0])
    x.backward(seed)
    x.grad.array *= 2
    np.testing.assert_array_equal(seed, [5.0, 6.0])


def test_inputs_without_requires_grad_get_no_gradient():
    x, constant = leaf([1.0, 2.0]), wright.tensor(np.array([3.0, 4.0]))
    (x * constant).sum().backward()
    assert constant.grad is None
    np.testing.assert_allclose(x.grad.array, [3.0, 4.0])


def test_gradient_flows_only_through_used_branches():
    x, unused = leaf([1.0]), leaf([2.0])
    _ = unused * 5.0
    (x * 2.0).sum().backward()
    assert unused.grad is None


# ----- grad modes -----


def test_no_grad_context_records_nothing():
    x = leaf([1.0])
    with wright.no_grad():
        y = x * 2.0
        assert not wright.is_grad_enabled()
    assert wright.is_grad_enabled()
    assert not y.requires_grad and y._ctx is None


def test_enable_grad_inside_no_grad():
    x = leaf([1.0])
    with wright.no_grad():
        with wright.enable_grad():
            y = x * 2.0
        z = x * 2.0
    assert y.requires_grad and not z.requires_grad


@pytest.mark.parametrize("mode", [True, False])
def test_set_grad_enabled_context(mode):
    x = leaf([1.0])
    with wright.set_grad_enabled(mode):
        y = x * 2.0
    assert y.requires_grad is mode
    assert wright.is_grad_enabled()


def test_grad_modes_as_decorators():
    x = leaf([1.0])

    @wright.no_grad()
    def without():
        return x * 2.0

    @wright.set_grad_enabled(False)
    def also_without():
        return x * 2.0

    @wright.enable_grad()
    def with_grad():
        return x * 2.0

    assert not without().requires_grad and not also_without().requires_grad
    with wright.no_grad():
        assert with_grad().requires_grad
    assert wright.is_grad_enabled()


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(KeyError), wright.no_grad():
        raise KeyError("boom")
    assert wright.is_grad_enabled()


def test_recursive_decorated_function_restores_grad_mode():
    @wright.no_grad()
    def countdown(n):
        return 0 if n == 0 else countdown(n - 1)

    countdown(3)
    assert wright.is_grad_enabled()


# ----- detach, retain_grad, requires_grad -----


def test_detach_cuts_the_graph_but_shares_values():
    x = leaf([1.0, 2.0])
    d = (x * 2.0).detach()
    assert not d.requires_grad and d.is_leaf
    y = x * 3.0
    (y + d).sum().backward()
    np.testing.assert_allclose(x.grad.array, [3.0, 3.0])
    e = x.detach()
    e.array[0] = 10.0
    assert x.array[0] == 10.0


def test_retain_grad_keeps_intermediate_gradients():
    x = leaf([1.0, 2.0])
    h = (x * 3.0).retain_grad()
    other = x * 4.0
    (h * h + other).sum().backward()
    np.testing.assert_allclose(h.grad.array, 2 * np.array([3.0, 6.0]))
    assert other.grad is None
    np.testing.assert_allclose(x.grad.array, 18 * np.array([1.0, 2.0]) + 4.0)


@pytest.mark.parametrize("values", [[1, 2], np.array([1, 2], dtype=np.int32), [True, False]])
def test_only_floating_tensors_can_require_grad(values):
    with pytest.raises(RuntimeError, match="floating"):
        wright.tensor(values, requires_grad=True)
    with pytest.raises(RuntimeError, match="floating"):
        wright.tensor(values).requires_grad_()


def test_requires_grad_flag_and_is_leaf():
    x = leaf([1.0])
    y = x * 2.0
    assert x.is_leaf and not y.is_leaf and y.requires_grad
    assert wright.tensor([1.0]).requires_grad_().requires_grad


# ----- the engine runs each node once -----


class CountedSquare(Function):
    """x^2, counting how often each instance's forward and backward run."""

    calls: ClassVar[Counter] = Counter()

    def forward(self, a):
        CountedSquare.calls[("forward", id(self))] += 1
        self.a = a
        return a * a

    def backward(self, grad):
        CountedSquare.calls[("backward", id(self))] += 1
        return 2 * self.a * grad


def test_each_node_runs_backward_exactly_once():
    CountedSquare.calls = Counter()
    x = leaf([0.3, -0.2])
    y, derivative, value = x, np.ones(2), np.array([0.3, -0.2])
    for _ in range(12):
        # Every level feeds the next one twice, so there are 2^12 paths but only 12 squaring nodes.
        square = CountedSquare.apply(y)
        y = square + square * 0.5
        derivative = derivative * 2 * value * 1.5
        value = value * value * 1.5
    y.sum().backward()
    forwards = [n for (kind, _), n in CountedSquare.calls.items() if kind == "forward"]
    backwards = [n for (kind, _), n in CountedSquare.calls.items() if kind == "backward"]
    assert forwards == [1] * 12 and backwards == [1] * 12
    np.testing.assert_allclose(x.grad.array, derivative, rtol=1e-12)


def test_function_sees_which_inputs_need_gradients():
    seen = []

    class Probe(Function):
        def forward(self, a, b):
            return a * b

        def backward(self, grad):
            seen.append(self.needs_input_grad)
            return grad, None

    x, constant = leaf([1.0]), wright.tensor(np.array([2.0]))
    Probe.apply(x, constant).sum().backward()
    assert seen == [(True, False)]
    assert constant.grad is None


def test_no_graph_when_no_input_requires_grad():
    y = CountedSquare.apply(wright.tensor(np.array([2.0])))
    assert y._ctx is None and not y.requires_grad
    np.testing.assert_array_equal(y.array, [4.0])


# ----- gradcheck -----


class WrongSquare(Function):
    """x^2 with the factor 2 forgotten in backward."""

    def forward(self, a):
        self.a = a
        return a * a

    def backward(self, grad):
        return self.a * grad


def test_gradcheck_accepts_a_correct_function():
    assert gradcheck(CountedSquare.apply, [leaf(np.linspace(-1, 1, 5))])


def test_gradcheck_detects_a_wrong_backward():
    with pytest.raises(GradcheckError, match=r"input 0 of shape \(5,\)"):
        gradcheck(WrongSquare.apply, [leaf(np.linspace(-1, 1, 5))])


def test_gradcheck_detects_a_missing_gradient():
    class ForgetsSecondInput(Function):
        def forward(self, a, b):
            self.b = b
            return a * b

        def backward(self, grad):
            return grad * self.b, None

    with pytest.raises(GradcheckError, match="input 1"):
        gradcheck(ForgetsSecondInput.apply, [leaf([1.0, 2.0]), leaf([3.0, 4.0])])


def test_gradcheck_works_on_non_contiguous_inputs():
    values = np.random.default_rng(0).standard_normal((3, 2)).T
    assert not values.flags.c_contiguous
    assert gradcheck(lambda x: x.exp() * x, [wright.tensor(values, requires_grad=True)])


def test_gradcheck_needs_float64():
    with pytest.raises(ValueError, match="float64"):
        gradcheck(lambda x: x * 2, [leaf([1.0], dtype=np.float32)])


# ----- PyTorch's autograd API: grad(), hooks, grad modes -----


def test_autograd_grad_returns_gradients_without_touching_dot_grad():
    x = leaf([1.0, 2.0, 3.0])
    y = leaf([0.5])
    h = x * y
    out = (h * h).sum()
    gx, gh = wright.autograd.grad(out, [x, h], retain_graph=True)
    np.testing.assert_allclose(gx.array, 2 * x.array * 0.25)
    np.testing.assert_allclose(gh.array, 2 * h.array)
    assert x.grad is None and y.grad is None
    with pytest.raises(RuntimeError, match="not used"):
        wright.autograd.grad(out, [leaf([1.0])], retain_graph=True)
    (unused,) = wright.autograd.grad(out, [leaf([1.0])], allow_unused=True)
    assert unused is None
    with pytest.raises(NotImplementedError, match="first-order"):
        wright.autograd.grad(out, [x], create_graph=True)


def test_backward_with_inputs_accumulates_only_into_them():
    a, b = leaf([1.0]), leaf([2.0])
    (a * b).sum().backward(inputs=[a])
    assert a.grad.tolist() == [2.0] and b.grad is None


def test_tensor_hooks_see_and_may_replace_gradients():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    y = x * 3
    handle = y.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert seen == [[30.0, 30.0]] and x.grad.tolist() == [30.0, 30.0]
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_leaf_hooks_run_once_with_the_whole_gradient():
    # As PyTorch's: a leaf used three times gets one call with the sum, and a hook's replacement
    # applies to that sum; leaves nearer the loss are finished (and hooked) first.
    torch = pytest.importorskip("torch")
    for lib in (wright, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w1 = lib.tensor([3.0], requires_grad=True)
        w2 = lib.tensor([4.0], requires_grad=True)
        calls = []
        x.register_hook(lambda g, calls=calls: calls.append(("x", g.tolist())))
        x.register_hook(lambda g: g.clamp(max=4.0))
        w1.register_hook(lambda g, calls=calls: calls.append(("w1", g.tolist())))
        w2.register_hook(lambda g, calls=calls: calls.append(("w2", g.tolist())))
        ((x * x + x) * w1 * w2).sum().backward()
        assert calls == [("w2", [24.0]), ("w1", [32.0]), ("x", [36.0, 60.0])], lib.__name__
        assert x.grad.tolist() == [4.0, 4.0]


def test_grad_mode_spellings():
    x = leaf([1.0])

    @wright.no_grad
    def bare():
        return x * 2

    assert not bare().requires_grad
    with wright.inference_mode():
        assert not (x * 2).requires_grad
    with wright.inference_mode(False):
        assert (x * 2).requires_grad
    wright.set_grad_enabled(False)
    assert not wright.is_grad_enabled()
    wright.set_grad_enabled(True)
    assert wright.is_grad_enabled()


def test_grad_fn_names_the_node():
    y = leaf([1.0]) * 2
    assert y.grad_fn.name() == "MulBackward0" and "grad_fn=<MulBackward0>" in repr(y)
    assert leaf([1.0]).grad_fn is None


def test_tensors_pickle_and_deepcopy_without_their_graph():
    import copy
    import pickle

    x = leaf([1.0, 2.0])
    clone = pickle.loads(pickle.dumps(x))
    assert clone.tolist() == [1.0, 2.0] and clone.requires_grad and clone.is_leaf
    p = wright.nn.Parameter(wright.ones(2))
    copied = copy.deepcopy(p)
    assert isinstance(copied, wright.nn.Parameter) and copied.array is not p.array
    with pytest.raises(RuntimeError, match="leaves"):
        copy.deepcopy(x * 2)


def test_size_is_a_tuple_with_numel():
    size = wright.zeros(2, 3).shape
    assert size == (2, 3) and size.numel() == 6 and repr(size) == "wright.Size([2, 3])"
    assert wright.zeros(2, 3).size(-1) == 3 and wright.zeros(size).shape == (2, 3)


def test_grad_mode_belongs_to_each_thread():
    import threading

    results = {}
    inside, release = threading.Event(), threading.Event()

    def evaluating():
        with wright.no_grad():
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=evaluating)
    worker.start()
    inside.wait(10)
    results["main"] = (leaf([1.0]) * 2).requires_grad  # the other thread's no_grad is its own
    release.set()
    worker.join()
    assert results["main"] and wright.is_grad_enabled()


def test_set_grad_enabled_as_a_decorator_applies_at_call_time():
    @wright.set_grad_enabled(False)
    def evaluate():
        return (leaf([1.0]) * 2).requires_grad

    with wright.no_grad():
        assert not evaluate()
    assert not evaluate() and wright.is_grad_enabled()


def test_custom_functions_written_the_pytorch_way():
    torch = pytest.importorskip("torch")
    found = []
    for lib in (wright, torch):

        class ScaledReverse(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, scale):
                ctx.scale = scale
                ctx.save_for_backward(x)
                return x.clone()

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return -grad * ctx.scale * x, None

        a = lib.tensor([1.0, 2.0], requires_grad=True)
        y = ScaledReverse.apply(a * 2, 3.0)
        (y * y).sum().backward()
        found.append((a.grad.tolist(), y.grad_fn.name()))
    assert found[0] == found[1]


def test_detect_anomaly_names_the_op_that_made_nan():
    x = leaf([0.0])
    with (
        pytest.raises(RuntimeError, match="'SqrtBackward0' returned nan"),
        wright.autograd.detect_anomaly(),
    ):
        (x.sqrt() * 0).sum().backward()
    (leaf([0.0]).sqrt() * 0).sum().backward()  # off again: no check


def test_variable_is_a_detached_alias():
    x = leaf([1.0, 2.0])
    v = wright.autograd.Variable(x)
    assert v is not x and not v.requires_grad and v.array is x.array
    assert wright.autograd.Variable(wright.ones(2), requires_grad=True).requires_grad


def test_thread_count_for_matrix_products():
    before = wright.get_num_threads()
    wright.set_num_threads(1)
    assert wright.get_num_threads() == 1
    wright.set_num_threads(before)
    with pytest.raises(ValueError):
        wright.set_num_threads(0)
