"""The children's book ("doug saw jane. jane saw spot.") written by an RNN and by an LSTM.

A plain RNN that looks one step back learns which word may follow which, but not who the sentence is
about: it writes "doug saw doug.", "jane." and "doug saw jane saw spot.". An LSTM keeps the subject
in its memory (its forget gate holds on to it, its select gate lets the right names out), so it
leaves the subject out of the names it offers after "saw" and ends the sentence after the object.

Pictures: book.png.
"""

from __future__ import annotations

import os

import numpy as np

import wright
from wright import nn, optim
from wright.data import DataLoader, TensorDataset
from wright.datasets.sequences import BOOK_WORDS, PERIOD, book_text, book_violations, book_words
from wright.demos._common import picture_path
from wright.models.char_lstm import CharLSTM
from wright.models.text import sample_tokens
from wright.train import fit
from wright.train.language_model import LanguageModelRecipe, train_language_model
from wright.viz import bars

NAME = "book"
SUMMARY = (
    "the Doug/Jane/Spot book: a one-step RNN breaks the grammar, an LSTM remembers the subject"
)

VOCAB = len(BOOK_WORDS)


class OneStepRNN(nn.Module):
    """A plain RNN that sees one word at a time, from a fresh state: the next word from the last.

    Shape: (T, N) word indices -> (T, N, 5) scores for the next word.
    """

    def __init__(self, hidden: int = 16) -> None:
        super().__init__()
        self.rnn = nn.RNN(VOCAB, hidden)
        self.vote = nn.Linear(hidden, VOCAB)

    def forward(self, words):
        # Each word becomes its own sequence of length one: no memory reaches the next step.
        words = words.array if isinstance(words, wright.Tensor) else np.asarray(words)
        flat = words.reshape(1, -1)
        one_hot = nn.functional.one_hot(flat, VOCAB).float()  # (1, T * N, 5)
        hidden, _ = self.rnn(one_hot)
        return self.vote(hidden).reshape(*np.shape(words), VOCAB)


def train_one_step_rnn(
    tokens: np.ndarray, epochs: int, seed: int, batch_size: int = 256
) -> OneStepRNN:
    """Fit the RNN to the book's (word, next word) pairs, in shuffled minibatches."""
    model = OneStepRNN()
    pairs = DataLoader(
        TensorDataset(tokens[:-1], tokens[1:]), batch_size=batch_size, shuffle=True, seed=seed
    )
    fit(
        model,
        nn.CrossEntropyLoss(),
        optim.Adam(model.parameters(), lr=0.05),
        pairs,
        epochs,
        verbose=0,
    )
    return model


def sample_one_step(model: OneStepRNN, length: int, rng: np.random.Generator) -> np.ndarray:
    """Write `length` words, each drawn from the RNN's distribution given only the previous one."""
    with wright.no_grad():
        probs = model(np.arange(VOCAB)).log_softmax(-1).exp().array.astype(np.float64)  # (5, 5)
    cumulative = np.cumsum(probs, axis=1)
    words = np.empty(length + 1, dtype=np.int64)
    words[0] = PERIOD
    for i, draw in enumerate(rng.random(length)):
        row = cumulative[words[i]]
        words[i + 1] = min(np.searchsorted(row, draw * row[-1]), VOCAB - 1)
    return words[1:]


def first_sentences(words: np.ndarray, count: int) -> np.ndarray:
    """The words up to and including the `count`-th period."""
    periods = np.flatnonzero(words == PERIOD)
    if len(periods) < count:
        raise ValueError(
            f"first_sentences: only {len(periods)} sentences were written, {count} wanted"
        )
    return words[: periods[count - 1] + 1]


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Train both writers on the same book, let each write sentences, and count the broken ones.

    Returns:
        rnn_violation_rate and lstm_violation_rate (fractions of sentences breaking the grammar),
        sentences (how many each wrote), and the counts of each kind of fault for both.
    """
    rng = np.random.default_rng(seed)
    wright.manual_seed(seed)
    book = book_text(2000, rng)
    print(f"the book ({len(book) // 4} sentences): {book_words(book[:16])} ...")
    sentences = 300 if quick else 1000

    rnn = train_one_step_rnn(book, epochs=2 if quick else 5, seed=seed)
    rnn_words = first_sentences(sample_one_step(rnn, 6 * sentences, rng), sentences)
    rnn_check = book_violations(rnn_words)

    lstm = CharLSTM(VOCAB, embedding_dim=8, hidden_size=32)
    recipe = LanguageModelRecipe(
        steps=250 if quick else 600,
        seq_len=24,
        batch_size=16,
        lr=0.03,
        final_lr_fraction=0.1,
        clip=5.0,
        eval_every=10**9,  # validate once, at the end
    )
    train_language_model(lstm, book, book_text(200, rng), recipe)
    lstm_words = first_sentences(
        sample_tokens(lstm, np.array([PERIOD]), 5 * sentences, rng=rng), sentences
    )
    lstm_check = book_violations(lstm_words)

    for name, words, check in (
        ("one-step RNN", rnn_words, rnn_check),
        ("LSTM", lstm_words, lstm_check),
    ):
        faults = ", ".join(f"{kind} {n}" for kind, n in check["kinds"].items() if n)
        print(
            f"{name:12s} wrote {check['sentences']} sentences, {check['violations']} broken "
            f"({100 * check['rate']:.1f}%){': ' + faults if faults else ''}"
        )
        print(f"{'':12s} {book_words(words[:24])} ...")

    if path := picture_path(out_dir, "book.png"):
        kinds = list(rnn_check["kinds"])
        bars(
            {
                "one-step RNN": [rnn_check["kinds"][k] / sentences for k in kinds],
                "LSTM": [lstm_check["kinds"][k] / sentences for k in kinds],
            },
            [k.replace(" ", "\n", 2) for k in kinds],
            ylabel=f"share of {sentences} sentences",
            title="sentences that break the book's grammar, by kind of fault",
            path=path,
        )
    return {
        "rnn_violation_rate": rnn_check["rate"],
        "lstm_violation_rate": lstm_check["rate"],
        "sentences": sentences,
        "rnn_faults": rnn_check["kinds"],
        "lstm_faults": lstm_check["kinds"],
    }
