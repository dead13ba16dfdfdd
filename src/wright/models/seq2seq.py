"""Sequence to sequence: an encoder LSTM compresses the input into a vector, a decoder writes."""

from __future__ import annotations

import numpy as np

from wright import nn
from wright.autograd import no_grad
from wright.models.registry import ModelSpec, register
from wright.tensor import Tensor


class Seq2Seq(nn.Module):
    """Encoder-decoder translation without attention (Sutskever et al., 2014).

    The encoder reads the source tokens; its final (h, c) state is the whole input as one vector.
    The decoder starts from that state and predicts each target token from the previous one (the
    true previous token while training, its own guess while decoding).

    Args:
        source_vocab: number of source symbols (41: the dates demo's letters, digits, marks, pad).
        target_vocab: number of target symbols, the start symbol included (12 for ISO dates).
        embedding_dim: length of each symbol's learned vector.
        hidden_size: LSTM state size: the size of the vector the input is compressed into.
        num_layers: stacked LSTM layers in the encoder and in the decoder.

    Shape:
        source (S, N) integers, target_in (T, N) integers -> logits (T, N, target_vocab).
    """

    def __init__(
        self,
        source_vocab: int = 41,
        target_vocab: int = 12,
        embedding_dim: int = 16,
        hidden_size: int = 128,
        num_layers: int = 1,
    ) -> None:
        super().__init__()
        self.source_embedding = nn.Embedding(source_vocab, embedding_dim)
        self.encoder = nn.LSTM(embedding_dim, hidden_size, num_layers)
        self.target_embedding = nn.Embedding(target_vocab, embedding_dim)
        self.decoder = nn.LSTM(embedding_dim, hidden_size, num_layers)
        self.head = nn.Linear(hidden_size, target_vocab)

    def encode(self, source) -> tuple[Tensor, Tensor]:
        """The encoder's final (h, c): the input compressed into a vector per sequence."""
        _, state = self.encoder(self.source_embedding(source))  # each (num_layers, N, H)
        return state

    def forward(self, source, target_in) -> Tensor:
        hidden, _ = self.decoder(self.target_embedding(target_in), self.encode(source))  # (T, N, H)
        return self.head(hidden)  # (T, N, V)

    def greedy_decode(self, source, start: int, length: int) -> np.ndarray:
        """Write `length` tokens per sequence, feeding back the likeliest each time: (length, N)."""
        with no_grad():
            state = self.encode(source)
            token = np.full((1, state[0].shape[1]), start, dtype=np.int64)
            written = []
            for _ in range(length):
                hidden, state = self.decoder(self.target_embedding(token), state)
                token = self.head(hidden).array.argmax(axis=-1)  # (1, N)
                written.append(token[0])
        return np.stack(written)


register(
    ModelSpec(
        name="seq2seq",
        summary="encoder LSTM 128 -> vector -> decoder LSTM 128 (dates in words -> ISO dates)",
        builder=Seq2Seq,
        loss="cross-entropy",
        optimizer="adam",
        lr=3e-3,
        batch_size=128,
        epochs=1,
        tasks=("translation",),
    )
)
