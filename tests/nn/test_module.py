"""Module and Parameter: registration, traversal, modes, dtype conversion, state dicts, hooks,
printing and errors naming the path; checked against PyTorch wherever PyTorch defines the
behaviour."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

import wright
from wright import nn


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@pytest.fixture(params=["wright", "torch"])
def lib(request):
    """Each library in turn, for behaviour that must be the same in both."""
    return wright if request.param == "wright" else pytest.importorskip("torch")


def block(lib):
    """The same small model in wright or torch: a parameter, two buffers (one not persistent), a
    Sequential, a child without bias and a plain list that is not registered."""

    class Block(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = lib.nn.Parameter(lib.ones(3))
            self.register_buffer("count", lib.zeros(1))
            self.register_buffer("scratch", lib.zeros(2), persistent=False)
            self.layers = lib.nn.Sequential(
                lib.nn.Linear(4, 8), lib.nn.Sigmoid(), lib.nn.Linear(8, 3)
            )
            self.head = lib.nn.Linear(3, 2, bias=False)
            self.not_registered = [lib.nn.Linear(2, 2)]

        def forward(self, x):
            return self.head(self.layers(x) * self.scale)

    return Block()


def names(pairs) -> list[str]:
    return [name for name, _ in pairs]


def same_weights(ours, theirs) -> None:
    """Load torch's state dict into the wright module."""
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


# ----- registration and traversal -----


def test_named_members_and_state_dict_keys_match_torch(torch):
    ours, theirs = block(wright), block(torch)
    for method in ("named_parameters", "named_buffers", "named_modules", "named_children"):
        assert names(getattr(ours, method)()) == names(getattr(theirs, method)()), method
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert names(ours.named_parameters(prefix="m", recurse=False)) == ["m.scale"]
    assert names(ours.named_buffers(recurse=False)) == ["count", "scratch"]
    assert names(ours.named_modules(prefix="top"))[:2] == ["top", "top.layers"]
    assert [p.shape for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]
    assert ours.num_parameters() == sum(p.numel() for p in theirs.parameters())
    assert list(ours.children()) == [ours.layers, ours.head]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in ours.parameters())


def test_shared_members_listed_once_unless_asked(torch):
    def tied(lib):
        model = lib.nn.Module()
        layer = lib.nn.Linear(2, 2)
        model.first, model.second = layer, layer
        return model

    ours, theirs = tied(wright), tied(torch)
    for kwargs in ({}, {"remove_duplicate": False}):
        assert names(ours.named_parameters(**kwargs)) == names(theirs.named_parameters(**kwargs))
        assert names(ours.named_modules(**kwargs)) == names(theirs.named_modules(**kwargs))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert len(list(ours.children())) == 1


def test_assignment_follows_torch(lib):
    model = block(lib)
    model.head = None
    assert "head" not in names(model.named_children()) and model.head is None
    model.scale = None
    assert "scale" not in names(model.named_parameters()) and model.scale is None
    model.scale = lib.nn.Parameter(lib.zeros(2))
    assert names(model.named_parameters())[0] == "scale"
    model.count = lib.ones(1)
    assert "count" in dict(model.named_buffers())
    model.head = lib.nn.Parameter(lib.zeros(1))  # a parameter replaces the child
    assert "head" in dict(model.named_parameters())
    assert "head" not in dict(model.named_children())
    del model.layers
    assert "layers" not in dict(model.named_children())
    model.plain = 3
    assert model.plain == 3 and "plain" in vars(model)
    for name, value, error in (
        ("scale", lib.zeros(2), TypeError),  # a plain tensor as a parameter
        ("scale", np.zeros(2), TypeError),
        ("count", np.zeros(1), TypeError),  # an array as a buffer
    ):
        with pytest.raises(error):
            setattr(model, name, value)
    model.sub = lib.nn.Linear(2, 2)
    with pytest.raises(TypeError):
        model.sub = 5
    with pytest.raises(AttributeError, match="object has no attribute 'missing'"):
        model.missing  # noqa: B018


