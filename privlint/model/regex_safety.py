"""Regular expressions written by the scanned code's authors, run safely by Python's backtracking engine.

Two dangers, both found from the parsed pattern rather than its text: a repetition that holds another
repetition or an alternation (``(a+)+``, ``(a|aa)*``: exponential on a near miss), and many unbounded
repetitions in a row (``a*a*a*a*b``: polynomial, with a large degree). ``may_backtrack`` refuses the first;
``search_cost`` bounds the second for a given text, so a caller can decline a search that costs too much.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from typing import Any

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # re's own parser, importable under this name in 3.10-3.13
    import sre_parse

MAX_STEPS = 50_000_000  # a search bounded above this is not run


@lru_cache(maxsize=256)
def _parsed(pattern: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FutureWarnings about the author's pattern are no concern of the reader
        return sre_parse.parse(pattern)


def _walk(items: Any, inside_repeat: bool) -> tuple[bool, int]:
    """(a repetition or alternation inside a repetition, the number of unbounded repetitions)."""
    nested, unbounded = False, 0
    for op, av in items:
        if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
            _low, high, sub = av
            many = high > 1
            if many and inside_repeat:
                nested = True
            unbounded += high == sre_parse.MAXREPEAT
            inner = _walk(sub, inside_repeat or many)
        elif op is sre_parse.SUBPATTERN:
            inner = _walk(av[-1], inside_repeat)
        elif op is sre_parse.BRANCH:
            nested = nested or inside_repeat
            found = [_walk(branch, inside_repeat) for branch in av[1]]
            inner = (any(n for n, _ in found), max((u for _, u in found), default=0))
        elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            inner = _walk(av[1], inside_repeat)
        else:
            continue
        nested, unbounded = nested or inner[0], unbounded + inner[1]
    return nested, unbounded


def may_backtrack(pattern: str) -> bool:
    """A repetition that holds another repetition or an alternation: exponential time on a near miss.

    ``pattern`` must compile (``re.compile``); a pattern too deep to parse counts as dangerous.
    """
    try:
        return _walk(_parsed(pattern), False)[0]
    except (RecursionError, OverflowError, re.error):
        return True


def search_cost(pattern: str, length: int) -> int:
    """A bound on the steps of a search of a text of ``length``: each unbounded repetition may try every position."""
    try:
        repetitions = _walk(_parsed(pattern), False)[1]
    except (RecursionError, OverflowError, re.error):
        return MAX_STEPS + 1
    return int((length + 1) ** (repetitions + 1))
