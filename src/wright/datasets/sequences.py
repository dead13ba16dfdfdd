"""Small sequence worlds: the lectures' dinner cycle and Doug/Jane/Spot book; dates to translate.

Dinner: a flatmate cooks pizza, then sushi, then waffles, then pizza again, whatever the day, month,
weather or his meetings; the only thing that predicts tonight is what was cooked yesterday.
Book: a children's book of sentences like "doug saw jane." over five words.
Dates: a date written in words in one of several formats, and its ISO form ("march 3 2021" ->
"2021-03-03").
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools

import numpy as np

DINNERS = ("pizza", "sushi", "waffles")
BOOK_NAMES = ("doug", "jane", "spot")
BOOK_WORDS = (*BOOK_NAMES, "saw", ".")
SAW, PERIOD = BOOK_WORDS.index("saw"), BOOK_WORDS.index(".")
MONTHS = tuple(calendar.month_name[1:])
ISO_CHARS = "0123456789-"


# ----- what's for dinner -----
def dinner_cycle(days: int, start: int = 0) -> np.ndarray:
    """Dinners of `days` consecutive days as indices into DINNERS, starting from DINNERS[start]."""
    return (start + np.arange(days)) % len(DINNERS)


def dinner_circumstances(days: int, rng: np.random.Generator) -> np.ndarray:
    """Things that might plausibly decide dinner but do not: (days, 25) float32 features.

    Columns: day of the week (one-hot, 7), month (one-hot, 12), a late meeting (0/1), and the day's
    weather (high and low temperature in F, wind in mph, rain in inches, relative humidity in %),
    the numbers scaled to about [0, 1].
    """
    day = np.arange(days)
    weekday = np.eye(7)[day % 7]
    month = np.eye(12)[(day // 30) % 12]
    meeting = rng.random((days, 1)) < 0.3
    high = rng.normal(70, 12, days)
    weather = np.stack(
        [
            high / 100,
            (high - rng.uniform(10, 35, days)) / 100,
            rng.gamma(2, 5, days) / 30,
            rng.exponential(0.15, days),
            rng.uniform(20, 100, days) / 100,
        ],
        axis=1,
    )
    return np.concatenate([weekday, month, meeting, weather], axis=1).astype(np.float32)


# ----- the children's book -----
def book_text(sentences: int, rng: np.random.Generator) -> np.ndarray:
    """Token indices (into BOOK_WORDS) of random sentences "<name> saw <another name> ."."""
    subject = rng.integers(0, len(BOOK_NAMES), sentences)
    # The object is one of the two other names, so nobody sees themselves.
    obj = (subject + rng.integers(1, len(BOOK_NAMES), sentences)) % len(BOOK_NAMES)
    tokens = np.stack([subject, np.full(sentences, SAW), obj, np.full(sentences, PERIOD)], axis=1)
    return tokens.reshape(-1)


def book_words(tokens) -> str:
    """Tokens as the book's text: 'doug saw jane. jane saw spot.'."""
    return " ".join(BOOK_WORDS[int(t)] for t in tokens).replace(" .", ".")


def _sentence_fault(sentence: list[int]) -> str | None:
    """Why a sentence (tokens before its period) breaks the book's grammar; None if it is fine."""
    names = [t in range(len(BOOK_NAMES)) for t in sentence]
    if any(a and b for a, b in itertools.pairwise(names)):
        return "name followed by a name"
    if any(a == b == SAW for a, b in itertools.pairwise(sentence)):
        return "saw saw"
    if SAW not in sentence:
        return "no saw"
    if len(sentence) == 3 and names == [True, False, True] and sentence[0] == sentence[2]:
        return "subject seen as object"
    if len(sentence) != 3 or names != [True, False, True]:
        return "other"
    return None


def book_violations(tokens) -> dict:
    """Check generated text against the book's grammar, one sentence (up to each period) at a time.

    A good sentence is exactly "<name> saw <a different name> .". Returns the number of complete
    sentences, how many break the grammar, the fraction, and the count of each kind of fault: "name
    followed by a name", "saw saw", "no saw", "subject seen as object" and "other" (e.g. "doug saw
    jane saw spot.").
    """
    tokens = [int(t) for t in tokens]
    sentences, current = [], []
    for token in tokens:
        if token == PERIOD:
            sentences.append(current)
            current = []
        else:
            current.append(token)
    kinds = dict.fromkeys(
        ("name followed by a name", "saw saw", "no saw", "subject seen as object", "other"), 0
    )
    for sentence in sentences:
        fault = _sentence_fault(sentence)
        if fault is not None:
            kinds[fault] += 1
    broken = sum(kinds.values())
    return {
        "sentences": len(sentences),
        "violations": broken,
        "rate": broken / len(sentences) if sentences else float("nan"),
        "kinds": kinds,
    }


# ----- dates in words -----
def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


DATE_FORMATS = (
    lambda d: f"{MONTHS[d.month - 1].lower()} {d.day} {d.year}",  # march 3 2021
    lambda d: f"{MONTHS[d.month - 1].lower()} {d.day}, {d.year}",  # march 3, 2021
    lambda d: f"{d.day} {MONTHS[d.month - 1].lower()} {d.year}",  # 3 march 2021
    lambda d: f"{MONTHS[d.month - 1][:3].lower()} {d.day} {d.year}",  # mar 3 2021
    lambda d: f"{d.day} {MONTHS[d.month - 1][:3].lower()} {d.year}",  # 3 mar 2021
    lambda d: f"{MONTHS[d.month - 1].lower()} {_ordinal(d.day)}, {d.year}",  # march 3rd, 2021
    lambda d: (
        f"the {_ordinal(d.day)} of {MONTHS[d.month - 1].lower()} {d.year}"
    ),  # the 3rd of march 2021
    lambda d: (
        f"{calendar.day_name[d.weekday()].lower()}, {MONTHS[d.month - 1].lower()} {d.day}, {d.year}"
    ),
    lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",  # 03.03.2021 (day first)
)


def random_dates(
    count: int,
    rng: np.random.Generator,
    first_year: int = 1950,
    last_year: int = 2049,
    exclude: set[dt.date] | None = None,
) -> list[dt.date]:
    """`count` distinct dates, uniform over first_year..last_year, none of them in `exclude`."""
    start = dt.date(first_year, 1, 1).toordinal()
    span = dt.date(last_year, 12, 31).toordinal() - start + 1
    exclude = exclude or set()
    if count > span - len(exclude):
        raise ValueError(
            f"random_dates: asked for {count} distinct dates but only {span - len(exclude)} remain"
        )
    chosen: dict[dt.date, None] = {}
    while len(chosen) < count:
        for day in rng.integers(0, span, 2 * (count - len(chosen))):
            date = dt.date.fromordinal(start + int(day))
            if date not in exclude:
                chosen[date] = None
    return list(chosen)[:count]


def date_pairs(dates: list[dt.date], rng: np.random.Generator) -> list[tuple[str, str]]:
    """(written, ISO) pairs: each date written in a randomly chosen format of DATE_FORMATS."""
    styles = rng.integers(0, len(DATE_FORMATS), len(dates))
    return [(DATE_FORMATS[s](d), d.isoformat()) for s, d in zip(styles, dates)]
