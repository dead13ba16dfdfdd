"""Fused recurrent kernels: a whole sequence through one RNN, LSTM or GRU layer per op.

Each op projects the inputs of every time step with one matrix product, then loops over time with
one fused gate product per step, writing into preallocated buffers; backward walks back over time
the same way (backpropagation through time), so long sequences need memory, not recursion. One step
is T = 1.

The sequences of a batch are independent, so on the CPU the loops over time run on slices of the
batch, one slice per thread (`wright.parallel`); the per-step products are small, and run on one
BLAS thread. On a GPU (any array module but NumPy) each step takes the whole batch.

A float32 LSTM on the CPU does each step's gate and cell arithmetic in one compiled call
(`wright.ops.lstm_kernels`, built once by the machine's C compiler); the NumPy code below stays the
reference, and runs without a C compiler or with the environment variable WRIGHT_COMPILED=0.
"""

import numpy as np

from wright import native, parallel
from wright.autograd import Function
from wright.backend import array_module

# The sigmoid gates are computed as 0.5 tanh(x / 2) + 0.5: their weights are halved once per call,
# so one tanh over the whole gate block serves the sigmoid and tanh gates alike.
_HALF = 0.5

# Fewer sequences than this per thread are not worth a thread of their own: each step's few
# microseconds of arithmetic would be outweighed by the calls around it.
_MIN_SLICE = 8


def _lstm_kernels(*arrays):
    """The compiled LSTM step kernels (`wright.ops.lstm_kernels`) when the arrays are float32
    NumPy arrays and the kernels are built (`wright.native`), else None."""
    if not native.enabled or any(
        type(a) is not np.ndarray or a.dtype != np.float32 for a in arrays
    ):
        return None
    from wright.ops import lstm_kernels

    return lstm_kernels if lstm_kernels.library() is not None else None


