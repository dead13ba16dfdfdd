"""RNN, LSTM, GRU and cells: against PyTorch via state dicts, gradcheck, long sequences, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wright
from wright import nn
from wright.autograd import gradcheck

KINDS = {
    "rnn_tanh": (nn.RNN, {}),
    "rnn_relu": (nn.RNN, {"nonlinearity": "relu"}),
    "lstm": (nn.LSTM, {}),
    "gru": (nn.GRU, {}),
}
CELLS = {
    "rnn_tanh": (nn.RNNCell, {}),
    "rnn_relu": (nn.RNNCell, {"nonlinearity": "relu"}),
    "lstm": (nn.LSTMCell, {}),
    "gru": (nn.GRUCell, {}),
}


def _torch():
    return pytest.importorskip("torch")


def _torch_twin(torch, module: nn.Module, cls_name: str, **kwargs):
    """The PyTorch module of the same class and sizes, loaded with the wright module's weights."""
    twin = getattr(torch.nn, cls_name)(**kwargs).double()
    own = module.state_dict()
    assert list(own) == list(twin.state_dict()), "parameter names must map one to one"
    twin.load_state_dict({name: torch.tensor(value.array) for name, value in own.items()})
    return twin


def _states(kind: str, layers: int, batch: int | None, hidden: int, rng):
    shape = (layers, hidden) if batch is None else (layers, batch, hidden)
    count = 2 if kind == "lstm" else 1
    return [rng.standard_normal(shape) for _ in range(count)]


@settings(max_examples=25, deadline=None)
@given(
    kind=st.sampled_from(sorted(KINDS)),
    steps=st.integers(1, 6),
    batch=st.integers(1, 4),
    features=st.integers(1, 5),
    hidden=st.integers(1, 6),
    layers=st.integers(1, 3),
    batch_first=st.booleans(),
    bias=st.booleans(),
    bidirectional=st.booleans(),
    with_state=st.booleans(),
    seed=st.integers(0, 99),
)
def test_layers_match_torch(
    kind, steps, batch, features, hidden, layers, batch_first, bias, bidirectional, with_state, seed
):
    torch = _torch()
    cls, extra = KINDS[kind]
    rng = np.random.default_rng(seed)
    wright.manual_seed(seed)
    module = cls(
        features,
        hidden,
        num_layers=layers,
        bias=bias,
        batch_first=batch_first,
        bidirectional=bidirectional,
        dtype=np.float64,
        **extra,
    )
    twin = _torch_twin(
        torch,
        module,
        cls.__name__,
        input_size=features,
        hidden_size=hidden,
        num_layers=layers,
        bias=bias,
        batch_first=batch_first,
        bidirectional=bidirectional,
        **extra,
    )
    x = rng.standard_normal((batch, steps, features) if batch_first else (steps, batch, features))
    state_count = layers * (2 if bidirectional else 1)
    states = _states(kind, state_count, batch, hidden, rng) if with_state else None

    wx = wright.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    w_states = [wright.tensor(s, requires_grad=True) for s in states] if states else None
    t_states = [torch.tensor(s, requires_grad=True) for s in states] if states else None

    def pack(values):
        if values is None:
            return None
        return tuple(values) if kind == "lstm" else values[0]

    w_out, w_final = module(wx, pack(w_states))
    t_out, t_final = twin(tx, pack(t_states))
    w_finals = list(w_final) if kind == "lstm" else [w_final]
    t_finals = list(t_final) if kind == "lstm" else [t_final]
    np.testing.assert_allclose(w_out.array, t_out.detach().numpy(), atol=1e-10)
    for w, t in zip(w_finals, t_finals):
        np.testing.assert_allclose(w.array, t.detach().numpy(), atol=1e-10)

    weights = [rng.standard_normal(t_out.shape)] + [rng.standard_normal(t.shape) for t in t_finals]
    w_loss = sum((w * wright.tensor(r)).sum() for w, r in zip([w_out, *w_finals], weights))
    t_loss = sum((t * torch.tensor(r)).sum() for t, r in zip([t_out, *t_finals], weights))
    w_loss.backward()
    t_loss.backward()
    np.testing.assert_allclose(wx.grad.array, tx.grad.numpy(), atol=1e-9)
    for w, t in zip(w_states or [], t_states or []):
        np.testing.assert_allclose(w.grad.array, t.grad.numpy(), atol=1e-9)
    t_params = dict(twin.named_parameters())
    for name, param in module.named_parameters():
        np.testing.assert_allclose(
            param.grad.array, t_params[name].grad.numpy(), atol=1e-9, err_msg=name
        )


