"""Recurrent layers: RNN, LSTM and GRU over whole sequences, and their single-step cells.

Names, shapes, gate order and initialisation follow PyTorch, so a PyTorch state dict loads one
to one. Each layer of a stack runs as one fused op (`wright.ops.recurrent`): the inputs of all
steps are projected in one matrix product, every step is one gate product, and backpropagation
through time is a loop, not a recursion. A cell is the same op over a sequence of length one.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from wright.creation import as_tensor, empty
from wright.nn import functional as F
from wright.nn import init
from wright.nn.module import Module, Parameter
from wright.ops.recurrent import GRUSequence, LSTMSequence, RNNSequence
from wright.tensor import Tensor, cat, stack

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _run_sequence(mode: str, x: Tensor, state: tuple[Tensor, ...], weights: tuple[Tensor, ...]):
    """One layer over a (T, N, F) sequence: returns (outputs (T, N, H), final state)."""
    if mode == "LSTM":
        states = LSTMSequence.apply(x, *state, *weights)  # (T + 1, N, H): h_1..h_T, c_T
        return states[:-1], (states[-2], states[-1])
    if mode == "GRU":
        outputs = GRUSequence.apply(x, *state, *weights)
    else:
        outputs = RNNSequence.apply(x, *state, *weights, nonlinearity=mode[4:].lower())
    return outputs, (outputs[-1],)


class _RecurrentBase(Module):
    """Shared by layer stacks and cells: sizes, parameters under PyTorch's names, initialisation."""

    mode = "RNN_TANH"

    def __init__(self, input_size: int, hidden_size: int, bias: bool, device, dtype) -> None:
        super().__init__()
        if input_size <= 0 or hidden_size <= 0:
            raise ValueError(
                f"{type(self).__name__}: input_size and hidden_size must be positive, got "
                f"{input_size} and {hidden_size}"
            )
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        # Where and in which dtype `_add_parameters` creates the weights.
        self._dtype, self._device = init.parameter_dtype(device, dtype), device

    def _add_parameters(self, suffix: str, in_features: int) -> None:
        rows = _GATES[self.mode] * self.hidden_size
        for kind, columns in (("ih", in_features), ("hh", self.hidden_size)):
            weight = Parameter(empty((rows, columns), dtype=self._dtype, device=self._device))
            setattr(self, f"weight_{kind}{suffix}", weight)
        for kind in ("ih", "hh"):
            bias = (
                Parameter(empty(rows, dtype=self._dtype, device=self._device))
                if self.bias
                else None
            )
            self.register_parameter(f"bias_{kind}{suffix}", bias)

    def _weights(self, suffix: str) -> tuple[Tensor, ...]:
        weights = (getattr(self, f"weight_ih{suffix}"), getattr(self, f"weight_hh{suffix}"))
        if self.bias:
            return (*weights, getattr(self, f"bias_ih{suffix}"), getattr(self, f"bias_hh{suffix}"))
        zeros = weights[0].new_zeros(weights[0].shape[0])
        return (*weights, zeros, zeros)

    def reset_parameters(self) -> None:
        """Draw every weight and bias from U(-1/sqrt(H), 1/sqrt(H)), H = hidden_size (PyTorch's)."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for param in self.parameters():
            init.uniform_(param, -bound, bound)

    def _num_states(self) -> int:
        return 2 if self.mode == "LSTM" else 1

    def _zero_state(self, batch: int, like: Tensor) -> tuple[Tensor, ...]:
        return tuple(like.new_zeros((batch, self.hidden_size)) for _ in range(self._num_states()))

    def _check_state(self, hx, expected: tuple[int, ...], layout: str) -> tuple[Tensor, ...]:
        """hx as a tuple of tensors of the expected shape (LSTM: (h, c); others: h alone)."""
        states = tuple(hx) if self.mode == "LSTM" else (hx,)
        if len(states) != self._num_states():
            raise ValueError(
                f"{self.describe()} expects its state as a pair (h_0, c_0), "
                f"got {len(states)} tensors"
            )
        states = tuple(s if isinstance(s, Tensor) else as_tensor(s) for s in states)
        for state in states:
            if tuple(state.shape) != expected:
                raise ValueError(
                    f"{self.describe()} got an initial state of shape {tuple(state.shape)}; "
                    f"expected {layout} = {expected}"
                )
        return states


class _RecurrentLayers(_RecurrentBase):
    """A stack of recurrent layers run over whole sequences, in one or both directions."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, device, dtype)
        name = type(self).__name__
        if num_layers < 1:
            raise ValueError(f"{name}: num_layers must be at least 1, got {num_layers}")
        if isinstance(dropout, bool) or not 0.0 <= dropout <= 1.0:
            raise ValueError(f"{name}: dropout must be a probability in [0, 1], got {dropout}")
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                f"{name}: dropout acts between stacked layers, so dropout={dropout} does nothing "
                "with num_layers=1",
                UserWarning,
                stacklevel=3,
            )
        if proj_size and self.mode != "LSTM":
            raise ValueError(f"{name}: proj_size is only supported for LSTM")
        if proj_size:
            raise NotImplementedError(
                "LSTM: proj_size (projected hidden states) is not supported by wright"
            )
        self.num_layers, self.batch_first, self.dropout = num_layers, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bool(bidirectional), proj_size
        directions = 2 if bidirectional else 1
        for layer in range(num_layers):
            for suffix in self._suffixes(layer):
                self._add_parameters(suffix, input_size if layer == 0 else hidden_size * directions)
        self.reset_parameters()

    def _suffixes(self, layer: int) -> tuple[str, ...]:
        """The parameter name endings of one layer: '_l0', and '_l0_reverse' when
        bidirectional."""
        return (f"_l{layer}", f"_l{layer}_reverse") if self.bidirectional else (f"_l{layer}",)

    def _layout(self) -> str:
        return "(N, T, F)" if self.batch_first else "(T, N, F)"

    def flatten_parameters(self) -> None:
        """Does nothing: PyTorch packs cuDNN weights here; wright's are used as they are."""

    def forward(self, input: Tensor, hx=None):
        """Run the stack over a sequence.

        Args:
            input: (T, N, F) sequences, (N, T, F) with `batch_first`, or one unbatched sequence
                (T, F).
            hx: initial hidden state (D * num_layers, N, H) with D = 2 when bidirectional, else 1
                (for LSTM the pair (h_0, c_0)); zeros when None.

        Returns:
            (output, h_n) for RNN and GRU, (output, (h_n, c_n)) for LSTM: output holds the top
            layer's hidden state at every step, (T, N, D * H) or (N, T, D * H), the two
            directions side by side; h_n and c_n the final state of every layer and direction,
            ordered layer by layer, forward before reverse.
        """
        x = input if isinstance(input, Tensor) else as_tensor(input)
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            raise ValueError(
                f"{self.describe()} got input of shape {tuple(x.shape)}; expected "
                f"{self._layout()} or unbatched (T, F), with F = input_size = {self.input_size}"
            )
        batched = x.ndim == 3
        if not batched:
            x = x.unsqueeze(1)
        elif self.batch_first:
            x = x.transpose(0, 1)
        batch = x.shape[1]
        count = self.num_layers * (2 if self.bidirectional else 1)
        if hx is None:
            states = [self._zero_state(batch, x)] * count
        else:
            shape = (count, batch, self.hidden_size) if batched else (count, self.hidden_size)
            layout = "D * num_layers, N, H" if self.bidirectional else "num_layers, N, H"
            if not batched:
                layout = layout.replace(", N", "")
            given = self._check_state(hx, shape, f"({layout})")
            if not batched:
                given = tuple(s.unsqueeze(1) for s in given)
            states = [tuple(s[index] for s in given) for index in range(count)]
        reverse_time = np.arange(x.shape[0] - 1, -1, -1)
        finals = []
        for layer in range(self.num_layers):
            if layer:
                x = F.dropout(x, self.dropout, self.training)
            outputs = []
            for direction, suffix in enumerate(self._suffixes(layer)):
                weights = self._weights(suffix)
                state = states[len(finals)]
                if direction:
                    output, final = _run_sequence(self.mode, x[reverse_time], state, weights)
                    output = output[reverse_time]
                else:
                    output, final = _run_sequence(self.mode, x, state, weights)
                outputs.append(output)
                finals.append(final)
            x = outputs[0] if len(outputs) == 1 else cat(outputs, dim=-1)
        final_states = tuple(stack([f[k] for f in finals]) for k in range(self._num_states()))
        if not batched:
            x = x.squeeze(1)
            final_states = tuple(s.squeeze(1) for s in final_states)
        elif self.batch_first:
            x = x.transpose(0, 1)
        return x, (final_states if self.mode == "LSTM" else final_states[0])

    def summary_line(self) -> str:
        layers = f" x{self.num_layers}" if self.num_layers > 1 else ""
        return f"{type(self).__name__} {self.input_size}->{self.hidden_size}{layers}"

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text


