"""In-place changes as PyTorch makes them: shared memory, version counters, graph rewiring, and a
clear error instead of a silently wrong gradient."""

import numpy as np
import pytest

import wright

torch = pytest.importorskip("torch")

LIBS = [wright, torch]


def grads_of(lib, program):
    """Run `program(lib)`, which returns leaf tensors after calling backward; their gradients."""
    return [None if t.grad is None else t.grad.numpy().copy() for t in program(lib)]


def same_in_both(program):
    """The program gives the same gradients (or raises the same kind of error) in wright and torch."""
    outcomes = []
    for lib in LIBS:
        try:
            outcomes.append(("ok", grads_of(lib, program)))
        except RuntimeError as error:
            outcomes.append(("error", str(error)))
    (kind, found), (expected_kind, expected) = outcomes
    assert kind == expected_kind, f"wright: {kind} {found}; torch: {expected_kind} {expected}"
    if kind == "ok":
        for a, b in zip(found, expected):
            np.testing.assert_allclose(a, b, rtol=1e-6)
    return kind, found


def test_changing_a_saved_input_makes_backward_raise_instead_of_a_wrong_gradient():
    def program(lib):
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = a * 1
        c = (b * b).sum()
        b.mul_(2)
        c.backward()
        return [a]

    assert same_in_both(program)[0] == "error"
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*MulBackward"):
        grads_of(wright, program)


