"""Using a trained character (or word) model: reading its checkpoint back with its vocabulary,
writing text with it, and scoring text under it."""

from __future__ import annotations

import math
import os

import numpy as np

from wright.autograd import no_grad
from wright.datasets.text import CharVocab
from wright.models.registry import Checkpoint, CheckpointError, load_checkpoint
from wright.nn.module import Module


def load_text_model(path: str | os.PathLike) -> tuple[Checkpoint, CharVocab]:
    """A character model checkpoint (written by `wright train shakespeare`) and its vocabulary.

    Raises:
        FileNotFoundError: no such file.
        CheckpointError: not a text model checkpoint, a damaged one, NaN weights, or a vocabulary
            that does not match the model's number of symbols.
    """
    checkpoint = load_checkpoint(path, task="text")
    return checkpoint, vocabulary(checkpoint)


def vocabulary(checkpoint: Checkpoint) -> CharVocab:
    """The vocabulary stored in a text model's checkpoint, checked against the model's size
    (CheckpointError when missing, damaged or of another size)."""
    path = checkpoint.path
    chars = checkpoint.saved.get("vocab")
    if not isinstance(chars, str):
        raise CheckpointError(f"{path}: it holds no vocabulary (a string of characters)")
    try:
        vocab = CharVocab(chars)
    except ValueError as error:
        raise CheckpointError(f"{path}: its vocabulary is damaged: {error}") from None
    symbols = checkpoint.saved.get("config", {}).get("vocab_size")
    if symbols != len(vocab):
        raise CheckpointError(
            f"{path}: vocabulary mismatch: {len(vocab)} characters stored for a model of "
            f"{symbols} symbols"
        )
    return vocab


def _prompt_tokens(vocab: CharVocab, text: str) -> np.ndarray:
    unknown = vocab.unknown(text)
    if unknown:
        raise ValueError(
            f"characters not in the model's vocabulary: {', '.join(map(repr, unknown))}; "
            f"it knows {vocab.chars!r}"
        )
    return vocab.encode(text)


def sample_tokens(
    model: Module,
    prompt: np.ndarray,
    length: int,
    temperature: float = 1.0,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Continue `prompt` (tokens) by `length` tokens, each drawn from softmax(scores / temperature).

    `model` maps tokens (T, N) and a state to scores (T, N, V) and the next state (a CharLSTM).
    Lower temperatures pick likely tokens more often (0.5: safe; 1.0: the model's own distribution).
    """
    if temperature <= 0:
        raise ValueError(f"sample: temperature must be > 0, got {temperature}")
    if len(prompt) == 0:
        raise ValueError("sample: the prompt needs at least one token")
    rng = rng or np.random.default_rng()
    model.eval()
    written = np.empty(length, dtype=np.int64)
    # One uniform draw per token, compared with the cumulative probabilities: inverse-CDF sampling.
    draws = rng.random(length)
    with no_grad():
        logits, state = model(np.asarray(prompt, dtype=np.int64)[:, None])
        for i in range(length):
            scores = logits.array[-1, 0].astype(np.float64) / temperature
            cumulative = np.cumsum(np.exp(scores - scores.max()))
            written[i] = min(
                np.searchsorted(cumulative, draws[i] * cumulative[-1]), len(cumulative) - 1
            )
            logits, state = model(written[i : i + 1, None], state)
    return written


def sample(
    model: Module,
    vocab: CharVocab,
    prompt: str = "\n",
    length: int = 500,
    temperature: float = 1.0,
    rng: np.random.Generator | None = None,
) -> str:
    """`prompt` followed by `length` sampled characters (see `sample_tokens`).

    Characters of the prompt outside the vocabulary raise a ValueError listing them.
    """
    written = sample_tokens(model, _prompt_tokens(vocab, prompt or "\n"), length, temperature, rng)
    return prompt + vocab.decode(written)


def log_probability(model: Module, vocab: CharVocab, text: str, context: str = "\n") -> float:
    """log P(text | context) in nats: the sum of the log-probabilities of each character of `text`.

    The context (a newline by default: the start of a line) is read first and not scored.
    """
    if not text or not context:
        raise ValueError("log_probability: the text and its context must not be empty")
    tokens = _prompt_tokens(vocab, context + text)
    model.eval()
    with no_grad():
        logits, _ = model(tokens[:-1, None])
        log_probs = logits.log_softmax(-1).array[:, 0]
    positions = np.arange(len(context) - 1, len(tokens) - 1)
    return float(log_probs[positions, tokens[positions + 1]].sum())


def bits(nats: float) -> float:
    """Nats to bits."""
    return nats / math.log(2)
