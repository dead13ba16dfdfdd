"""Image captioning: a CNN encoder starts an LSTM decoder that describes synthetic scenes of coloured
shapes ("a small red circle left of a large blue square"), trained with teacher forcing and
decoded greedily.

Measured on held-out scenes: exact-match captions and corpus BLEU-4.

Pictures: captioning.png (held-out scenes with the captions written for them).
"""

from __future__ import annotations

import math
import os
from collections import Counter

import numpy as np
from tqdm.auto import tqdm

import wright
from wright import optim
from wright.datasets.shapes import COLOURS, END, PAD, START, VOCABULARY, shape_scenes
from wright.demos._cache import trained
from wright.demos._common import picture_path
from wright.models.captioner import Captioner
from wright.nn import functional as F
from wright.nn.utils import clip_grad_norm_

NAME = "captioning"
SUMMARY = "a CNN encoder and an LSTM decoder caption scenes of coloured shapes (Show and Tell)"

ANCHOR_EXACT = 0.90
SIZE = 48
MAX_WORDS = 16  # three shapes: 3 x "a SIZE COLOUR SHAPE" and 2 two-word relations
# (training scenes, epochs, held-out scenes, LSTM size): full run, quick run.
FULL = (36_000, 3, 1000, 192)
QUICK = (3000, 2, 200, 64)
BATCH = 64
MAX_LR = 4e-3