@pytest.mark.parametrize("kind", sorted(CELLS))
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(kind, batched):
    torch = _torch()
    cls, extra = CELLS[kind]
    rng = np.random.default_rng(3)
    cell = cls(4, 5, dtype=np.float64, **extra)
    twin = _torch_twin(torch, cell, cls.__name__, input_size=4, hidden_size=5, **extra)
    x = rng.standard_normal((3, 4) if batched else (4,))
    states = [
        rng.standard_normal((3, 5) if batched else (5,)) for _ in range(2 if kind == "lstm" else 1)
    ]
    wx, tx = wright.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    w_states = [wright.tensor(s, requires_grad=True) for s in states]
    t_states = [torch.tensor(s, requires_grad=True) for s in states]
    w_new = cell(wx, tuple(w_states) if kind == "lstm" else w_states[0])
    t_new = twin(tx, tuple(t_states) if kind == "lstm" else t_states[0])
    w_new = list(w_new) if kind == "lstm" else [w_new]
    t_new = list(t_new) if kind == "lstm" else [t_new]
    for w, t in zip(w_new, t_new):
        np.testing.assert_allclose(w.array, t.detach().numpy(), atol=1e-12)
    sum((w * (i + 1)).sum() for i, w in enumerate(w_new)).backward()
    sum((t * (i + 1)).sum() for i, t in enumerate(t_new)).backward()
    np.testing.assert_allclose(wx.grad.array, tx.grad.numpy(), atol=1e-12)
    for w, t in zip(w_states, t_states):
        np.testing.assert_allclose(w.grad.array, t.grad.numpy(), atol=1e-12)
    t_params = dict(twin.named_parameters())
    for name, param in cell.named_parameters():
        np.testing.assert_allclose(
            param.grad.array, t_params[name].grad.numpy(), atol=1e-12, err_msg=name
        )


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_unbatched_sequence_matches_torch(kind):
    torch = _torch()
    cls, extra = KINDS[kind]
    module = cls(3, 4, num_layers=2, dtype=np.float64, **extra)
    twin = _torch_twin(
        torch, module, cls.__name__, input_size=3, hidden_size=4, num_layers=2, **extra
    )
    x = np.random.default_rng(0).standard_normal((5, 3))
    w_out, w_final = module(wright.tensor(x))
    t_out, t_final = twin(torch.tensor(x))
    np.testing.assert_allclose(w_out.array, t_out.detach().numpy(), atol=1e-12)
    w_h = w_final[0] if kind == "lstm" else w_final
    t_h = t_final[0] if kind == "lstm" else t_final
    assert w_h.shape == (2, 4)
    np.testing.assert_allclose(w_h.array, t_h.detach().numpy(), atol=1e-12)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_gradcheck_through_time(kind):
    cls, extra = KINDS[kind]
    module = cls(2, 3, num_layers=2, dtype=np.float64, **extra)
    rng = np.random.default_rng(1)
    x = wright.tensor(rng.standard_normal((4, 2, 2)), requires_grad=True)
    states = [wright.tensor(s, requires_grad=True) for s in _states(kind, 2, 2, 3, rng)]
    params = list(module.parameters())

    def run(x, *rest):
        hx = tuple(rest[: len(states)]) if kind == "lstm" else rest[0]
        output, final = module(x, hx)
        finals = list(final) if kind == "lstm" else [final]
        return wright.cat([output.reshape(-1)] + [f.reshape(-1) for f in finals])

    assert gradcheck(run, [x, *states, *params])


@pytest.mark.parametrize("kind", sorted(CELLS))
def test_cell_gradcheck(kind):
    cls, extra = CELLS[kind]
    cell = cls(3, 2, dtype=np.float64, **extra)
    rng = np.random.default_rng(2)
    x = wright.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    states = [
        wright.tensor(rng.standard_normal((2, 2)), requires_grad=True)
        for _ in range(2 if kind == "lstm" else 1)
    ]

    def run(x, *rest):
        new = cell(x, tuple(rest[:2]) if kind == "lstm" else rest[0])
        return wright.cat([s.reshape(-1) for s in (new if kind == "lstm" else [new])])

    assert gradcheck(run, [x, *states, *cell.parameters()])