def test_registration_errors_match_torch(lib):
    model = block(lib)
    cases = [
        (KeyError, lambda: model.register_buffer("a.b", lib.zeros(1))),
        (KeyError, lambda: model.register_buffer("", lib.zeros(1))),
        (KeyError, lambda: model.register_buffer("layers", lib.zeros(1))),
        (TypeError, lambda: model.register_buffer("b", [1.0])),
        (TypeError, lambda: model.register_buffer(1, lib.zeros(1))),
        (KeyError, lambda: model.register_parameter("x.y", None)),
        (TypeError, lambda: model.register_parameter("w", lib.zeros(1))),
        (KeyError, lambda: model.add_module("a.b", lib.nn.Tanh())),
        (KeyError, lambda: model.add_module("", lib.nn.Tanh())),
        (TypeError, lambda: model.add_module("t", 3)),
        (KeyError, lambda: model.register_module("scale", lib.nn.Tanh())),
    ]
    for error, call in cases:
        with pytest.raises(error):
            call()


def test_register_parameter_rejects_a_non_leaf():
    param = nn.Parameter(wright.ones(2))
    param._ctx = (wright.ones(2, requires_grad=True) * 2)._ctx
    with pytest.raises(ValueError, match="non-leaf Tensor to parameter 'p'"):
        nn.Module().register_parameter("p", param)


def test_assigning_before_super_init_fails_for_modules_and_parameters_only():
    class Forgetful(nn.Module):
        def __init__(self):
            self.size = 3  # plain attributes are fine, as in PyTorch
            self.layer = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"cannot assign module before Module.__init__\(\)"):
        Forgetful()
    with pytest.raises(AttributeError, match="cannot assign buffer before"):
        nn.Module.register_buffer(object.__new__(nn.Module), "b", None)


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match=r'\[Module\] is missing the required "forward"'):
        nn.Module()(wright.zeros(1))


def test_get_and_set_submodules_parameters_and_buffers(lib):
    model = block(lib)
    assert model.get_submodule("layers.2") is model.layers[2]
    assert model.get_submodule("") is model
    assert model.get_parameter("layers.0.bias") is model.layers[0].bias
    assert model.get_parameter("scale") is model.scale
    assert model.get_buffer("count") is model.count
    for call, message in (
        (lambda: model.get_submodule("layers.7"), "has no attribute `7`"),
        (lambda: model.get_submodule("scale"), "`scale` is not an nn.Module"),
        (lambda: model.get_parameter("layers.0.nothing"), "has no attribute `nothing`"),
        (lambda: model.get_parameter("count"), "`count` is not an nn.Parameter"),
        (lambda: model.get_buffer("scale"), "`scale` is not a buffer"),
    ):
        with pytest.raises(AttributeError, match=message):
            call()
    replacement = lib.nn.Tanh()
    model.set_submodule("layers.1", replacement)
    assert model.layers[1] is replacement
    with pytest.raises(AttributeError):
        model.set_submodule("layers.9", lib.nn.Tanh(), strict=True)
    with pytest.raises(ValueError, match="without a target"):
        model.set_submodule("", lib.nn.Tanh())


def test_dir_lists_members_but_not_numbered_children():
    model = block(wright)
    listed = dir(model)
    assert {"scale", "count", "layers", "head", "forward", "not_registered"} <= set(listed)
    assert listed == sorted(listed)
    assert not any(name.isdigit() for name in dir(model.layers))


# ----- modes and gradients -----


def test_train_and_eval_recurse_through_train():
    calls = []

    class Noisy(nn.Module):
        def train(self, mode=True):
            calls.append(mode)
            return super().train(mode)

    model = nn.Sequential(nn.Linear(2, 2), Noisy())
    assert model.eval() is model and not any(m.training for m in model.modules())
    model[0].train()
    assert model[0].training and not model.training
    model.train()
    assert calls == [False, True] and all(m.training for m in model.modules())
    with pytest.raises(ValueError, match="boolean"):
        model.train("yes")


def test_zero_grad_sets_none_or_zeroes_in_place():
    model = block(wright)
    model(wright.randn(5, 4)).sum().backward()
    grad = model.head.weight.grad
    model.zero_grad(set_to_none=False)
    assert model.head.weight.grad is grad and not grad.array.any()
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_requires_grad_and_apply():
    model = block(wright)
    assert model.requires_grad_(False) is model
    assert not any(p.requires_grad for p in model.parameters())
    assert not model(wright.randn(5, 4)).requires_grad
    visited = []
    model.apply(lambda m: visited.append(type(m).__name__))
    assert visited == ["Linear", "Sigmoid", "Linear", "Sequential", "Linear", "Block"]


def test_recurrent_layers_accept_flatten_parameters():
    lstm = nn.LSTM(2, 3)
    before = [p.array.copy() for p in lstm.parameters()]
    assert lstm.flatten_parameters() is None
    assert all(np.array_equal(a, p.array) for a, p in zip(before, lstm.parameters()))


