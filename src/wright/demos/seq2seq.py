"""Sequence to sequence: dates written in words translated into ISO dates.

"march 3 2021", "the 3rd of march 2021" or "3 mar 2021" become "2021-03-03": an encoder LSTM
compresses the input into one vector and a decoder LSTM writes the answer from it, greedily, one
character at a time.

Pictures: seq2seq.png.
"""

from __future__ import annotations

import os
import time

import numpy as np
from threadpoolctl import threadpool_limits

import wright
from wright import nn, optim
from wright.data import DataLoader, TensorDataset
from wright.datasets.sequences import ISO_CHARS, date_pairs, random_dates
from wright.datasets.text import CharVocab
from wright.demos._common import picture_path
from wright.models.seq2seq import Seq2Seq
from wright.train import fit
from wright.viz import curves

NAME = "seq2seq"
SUMMARY = "translate dates in words to ISO dates with an encoder LSTM, a vector, and a decoder LSTM"
# The one-cycle peak: at 4e-3, 1,000 steps left 2% of held-out dates wrong; at 1e-2 none.
MAX_LR = 1e-2

# Index 0 pads sources on the left, so every source ends at the last step the encoder reads.
SOURCE = CharVocab("_ ,./0123456789abcdefghijklmnopqrstuvwxyz")
# Index 0 is the start symbol the decoder is given before the first character.
TARGET = CharVocab("^" + ISO_CHARS)
TARGET_LENGTH = len("2021-03-03")
TEST_DATES = 1000


def encode_batch(pairs: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """Sources (S, N), left-padded with index 0, and targets (10, N) as index arrays."""
    width = max(len(source) for source, _ in pairs)
    sources = np.zeros((len(pairs), width), dtype=np.int64)
    for row, (source, _) in enumerate(pairs):
        sources[row, width - len(source) :] = SOURCE.encode(source)
    targets = np.stack([TARGET.encode(target) for _, target in pairs])
    return sources.T, targets.T


def exact_match(model: Seq2Seq, pairs: list[tuple[str, str]]) -> tuple[float, list[str]]:
    """Fraction of pairs whose whole ISO date the greedy decoder gets right, and its answers."""
    sources, targets = encode_batch(pairs)
    written = model.greedy_decode(sources, start=0, length=TARGET_LENGTH)  # (10, N)
    right = (written == targets).all(axis=0)
    return float(right.mean()), [TARGET.decode(column) for column in written.T]


class TeacherForced(nn.Module):
    """Training view of a Seq2Seq: one input holds the source and the answer; the decoder reads
    the start symbol and then the true previous characters (teacher forcing).

    Shape: (N, S + 10) sources then targets -> (10, N, len(TARGET)) scores for each character.
    """

    def __init__(self, model: Seq2Seq, source_length: int) -> None:
        super().__init__()
        self.model, self.source_length = model, source_length

    def forward(self, pairs):
        sources = pairs.array[:, : self.source_length].T  # (S, N)
        # Sources are padded for the longest in the whole run; this batch needs only its own.
        sources = sources[int(np.argmax((sources != 0).any(axis=1))) :]
        targets = pairs.array[:, self.source_length :].T  # (10, N)
        previous = np.concatenate([np.zeros((1, targets.shape[1]), dtype=np.int64), targets[:-1]])
        return self.model(sources, previous)


def train(
    model: Seq2Seq,
    steps: int,
    batch_size: int,
    rng: np.random.Generator,
    exclude: set,
    log_every: int = 100,
) -> list[float]:
    """Adam with a one-cycle learning rate, through `fit`, on fresh random dates for every step;
    returns the loss of every step."""
    # Each step's dates are distinct; across steps they may repeat.
    pairs = [
        pair
        for _ in range(steps)
        for pair in date_pairs(random_dates(batch_size, rng, exclude=exclude), rng)
    ]
    sources, targets = encode_batch(pairs)  # (S, steps * N), (10, steps * N)
    losses: list[float] = []

    def character_loss(logits, answers):
        # logits (10, N, classes), answers (N, 10): cross-entropy per character
        loss = nn.functional.cross_entropy(
            logits.reshape(-1, len(TARGET)), answers.array.T.reshape(-1)
        )
        losses.append(float(loss.array))
        if len(losses) % log_every == 0:
            print(f"step {len(losses):5d}  loss {np.mean(losses[-log_every:]):.4f}")
        return loss

    optimizer = optim.Adam(model.parameters(), lr=MAX_LR)
    fit(
        TeacherForced(model, len(sources)),
        character_loss,
        optimizer,
        DataLoader(TensorDataset(np.concatenate([sources, targets]).T, targets.T), batch_size),
        metrics=(),
        scheduler=optim.lr_scheduler.OneCycleLR(optimizer, max_lr=MAX_LR, total_steps=steps),
        verbose=0,
    )
    return losses


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Train on random dates, then measure exact-match accuracy on dates never seen in training.

    Returns:
        exact_match (on `test_dates` held-out dates), character_accuracy, test_dates, steps,
        train_seconds and final_loss.
    """
    rng = np.random.default_rng(seed)
    wright.manual_seed(seed)
    test_dates = random_dates(200 if quick else TEST_DATES, rng)
    test = date_pairs(test_dates, rng)
    # Quick mode: a smaller model and batch, enough to see it learn the format.
    hidden, batch_size, steps = (32, 32, 200) if quick else (128, 64, 1000)
    model = Seq2Seq(len(SOURCE), len(TARGET), embedding_dim=16, hidden_size=hidden)
    started = time.perf_counter()
    # Each step multiplies a (64, 128) state by a (128, 512) matrix; on a busy two-core machine a
    # second BLAS thread made these small products over ten times slower, not faster.
    with threadpool_limits(1, user_api="blas"):
        losses = train(model, steps, batch_size, rng, set(test_dates), log_every=max(steps // 6, 1))
        seconds = time.perf_counter() - started
        accuracy, answers = exact_match(model, test)
    characters = float(
        np.mean(
            [a == b for answer, (_, target) in zip(answers, test) for a, b in zip(answer, target)]
        )
    )
    print(
        f"trained {steps} steps in {seconds:.0f}s; exact match on {len(test)} held-out dates: "
        f"{100 * accuracy:.1f}% ({100 * characters:.2f}% of characters)"
    )
    shown = list(zip(test, answers))[:6]
    shown += [item for item in list(zip(test, answers))[6:] if item[1] != item[0][1]][:4]
    for (source, target), answer in shown:
        print(f"  {source:32s} -> {answer}  {'ok' if answer == target else 'expected ' + target}")

    if path := picture_path(out_dir, "seq2seq.png"):
        curves(
            {"training loss": losses},
            xlabel=f"training step ({batch_size} random dates each)",
            ylabel="cross-entropy per character",
            logy=True,
            title=f"dates -> ISO: {100 * accuracy:.1f}% exact on {len(test)} unseen dates",
            path=path,
        )
    return {
        "exact_match": accuracy,
        "character_accuracy": characters,
        "test_dates": len(test),
        "steps": steps,
        "train_seconds": seconds,
        "final_loss": float(np.mean(losses[-20:])),
    }
