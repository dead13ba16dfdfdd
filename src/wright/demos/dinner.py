"""What's for dinner: the flatmate cooks pizza, then sushi, then waffles, then pizza again.

A network that votes on the day of the week, the month, the weather and late meetings stays at
chance, because none of them matters. A recurrent network that reads yesterday's dinner (one-hot)
learns the cycle and is right every night; after two weeks away it feeds its own predictions
forward, one day at a time (the lectures' unrolling), and still names tonight's dinner.

Pictures: dinner.png.
"""

from __future__ import annotations

import os

import numpy as np

import wright
from wright import nn, optim
from wright.data import DataLoader, TensorDataset
from wright.datasets.sequences import DINNERS, dinner_circumstances, dinner_cycle
from wright.demos._common import picture_path
from wright.train import fit
from wright.viz import bars, new_figure, save_figure

NAME = "dinner"
SUMMARY = (
    "what's for dinner: an RNN learns the pizza-sushi-waffles cycle, even after two weeks away"
)

DAYS = 365
TRAIN_DAYS = 300
AWAY_DAYS = 14


class DinnerRNN(nn.Module):
    """Yesterday's dinner (one-hot) and the recycled hidden state vote on tonight's dinner.

    Shape: (N, T, 3) one-hot dinners of the previous days -> (N, T, 3) scores for each day's dinner.
    """

    def __init__(self, hidden: int = 8) -> None:
        super().__init__()
        self.rnn = nn.RNN(len(DINNERS), hidden, batch_first=True)
        self.vote = nn.Linear(hidden, len(DINNERS))

    def forward(self, yesterday):
        return self.step(yesterday)[0]

    def step(self, yesterday, state=None):
        """Scores for each day after `yesterday` (N, T, 3), and the hidden state to go on from."""
        hidden, state = self.rnn(yesterday, state)  # (N, T, H)
        return self.vote(hidden), state  # (N, T, 3)


def _every_day_loss(scores, tonight):
    """Cross-entropy over every day of every window: scores (N, T, 3), dinners (N, T)."""
    return nn.functional.cross_entropy(scores.reshape(-1, len(DINNERS)), tonight.reshape(-1))


def _whole_batch(inputs, targets) -> DataLoader:
    """The whole training set as one batch: each epoch of `fit` is one step of gradient descent."""
    return DataLoader(TensorDataset(inputs, targets), batch_size=len(targets))


def _one_hot(dinners: np.ndarray) -> wright.Tensor:
    return nn.functional.one_hot(dinners, len(DINNERS)).float()


def circumstances_accuracy(history: np.ndarray, rng: np.random.Generator, epochs: int) -> float:
    """Held-out accuracy of an MLP predicting dinner from the day, month, meetings and weather."""
    features = dinner_circumstances(len(history), rng).astype(np.float32)
    model = nn.Sequential(nn.Linear(features.shape[1], 16), nn.ReLU(), nn.Linear(16, len(DINNERS)))
    train, test = slice(0, TRAIN_DAYS), slice(TRAIN_DAYS, None)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    fit(
        model,
        nn.CrossEntropyLoss(),
        optimizer,
        _whole_batch(features[train], history[train]),
        epochs,
        verbose=0,
    )
    with wright.no_grad():
        guesses = model(wright.as_tensor(features[test])).array.argmax(axis=1)
    return float((guesses == history[test]).mean())


def train_rnn(history: np.ndarray, steps: int, window: int = 21) -> DinnerRNN:
    """Teach the RNN tonight's dinner from yesterday's, on overlapping windows of training days."""
    model = DinnerRNN()
    starts = np.arange(0, TRAIN_DAYS - window - 1, 2)  # every phase of the cycle starts some window
    days = starts[:, None] + np.arange(window)  # (N, T)
    windows = _whole_batch(_one_hot(history[days]).array, history[days + 1])
    optimizer = optim.Adam(model.parameters(), lr=0.03)
    fit(model, _every_day_loss, optimizer, windows, steps, metrics=(), verbose=0)
    return model