# ----- dtype and device -----


def test_dtype_conversion_keeps_parameter_objects_and_integer_buffers(torch):
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    weight = model[0].weight
    model(wright.randn(4, 2)).sum().backward()
    assert model.double() is model
    assert model[0].weight is weight and weight.dtype == wright.float64
    assert weight.grad.dtype == wright.float64
    assert model[1].running_mean.dtype == wright.float64
    assert model[1].num_batches_tracked.dtype == wright.int64
    assert model.to(wright.float16)[0].bias.dtype == wright.float16
    assert model.float()[0].weight.dtype == wright.float32
    assert model.half()[1].weight.dtype == wright.float16
    assert model.to(wright.zeros(1, dtype=wright.float64))[0].weight.dtype == wright.float64
    assert model.to("cpu") is model and model.cpu() is model and model.share_memory() is model
    assert model.to(device="cpu", dtype=wright.float32)[0].weight.dtype == wright.float32
    # type() converts everything, integer buffers too, as in PyTorch.
    theirs = torch.nn.BatchNorm1d(3).type(torch.float64)
    assert theirs.num_batches_tracked.dtype == torch.float64
    assert nn.BatchNorm1d(3).type(wright.float64).num_batches_tracked.dtype == wright.float64
    with pytest.raises(TypeError, match="only accepts floating point"):
        model.to(wright.int64)
    with pytest.raises(RuntimeError, match="not available"):
        model.cuda()


# ----- state dicts -----


def test_state_dict_shares_memory_and_keeps_vars_on_request(torch):
    model = block(wright)
    state = model.state_dict()
    assert "scratch" not in state  # not persistent
    state["scale"].array[0] = 5.0
    assert model.scale.array[0] == 5.0 and not state["scale"].requires_grad
    kept = model.state_dict(keep_vars=True)
    assert kept["scale"] is model.scale
    assert list(model.state_dict(prefix="net.")) == ["net." + k for k in state]
    target = {}
    assert model.layers.state_dict(target, "layers.") is target and "layers.0.weight" in target


def test_load_state_dict_from_torch_gives_the_same_outputs(torch):
    torch.manual_seed(0)
    ours, theirs = block(wright), block(torch)
    weight = ours.layers[0].weight
    result = ours.load_state_dict(
        {k: wright.tensor(v.numpy()) for k, v in theirs.state_dict().items()}
    )
    assert (
        repr(result)
        == "<All keys matched successfully>"
        == repr(theirs.load_state_dict(theirs.state_dict()))
    )
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert ours.layers[0].weight is weight  # copied in place
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(
        ours(wright.tensor(x)).array, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6
    )


def test_load_state_dict_converts_dtypes_and_reads_arrays():
    model = nn.Linear(2, 2)
    model.load_state_dict(
        {"weight": np.ones((2, 2)), "bias": wright.zeros(2, dtype=wright.float64)}
    )
    assert model.weight.dtype == wright.float32 and model.weight.array.sum() == 4
    scalar = nn.Module()
    scalar.register_buffer("step", wright.tensor(0.0))
    scalar.load_state_dict({"step": wright.tensor([3.0])})  # (1,) into a 0-d tensor
    assert scalar.step.item() == 3.0


def test_load_state_dict_errors_as_torch(torch):
    def broken(lib):
        state = block(lib).state_dict()
        del state["head.weight"]
        state["head.bias"] = lib.zeros(2)
        state["extra"] = lib.zeros(1)
        return state

    for lib in (wright, torch):
        with pytest.raises(RuntimeError) as error:
            block(lib).load_state_dict(broken(lib))
        message = str(error.value).replace("torch", "wright")
        assert message.startswith("Error(s) in loading state_dict for Block:")
        assert 'Missing key(s) in state_dict: "head.weight". ' in message
        assert 'Unexpected key(s) in state_dict: "extra", "head.bias". ' in message
        missing, unexpected = block(lib).load_state_dict(broken(lib), strict=False)
        assert missing == ["head.weight"] and unexpected == ["extra", "head.bias"]
        # A size mismatch is an error even when not strict.
        state = block(lib).state_dict()
        state["layers.2.weight"] = lib.zeros(5, 8)
        with pytest.raises(RuntimeError, match="size mismatch for layers.2.weight") as error:
            block(lib).load_state_dict(state, strict=False)
        assert "[5, 8]" in str(error.value) and "[3, 8]" in str(error.value)
        with pytest.raises(TypeError, match="dict-like"):
            block(lib).load_state_dict([("scale", lib.zeros(3))])
        state = block(lib).state_dict()
        state["scale"] = "three"
        with pytest.raises(RuntimeError, match='parameter named "scale"'):
            block(lib).load_state_dict(state)