def test_changing_a_saved_output_makes_backward_raise():
    def program(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        y = a.exp()
        y.add_(1)
        y.sum().backward()
        return [a]

    assert same_in_both(program)[0] == "error"


def test_an_input_that_was_not_saved_may_change():
    def program(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = a * 2
        c = b + 1  # addition keeps nothing for its backward pass
        b.add_(5)
        c.sum().backward()
        return [a]

    assert same_in_both(program)[0] == "ok"


class _KeepsATransposedView(wright.autograd.Function):
    # Column sums of a * a, whose backward pass reads a through a transposed view kept on the op.
    def forward(self, a):
        self.a_t = a.T
        return (a * a).sum(axis=0)

    def backward(self, grad):
        return 2 * self.a_t.T * grad


def test_an_op_that_kept_a_view_of_its_input_sees_the_input_change():
    a = wright.ones(2, 3, requires_grad=True)
    b = a * 1
    out = _KeepsATransposedView.apply(b)
    b.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*input 0"):
        out.sum().backward()
    fresh = _KeepsATransposedView.apply(a * 1)  # unchanged: backward runs
    fresh.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.full((2, 3), 2.0))


def test_graphs_built_before_an_in_place_change_keep_the_old_node():
    def program(lib):
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = a * 2
        z = y + 1
        y.mul_(3)
        (z.sum() + y.sum()).backward()
        return [a]

    same_in_both(program)


def test_in_place_ops_chain_their_gradients():
    def program(lib):
        a = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = a * 1
        y.add_(2).mul_(y.detach() + 1).div_(3).pow_(2)
        y.sub_(a, alpha=0.5)
        y += a
        y *= 2
        y.sum().backward()
        return [a]

    same_in_both(program)


def test_an_in_place_change_through_a_view_reaches_the_base():
    def program(lib):
        a = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        y = a * 2
        view = y[1:3]
        view.mul_(10)
        (y * lib.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
        return [a]

    same_in_both(program)
    y = wright.tensor([1.0, 2.0, 3.0]) * 1
    y[1:].add_(1)
    np.testing.assert_array_equal(y.numpy(), [1.0, 3.0, 4.0])


def test_item_assignment_is_differentiable_for_the_target_and_the_value():
    def program(lib):
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        h = lib.zeros(3, 2)
        h[1:] = x * 2
        h[0, 1] = w[2] * 3
        h[:, 0] += w
        (h * lib.arange(6.0).reshape(3, 2)).sum().backward()
        return [w, x]

    same_in_both(program)


def test_mask_assignment_and_index_add():
    for lib in LIBS:
        x = lib.tensor([1.0, 5.0, 3.0, 7.0])
        x[x > 2] = -1
        idx = lib.tensor([0, 2])
        x[idx] += 10
        assert x.tolist() == [11.0, -1.0, 9.0, -1.0]


def test_in_place_on_a_leaf_that_requires_grad_is_refused_outside_no_grad():
    for lib in LIBS:
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf"):
            a.add_(1)
        with pytest.raises(RuntimeError, match="leaf"):
            a[0] = 3.0
        with lib.no_grad():
            a.add_(1)
            a[0] = 3.0
        assert a.tolist() == [3.0, 3.0] and a.requires_grad


def test_updating_weights_between_forward_and_backward_raises():
    def program(lib):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        x = lib.tensor([3.0, 4.0], requires_grad=True)
        loss = (w * x).sum()
        with lib.no_grad():
            w.sub_(0.1 * lib.ones(2))
        loss.backward()
        return [w, x]

    assert same_in_both(program)[0] == "error"


def test_an_optimizer_step_between_forward_and_backward_raises():
    for lib in LIBS:
        model = lib.nn.Linear(2, 1)
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
        x = lib.tensor([[1.0, 2.0]], requires_grad=True)
        loss = model(x).sum()
        loss.backward(retain_graph=True)
        optimizer.step()
        with pytest.raises(RuntimeError, match="inplace"):
            loss.backward()


def test_data_is_shared_memory_outside_the_graph():
    for lib in LIBS:
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (a * a).sum()
        a.data.mul_(3)  # not tracked: the old graph sees the new values silently, as in torch
        assert a.tolist() == [3.0, 6.0] and not a.data.requires_grad
        y.backward()
        assert a.grad.tolist() == [6.0, 12.0]
    p = wright.nn.Parameter(wright.zeros(2))
    p.data = wright.ones(3)
    assert p.shape == (3,) and p.requires_grad


def test_detach_shares_memory_and_the_version_counter():
    a = wright.tensor([1.0, 2.0], requires_grad=True)
    y = a.exp()
    d = y.detach()
    d.zero_()
    assert y.tolist() == [0.0, 0.0]
    with pytest.raises(RuntimeError, match="inplace"):
        y.sum().backward()


def test_version_counts_in_place_changes():
    for lib in LIBS:
        x = lib.zeros(3)
        view = x[1:]
        before = x._version
        view.add_(1)
        x[0] = 5
        x.fill_(2)
        assert x._version - before == view._version - before == 3


def test_in_place_result_must_fit_the_dtype_and_shape():
    for lib in LIBS:
        ints = lib.tensor([1, 2])
        with pytest.raises(RuntimeError, match="can't be cast"):
            ints.add_(1.5)
        ints.mul_(3)
        assert ints.dtype == lib.int64 and ints.tolist() == [3, 6]
        with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
            lib.zeros(3).add_(lib.zeros(2, 3))


def test_fill_and_zero_keep_a_zero_gradient_link():
    def program(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        y = a * 2
        y.zero_()
        (y + a).sum().backward()
        return [a]

    same_in_both(program)


def test_copy_into_a_tensor_carries_the_gradient_of_the_source():
    def program(lib):
        src = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        dst = lib.zeros(2, 3, dtype=lib.float64)
        dst.copy_(src * 2)
        dst.sum().backward()
        return [src]

    same_in_both(program)


def test_in_place_on_a_reshaped_view_in_a_graph_is_an_error_not_a_silent_difference():
    y = wright.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True) * 1
    flat = y.reshape(2, 2)
    with pytest.raises(RuntimeError, match="reshaped"):
        flat.mul_(2)


def test_relu_in_place_layer_changes_its_input_as_in_torch():
    for lib in LIBS:
        x = lib.tensor([-1.0, 2.0])
        out = x.relu_()
        assert out is x and x.tolist() == [0.0, 2.0]


def test_requires_grad_rules():
    for lib in LIBS:
        with pytest.raises(RuntimeError, match="floating point"):
            lib.tensor([1, 2]).requires_grad_()
        ints = lib.tensor([1, 2])
        with pytest.raises(RuntimeError):
            ints.requires_grad = True
        y = lib.tensor([1.0], requires_grad=True) * 2
        with pytest.raises(RuntimeError, match="leaf"):
            y.requires_grad = False


def test_where_keeps_an_infinite_gradient_out_of_the_branch_not_taken():
    for lib in LIBS:
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        safe = lib.where(x > 0, x, lib.ones(2))
        safe.sqrt().sum().backward()  # d sqrt/dx at 1 only; the 0 was not taken
        assert x.grad.tolist() == [0.0, 0.5]
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        lib.where(lib.tensor([True, False]), a, 0.0).backward(lib.tensor([1.0, float("nan")]))
        assert a.grad.tolist() == [1.0, 0.0]