def predict_after_absence(model: DinnerRNN, known: np.ndarray, away: int) -> tuple[int, list[int]]:
    """Read the known dinners, then play the missing days forward from the network's predictions.

    Returns tonight's predicted dinner and the predicted menu of the missing days.
    """
    with wright.no_grad():
        scores, state = model.step(_one_hot(known)[None])
        guess = int(scores.array[0, -1].argmax())
        played = []
        for _ in range(away):
            played.append(guess)
            # No news about that day: its predicted dinner stands in for the real one.
            scores, state = model.step(_one_hot(np.array([guess]))[None], state)
            guess = int(scores.array[0, -1].argmax())
    return guess, played


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Compare the circumstances network, the RNN, and the RNN after two weeks without news.

    Returns:
        chance (1/3), circumstances_accuracy (held-out days), rnn_accuracy (every held-out night,
        from yesterday's dinner), away_accuracy (tonight after AWAY_DAYS missing days, over `trials`
        random departures), away_days and trials.
    """
    rng = np.random.default_rng(seed)
    wright.manual_seed(seed)
    history = dinner_cycle(DAYS, start=int(rng.integers(len(DINNERS))))
    chance = 1.0 / len(DINNERS)
    circumstances = circumstances_accuracy(history, rng, epochs=150 if quick else 400)
    print(
        "voting on day, month, weather and late meetings: "
        f"{100 * circumstances:.0f}% of held-out nights "
        f"(chance is {100 * chance:.0f}%)"
    )

    model = train_rnn(history, steps=60 if quick else 150)
    with wright.no_grad():
        scores = model(_one_hot(history[TRAIN_DAYS - 1 : -1])[None])
    rnn_accuracy = float((scores.array[0].argmax(axis=1) == history[TRAIN_DAYS:]).mean())
    print(
        f"RNN reading yesterday's dinner: {100 * rnn_accuracy:.0f}% of the "
        f"{DAYS - TRAIN_DAYS} held-out nights"
    )

    trials = 60 if quick else 300
    leave_days = rng.integers(TRAIN_DAYS, DAYS - AWAY_DAYS - 1, trials)
    right = 0
    for leave in leave_days:
        tonight, _ = predict_after_absence(model, history[leave - 7 : leave], AWAY_DAYS)
        right += tonight == history[leave + AWAY_DAYS]
    away_accuracy = right / trials
    leave = int(leave_days[0])
    tonight, played = predict_after_absence(model, history[leave - 7 : leave], AWAY_DAYS)
    print(
        f"last dinner before two weeks away: {DINNERS[history[leave - 1]]}; "
        "the network plays the missing "
        f"days forward: {' '.join(DINNERS[d] for d in played)}"
    )
    print(
        f"tonight it predicts {DINNERS[tonight]} "
        f"(the flatmate cooks {DINNERS[history[leave + AWAY_DAYS]]}); "
        f"right after {AWAY_DAYS} days away in {100 * away_accuracy:.0f}% of {trials} departures"
    )

    if path := picture_path(out_dir, "dinner.png"):
        predicted = list(history[leave - 7 : leave]) + played + [tonight]
        _draw(
            path,
            history[leave - 7 : leave + AWAY_DAYS + 1],
            predicted,
            (chance, circumstances, rnn_accuracy, away_accuracy),
        )
    return {
        "chance": chance,
        "circumstances_accuracy": circumstances,
        "rnn_accuracy": rnn_accuracy,
        "away_accuracy": float(away_accuracy),
        "away_days": AWAY_DAYS,
        "trials": trials,
    }


def _draw(path, actual: np.ndarray, predicted: list[int], accuracies: tuple[float, ...]) -> None:
    figure, axes = new_figure(1, 2, size=(12, 3.8), layout="constrained")
    scores, menu = np.ravel(axes)
    bars(
        {"nights": list(accuracies)},
        ["chance", "day/month/\nweather", "RNN:\nyesterday", f"RNN after\n{AWAY_DAYS} days away"],
        ylabel="nights predicted correctly",
        ylim=(0, 1.12),
        colors=["#bbb", "#d98", "#6a6", "#48c"],
        ax=scores,
        title="who predicts tonight's dinner",
    )
    days = np.arange(-7, AWAY_DAYS + 1)
    menu.axvspan(-0.5, AWAY_DAYS - 0.5, color="#eee", label="away: predictions fed forward")
    menu.plot(days, actual, "o", color="#888", markersize=10, label="what was cooked")
    menu.plot(days, predicted, "x", color="#c33", markersize=8, label="network's menu")
    menu.set_yticks(range(len(DINNERS)), DINNERS)
    menu.set_ylim(-0.5, len(DINNERS) - 0.5)
    menu.set_xlabel("day (0 = first day away; the last is tonight)")
    menu.set_title(f"{AWAY_DAYS} days away: the RNN plays the missing days forward", fontsize=10)
    menu.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    save_figure(figure, path)
