"""Feeding data to training: datasets, subsets and splits, and the mini-batch DataLoader."""

from wright.data.dataset import (
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    fetch_batch,
    random_split,
)
from wright.data.loader import DataLoader

__all__ = [
    "DataLoader",
    "Dataset",
    "Subset",
    "TensorDataset",
    "default_collate",
    "fetch_batch",
    "random_split",
]
