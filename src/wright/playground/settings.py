"""Checking what a page sends: each setting has a rule (a range, a set of choices, a list length),
and anything else comes back as a ParameterError whose text the page shows."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class ParameterError(ValueError):
    """A value from the page of the wrong type or out of range; its text is shown on the page."""


@dataclass(frozen=True)
class Integer:
    """A whole number from `low` to `high` inclusive."""

    low: int
    high: int

    def check(self, name: str, value: Any) -> int:
        """`value` as an int, or ParameterError naming the setting."""
        # JSON's true/false arrive as bool, a subclass of int: refuse them as numbers.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ParameterError(f"{name}: expected a whole number, got {_shown(value)}")
        if not self.low <= value <= self.high:
            raise ParameterError(f"{name}: expected {self.low} to {self.high}, got {value}")
        return value


@dataclass(frozen=True)
class Number:
    """A finite number from `low` to `high` inclusive."""

    low: float
    high: float

    def check(self, name: str, value: Any) -> float:
        """`value` as a float, or ParameterError naming the setting."""
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ParameterError(f"{name}: expected a number, got {_shown(value)}")
        if not math.isfinite(value) or not self.low <= value <= self.high:
            raise ParameterError(f"{name}: expected {self.low:g} to {self.high:g}, got {value:g}")
        return float(value)


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of strings."""

    options: tuple[str, ...]

    def check(self, name: str, value: Any) -> str:
        """`value` if it is one of the options, else ParameterError listing them."""
        if not isinstance(value, str) or value not in self.options:
            raise ParameterError(
                f"{name}: expected one of {', '.join(self.options)}; got {_shown(value)}"
            )
        return value


@dataclass(frozen=True)
class ListOf:
    """A list of `shortest` to `longest` values, each following the rule `item`."""

    item: Integer | Number
    shortest: int
    longest: int

    def check(self, name: str, value: Any) -> list:
        """`value` as a list of checked items, or ParameterError naming the setting."""
        if not isinstance(value, list):
            raise ParameterError(f"{name}: expected a list of numbers, got {_shown(value)}")
        if not self.shortest <= len(value) <= self.longest:
            raise ParameterError(
                f"{name}: expected {self.shortest} to {self.longest} entries, got {len(value)}"
            )
        return [self.item.check(name, item) for item in value]


Rule = Integer | Number | Choice | ListOf


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def checked(changes: Any, rules: Mapping[str, Rule], current: Mapping[str, Any]) -> dict[str, Any]:
    """The settings `current` updated with `changes`, every changed value checked by its rule.

    Args:
        changes: what the page sent: a mapping from setting names to values.
        rules: the rule for each known setting.
        current: the settings in force (already valid).

    Returns:
        a new dict; `current` is left alone.

    Raises:
        ParameterError: `changes` is not a mapping, names an unknown setting, or holds a bad value.
    """
    if not isinstance(changes, Mapping):
        raise ParameterError(f"settings: expected an object of name: value, got {_shown(changes)}")
    unknown = sorted(str(name) for name in changes if name not in rules)
    if unknown:
        raise ParameterError(
            f"unknown setting {_shown(unknown[0])}; known: {', '.join(sorted(rules))}"
        )
    return {**current, **{name: rules[name].check(name, value) for name, value in changes.items()}}


def message_type(message: Any, allowed: tuple[str, ...]) -> str:
    """The `type` of a message from the page, which must be one of `allowed`."""
    kind = message.get("type") if isinstance(message, Mapping) else None
    if kind not in allowed:
        raise ParameterError(
            f"expected a message with type one of {', '.join(allowed)}; got {_shown(kind)}"
        )
    return kind