def _over_batch(body, batch: int, like) -> None:
    """Run body(start, stop) on slices of the batch, one per thread, BLAS on one thread (NumPy
    arrays; other array modules take the whole batch at once)."""
    if type(like) is not np.ndarray:
        body(0, batch)
        return
    with parallel.one_blas_thread():
        slice_size = max(_MIN_SLICE, -(-batch // parallel.usable_threads()))
        parallel.run_chunks(body, batch, slice_size, like=like)


def _project_inputs(x, w_ih, bias):
    """x W_ih^T + b for all time steps in one matrix product: (T, N, F) -> (T, N, G*H)."""
    steps, batch, features = x.shape
    out = parallel.matmul(x.reshape(steps * batch, features), w_ih.T)
    out += bias
    return out.reshape(steps, batch, w_ih.shape[0])


def _parameter_grads(flags, grad_inputs, grad_recurrent, x, previous, w_ih):
    """Gradients of the input projection and the recurrent product, summed over all steps at once.

    grad_inputs (T, N, G*H) is the gradient at x W_ih^T + b_ih, grad_recurrent at h W_hh^T + b_hh;
    `previous` holds the hidden state each step started from; flags say which of the returned
    (dx, dW_ih, dW_hh, db_ih, db_hh) are wanted.
    """
    need_x, need_w_ih, need_w_hh, need_b_ih, need_b_hh = flags
    flat_in = grad_inputs.reshape(-1, grad_inputs.shape[-1])
    flat_rec = grad_recurrent.reshape(-1, grad_recurrent.shape[-1])
    dx = parallel.matmul(flat_in, w_ih).reshape(x.shape) if need_x else None
    d_w_ih = parallel.matmul(flat_in.T, x.reshape(-1, x.shape[-1])) if need_w_ih else None
    d_w_hh = (
        parallel.matmul(flat_rec.T, previous.reshape(-1, previous.shape[-1])) if need_w_hh else None
    )
    d_b_ih = flat_in.sum(axis=0) if need_b_ih else None
    if not need_b_hh:
        d_b_hh = None
    elif grad_recurrent is grad_inputs and d_b_ih is not None:
        d_b_hh = d_b_ih.copy()
    else:
        d_b_hh = flat_rec.sum(axis=0)
    return dx, d_w_ih, d_w_hh, d_b_ih, d_b_hh


class RNNSequence(Function):
    """h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) over a sequence; returns h_1..h_T."""

    def forward(self, x, h0, w_ih, w_hh, b_ih, b_hh, nonlinearity):
        xp = array_module(x)
        steps, batch, _ = x.shape
        hidden = xp.empty((steps + 1, batch, h0.shape[-1]), dtype=x.dtype)
        hidden[0] = h0
        pre = _project_inputs(x, w_ih, b_ih + b_hh)
        w_hh_t = w_hh.T
        relu = nonlinearity == "relu"

        def run(start, stop):
            rows = slice(start, stop)
            recurrent = xp.empty_like(hidden[0, rows])
            for t in range(steps):
                h = hidden[t + 1, rows]
                xp.matmul(hidden[t, rows], w_hh_t, out=recurrent)
                xp.add(pre[t, rows], recurrent, out=h)
                if relu:
                    xp.maximum(h, 0, out=h)
                else:
                    xp.tanh(h, out=h)

        _over_batch(run, batch, x)
        self.x, self.hidden, self.w_ih, self.w_hh, self.relu = x, hidden, w_ih, w_hh, relu
        return hidden[1:]

    def backward(self, grad):
        xp = array_module(grad)
        need_x, need_h0, *need_params = self.needs_input_grad
        hidden = self.hidden
        out = hidden[1:]
        grad_pre = xp.empty_like(out)
        carry = xp.zeros_like(hidden[0])

        def run(start, stop):
            rows = slice(start, stop)
            out_rows = out[:, rows]
            # d h_t / d pre_t: 1 - tanh^2, or the ReLU's on/off pattern
            slope = (out_rows > 0).astype(out.dtype) if self.relu else 1 - out_rows * out_rows
            carry_rows = carry[rows]
            for t in reversed(range(len(out))):
                grad_rows = grad_pre[t, rows]
                xp.add(grad[t, rows], carry_rows, out=grad_rows)
                grad_rows *= slope[t]
                if t or need_h0:
                    xp.matmul(grad_rows, self.w_hh, out=carry_rows)

        _over_batch(run, out.shape[1], grad)
        dx, d_w_ih, d_w_hh, d_b_ih, d_b_hh = _parameter_grads(
            (need_x, *need_params), grad_pre, grad_pre, self.x, hidden[:-1], self.w_ih
        )
        return dx, (carry if need_h0 else None), d_w_ih, d_w_hh, d_b_ih, d_b_hh


class LSTMSequence(Function):
    """An LSTM layer over a sequence. Returns (T + 1, N, H): h_1..h_T, then the final cell state.

    Gates, with the lectures' names: i = ignore (input gate), f = forget, g = candidate memories,
    o = select (output gate). c_t = f * c_{t-1} + i * g, h_t = o * tanh(c_t).
    """

    def forward(self, x, h0, c0, w_ih, w_hh, b_ih, b_hh):
        xp = array_module(x)
        steps, batch, _ = x.shape
        size = h0.shape[-1]
        # Rows (i, f, g, o): the sigmoid gates are i, f and o, the tanh gate g.
        scale = xp.full(4 * size, _HALF, dtype=x.dtype)
        scale[2 * size : 3 * size] = 1
        # After the tanh, a * scale + offset gives sigmoid values in i, f, o and leaves g as it is.
        offset = 1 - scale
        gates = _project_inputs(x, w_ih * scale[:, None], (b_ih + b_hh) * scale)
        w_hh_scaled_t = (w_hh * scale[:, None]).T
        # hidden holds h_0..h_T and one more slot for c_T, so the output is a view, not a copy
        hidden = xp.empty((steps + 2, batch, size), dtype=x.dtype)
        cells = xp.empty((steps + 1, batch, size), dtype=x.dtype)
        tanh_cells = xp.empty((steps, batch, size), dtype=x.dtype)
        hidden[0], cells[0] = h0, c0
        i_rows, f_rows, g_rows, o_rows = (slice(k * size, (k + 1) * size) for k in range(4))

        kernels = _lstm_kernels(x, w_hh)

        def run_compiled(start, stop):
            kernels.forward_sequence(
                gates, scale, offset, cells, tanh_cells, hidden, w_hh_scaled_t.T, start, stop
            )

        def run(start, stop):
            rows = slice(start, stop)
            recurrent = xp.empty((stop - start, 4 * size), dtype=x.dtype)
            product = xp.empty((stop - start, size), dtype=x.dtype)
            for t in range(steps):
                a, cell = gates[t, rows], cells[t + 1, rows]
                xp.matmul(hidden[t, rows], w_hh_scaled_t, out=recurrent)
                a += recurrent
                xp.tanh(a, out=a)
                a *= scale
                a += offset
                xp.multiply(a[:, f_rows], cells[t, rows], out=cell)
                xp.multiply(a[:, i_rows], a[:, g_rows], out=product)
                cell += product
                xp.tanh(cell, out=tanh_cells[t, rows])
                xp.multiply(a[:, o_rows], tanh_cells[t, rows], out=hidden[t + 1, rows])

        _over_batch(run_compiled if kernels else run, batch, x)
        hidden[steps + 1] = cells[steps]
        self.x, self.hidden, self.cells, self.gates = x, hidden, cells, gates
        self.tanh_cells = tanh_cells
        self.w_ih, self.w_hh = w_ih, w_hh
        return hidden[1:]

    def backward(self, grad):
        xp = array_module(grad)
        need_x, need_h0, need_c0, *need_params = self.needs_input_grad
        steps, batch, size = self.tanh_cells.shape
        gates = self.gates.reshape(steps, batch, 4, size)
        grad_gates = xp.empty((steps, batch, 4 * size), dtype=grad.dtype)
        grad_cell_carry = xp.empty((batch, size), dtype=grad.dtype)
        carry = xp.zeros_like(grad_cell_carry)
        kernels = _lstm_kernels(grad, self.w_hh)
        if kernels:
            grad = np.ascontiguousarray(grad)  # the kernels take rows of contiguous arrays

        def run_compiled(start, stop):
            grad_cell_carry[start:stop] = grad[steps, start:stop]
            kernels.backward_sequence(
                grad,
                carry,
                grad_cell_carry,
                self.gates,
                self.cells,
                self.tanh_cells,
                grad_gates,
                self.w_hh,
                need_h0,
                start,
                stop,
            )

        def run(start, stop):
            rows, count = slice(start, stop), stop - start
            i, f, g, o = (gates[:, rows, k] for k in range(4))
            tanh_cells = self.tanh_cells[:, rows]
            # Per-step factors that do not depend on the gradient, computed for all steps at once.
            to_cell = o * (1 - tanh_cells * tanh_cells)  # d c / d h
            to_ifg = xp.empty((steps, count, 3, size), dtype=grad.dtype)  # d pre_(i, f, g) / d c
            xp.multiply(g, i * (1 - i), out=to_ifg[:, :, 0])
            xp.multiply(self.cells[:-1, rows], f * (1 - f), out=to_ifg[:, :, 1])
            xp.multiply(i, 1 - g * g, out=to_ifg[:, :, 2])
            to_o = tanh_cells * o * (1 - o)  # d pre_o / d h
            grad_gates4 = grad_gates[:, rows].reshape(steps, count, 4, size)
            grad_hidden = grad[:steps, rows].copy()
            cell_carry, carry_rows = grad_cell_carry[rows], carry[rows]
            cell_carry[...] = grad[steps, rows]
            grad_cell = xp.empty_like(cell_carry)
            for t in reversed(range(steps)):
                xp.multiply(grad_hidden[t], to_cell[t], out=grad_cell)
                grad_cell += cell_carry
                xp.multiply(grad_cell[:, None, :], to_ifg[t], out=grad_gates4[t, :, :3])
                xp.multiply(grad_hidden[t], to_o[t], out=grad_gates4[t, :, 3])
                xp.multiply(grad_cell, f[t], out=cell_carry)
                if t or need_h0:
                    xp.matmul(grad_gates[t, rows], self.w_hh, out=carry_rows)
                if t:
                    grad_hidden[t - 1] += carry_rows

        _over_batch(run_compiled if kernels else run, batch, grad)
        dx, d_w_ih, d_w_hh, d_b_ih, d_b_hh = _parameter_grads(
            (need_x, *need_params), grad_gates, grad_gates, self.x, self.hidden[:steps], self.w_ih
        )
        return (
            dx,
            carry if need_h0 else None,
            grad_cell_carry if need_c0 else None,
            d_w_ih,
            d_w_hh,
            d_b_ih,
            d_b_hh,
        )


class GRUSequence(Function):
    """A GRU layer over a sequence; returns h_1..h_T (T, N, H).

    r = reset gate, z = update gate, n = candidate: n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),
    h' = (1 - z) * n + z * h, PyTorch's formulation (the reset gate scales the recurrent product).
    """

    def forward(self, x, h0, w_ih, w_hh, b_ih, b_hh):
        xp = array_module(x)
        steps, batch, _ = x.shape
        size = h0.shape[-1]
        # Rows (r, z, n): r and z are sigmoid gates, n the tanh candidate.
        scale = xp.full(3 * size, _HALF, dtype=x.dtype)
        scale[2 * size :] = 1
        # The recurrent bias of r and z joins the input projection; b_hn must stay inside r * (...).
        bias = b_ih.copy()
        bias[: 2 * size] += b_hh[: 2 * size]
        gates = _project_inputs(x, w_ih * scale[:, None], bias * scale)
        w_hh_scaled_t = (w_hh * scale[:, None]).T
        b_hn = b_hh[2 * size :]
        hidden = xp.empty((steps + 1, batch, size), dtype=x.dtype)
        hidden[0] = h0
        recurrent_n = xp.empty((steps, batch, size), dtype=x.dtype)
        r_rows, z_rows, n_rows = (slice(k * size, (k + 1) * size) for k in range(3))
        rz_rows = slice(0, 2 * size)

        def run(start, stop):
            rows = slice(start, stop)
            recurrent = xp.empty((stop - start, 3 * size), dtype=x.dtype)
            product = xp.empty((stop - start, size), dtype=x.dtype)
            for t in range(steps):
                a = gates[t, rows]
                xp.matmul(hidden[t, rows], w_hh_scaled_t, out=recurrent)
                rz = a[:, rz_rows]
                rz += recurrent[:, rz_rows]
                xp.tanh(rz, out=rz)
                rz *= _HALF
                rz += _HALF
                n = a[:, n_rows]
                xp.add(recurrent[:, n_rows], b_hn, out=recurrent_n[t, rows])
                xp.multiply(a[:, r_rows], recurrent_n[t, rows], out=product)
                n += product
                xp.tanh(n, out=n)
                xp.subtract(hidden[t, rows], n, out=product)
                product *= a[:, z_rows]
                xp.add(n, product, out=hidden[t + 1, rows])

        _over_batch(run, batch, x)
        self.x, self.hidden, self.gates, self.recurrent_n = x, hidden, gates, recurrent_n
        self.w_ih, self.w_hh = w_ih, w_hh
        return hidden[1:]

    def backward(self, grad):
        xp = array_module(grad)
        need_x, need_h0, *need_params = self.needs_input_grad
        steps, batch, size = self.recurrent_n.shape
        gates = self.gates.reshape(steps, batch, 3, size)
        grad_recurrent = xp.empty((steps, batch, 3 * size), dtype=grad.dtype)
        grad_n = xp.empty((steps, batch, size), dtype=grad.dtype)
        carry = xp.zeros((batch, size), dtype=grad.dtype)

        def run(start, stop):
            rows, count = slice(start, stop), stop - start
            r, z, n = (gates[:, rows, k] for k in range(3))
            to_n = (1 - z) * (1 - n * n)  # d pre_n / d h'
            to_z = (self.hidden[:-1, rows] - n) * z * (1 - z)  # d pre_z / d h'
            to_r = self.recurrent_n[:, rows] * r * (1 - r)  # d pre_r / d pre_n
            grad_rec3 = grad_recurrent[:, rows].reshape(steps, count, 3, size)
            grad_n_rows = grad_n[:, rows]
            grad_hidden = grad[:, rows].copy()
            carry_rows = carry[rows]
            direct = xp.empty_like(carry_rows)
            for t in reversed(range(steps)):
                xp.multiply(grad_hidden[t], to_n[t], out=grad_n_rows[t])
                xp.multiply(grad_hidden[t], to_z[t], out=grad_rec3[t, :, 1])
                xp.multiply(grad_n_rows[t], to_r[t], out=grad_rec3[t, :, 0])
                xp.multiply(grad_n_rows[t], r[t], out=grad_rec3[t, :, 2])
                if t or need_h0:
                    xp.matmul(grad_recurrent[t, rows], self.w_hh, out=carry_rows)
                    xp.multiply(grad_hidden[t], z[t], out=direct)
                    carry_rows += direct
                if t:
                    grad_hidden[t - 1] += carry_rows

        _over_batch(run, batch, grad)
        grad_inputs = grad_recurrent.copy()
        grad_inputs[..., 2 * size :] = grad_n
        dx, d_w_ih, d_w_hh, d_b_ih, d_b_hh = _parameter_grads(
            (need_x, *need_params), grad_inputs, grad_recurrent, self.x, self.hidden[:-1], self.w_ih
        )
        return dx, (carry if need_h0 else None), d_w_ih, d_w_hh, d_b_ih, d_b_hh
