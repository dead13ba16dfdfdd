"""A character-level language model: embedding -> LSTM -> scores for the next character."""

from __future__ import annotations

from wright import nn
from wright.models.registry import ModelSpec, register
from wright.tensor import Tensor


class CharLSTM(nn.Module):
    """Predicts each next character of a text from the characters before it.

    Args:
        vocab_size: number of distinct characters (V).
        embedding_dim: length of each character's learned vector (E).
        hidden_size: LSTM state size (H).
        num_layers: stacked LSTM layers.
        dropout: dropout between LSTM layers and before the output layer, in training.

    Shape:
        tokens (T, N) integers -> logits (T, N, V), and the final (h, c) state, each
        (num_layers, N, H), to carry into the next chunk of the same texts.
    """

    def __init__(
        self,
        vocab_size: int = 65,
        embedding_dim: int = 64,
        hidden_size: int = 512,
        num_layers: int = 1,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.config = {
            "vocab_size": vocab_size,
            "embedding_dim": embedding_dim,
            "hidden_size": hidden_size,
            "num_layers": num_layers,
            "dropout": dropout,
        }
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_size, num_layers, dropout=dropout)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, tokens, state: tuple[Tensor, Tensor] | None = None):
        vectors = self.embedding(tokens)  # (T, N, E)
        hidden, state = self.lstm(vectors, state)  # (T, N, H)
        return self.head(self.dropout(hidden)), state  # (T, N, V)

    def summary_line(self) -> str:
        c = self.config
        layers = f"x{c['num_layers']} " if c["num_layers"] > 1 else ""
        sizes = f"{c['vocab_size']}->{c['embedding_dim']}->LSTM {layers}{c['hidden_size']}"
        return f"CharLSTM {sizes}->{c['vocab_size']}"


register(
    ModelSpec(
        name="char-lstm",
        summary="characters -> embedding 64 -> LSTM 512 -> next-character scores "
        "(truncated BPTT, Adam, clipping)",
        builder=CharLSTM,
        loss="cross-entropy",
        optimizer="adam",
        lr=3e-3,
        batch_size=64,
        epochs=1,
        tasks=("text",),
    )
)
