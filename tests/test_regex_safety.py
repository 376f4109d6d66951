"""Patterns from the scanned code are judged from their parsed form: nested repetition is refused, and a
search is bounded by its cost on the text at hand (both the Terraform regex functions and change registers use it)."""

from __future__ import annotations

import pytest

from privlint.model.regex_safety import MAX_STEPS, may_backtrack, search_cost


@pytest.mark.parametrize(
    ("pattern", "dangerous"),
    [
        (r"^(CHG|OCR|[A-Z]+)-\d+$", False),
        (r"(?:x|y)+", False),  # one character class in disguise
        (r"\d{1,5}", False),
        (r"(a+)+$", True),
        (r"^(\w+\s?)*$", True),
        (r"(a|aa)*b", True),
        (r"^([A-Z]{2,5}-)+\d+$", True),
        (r"(?=(a+)+)", True),  # inside a lookahead too
        ("(" * 400 + "a" + ")" * 400, False),  # deep, but nothing repeats
    ],
)
def test_nested_repetition_and_alternation_under_a_repeat_are_dangerous(pattern: str, dangerous: bool) -> None:
    assert may_backtrack(pattern) is dangerous


def test_many_unbounded_repetitions_in_a_row_cost_too_much_on_a_long_text() -> None:
    adjacent = "a*" * 10 + "b"
    assert not may_backtrack(adjacent)
    assert search_cost(adjacent, 150) > MAX_STEPS
    assert search_cost(r"^[A-Z]+-\d+$", 30) <= MAX_STEPS
