"""Batching sequences of different lengths (PyTorch's `torch.nn.utils.rnn`): padding to a common
length. Packed sequences are not supported; pad and mask instead."""

from __future__ import annotations

from collections.abc import Iterable

from wright.tensor import Tensor, pad, stack


def pad_sequence(
    sequences: Iterable[Tensor],
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack sequences of different lengths (L_i, *) into (L_max, B, *), or (B, L_max, *) with
    `batch_first`, filling the gap with `padding_value` (after the sequence, or before it with
    padding_side='left')."""
    sequences = list(sequences)
    if padding_side not in ("right", "left"):
        raise ValueError(
            f"pad_sequence: padding_side must be 'right' or 'left', got {padding_side}"
        )
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        gap = [(0, 0)] * s.ndim
        gap[0] = (0, longest - s.shape[0]) if padding_side == "right" else (longest - s.shape[0], 0)
        padded.append(pad(s, gap, padding_value))
    return stack(padded, 0 if batch_first else 1)