def test_load_state_dict_with_assign_takes_the_given_tensors():
    model = block(wright)
    model.layers[0].weight.requires_grad_(False)
    state = {k: v.clone() for k, v in block(wright).state_dict().items()}
    model.load_state_dict(state, assign=True)
    assert model.layers[0].weight.array is state["layers.0.weight"].array
    assert isinstance(model.layers[0].weight, nn.Parameter)
    assert not model.layers[0].weight.requires_grad and model.layers[2].weight.requires_grad
    assert model.count is state["count"]


# ----- copies and Parameter -----


def test_deepcopy_gives_independent_parameters_and_keeps_paths():
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    model[0].weight.grad = wright.ones(3, 2)
    clone = copy.deepcopy(model)
    assert clone[0].weight is not model[0].weight and clone[0].weight.grad is None
    np.testing.assert_array_equal(clone[0].weight.array, model[0].weight.array)
    clone[0].weight.array[...] = 0
    assert model[0].weight.array.any()
    assert clone[2].describe() == "2 (Linear 3->1)"
    del model
    assert clone[2].path() == "2"


def test_parameter_follows_torch(torch):
    data = wright.tensor([1.0, 2.0])
    param = nn.Parameter(data)
    assert param.requires_grad and param.is_leaf
    param.array[0] = 7.0
    assert data.array[0] == 7.0  # shares memory
    assert repr(param) == "Parameter containing:\ntensor([7., 2.], requires_grad=True)"
    assert repr(param) == repr(torch.nn.Parameter(torch.tensor([7.0, 2.0])))
    assert nn.Parameter().shape == (0,) and nn.Parameter().dtype == wright.float32
    assert nn.Parameter(wright.tensor([1, 2]), requires_grad=False).dtype == wright.int64
    for lib in (wright, torch):
        with pytest.raises(RuntimeError, match="floating point"):
            lib.nn.Parameter(lib.tensor([1, 2]))
    frozen = nn.Parameter(wright.ones(2), requires_grad=False)
    assert not copy.deepcopy(frozen).requires_grad


# ----- hooks -----


def test_forward_pre_hooks_replace_arguments():
    layer = nn.Linear(2, 2)
    seen = []
    handle = layer.register_forward_pre_hook(lambda m, args: args[0] * 0)  # a bare value
    np.testing.assert_allclose(layer(wright.ones(1, 2)).array, layer.bias.array[None])
    handle.remove()
    handle.remove()  # again is fine

    def with_kwargs(module, args, kwargs):
        seen.append((len(args), dict(kwargs)))
        return args, {}

    class Scaled(nn.Module):
        def forward(self, x, scale=1.0):
            return x * scale

    scaled = Scaled()
    with scaled.register_forward_pre_hook(with_kwargs, with_kwargs=True):
        assert scaled(wright.ones(1), scale=3.0).item() == 1.0
    assert seen == [(1, {"scale": 3.0})]
    assert scaled(wright.ones(1), scale=3.0).item() == 3.0
    scaled.register_forward_pre_hook(lambda m, a, k: 5, with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"tuple of \(new_args, new_kwargs\), but got 5"):
        scaled(wright.ones(1))


def test_forward_hooks_order_kwargs_and_always_call():
    layer = nn.Identity()
    order = []
    layer.register_forward_hook(lambda m, args, out: order.append("first"))
    layer.register_forward_hook(lambda m, args, out: order.append("front"), prepend=True)
    layer.register_forward_hook(lambda m, args, kwargs, out: out + len(kwargs), with_kwargs=True)
    assert layer(wright.zeros(1)).item() == 0.0
    assert order == ["front", "first"]

    class Failing(nn.Module):
        def forward(self, x):
            raise ValueError("broken")

    failing, called = Failing(), []
    failing.register_forward_hook(lambda m, a, out: called.append(out), always_call=True)
    failing.register_forward_hook(lambda m, a, out: called.append("never"))
    with pytest.raises(ValueError, match="broken"):
        failing(wright.zeros(1))
    assert called == [None]


