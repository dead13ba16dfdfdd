"""Matrix products: general (batched) matmul and the fused affine map of a fully connected layer."""

import math

import numpy as np

from wright import parallel
from wright.autograd import Function
from wright.backend import array_module


class MatMul(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a @ b

    def backward(self, grad):
        xp = array_module(grad)
        a, b = self.a, self.b
        need_a, need_b = self.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:
            return (grad * b if need_a else None), (grad * a if need_b else None)
        if a.ndim == 1:
            grad_a = (grad[..., None, :] @ xp.swapaxes(b, -1, -2))[..., 0, :] if need_a else None
            grad_b = a[:, None] * grad[..., None, :] if need_b else None
            return grad_a, grad_b
        if b.ndim == 1:
            grad_a = grad[..., :, None] * b if need_a else None
            grad_b = (xp.swapaxes(a, -1, -2) @ grad[..., :, None])[..., 0] if need_b else None
            return grad_a, grad_b
        grad_a = grad @ xp.swapaxes(b, -1, -2) if need_a else None
        grad_b = xp.swapaxes(a, -1, -2) @ grad if need_b else None
        return grad_a, grad_b


def _rows(a: np.ndarray) -> np.ndarray:
    """(..., F) as (prod(...), F), also when F is 0 (a 2-D array as it is)."""
    return a if a.ndim == 2 else a.reshape(math.prod(a.shape[:-1]), a.shape[-1])


class Linear(Function):
    """y = x W^T + b in one op: the weighted sums of a fully connected layer.

    The products split their rows over wright's threads (`wright.parallel.matmul`).
    """

    def forward(self, x, weight, bias=None):
        self.x, self.weight = x, weight
        out = parallel.matmul(_rows(x), weight.T)
        if x.ndim != 2:
            out = out.reshape(*x.shape[:-1], weight.shape[0])
        if bias is not None:
            out += bias
        return out

    def backward(self, grad):
        need_x, need_w = self.needs_input_grad[:2]
        grad_2d = _rows(grad)
        grad_x = parallel.matmul(grad_2d, self.weight) if need_x else None
        if grad_x is not None and self.x.ndim != 2:
            grad_x = grad_x.reshape(self.x.shape)
        grad_w = parallel.matmul(grad_2d.T, _rows(self.x)) if need_w else None
        if len(self.needs_input_grad) == 2:
            return grad_x, grad_w
        grad_b = grad_2d.sum(axis=0) if self.needs_input_grad[2] else None
        return grad_x, grad_w, grad_b


class Einsum(Function):
    """A sum of products over subscripts (NumPy's einsum with explicit subscripts: one string per
    operand, no ellipsis, no broadcasting). The gradient for an operand is the einsum of the output
    gradient with the other operands."""

    def forward(self, *arrays, inputs, output):
        xp = array_module(*arrays)
        self.arrays, self.inputs, self.output = arrays, inputs, output
        out = xp.einsum(f"{','.join(inputs)}->{output}", *arrays, optimize=True)
        # NumPy returns a view for a lone transpose or diagonal; PyTorch's result is new memory.
        return out.copy() if any(xp.may_share_memory(out, a) for a in arrays) else out

    def backward(self, grad):
        return tuple(
            self._operand_grad(i, grad) if need else None
            for i, need in enumerate(self.needs_input_grad)
        )

    def _operand_grad(self, i, grad):
        xp = array_module(grad)
        target, shape = self.inputs[i], self.arrays[i].shape
        others = [s for j, s in enumerate(self.inputs) if j != i]
        arrays = [a for j, a in enumerate(self.arrays) if j != i]
        sizes = dict(zip(target, shape))
        letters = "".join(dict.fromkeys(target))
        available = set(self.output).union(*others)
        kept = "".join(c for c in letters if c in available)
        found = xp.einsum(
            f"{','.join([self.output, *others])}->{kept}", grad, *arrays, optimize=True
        )
        if len(kept) < len(letters):
            # A letter only this operand has was summed over: each of its elements got the same
            # gradient.
            found = found.reshape([sizes[c] if c in kept else 1 for c in letters])
            found = xp.broadcast_to(found, [sizes[c] for c in letters])
        if len(letters) == len(target):
            return found
        # A repeated letter (a diagonal, as in 'ii->i') reads only the diagonal elements.
        full = xp.zeros(shape, grad.dtype)
        rank = len(letters)
        positions = {
            c: xp.arange(sizes[c]).reshape([-1 if k == j else 1 for k in range(rank)])
            for j, c in enumerate(letters)
        }
        full[tuple(positions[c] for c in target)] = found
        return full


class Inverse(Function):
    def forward(self, a):
        xp = array_module(a)
        self.out = xp.linalg.inv(a)
        return self.out

    def backward(self, grad):
        # d(A^-1) = -A^-1 dA A^-1, so the gradient is -A^-T grad A^-T.
        xp = array_module(grad)
        inverse_t = xp.swapaxes(self.out, -1, -2)
        return -(inverse_t @ grad @ inverse_t)


class Det(Function):
    def forward(self, a):
        xp = array_module(a)
        self.a = a
        self.out = xp.asarray(xp.linalg.det(a))
        return self.out

    def backward(self, grad):
        # d det(A) / dA = det(A) A^-T (Jacobi's formula; A must be invertible).
        xp = array_module(grad)
        scale = (grad * self.out)[..., None, None]
        return scale * xp.swapaxes(xp.linalg.inv(self.a), -1, -2)