def test_cell_composes_like_the_layer():
    """Stepping an LSTMCell by hand gives the LSTM's outputs when they share weights."""
    layer, cell = nn.LSTM(3, 4), nn.LSTMCell(3, 4)
    cell.load_state_dict({name[:-3]: value for name, value in layer.state_dict().items()})
    x = wright.randn(6, 2, 3)
    output, (_, c_n) = layer(x)
    state = None
    for t in range(6):
        state = cell(x[t], state)
        np.testing.assert_allclose(state[0].array, output.array[t], atol=1e-6)
    np.testing.assert_allclose(state[1].array, c_n.array[0], atol=1e-6)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_ten_thousand_steps_backward_without_recursion(kind):
    cls, extra = KINDS[kind]
    module = cls(2, 3, **extra)
    x = wright.randn(10_000, 1, 2, requires_grad=True)
    output, _ = module(x)
    output[-1].sum().backward()
    assert x.grad.shape == x.shape
    assert np.isfinite(x.grad.array).all()
    assert all(np.isfinite(p.grad.array).all() for p in module.parameters())


def test_state_dict_names_follow_pytorch():
    lstm = nn.LSTM(5, 7, num_layers=2, bias=True)
    assert {k: tuple(v.shape) for k, v in lstm.state_dict().items()} == {
        "weight_ih_l0": (28, 5),
        "weight_hh_l0": (28, 7),
        "bias_ih_l0": (28,),
        "bias_hh_l0": (28,),
        "weight_ih_l1": (28, 7),
        "weight_hh_l1": (28, 7),
        "bias_ih_l1": (28,),
        "bias_hh_l1": (28,),
    }
    assert set(nn.GRU(2, 3, bias=False).state_dict()) == {"weight_ih_l0", "weight_hh_l0"}
    assert set(nn.LSTMCell(2, 3).state_dict()) == {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}


def test_initial_weights_are_uniform_in_one_over_root_hidden():
    lstm = nn.LSTM(10, 25)
    values = np.concatenate([p.array.ravel() for p in lstm.parameters()])
    assert np.abs(values).max() <= 0.2 and np.abs(values).max() > 0.19


def test_dropout_between_layers_only_in_training():
    lstm = nn.LSTM(3, 8, num_layers=2, dropout=0.5)
    x = wright.randn(4, 2, 3)
    lstm.eval()
    first, _ = lstm(x)
    second, _ = lstm(x)
    np.testing.assert_array_equal(first.array, second.array)
    lstm.train()
    noisy, _ = lstm(x, None)
    assert not np.allclose(noisy.array, first.array)
    noisy.sum().backward()
    assert lstm.weight_ih_l0.grad is not None


def test_final_state_can_carry_into_the_next_chunk():
    """Running two halves with the state carried over equals running the whole sequence."""
    gru = nn.GRU(3, 5, num_layers=2, batch_first=True)
    x = wright.randn(2, 8, 3)
    whole, h_whole = gru(x)
    first, h = gru(x[:, :4])
    second, h_second = gru(x[:, 4:], h)
    np.testing.assert_allclose(
        np.concatenate([first.array, second.array], axis=1), whole.array, atol=1e-6
    )
    np.testing.assert_allclose(h_second.array, h_whole.array, atol=1e-6)


def test_wrong_rank_names_the_expected_layout():
    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.LSTM(4, 8, batch_first=True)

        def forward(self, x):
            return self.encoder(x)

    with pytest.raises(ValueError, match=r"encoder \(LSTM 4->8\).*\(2, 3, 4, 5\).*\(N, T, F\)"):
        Model()(wright.zeros(2, 3, 4, 5))
    with pytest.raises(ValueError, match=r"\(5, 2, 3\).*\(T, N, F\).*input_size = 4"):
        nn.GRU(4, 8)(wright.zeros(5, 2, 3))
    with pytest.raises(ValueError, match=r"\(N, F\)"):
        nn.LSTMCell(4, 8)(wright.zeros(2, 3))


