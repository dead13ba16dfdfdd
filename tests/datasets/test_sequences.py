"""The dinner cycle, the children's book and its grammar check, and dates written in words."""

import datetime as dt

import numpy as np
import pytest

from wright.datasets import sequences as S


def test_dinner_cycles_pizza_sushi_waffles():
    names = [S.DINNERS[d] for d in S.dinner_cycle(7)]
    assert names == ["pizza", "sushi", "waffles", "pizza", "sushi", "waffles", "pizza"]
    assert S.dinner_cycle(4, start=2).tolist() == [2, 0, 1, 2]


def test_dinner_circumstances_are_one_hot_days_months_and_weather():
    features = S.dinner_circumstances(40, np.random.default_rng(0))
    assert features.shape == (40, 25) and features.dtype == np.float32
    assert (features[:, :7].sum(axis=1) == 1).all() and (features[:, 7:19].sum(axis=1) == 1).all()
    assert set(np.unique(features[:, 19])) <= {0.0, 1.0}


def test_book_sentences_follow_the_grammar():
    tokens = S.book_text(50, np.random.default_rng(0))
    assert len(tokens) == 200
    check = S.book_violations(tokens)
    assert check["sentences"] == 50 and check["violations"] == 0 and check["rate"] == 0.0
    sentences = tokens.reshape(-1, 4)
    assert (sentences[:, 0] != sentences[:, 2]).all() and (sentences[:, 1] == S.SAW).all()
    assert S.book_words(tokens[:8]).count(".") == 2


@pytest.mark.parametrize(
    "text, fault",
    [
        ("doug saw doug .", "subject seen as object"),
        ("doug jane .", "name followed by a name"),
        ("doug saw saw jane .", "saw saw"),
        ("jane .", "no saw"),
        ("doug saw jane saw spot .", "other"),
        ("saw jane .", "other"),
    ],
)
def test_each_kind_of_broken_sentence_is_caught(text, fault):
    tokens = [S.BOOK_WORDS.index(word) for word in text.split()]
    check = S.book_violations(tokens + [0, 3, 1, 4])
    assert check["sentences"] == 2 and check["violations"] == 1 and check["kinds"][fault] == 1


def test_unfinished_sentence_is_not_counted():
    assert S.book_violations([0, 3, 1, 4, 2, 3])["sentences"] == 1


def test_dates_are_distinct_in_range_and_avoid_the_excluded():
    rng = np.random.default_rng(0)
    held_out = S.random_dates(100, rng, 2000, 2000)
    dates = S.random_dates(200, rng, 2000, 2000, exclude=set(held_out))
    assert len(set(dates)) == 200 and not set(dates) & set(held_out)
    assert all(d.year == 2000 for d in dates)
    with pytest.raises(ValueError, match="distinct"):
        S.random_dates(400, rng, 2000, 2000)


def test_date_formats_all_translate_to_iso():
    date = dt.date(2021, 3, 3)
    written = {style(date) for style in S.DATE_FORMATS}
    assert {
        "march 3 2021",
        "3 mar 2021",
        "the 3rd of march 2021",
        "wednesday, march 3, 2021",
        "03.03.2021",
    } <= written
    pairs = S.date_pairs([date] * 30, np.random.default_rng(1))
    assert {target for _, target in pairs} == {"2021-03-03"}
    assert len({source for source, _ in pairs}) > 5
    assert S.DATE_FORMATS[5](dt.date(2020, 1, 12)) == "january 12th, 2020"