def encode_captions(captions: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Teacher forcing: decoder inputs (start + words) and targets (words + end), both
    (MAX_WORDS + 1, N) and padded with index 0 (which the loss ignores)."""
    start, end = VOCABULARY.words.index(START), VOCABULARY.words.index(END)
    inputs = np.zeros((len(captions), MAX_WORDS + 1), dtype=np.int64)
    targets = np.zeros_like(inputs)
    for row, caption in enumerate(captions):
        words = VOCABULARY.encode(caption)
        inputs[row, : len(words) + 1] = [start, *words]
        targets[row, : len(words) + 1] = [*words, end]
    return inputs.T.copy(), targets.T.copy()


def train_captioner(
    model: Captioner, images: np.ndarray, captions: list[str], epochs: int, seed: int
) -> dict:
    """Adam on a one-cycle schedule; cross-entropy of each next word given the true previous ones.

    Returns:
        the mean loss per epoch ("loss") and per 50 steps ("loss_curve").
    """
    inputs, targets = encode_captions(captions)
    rng = np.random.default_rng(seed)
    steps_per_epoch = len(images) // BATCH
    optimizer = optim.Adam(model.parameters(), lr=MAX_LR)
    schedule = optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=MAX_LR, epochs=epochs, steps_per_epoch=steps_per_epoch, pct_start=0.15
    )
    pad = VOCABULARY.words.index(PAD)
    epoch_losses, curve, window = [], [], []
    model.train()
    for epoch in range(epochs):
        order = rng.permutation(len(images))
        losses = []
        bar = tqdm(range(steps_per_epoch), desc=f"epoch {epoch + 1}/{epochs}", leave=False)
        for step in bar:
            batch = order[step * BATCH : (step + 1) * BATCH]
            scores = model(images[batch], inputs[:, batch])  # (T, B, V)
            loss = F.cross_entropy(
                scores.reshape(-1, len(VOCABULARY)), targets[:, batch].reshape(-1), ignore_index=pad
            )
            optimizer.zero_grad()
            loss.backward()
            clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            schedule.step()
            losses.append(float(loss.array))
            window.append(losses[-1])
            if len(window) == 50:
                curve.append(float(np.mean(window)))
                window = []
            bar.set_postfix(loss=f"{np.mean(losses[-20:]):.3f}")
        epoch_losses.append(float(np.mean(losses)))
        print(f"epoch {epoch + 1}/{epochs}  loss {epoch_losses[-1]:.4f}")
    return {"loss": epoch_losses, "loss_curve": curve}


def corpus_bleu(candidates: list[str], references: list[str], n: int = 4) -> float:
    """Corpus BLEU-n with one reference per candidate (Papineni et al. 2002): the geometric mean of
    the clipped 1..n-gram precisions over the whole corpus, times the brevity penalty."""
    matched, total = np.zeros(n), np.zeros(n)
    candidate_length = reference_length = 0
    for candidate, reference in zip(candidates, references):
        ours, theirs = candidate.split(), reference.split()
        candidate_length += len(ours)
        reference_length += len(theirs)
        for k in range(1, n + 1):
            grams = Counter(tuple(ours[i : i + k]) for i in range(len(ours) - k + 1))
            truth = Counter(tuple(theirs[i : i + k]) for i in range(len(theirs) - k + 1))
            matched[k - 1] += sum(min(count, truth[gram]) for gram, count in grams.items())
            total[k - 1] += max(len(ours) - k + 1, 0)
    if candidate_length == 0 or (matched == 0).any():
        return 0.0
    log_precision = np.mean(np.log(matched / total))
    brevity = min(0.0, 1.0 - reference_length / candidate_length)
    return float(math.exp(log_precision + brevity))


def caption(model: Captioner, images: np.ndarray) -> list[str]:
    """Greedy captions for a batch of scenes."""
    words = VOCABULARY.words
    written = model.greedy(images, words.index(START), words.index(END), MAX_WORDS + 1)
    return [VOCABULARY.decode(column) for column in written.T]


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Train (or load) the captioner, then caption held-out scenes.

    Returns:
        exact_match and bleu4 on the held-out scenes, exact match by number of shapes
        (exact_match_1 .. exact_match_3), test_scenes, train_scenes, epochs, train_seconds.
    """
    count, epochs, tests, hidden = QUICK if quick else FULL
    wright.manual_seed(seed)

    def train(model: Captioner) -> dict:
        images, captions = shape_scenes(count, SIZE, seed=seed)
        return train_captioner(model, images, captions, epochs, seed)

    def build() -> Captioner:
        return Captioner(len(VOCABULARY), SIZE, hidden_size=hidden)

    # The recipe is in the name, so a changed recipe trains afresh rather than loading a stale model.
    name = f"captioner-shapes-h{hidden}-{count}x{epochs}-s{seed}"
    model, record, origin = trained(name, build, train, quick)
    print(
        f"{model.summary_line()} ({model.num_parameters():,} weights), {count:,} training scenes "
        f"x {epochs} epochs: {origin}"
    )
    # Held-out scenes come from their own seed: a scene repeated from training would be rare luck.
    images, truths = shape_scenes(tests, SIZE, seed=1_000_000 + seed)
    written = caption(model, images)
    right = np.array([a == b for a, b in zip(written, truths)])
    shapes = np.array([t.count(" a ") + 1 for t in truths])
    exact, bleu = float(right.mean()), corpus_bleu(written, truths)
    print(
        f"held-out scenes ({tests:,}): exact-match captions {100 * exact:.1f}% "
        f"(anchor: >= {100 * ANCHOR_EXACT:.0f}%), BLEU-4 {bleu:.3f}"
    )
    by_count = {f"exact_match_{k}": float(right[shapes == k].mean()) for k in (1, 2, 3)}
    print(
        "  by number of shapes: "
        + ", ".join(f"{k[-1]}: {100 * v:.1f}%" for k, v in by_count.items())
    )
    wrong = np.flatnonzero(~right)
    for i in wrong[:4]:
        print(f"  wrote    {written[i]!r}\n  expected {truths[i]!r}")
    if path := picture_path(out_dir, "captioning.png"):
        from wright.viz.applications import captioned_images

        # Eight scenes as they come, then up to four mistakes among the others.
        shown = list(range(8)) + [int(i) for i in wrong[wrong >= 8][:4]]
        captioned_images(
            images[shown].transpose(0, 2, 3, 1),
            [written[i] for i in shown],
            [truths[i] for i in shown],
            title=f"captions of unseen scenes: {100 * exact:.1f}% exact, BLEU-4 {bleu:.3f}",
            key=COLOURS,
            path=path,
        )
    return {
        "exact_match": exact,
        "bleu4": bleu,
        **by_count,
        "test_scenes": tests,
        "train_scenes": count,
        "epochs": epochs,
        "train_seconds": float(record["train_seconds"]),
        "final_train_loss": float(record["loss"][-1]),
    }
