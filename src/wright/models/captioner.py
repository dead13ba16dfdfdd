"""An image captioner in the manner of Show and Tell (Vinyals et al. 2015): a CNN encodes the image
into a vector that starts an LSTM, which then writes the caption one word at a time."""

from __future__ import annotations

import numpy as np

import wright
from wright import nn
from wright.autograd import no_grad
from wright.creation import as_tensor
from wright.models.registry import ModelSpec, register
from wright.tensor import Tensor


class Captioner(nn.Module):
    """CNN encoder -> initial LSTM state -> words.

    The encoder is three stages of 3x3 convolution, batch norm, ReLU and 2x2 max pooling, and a
    linear layer over
    the whole flattened map (so where things are survives, which the captions' "left of" and
    "above" need). Its vector sets the LSTM's initial hidden and cell states and is also given to
    the LSTM beside each word, so the image stays in view however long the caption.

    Args:
        vocab_size: words, including padding (index 0), start (1) and end (2).
        image_size: side of the square RGB input.
        channels: widths of the three convolution stages.
        features: length of the image vector.
        embedding_dim: length of each word's vector.
        hidden_size: LSTM state size.

    Shape:
        images (N, 3, S, S) and previous words (T, N) -> scores for the next words (T, N, V).
    """

    def __init__(
        self,
        vocab_size: int = 19,
        image_size: int = 48,
        channels: tuple[int, int, int] = (16, 32, 32),
        features: int = 128,
        embedding_dim: int = 32,
        hidden_size: int = 192,
    ) -> None:
        super().__init__()
        self.config = {
            "vocab_size": vocab_size,
            "image_size": image_size,
            "channels": tuple(channels),
            "features": features,
            "embedding_dim": embedding_dim,
            "hidden_size": hidden_size,
        }
        layers: list[nn.Module] = []
        previous = 3
        for width in channels:
            layers += [
                nn.Conv2d(previous, width, 3, padding=1),
                nn.BatchNorm2d(width),
                nn.ReLU(),
                nn.MaxPool2d(2),
            ]
            previous = width
        side = image_size // 8
        self.encoder = nn.Sequential(
            *layers, nn.Flatten(), nn.Linear(previous * side * side, features), nn.ReLU()
        )
        self.start_state = nn.Linear(features, 2 * hidden_size)
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim + features, hidden_size)
        self.head = nn.Linear(hidden_size, vocab_size)

    def encode(self, images) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """The image vectors (N, F) and the LSTM state they start, each (1, N, H)."""
        vectors = self.encoder(images if isinstance(images, Tensor) else as_tensor(images))
        h, c = self.start_state(vectors).tanh().chunk(2, dim=1)  # (N, H) each
        return vectors, (h.unsqueeze(0), c.unsqueeze(0))

    def decode(self, vectors: Tensor, words, state) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """Scores for the word after each of `words` (T, N), and the LSTM state after them."""
        embedded = self.embedding(words if isinstance(words, Tensor) else as_tensor(words))
        steps = embedded.shape[0]
        image = vectors.unsqueeze(0).expand(steps, -1, -1)  # (T, N, F)
        hidden, state = self.lstm(wright.cat([embedded, image], dim=2), state)  # (T, N, H)
        return self.head(hidden), state  # (T, N, V)

    def forward(self, images, words) -> Tensor:
        vectors, state = self.encode(images)
        return self.decode(vectors, words, state)[0]

    def greedy(self, images: np.ndarray, start: int, end: int, length: int) -> np.ndarray:
        """Captions written by always taking the most likely next word: (length, N) word indices,
        with every word after a scene's first `end` set to `end`."""
        was_training = self.training
        self.eval()
        written = np.full((length, len(images)), end, dtype=np.int64)
        with no_grad():
            vectors, state = self.encode(images)
            words = np.full((1, len(images)), start, dtype=np.int64)
            finished = np.zeros(len(images), dtype=bool)
            for step in range(length):
                scores, state = self.decode(vectors, words, state)
                words = scores.array.argmax(axis=2)  # (1, N)
                written[step] = np.where(finished, end, words[0])
                finished |= words[0] == end
                if finished.all():
                    break
        self.train(was_training)
        return written

    def summary_line(self) -> str:
        c = self.config
        widths = "-".join(map(str, c["channels"]))
        return (
            f"Captioner CNN {widths} -> {c['features']} -> LSTM {c['hidden_size']} -> "
            f"{c['vocab_size']} words"
        )


register(
    ModelSpec(
        name="captioner",
        summary="CNN encoder starting an LSTM decoder (Show and Tell); teacher forcing, greedy",
        builder=Captioner,
        loss="cross-entropy",
        optimizer="adam",
        lr=3e-3,
        batch_size=64,
        epochs=1,
        tasks=("captioning",),
    )
)