class RNN(_RecurrentLayers):
    """Elman network: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act = tanh or ReLU.

    The lectures' picture: today's prediction is a vote of today's new information and yesterday's
    prediction, squashed so that a loop run day after day cannot blow up.

    Args:
        input_size: features per step (F).
        hidden_size: neurons in the hidden state (H).
        num_layers: stacked layers, each reading the one below's outputs.
        nonlinearity: "tanh" or "relu".
        bias: learn b_ih and b_hh.
        batch_first: sequences are (N, T, F) instead of (T, N, F).
        dropout: dropout probability on the outputs of every layer but the last, in training mode.
        bidirectional: also run each layer backwards in time (parameters `*_reverse`) and put
            both directions' outputs side by side.
        proj_size: must be 0 (PyTorch allows it for LSTM only).
        device: where to create the parameters (the default device unless named).
        dtype: the parameters' dtype.

    Shape:
        input (T, N, F) -> output (T, N, D * H), h_n (D * num_layers, N, H), D = 2 when
        bidirectional, else 1.

    Example:
        >>> rnn = nn.RNN(3, 8)
        >>> output, h_n = rnn(wright.zeros(14, 1, 3))
        >>> output.shape, h_n.shape
        (wright.Size([14, 1, 8]), wright.Size([1, 1, 8]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            proj_size,
            device,
            dtype,
        )
        self.nonlinearity, self.mode = nonlinearity, f"RNN_{nonlinearity.upper()}"

    def extra_repr(self) -> str:
        text = super().extra_repr()
        return text + (", nonlinearity='relu'" if self.nonlinearity == "relu" else "")


class LSTM(_RecurrentLayers):
    """Long short-term memory: a recurrent layer with a memory (cell state) and three learned gates.

    With x_t the new information and h_{t-1} the previous prediction, four small networks vote:

        i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)   input gate: the lectures' *ignore* gate
        f = sigmoid(W_if x + b_if + W_hf h + b_hf)   forget gate: which memories to keep
        g = tanh(W_ig x + b_ig + W_hg h + b_hg)      candidate memories (possible predictions)
        o = sigmoid(W_io x + b_io + W_ho h + b_ho)   output gate: the lectures' *select* gate
        c_t = f * c_{t-1} + i * g                    memory: what was kept plus what was let in
        h_t = o * tanh(c_t)                          prediction: the memories selected for release

    The weight rows are stacked in PyTorch's order (i, f, g, o): `weight_ih_l0` is (4H, F).

    Args:
        input_size: features per step (F).
        hidden_size: size of the hidden and cell states (H).
        num_layers: stacked layers, each reading the one below's outputs.
        bias: learn b_ih and b_hh.
        batch_first: sequences are (N, T, F) instead of (T, N, F).
        dropout: dropout probability on the outputs of every layer but the last, in training mode.
        bidirectional: also run each layer backwards in time (see `RNN`).
        proj_size: must be 0: projected hidden states are not supported.
        device: where to create the parameters (the default device unless named).
        dtype: the parameters' dtype.

    Shape:
        input (T, N, F) -> output (T, N, D * H), (h_n, c_n) each (D * num_layers, N, H), D = 2
        when bidirectional, else 1.

    Example:
        >>> lstm = nn.LSTM(5, 16, num_layers=2)
        >>> output, (h_n, c_n) = lstm(wright.zeros(7, 4, 5))
        >>> output.shape, c_n.shape
        (wright.Size([7, 4, 16]), wright.Size([2, 4, 16]))
    """

    mode = "LSTM"


class GRU(_RecurrentLayers):
    """Gated recurrent unit: a lighter gated layer without a separate memory.

        r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)          reset gate
        z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)          update gate
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn))       candidate state
        h_t = (1 - z) * n + z * h_{t-1}

    Weight rows are stacked (r, z, n) as in PyTorch: `weight_ih_l0` is (3H, F).

    The arguments are those of `LSTM` (input_size, hidden_size, num_layers, bias, batch_first,
    dropout, bidirectional, device, dtype); proj_size must be 0.

    Shape:
        input (T, N, F) -> output (T, N, D * H), h_n (D * num_layers, N, H).
    """

    mode = "GRU"


class _RecurrentCell(_RecurrentBase):
    """One step of a recurrent layer; parameters `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self._add_parameters("", input_size)
        self.reset_parameters()

    def forward(self, input: Tensor, hx=None):
        """Advance one step: input (N, F) or (F,); hx (N, H), for LSTMCell the pair (h, c); zeros
        when None.

        Returns h' (N, H) for RNNCell and GRUCell, the pair (h', c') for LSTMCell.
        """
        x = input if isinstance(input, Tensor) else as_tensor(input)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(
                f"{self.describe()} got input of shape {tuple(x.shape)}; expected (N, F) or (F,) "
                f"with F = input_size = {self.input_size}"
            )
        batched = x.ndim == 2
        batch = x.shape[0] if batched else 1
        if hx is None:
            state = self._zero_state(batch, x)
        else:
            expected = (batch, self.hidden_size) if batched else (self.hidden_size,)
            state = self._check_state(hx, expected, "(N, H)" if batched else "(H,)")
            state = tuple(s.reshape(batch, self.hidden_size) for s in state)
        _, final = _run_sequence(
            self.mode, x.reshape(1, batch, self.input_size), state, self._weights("")
        )
        if not batched:
            final = tuple(s.reshape(self.hidden_size) for s in final)
        return final if self.mode == "LSTM" else final[0]

    def summary_line(self) -> str:
        return f"{type(self).__name__} {self.input_size}->{self.hidden_size}"

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


class RNNCell(_RecurrentCell):
    """One step of `RNN`: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act "tanh" or "relu".

    Shape: input (N, F), hx (N, H) -> h' (N, H).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device=None,
        dtype=None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"RNNCell: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}"
            )
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity, self.mode = nonlinearity, f"RNN_{nonlinearity.upper()}"


class LSTMCell(_RecurrentCell):
    """One step of `LSTM` (gates: forget, ignore = input, select = output; see `LSTM`).

    Shape: input (N, F), hx the pair (h, c) each (N, H) -> (h', c') each (N, H).
    """

    mode = "LSTM"


class GRUCell(_RecurrentCell):
    """One step of `GRU` (reset and update gates; see `GRU`).

    Shape: input (N, F), hx (N, H) -> h' (N, H).
    """

    mode = "GRU"


# PyTorch's names for the two base classes, for scripts that test `isinstance(m, nn.RNNBase)`.
RNNBase = _RecurrentLayers
RNNCellBase = _RecurrentCell
