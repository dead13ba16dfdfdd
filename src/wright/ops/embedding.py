"""Embedding lookup: rows of a table picked by integer indices, their gradients summed per row."""

from wright.autograd import Function
from wright.backend import array_module
from wright.ops.shape import _sum_rows


class Embedding(Function):
    """table[indices] for a (V, *) table; the padding row gets no gradient, and with
    `scale_grad_by_freq` each row's gradient is divided by how often the row was picked."""

    def forward(self, table, indices, padding_idx, scale_grad_by_freq):
        self.shape, self.indices = table.shape, indices
        self.padding_idx, self.scale_grad_by_freq = padding_idx, scale_grad_by_freq
        return table[indices]

    def backward(self, grad):
        xp = array_module(grad)
        rows = self.indices.ravel()
        grad = grad.reshape(len(rows), *self.shape[1:])
        if self.scale_grad_by_freq:
            counts = xp.bincount(rows, minlength=self.shape[0])
            grad = grad / counts[rows].reshape((-1,) + (1,) * (grad.ndim - 1)).astype(grad.dtype)
        if self.padding_idx is not None:
            keep = rows != self.padding_idx
            rows, grad = rows[keep], grad[keep]
        full = xp.zeros(self.shape, dtype=grad.dtype)
        if rows.size:
            _sum_rows(full, rows, grad)
        return full
