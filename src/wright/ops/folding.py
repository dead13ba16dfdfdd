"""im2col as a public op and its adjoint: `unfold` copies every sliding window of an image into a
column, `fold` adds columns back into an image (overlapping windows sum). They reuse the
convolution's window arithmetic and strided patch view."""

from __future__ import annotations

import numpy as np

from wright.autograd import Function
from wright.ops.conv import Window, _pad_channels_last, _patches


def unfold_array(x: np.ndarray, window: Window) -> np.ndarray:
    """(N, C, H, W) -> (N, C * KH * KW, OH * OW): each column one window, channel-major."""
    n, c = x.shape[:2]
    patches = _patches(_pad_channels_last(x, window), window)  # (N, OH, OW, KH, KW, C)
    (kh, kw), (oh, ow) = window.kernel, window.out
    return patches.transpose(0, 5, 3, 4, 1, 2).reshape(n, c * kh * kw, oh * ow)


def fold_array(columns: np.ndarray, window: Window, size: tuple[int, int]) -> np.ndarray:
    """(N, C * KH * KW, OH * OW) -> (N, C, H, W): each column added back where its window lies."""
    (kh, kw), (oh, ow) = window.kernel, window.out
    n = columns.shape[0]
    c = columns.shape[1] // (kh * kw)
    taps = columns.reshape(n, c, kh, kw, oh, ow)
    (top, left), (bottom, right) = window.pad_before, window.pad_after
    height, width = size
    padded = np.zeros((n, c, height + top + bottom, width + left + right), columns.dtype)
    for tap, (rows, cols) in enumerate(window.offsets()):
        padded[:, :, rows, cols] += taps[:, :, tap // kw, tap % kw]
    return padded[:, :, top : top + height, left : left + width]


class Unfold(Function):
    def forward(self, x, window):
        self.window, self.size = window, x.shape[2:]
        return unfold_array(x, window)

    def backward(self, grad):
        return fold_array(grad, self.window, self.size)


class Fold(Function):
    def forward(self, columns, window, size):
        self.window = window
        return fold_array(columns, window, size)

    def backward(self, grad):
        return unfold_array(grad, self.window)
