"""Item indexing (`x[index]`, `x[index] = v`, `x[index] += v`) against PyTorch, on random mixes of
ints, slices, None, Ellipsis, index tensors and lists (with repeats), bool masks and 0-d index
tensors: values, shapes, views, gradients, and errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wright

torch = pytest.importorskip("torch")


@st.composite
def _index_parts(draw, shape, unique: bool):
    """A list of index parts for a tensor of `shape`, as (kind, value) pairs with NumPy values.

    Integer arrays share one shape (so they broadcast); with a bool mask they have one element.
    With `unique`, no element is picked twice (so assigned values do not depend on order).
    """
    ndim = len(shape)
    with_mask = draw(st.booleans())
    if with_mask or unique:
        array_shape = (1,) if with_mask else (draw(st.integers(0, min(shape))),)
    else:
        array_shape = draw(st.sampled_from([(1,), (2,), (3,), (2, 2), (0,)]))
    ellipsis = draw(st.booleans())
    lead = draw(st.integers(0, ndim))
    trail = draw(st.integers(0, ndim - lead)) if ellipsis else 0
    dims = list(range(lead)) + list(range(ndim - trail, ndim))
    parts: list = []
    first_array = True
    position = 0
    while position < len(dims):
        size = shape[dims[position]]
        kinds = ["int", "slice", "full", "array", "list", "scalar"]
        if with_mask:
            kinds.append("mask")
        kind = draw(st.sampled_from(kinds))
        if kind == "list" and len(array_shape) != 1:
            kind = "array"
        if kind == "int" or kind == "scalar":
            parts.append((kind, draw(st.integers(-size, size - 1))))
        elif kind == "slice":
            bound = st.one_of(st.none(), st.integers(-size - 1, size + 1))
            step = draw(st.one_of(st.none(), st.integers(1, 3)))
            parts.append((kind, slice(draw(bound), draw(bound), step)))
        elif kind == "full":
            parts.append(("slice", slice(None)))
        elif kind == "mask":
            # A mask over this dim (and the next, when it is a neighbour in the tensor).
            covered = (
                2 if position + 1 < len(dims) and dims[position + 1] == dims[position] + 1 else 1
            )
            covered = draw(st.integers(1, covered))
            mask_shape = tuple(shape[d] for d in dims[position : position + covered])
            flags = draw(
                st.lists(
                    st.booleans(),
                    min_size=int(np.prod(mask_shape)),
                    max_size=int(np.prod(mask_shape)),
                )
            )
            parts.append(("mask", np.array(flags, bool).reshape(mask_shape)))
            with_mask = False
            position += covered
            continue
        else:
            count = int(np.prod(array_shape))
            if unique and first_array:
                picks = draw(st.permutations(range(size)))[:count]
                values = [p - size if draw(st.booleans()) else p for p in picks]
            else:
                values = draw(
                    st.lists(st.integers(-size, size - 1), min_size=count, max_size=count)
                )
            first_array = False
            parts.append((kind, np.array(values, np.int64).reshape(array_shape)))
        position += 1
    if ellipsis:
        parts.insert(min(lead, len(parts)), ("ellipsis", Ellipsis))
    for _ in range(draw(st.integers(0, 2))):
        extra = draw(st.sampled_from(["none", "none", "bool"]))
        value = None if extra == "none" else draw(st.booleans())
        parts.insert(draw(st.integers(0, len(parts))), (extra, value))
    return parts


def _index_for(lib, parts, bare: bool):
    """The index object for `lib` (wright or torch) from (kind, value) parts."""
    found = []
    for kind, value in parts:
        if kind in ("array", "mask", "scalar"):
            found.append(lib.tensor(value))
        elif kind == "list":
            found.append(value.tolist())
        else:
            found.append(value)
    return found[0] if bare and len(found) == 1 else tuple(found)


@st.composite
def _cases(draw, unique: bool = False):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    parts = draw(_index_parts(shape, unique))
    return shape, parts, draw(st.booleans()), draw(st.integers(0, 2**16))


def _run(lib, action):
    """action(lib) and the exception it raised (or None)."""
    try:
        return action(lib), None
    except (IndexError, RuntimeError, ValueError, TypeError) as error:
        return None, error


def _same(ours, theirs) -> None:
    if ours is None or theirs is None:
        # No gradient on one side may be an all-zero (or empty) one on the other.
        other = theirs if ours is None else ours
        assert other is None or not other.detach().numpy().any()
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).rsplit(".")[-1] == str(theirs.dtype).rsplit(".")[-1]
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)


def _both(action):
    """Run action on both libraries; they fail alike or give the same results."""
    ours, our_error = _run(wright, action)
    theirs, their_error = _run(torch, action)
    if their_error is not None or our_error is not None:
        assert our_error is not None and their_error is not None, (our_error, their_error)
        expected = next(c for c in type(their_error).__mro__ if c.__module__ == "builtins")
        assert isinstance(our_error, expected), (our_error, their_error)
        return None
    for a, b in zip(ours, theirs):
        _same(a, b)
    return ours


@settings(max_examples=200, deadline=None, derandomize=True)
@given(_cases())
def test_getitem_values_views_and_gradients(case):
    shape, parts, bare, seed = case
    data = np.random.default_rng(seed).standard_normal(shape)

    def action(lib):
        x = lib.tensor(data, requires_grad=True)
        index = _index_for(lib, parts, bare)
        picked = x[index]
        weights = lib.tensor(np.linspace(-1, 1, picked.numel()).reshape(tuple(picked.shape)))
        (picked * weights).sum().backward()
        # A view (basic indexing) writes through to its base; a copy does not.
        plain = lib.tensor(data)
        plain[index].add_(1)
        return picked, x.grad, plain

    _both(action)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(_cases(unique=True), st.sampled_from(["number", "full", "trailing"]))
def test_setitem_values_and_gradients(case, value_kind):
    shape, parts, bare, seed = case
    rng = np.random.default_rng(seed)
    data = rng.standard_normal(shape)
    target = tuple(torch.tensor(data)[_index_for(torch, parts, bare)].shape)
    value_shape = {"number": None, "full": target, "trailing": target[-1:]}[value_kind]
    value = None if value_shape is None else rng.standard_normal(value_shape)

    def action(lib):
        base = lib.tensor(data, requires_grad=True)
        x = base * 1
        given = -1.5 if value is None else lib.tensor(value, requires_grad=True)
        x[_index_for(lib, parts, bare)] = given
        (x * lib.tensor(np.cos(data))).sum().backward()
        plain = lib.tensor(data)
        plain[_index_for(lib, parts, bare)] = -1.5 if value is None else lib.tensor(value)
        results = [x, base.grad, plain]
        if value is not None:
            results.append(given.grad)
        return results

    _both(action)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(_cases())
def test_augmented_assignment_with_repeats(case):
    # x[index] += v reads, adds and writes back: repeated positions get v once, not summed.
    shape, parts, bare, seed = case
    data = np.random.default_rng(seed).standard_normal(shape)

    def action(lib):
        base = lib.tensor(data, requires_grad=True)
        step = lib.tensor(2.0, requires_grad=True)
        x = base * 1
        x[_index_for(lib, parts, bare)] += step
        (x * lib.tensor(np.sin(data))).sum().backward()
        plain = lib.tensor(data)
        plain[_index_for(lib, parts, bare)] += 1
        return x, base.grad, step.grad, plain

    _both(action)


def test_masked_assignment_and_column_update():
    for lib in (wright, torch):
        x = lib.arange(12.0).reshape(3, 4)
        x[x > 8] = -1
        x[:, lib.tensor([0, 0, 2])] += 1
        if lib is wright:
            ours = x.tolist()
        else:
            assert ours == x.tolist()


def test_element_is_a_view():
    x = wright.zeros(2, 3)
    x[1, 2].add_(5)
    x[0][1].fill_(2)
    assert x.tolist() == [[0.0, 2.0, 0.0], [0.0, 0.0, 5.0]]
