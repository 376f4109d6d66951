"""Access to the data files shipped in ``privlint/data`` (lists and tables kept apart from code)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@cache
def load_json(name: str) -> Any:
    with open(DATA_DIR / name, encoding="utf-8") as handle:
        return json.load(handle)


@cache
def load_word_list(name: str) -> frozenset[str]:
    """A text file of one entry per line; '#' starts a comment. Entries are lower-cased."""
    words = set()
    with open(DATA_DIR / name, encoding="utf-8") as handle:
        for line in handle:
            entry = line.strip()
            if entry and not entry.startswith("#"):
                words.add(entry.lower())
    return frozenset(words)