def test_global_forward_hooks_see_every_module():
    from wright.nn.module import register_module_forward_hook, register_module_forward_pre_hook

    seen = []
    model = nn.Sequential(nn.Linear(2, 2), nn.Tanh())
    with (
        register_module_forward_hook(lambda m, args, out: seen.append(type(m).__name__)),
        register_module_forward_pre_hook(lambda m, args: seen.append("pre")),
    ):
        model(wright.zeros(1, 2))
    model(wright.zeros(1, 2))
    assert seen == ["pre", "pre", "Linear", "pre", "Tanh", "Sequential"]


def two_outputs(lib):
    class TwoOutputs(lib.nn.Module):
        def forward(self, a, b, scale, c=None):
            return a * b * scale, (a + 1).sum() * 2, (b * 2).detach()

    return TwoOutputs()


def _recorded(found: list) -> list:
    def plain(values):
        return [None if g is None else np.asarray(g.detach().numpy()) for g in values]

    return [(plain(grad_input), plain(grad_output)) for grad_input, grad_output in found]


def _assert_same_records(ours: list, theirs: list) -> None:
    assert len(ours) == len(theirs)
    for (our_in, our_out), (their_in, their_out) in zip(ours, theirs):
        for a, b in zip(our_in + our_out, their_in + their_out, strict=True):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_allclose(a, b, rtol=1e-6)


@pytest.mark.parametrize(
    "b_requires, use_first, use_second",
    [(False, True, False), (True, True, True), (True, False, True)],
)
def test_full_backward_hooks_see_what_torch_gives(torch, b_requires, use_first, use_second):
    a0 = np.random.default_rng(0).standard_normal(3).astype(np.float32)
    b0 = np.random.default_rng(1).standard_normal(3).astype(np.float32)
    records, pre_records, grads = {}, {}, {}
    for lib in (wright, torch):
        module = two_outputs(lib)
        found, pre_found = [], []
        module.register_full_backward_hook(lambda m, gi, go, found=found: found.append((gi, go)))
        module.register_full_backward_pre_hook(
            lambda m, go, pre_found=pre_found: pre_found.append(((), go))
        )
        a = lib.tensor(a0, requires_grad=True)
        b = lib.tensor(b0, requires_grad=b_requires)
        first, second, third = module(a, b, 2.0, c=lib.ones(1))
        assert not third.requires_grad
        loss = 0
        if use_first:
            loss = loss + (first * lib.tensor([1.0, 2.0, 3.0])).sum()
        if use_second:
            loss = loss + second * 3
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loss.backward()
        records[lib], pre_records[lib] = _recorded(found), _recorded(pre_found)
        grads[lib] = a.grad.numpy().copy()
    _assert_same_records(records[wright], records[torch])
    _assert_same_records(pre_records[wright], pre_records[torch])
    np.testing.assert_allclose(grads[wright], grads[torch], rtol=1e-6)


def test_backward_hooks_can_change_the_gradients_as_in_torch(torch):
    x0 = np.random.default_rng(2).standard_normal((4, 3)).astype(np.float32)
    results, nets = {}, {}
    for lib in (torch, wright):
        nets[lib] = net = lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.Tanh(), lib.nn.Linear(5, 2))
        if lib is wright:
            same_weights(net, nets[torch])
        order = []
        net[0].register_full_backward_hook(
            lambda m, gi, go, order=order: (order.append(0), (gi[0] * 0,))[1]
        )
        net[2].register_full_backward_pre_hook(
            lambda m, go, order=order: (order.append(2), (go[0] * 10,))[1]
        )
        net[1].register_full_backward_hook(lambda m, gi, go, order=order: order.append(1))
        x = lib.tensor(x0, requires_grad=True)
        net(x).sum().backward()
        results[lib] = (order, x.grad.numpy().copy(), net[0].weight.grad.numpy().copy())
    ours, expected = results[wright], results[torch]
    assert ours[0] == expected[0] == [2, 1, 0]
    np.testing.assert_allclose(ours[1], expected[1])
    np.testing.assert_allclose(ours[2], expected[2], rtol=1e-5)


