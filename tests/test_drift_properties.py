"""Hypothesis: for random before/after documents, the reported differences are exactly the changed paths."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privlint.config_drift.differences import Path, diff, diff_kinds, shown

scalars = st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=6)
documents = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text("abcxyz_", min_size=1, max_size=4), children, max_size=4),
    max_leaves=25,
)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def leaves(value: Any, path: Path = ()) -> dict[Path, Any]:
    """Every leaf by path: scalars, and empty containers (which are values of their own)."""
    if isinstance(value, dict) and value:
        out: dict[Path, Any] = {}
        for key, item in value.items():
            out.update(leaves(item, (*path, key)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for index, item in enumerate(value):
            out.update(leaves(item, (*path, index)))
        return out
    return {path: json.dumps(value, sort_keys=True)}


_ABSENT = object()


def at(doc: Any, path: Path) -> Any:
    for step in path:
        if isinstance(doc, dict) and isinstance(step, str) and step in doc or isinstance(doc, list) and isinstance(step, int) and step < len(doc):
            doc = doc[step]
        else:
            return _ABSENT
    return doc


def patched(before: Any, reported: list[tuple[Path, Any, Any, str]]) -> Any:
    """``before`` with every reported difference applied: must give ``after`` exactly."""
    doc = json.loads(json.dumps(before))
    root = {"doc": doc}
    ordered = sorted((d for d in reported if d[3] != "removed"), key=lambda d: [str(type(s)) + str(s).zfill(9) for s in d[0]])
    ordered += sorted((d for d in reported if d[3] == "removed"), key=lambda d: d[0], reverse=True)
    for path, _b, a, kind in ordered:
        full = ("doc", *path)
        parent = at(root, full[:-1])
        last = full[-1]
        if kind == "removed":
            del parent[last]
        elif isinstance(parent, list) and last == len(parent):
            parent.append(a)
        else:
            parent[last] = a
    return root["doc"]


@SETTINGS
@given(documents, documents)
def test_differences_are_exactly_the_changed_paths(before: Any, after: Any) -> None:
    reported = diff_kinds(before, after)
    # Complete: applying the differences to before gives after.
    assert patched(before, reported) == after
    # Exact: each reported path really differs, at the finest level (two mappings or two lists are
    # compared inside, never reported whole), and no path is reported twice or inside another.
    paths = [d[0] for d in reported]
    assert len(paths) == len(set(paths))
    for p in paths:
        assert not any(q != p and q[: len(p)] == p for q in paths)
    for path, _before, _after, kind in reported:
        old, new = at(before, path), at(after, path)
        assert (old is _ABSENT) == (kind == "added") and (new is _ABSENT) == (kind == "removed")
        if kind == "changed":
            assert json.dumps(old, sort_keys=True) != json.dumps(new, sort_keys=True) or type(old) is not type(new)
            assert not (isinstance(old, dict) and isinstance(new, dict)) and not (isinstance(old, list) and isinstance(new, list))
    assert (reported == []) == (json.dumps(before, sort_keys=True) == json.dumps(after, sort_keys=True))


def _set(doc: Any, path: Path, value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    copy = dict(doc) if isinstance(doc, dict) else list(doc)
    copy[head] = _set(copy[head], rest, value)  # type: ignore[index]
    return copy


@SETTINGS
@given(documents, st.randoms(use_true_random=False), st.integers(1, 4))
def test_changing_some_leaves_reports_exactly_those_paths(before: Any, rng: random.Random, count: int) -> None:
    paths = sorted(leaves(before), key=repr)
    chosen = rng.sample(paths, min(count, len(paths)))
    after = before
    for n, path in enumerate(chosen):
        after = _set(after, path, f"changed-{n}")  # a value no strategy generates
    assert {p for p, _b, _a in diff(before, after)} == set(chosen)


@SETTINGS
@given(documents, documents)
def test_added_and_removed_are_reported_with_their_side(before: Any, after: Any) -> None:
    for _path, b, a, kind in diff_kinds(before, after):
        if kind == "added":
            assert b is None
        if kind == "removed":
            assert a is None


@SETTINGS
@given(st.lists(scalars, max_size=6), st.randoms(use_true_random=False))
def test_lists_as_sets_ignore_order_but_not_membership(items: list[Any], rng: random.Random) -> None:
    shuffled = list(items)
    rng.shuffle(shuffled)
    assert diff({"grants": items}, {"grants": shuffled}, lists_as_sets=True) == []
    grown = [*shuffled, "new-grant"]
    assert [p for p, _b, _a in diff({"grants": items}, {"grants": grown}, lists_as_sets=True)] == [("grants",)]


# A "secret" that is part of the mask or of a key name is found in any output: not a leak.
_OUTPUT_WORDS = '"config": null, "password": "(sensitive)", "nested": [{"master_password": "(sensitive)"}]'


@SETTINGS
@given(documents, st.text(min_size=8, max_size=30).filter(lambda s: s.strip() and s not in _OUTPUT_WORDS))
def test_shown_values_never_contain_a_sensitive_or_credential_value(doc: Any, secret: str) -> None:
    wrapped = {"config": doc, "password": secret, "nested": [{"master_password": secret}]}
    safe, hidden = shown(wrapped)
    assert hidden and secret not in json.dumps(safe, ensure_ascii=False)
    all_sensitive, _ = shown(wrapped, True)
    assert all_sensitive == "(sensitive)"
