"""A character LSTM: embedding 65x64 -> LSTM 128 -> linear 65, 64 steps x 32 sequences, Adam.

The loss is the cross-entropy of the next character at every step. PyTorch runs oneDNN's fused LSTM;
wright runs its own fused layer op: one matrix product projects the inputs of all 64 steps, each
step is one gate product on preallocated buffers, and backpropagation through time is a loop of a
few large array calls per step. The output layer and the loss see all 2,048 positions at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from workload_kit import training_step

VOCAB = 65
EMBEDDING = 64
HIDDEN = 128
SEQ_LEN = 64
BATCH_SIZE = 32
TEXT_LENGTH = 100_000
LEARNING_RATE = 2e-3
STEPS = 200
REQUIRED_RATIO = 2.5
GOAL_RATIO = 1.5


def token_batches(seed: int, as_tensor: Callable = np.asarray) -> Iterator[tuple]:
    """(inputs (T, N), next-character targets (T * N,)) windows of a random token stream, forever.

    The stream repeats a few random "words" so that the loss has something to learn; the windows
    start at offsets drawn once from the seed, so every framework sees the same batches.
    """
    rng = np.random.default_rng(seed)
    words = [rng.integers(0, VOCAB, rng.integers(2, 9)) for _ in range(50)]
    stream = np.concatenate([words[i] for i in rng.integers(0, len(words), TEXT_LENGTH)])
    starts = rng.integers(0, len(stream) - SEQ_LEN - 1, (64, BATCH_SIZE))
    windows = stream[starts[..., None] + np.arange(SEQ_LEN + 1)]  # (64, N, T + 1)
    inputs = [as_tensor(np.ascontiguousarray(w[:, :-1].T)) for w in windows]
    targets = [as_tensor(np.ascontiguousarray(w[:, 1:].T).reshape(-1)) for w in windows]
    while True:
        yield from zip(inputs, targets)


def char_model(nn, seed: int):
    """Embedding, LSTM and linear head in `nn` (wright.nn or torch.nn), weights from the seed."""

    class CharLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(VOCAB, EMBEDDING)
            self.lstm = nn.LSTM(EMBEDDING, HIDDEN)
            self.head = nn.Linear(HIDDEN, VOCAB)

        def forward(self, tokens):
            output, _ = self.lstm(self.embedding(tokens))  # (T, N, H)
            return self.head(output).reshape(-1, VOCAB)  # (T * N, V)

    model = CharLSTM()
    rng = np.random.default_rng(seed + 2)
    bound = 1.0 / np.sqrt(HIDDEN)
    for name, param in model.named_parameters():
        values = (
            rng.standard_normal(param.shape)
            if name.startswith("embedding")
            else rng.uniform(-bound, bound, param.shape)
        )
        np.asarray(param.data)[...] = values.astype(np.float32)
    return model


def build_wright(seed: int) -> Callable:
    """One Adam step of the character LSTM in wright."""
    import wright
    from wright import nn, optim

    model = char_model(nn, seed)
    optimizer = optim.Adam(model.parameters(), lr=LEARNING_RATE)
    return training_step(
        model, nn.CrossEntropyLoss(), optimizer, token_batches(seed), wright.as_tensor
    )


def build_torch(seed: int) -> Callable:
    """The same step in PyTorch."""
    import torch

    model = char_model(torch.nn, seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    return training_step(
        model, torch.nn.CrossEntropyLoss(), optimizer, token_batches(seed, torch.from_numpy)
    )