def test_backward_hook_when_no_input_requires_grad(torch):
    found = {}
    for lib in (wright, torch):
        layer = lib.nn.Linear(3, 2)
        calls = []
        layer.register_full_backward_hook(lambda m, gi, go, calls=calls: calls.append((gi, go)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layer(lib.ones(4, 3)).sum().backward()
        found[lib] = [(gi, tuple(g.shape for g in go)) for gi, go in calls]
    assert found[wright] == [((None,), ((4, 2),))] == found[torch]
    layer = nn.Linear(3, 2)
    layer.register_full_backward_hook(lambda m, gi, go: (wright.ones(4, 3),))
    with pytest.raises(RuntimeError, match="no input requires gradient"):
        layer(wright.ones(4, 3)).sum().backward()


def test_backward_hooks_wrong_lengths_and_non_tensor_outputs():
    layer = nn.Linear(3, 2)
    layer.register_full_backward_hook(lambda m, gi, go: (None, None))
    with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but expected 1"):
        layer(wright.ones(1, 3, requires_grad=True)).sum().backward()
    listing = nn.Module()
    listing.forward = lambda x: [x * 2]
    listing.register_full_backward_hook(lambda m, gi, go: None)
    with pytest.warns(UserWarning, match="module output should be a Tensor or a tuple"):
        listing(wright.ones(1, requires_grad=True))


def test_global_backward_hooks_run_in_torch_order(torch):
    import torch.nn.modules.module as torch_module

    import wright.nn.module as wright_module

    seen = {}
    for lib, where in ((wright, wright_module), (torch, torch_module)):
        found = seen[lib] = []
        net = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Tanh())
        after = where.register_module_full_backward_hook(
            lambda m, gi, go, found=found: found.append(type(m).__name__)
        )
        before = where.register_module_full_backward_pre_hook(
            lambda m, go, found=found: found.append("pre " + type(m).__name__)
        )
        net(lib.ones(1, 2, requires_grad=True)).sum().backward()
        after.remove()
        before.remove()
        net(lib.ones(1, 2, requires_grad=True)).sum().backward()
    assert seen[wright] == seen[torch]
    assert seen[wright][:3] == ["pre Sequential", "pre Tanh", "Tanh"]


def test_hooked_module_keeps_its_values_and_memory():
    layer = nn.Identity()
    layer.register_full_backward_hook(lambda m, gi, go: None)
    x = wright.ones(3, requires_grad=True)
    out = layer(x)
    assert out.array.base is not None and np.shares_memory(out.array, x.array)
    with wright.no_grad():
        assert layer(x).grad_fn is None


# ----- printing -----


def test_repr_matches_torch(torch):
    def build(lib):
        model = block(lib)
        model.blocks = lib.nn.ModuleList([lib.nn.Tanh(), lib.nn.Tanh(), lib.nn.ReLU()])
        model.empty = lib.nn.ModuleList()
        model.nothing = None
        return model

    assert repr(build(wright)) == repr(build(torch))
    assert repr(nn.Module()) == "Module()"


def test_multi_line_extra_repr_is_indented():
    class Multi(nn.Module):
        def extra_repr(self):
            return "a=1\nb=2"

    outer = nn.Sequential(Multi())
    assert repr(outer) == "Sequential(\n  (0): Multi(\n    a=1\n    b=2\n  )\n)"


# ----- errors that name where they happened -----


class Network(nn.Module):
    """A layer stack whose last layer expects more features than the one before gives."""

    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(8, 12), nn.Sigmoid(), nn.Linear(16, 10))

    def forward(self, x):
        return self.layers(x)


def test_wrong_input_shape_names_the_module_path():
    model = Network()
    with pytest.raises(ValueError) as error:
        model(wright.zeros(5, 8))
    message = str(error.value)
    assert "layers.2 (Linear 16->10)" in message and "(5, 12)" in message
    with pytest.raises(ValueError, match=r"layers\.0 \(Linear 8->12\) got input of shape \(5, 7\)"):
        model(wright.zeros(5, 7))


def test_path_survives_slicing_the_sequential():
    model = Network()
    tail = model.layers[1:]
    assert tail(wright.zeros(1, 16)).shape == (1, 10)
    del tail
    with pytest.raises(ValueError, match=r"layers\.2 \(Linear 16->10\)"):
        model(wright.zeros(5, 8))


def test_describe_and_path():
    model = Network()
    assert model.layers[2].path() == "layers.2"
    assert model.layers[2].describe() == "layers.2 (Linear 16->10)"
    assert model.path() == "" and model.describe() == "Network"
    with pytest.raises(ValueError, match=r"^Linear 3->2 got input of shape \(\)"):
        nn.Linear(3, 2)(wright.tensor(1.0))
