"""How many instances ``count`` and ``for_each`` make, and their keys, from an evaluated value.

An undecided conditional (``var.on ? 2 : 0``) makes every instance either branch would: each is
linted, as the branches of any other undecided value are. Pure module.
"""

from __future__ import annotations

import math
from typing import Any

from privlint.model import values as v
from privlint.model.values import Unknown
from privlint.terraform import operations as ops


def largest_count(value: Any) -> int | Unknown:
    """A ``count``; of an undecided conditional's numbers, the largest, so every instance is linted."""
    options = value.options if isinstance(value, v.Alternatives) else (value,)
    numbers: list[int | float] = []
    for option in options:
        number = ops.to_number(option)
        if isinstance(number, Unknown):
            return ops.unknown("count", number, value)
        if not math.isfinite(number):
            return ops.EvaluationError("count is not a finite number")
        numbers.append(number)
    return max(0, int(max(numbers)))


def for_each_pairs(value: Any) -> list[tuple[str, Any]] | None:
    """``(each.key, each.value)`` of a ``for_each``; of an undecided conditional's collections, every key."""
    options = value.options if isinstance(value, v.Alternatives) else (value,)
    found: dict[str, list[Any]] = {}
    for option in options:
        if isinstance(option, dict) and not isinstance(option, Unknown):
            pairs = [(str(k), option[k]) for k in option]
        elif isinstance(option, list) and all(isinstance(i, str) for i in option):
            pairs = [(k, k) for k in option]
        else:
            return None
        for key, item in pairs:
            if item not in found.setdefault(key, []):
                found[key].append(item)
    cause = value.source if isinstance(value, v.Alternatives) else ""
    return [(k, found[k][0] if len(found[k]) == 1 else ops.alternatives(cause, *found[k])) for k in sorted(found)]
