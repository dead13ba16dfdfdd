"""Matrix products: general (batched) matmul and the fused affine map of a fully connected layer."""

import numpy as np

from wright.autograd import Function


class MatMul(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a @ b

    def backward(self, grad):
        a, b = self.a, self.b
        need_a, need_b = self.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:
            return (grad * b if need_a else None), (grad * a if need_b else None)
        if a.ndim == 1:
            grad_a = (grad[..., None, :] @ np.swapaxes(b, -1, -2))[..., 0, :] if need_a else None
            grad_b = a[:, None] * grad[..., None, :] if need_b else None
            return grad_a, grad_b
        if b.ndim == 1:
            grad_a = grad[..., :, None] * b if need_a else None
            grad_b = (np.swapaxes(a, -1, -2) @ grad[..., :, None])[..., 0] if need_b else None
            return grad_a, grad_b
        grad_a = grad @ np.swapaxes(b, -1, -2) if need_a else None
        grad_b = np.swapaxes(a, -1, -2) @ grad if need_b else None
        return grad_a, grad_b


class Linear(Function):
    """y = x W^T + b in one op: the weighted sums of a fully connected layer."""

    def forward(self, x, weight, bias=None):
        self.x, self.weight = x, weight
        out = x @ weight.T
        if bias is not None:
            out += bias
        return out

    def backward(self, grad):
        need_x, need_w = self.needs_input_grad[:2]
        grad_x = grad @ self.weight if need_x else None
        grad_2d = grad.reshape(-1, grad.shape[-1])
        grad_w = grad_2d.T @ self.x.reshape(-1, self.x.shape[-1]) if need_w else None
        if len(self.needs_input_grad) == 2:
            return grad_x, grad_w
        grad_b = grad_2d.sum(axis=0) if self.needs_input_grad[2] else None
        return grad_x, grad_w, grad_b
