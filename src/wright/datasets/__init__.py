"""Datasets: MNIST and Fashion-MNIST (IDX files, shipped, local or downloaded and verified)."""

from wright.datasets.idx import IDXError, read_idx, write_idx
from wright.datasets.mnist import MNIST, FashionMNIST
from wright.datasets.xo import xo_images

__all__ = ["MNIST", "FashionMNIST", "IDXError", "read_idx", "write_idx", "xo_images"]
