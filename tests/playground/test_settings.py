"""Checking what pages send: each rule accepts what it should and words what it refuses."""

import math

import pytest

from wright.playground.settings import (
    Choice,
    Integer,
    ListOf,
    Number,
    ParameterError,
    checked,
    message_type,
)

RULES = {
    "n": Integer(1, 8),
    "rate": Number(0.0, 1.0),
    "kind": Choice(("a", "b")),
    "sizes": ListOf(Integer(1, 8), 0, 3),
}
CURRENT = {"n": 2, "rate": 0.5, "kind": "a", "sizes": [1]}


def test_good_changes_are_merged_into_a_new_dict():
    result = checked({"n": 8, "rate": 0, "sizes": [8, 1, 2]}, RULES, CURRENT)
    assert result == {"n": 8, "rate": 0.0, "kind": "a", "sizes": [8, 1, 2]}
    assert CURRENT["n"] == 2
    assert checked({"n": 3.0}, RULES, CURRENT)["n"] == 3  # JSON may send 3.0 for 3


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"n": 9}, "n: expected 1 to 8, got 9"),
        ({"n": True}, "n: expected a whole number"),
        ({"n": "3"}, "n: expected a whole number, got '3'"),
        ({"n": 2.5}, "n: expected a whole number"),
        ({"rate": -0.1}, "rate: expected 0 to 1"),
        ({"rate": math.nan}, "rate: expected 0 to 1"),
        ({"rate": math.inf}, "rate: expected 0 to 1"),
        ({"rate": None}, "rate: expected a number, got None"),
        ({"kind": "c"}, "kind: expected one of a, b"),
        ({"kind": ["a"]}, "kind: expected one of a, b"),
        ({"sizes": [1, 2, 3, 4]}, "sizes: expected 0 to 3 entries, got 4"),
        ({"sizes": [0]}, "sizes: expected 1 to 8, got 0"),
        ({"sizes": "1,2"}, "sizes: expected a list"),
        ({"other": 1}, "unknown setting 'other'"),
        ([1, 2], "settings: expected an object"),
        ({"kind": "x" * 100}, "..."),
    ],
)
def test_bad_values_are_refused_with_the_setting_named(changes, words):
    with pytest.raises(ParameterError) as error:
        checked(changes, RULES, CURRENT)
    assert words in str(error.value)
    assert len(str(error.value)) < 200


def test_message_types_come_from_a_fixed_list():
    assert message_type({"type": "play"}, ("play", "pause")) == "play"
    for bad in ({"type": "__import__"}, {}, "play", None, {"type": ["play"]}):
        with pytest.raises(ParameterError, match="expected a message with type one of play"):
            message_type(bad, ("play", "pause"))