def test_wrong_state_shape_is_reported():
    with pytest.raises(ValueError, match=r"\(1, 3, 8\).*\(num_layers, N, H\) = \(2, 3, 8\)"):
        nn.RNN(4, 8, num_layers=2)(wright.zeros(5, 3, 4), wright.zeros(1, 3, 8))
    with pytest.raises(ValueError, match="pair"):
        nn.LSTM(4, 8)(wright.zeros(5, 3, 4), (wright.zeros(1, 3, 8),))


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="dropout"):
        nn.LSTM(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="num_layers"):
        nn.GRU(3, 4, num_layers=0)
    with pytest.raises(ValueError, match="proj_size is only supported for LSTM"):
        nn.GRU(3, 4, proj_size=2)
    with pytest.raises(NotImplementedError, match="proj_size"):
        nn.LSTM(3, 4, proj_size=2)
    with pytest.warns(UserWarning, match="num_layers=1"):
        nn.RNN(3, 4, dropout=0.5)
    with pytest.raises(RuntimeError, match="cuda"):
        nn.LSTMCell(3, 4, device="cuda")


def test_positional_arguments_follow_pytorch():
    torch = _torch()
    # (input_size, hidden_size, num_layers, [nonlinearity,] bias, batch_first, dropout,
    # bidirectional, proj_size, device, dtype)
    for ours, theirs in [
        (
            nn.RNN(3, 4, 2, "relu", False, True, 0.0, True),
            torch.nn.RNN(3, 4, 2, "relu", False, True, 0.0, True),
        ),
        (
            nn.LSTM(3, 4, 2, True, True, 0.0, True, 0, None, np.float64),
            torch.nn.LSTM(3, 4, 2, True, True, 0.0, True),
        ),
        (nn.GRU(3, 4, 1, False, False, 0.0, True), torch.nn.GRU(3, 4, 1, False, False, 0.0, True)),
        (nn.RNNCell(3, 4, False, "relu"), torch.nn.RNNCell(3, 4, False, "relu")),
        (nn.LSTMCell(3, 4, False), torch.nn.LSTMCell(3, 4, False)),
    ]:
        assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == {
            k: tuple(v.shape) for k, v in theirs.state_dict().items()
        }
        for name in ("num_layers", "bias", "batch_first", "bidirectional", "nonlinearity"):
            if hasattr(theirs, name):
                assert getattr(ours, name) == getattr(theirs, name), name


def test_bidirectional_unbatched_and_state_layout():
    torch = _torch()
    module = nn.GRU(3, 4, num_layers=2, bidirectional=True, dtype=np.float64)
    twin = _torch_twin(
        torch, module, "GRU", input_size=3, hidden_size=4, num_layers=2, bidirectional=True
    )
    x = np.random.default_rng(0).standard_normal((5, 3))
    h0 = np.random.default_rng(1).standard_normal((4, 4))
    w_out, w_h = module(wright.tensor(x), wright.tensor(h0))
    t_out, t_h = twin(torch.tensor(x), torch.tensor(h0))
    assert w_out.shape == (5, 8) and w_h.shape == (4, 4)
    np.testing.assert_allclose(w_out.array, t_out.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(w_h.array, t_h.detach().numpy(), atol=1e-12)
    assert "bidirectional=True" in repr(module)
    with pytest.raises(ValueError, match=r"\(D \* num_layers, N, H\) = \(4, 2, 4\)"):
        module(wright.zeros(5, 2, 3), wright.zeros(2, 2, 4))


def test_float32_matches_torch():
    torch = _torch()
    lstm = nn.LSTM(6, 16, num_layers=2)
    twin = torch.nn.LSTM(6, 16, num_layers=2)
    twin.load_state_dict({k: torch.tensor(v.array) for k, v in lstm.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((20, 3, 6)).astype(np.float32)
    output, _ = lstm(wright.tensor(x))
    expected, _ = twin(torch.tensor(x))
    assert output.dtype == np.float32
    np.testing.assert_allclose(output.array, expected.detach().numpy(), atol=1e-5)


def test_torchs_base_class_names():
    assert isinstance(nn.LSTM(2, 3), nn.RNNBase) and isinstance(nn.GRU(2, 3), nn.RNNBase)
    assert isinstance(nn.GRUCell(2, 3), nn.RNNCellBase) and not isinstance(
        nn.LSTM(2, 3), nn.RNNCellBase
    )


@pytest.mark.parametrize("layer", [nn.LSTM, nn.GRU, nn.RNN])
def test_an_empty_batch_gives_an_empty_output_as_in_torch(layer):
    x = wright.zeros(5, 0, 3, requires_grad=True)
    out, _ = layer(3, 4, num_layers=2, bidirectional=True)(x)
    assert out.shape == (5, 0, 8)
    out.sum().backward()
    assert x.grad.shape == x.shape
