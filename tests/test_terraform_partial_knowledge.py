"""Operations whose result the known parts of a partly unknown value already decide, as in Terraform.

Expression text -> value, with unknown (``var.x`` with no value) and partial inputs; a row whose
result Terraform could not know must stay ``Unknown``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from privlint.model.values import (
    THIS_ACCOUNT_ID,
    Alternatives,
    PartialList,
    PartialString,
    Reference,
    Unknown,
)
from tests.test_terraform_expressions import evaluate
from tests.test_terraform_modules import load, resources

_MAP_WITH_AN_UNKNOWN = {"a": {"image": Unknown("data.aws_ssm_parameter.x")}}

EQUALITY = [
    # a collection is never null, whatever its elements hold
    ("var.m != null", {"m": _MAP_WITH_AN_UNKNOWN}, True),
    ("var.m == null", {"m": _MAP_WITH_AN_UNKNOWN}, False),
    ("null == var.m", {"m": _MAP_WITH_AN_UNKNOWN}, False),
    ("var.l != null", {"l": [Unknown("var.y")]}, True),
    ('"a-${var.u}" != null', {}, True),  # a template is never null
    ("concat([1], var.u) == null", {}, False),  # a list with unknown parts is a list
    # sizes, keys and a known differing element decide
    ("[var.u, 1] == [2]", {}, False),
    ("{a = var.u} == {b = 1}", {}, False),
    ("[var.u, 1] == [var.v, 2]", {}, False),
    ("{a = 1, b = var.u} != {a = 2, b = 3}", {}, True),
    # both branches of an unknown condition agree
    ('(var.c ? "x" : "y") != null', {}, True),
    ('(var.c ? "x" : "x") == "x"', {}, True),
]

STILL_UNKNOWN = [
    ("var.u == null", {}),
    ("var.u != null", {}),
    ("[var.u, 1] == [2, 1]", {}),
    ('(var.c ? "x" : "y") == "x"', {}),
    ("aws_iam_role.r.arn == null", {}),  # an attribute of a resource may be null
]


@pytest.mark.parametrize(("text", "variables", "expected"), EQUALITY, ids=[t for t, _, _ in EQUALITY])
def test_equality_the_known_parts_decide(text: str, variables: dict[str, Any], expected: bool) -> None:
    assert evaluate(text, **variables) is expected


@pytest.mark.parametrize(("text", "variables"), STILL_UNKNOWN, ids=[t for t, _ in STILL_UNKNOWN])
def test_equality_that_depends_on_an_unknown_stays_unknown(text: str, variables: dict[str, Any]) -> None:
    value = evaluate(text, **variables)
    assert isinstance(value, Unknown) and not isinstance(value, Alternatives)


def test_an_undecided_comparison_names_the_input_it_depends_on() -> None:
    assert evaluate('var.region == "eu-west-1"').source == "var.region"


ERRORS_REACH_TRY = [
    # an error stays an error through attribute access, operators and conditionals, so try() moves on
    ('try([][0].principal_id, "fallback")', "fallback"),
    ('try({}["k"].x.y, "fallback")', "fallback"),
    ('try([][0] == "a", "fallback")', "fallback"),
    ('try([][0] ? "a" : "b", "fallback")', "fallback"),
    ('try(-([][0]), "fallback")', "fallback"),
    ('try(true && [][0], "fallback")', "fallback"),
    (
        'try(aws_iam_role.r.arn, "fallback")',
        Reference(source="aws_iam_role.arn", address="aws_iam_role.r", attribute="arn"),
    ),
    # && and || short-circuit: what the left side decides, the right side's error cannot change
    ("false && [][0]", False),
    ("true || [][0]", True),
]


@pytest.mark.parametrize(("text", "expected"), ERRORS_REACH_TRY, ids=[t for t, _ in ERRORS_REACH_TRY])
def test_errors_reach_try(text: str, expected: Any) -> None:
    assert evaluate(text) == expected


CAUSES = [
    # an unknown result names the input it depends on
    ("{a = 1}[var.key]", "var.key"),
    ("var.m[var.key]", "var.key"),
    ("var.m[0]", "var.m"),
]


@pytest.mark.parametrize(("text", "cause"), CAUSES, ids=[t for t, _ in CAUSES])
def test_an_unknown_names_its_cause(text: str, cause: str) -> None:
    value = evaluate(text)
    assert isinstance(value, Unknown) and value.source == cause


INSTANCES = [
    # count / for_each under an undecided condition: every instance either branch creates
    ("count = var.on ? 2 : 0", ["r[0]", "r[1]"]),
    ("count = var.on ? 1 : 3", ["r[0]", "r[1]", "r[2]"]),
    ("for_each = var.on ? {a = 1} : {}", ['r["a"]']),
    (
        'for_each = var.on ? toset(["x", "y"]) : toset(["y", "z"])',
        ['r["x"]', 'r["y"]', 'r["z"]'],
    ),
    ("for_each = var.on ? {a = 1} : {a = 2}", ['r["a"]']),
    # still unknown: one instance, its count.index / each naming the input
    ("count = var.n", ["r"]),
    ("count = var.on ? var.n : 0", ["r"]),
]


@pytest.mark.parametrize(("meta", "addresses"), INSTANCES, ids=[m for m, _ in INSTANCES])
def test_instances_of_an_undecided_count(tmp_path: Path, meta: str, addresses: list[str]) -> None:
    text = f'variable "on" {{}}\nvariable "n" {{}}\nresource "aws_x" "r" {{\n  {meta}\n  i = try(count.index, each.key)\n}}\n'
    out = resources(load(tmp_path, {"main.tf": text}))
    assert sorted(out) == [f"aws_x.{a}" for a in addresses]


def test_each_value_of_a_key_that_differs_by_branch_is_both() -> None:
    from privlint.terraform.instance_keys import for_each_pairs

    pairs = for_each_pairs(Alternatives(source="var.on", options=({"a": 1}, {"a": 2, "b": 3})))
    assert pairs == [("a", Alternatives(source="var.on", options=(1, 2))), ("b", 3)]


def test_the_unknown_instance_of_an_unknown_count_names_the_input(
    tmp_path: Path,
) -> None:
    text = 'variable "n" {}\nvariable "m" {}\nresource "aws_x" "r" {\n  count = var.n\n  i = count.index\n}\nresource "aws_x" "s" {\n  for_each = var.m\n  k = each.key\n  v = each.value.x\n}\n'
    out = resources(load(tmp_path, {"main.tf": text}))
    assert out["aws_x.r"]["i"] == Unknown("var.n")
    assert out["aws_x.s"]["k"] == Unknown("var.m") and out["aws_x.s"]["v"] == Unknown("var.m")


def test_a_registry_module_output_is_named_as_the_cause(tmp_path: Path) -> None:
    text = 'module "label" {\n  source = "cloudposse/label/null"\n}\nresource "aws_x" "r" {\n  a = module.label.enabled && true\n  b = module.label.enabled ? "x" : "y"\n}\n'
    out = resources(load(tmp_path, {"main.tf": text}))["aws_x.r"]
    assert out["a"] == Unknown("module.label.enabled")
    assert out["b"] == Alternatives(source="module.label.enabled", options=("x", "y"))


TEMPLATE_CAUSES = [
    # a value built from a template with unknown parts depends on what those parts depend on
    ('regexall(":", "pf-${var.suffix}")', "var.suffix"),
    ('length(regexall(":", "pf-${var.suffix}")) > 0 ? "a" : "b"', "var.suffix"),
    ('"x-${aws_s3_bucket.b.id}-${var.suffix}" == "x"', "var.suffix"),
]


@pytest.mark.parametrize(("text", "cause"), TEMPLATE_CAUSES, ids=[t for t, _ in TEMPLATE_CAUSES])
def test_a_template_s_unknown_parts_are_the_cause(text: str, cause: str) -> None:
    value = evaluate(text)
    assert isinstance(value, Unknown) and value.source == cause


COMPACT = [
    # an element decided by an input: the function's result on each branch
    ('compact(["a", var.on ? "b" : "c"])', [["a", "b"], ["a", "c"]]),
    ('compact(["a", var.on ? "b" : ""])', [["a", "b"], ["a"]]),
    ('join("", ["sa:", var.on ? "x" : ""])', ["sa:x", "sa:"]),
    ('length(["a", var.on ? "b" : "c"])', 2),  # the same on every branch: known
]


@pytest.mark.parametrize(("text", "branches"), COMPACT, ids=[t for t, _ in COMPACT])
def test_an_undecided_list_element_gives_each_branch(text: str, branches: Any) -> None:
    value = evaluate(text)
    if isinstance(branches, list):
        assert isinstance(value, Alternatives) and value.source == "var.on"
        assert list(value.options) == branches
    else:
        assert value == branches


def test_compact_keeps_what_is_set_on_every_branch_when_the_branches_are_too_many() -> None:
    conditions = ", ".join(f'var.c{i} ? "sa:${{var.x}}" : "sa:${{var.y}}"' for i in range(4))
    value = evaluate(f'compact(["a", {conditions}])')  # 16 combinations: each element stays undecided
    assert isinstance(value, list) and len(value) == 5


def test_compact_cannot_keep_an_element_that_is_empty_on_one_branch_of_many() -> None:
    conditions = ", ".join(f'var.c{i} ? "b" : ""' for i in range(4))
    value = evaluate(f'compact(["a", {conditions}])')
    assert isinstance(value, PartialList) and value.known == ("a",)


JOIN = [
    # strings and references joined like a template
    ('join("", ["serviceAccount:", aws_iam_role.r.arn])', ("serviceAccount:", None)),
    ('join("/", ["a", aws_iam_role.r.arn, "b"])', ("a/", None, "/b")),
]


@pytest.mark.parametrize(("text", "parts"), JOIN, ids=[t for t, _ in JOIN])
def test_join_keeps_references_in_place(text: str, parts: tuple[str | None, ...]) -> None:
    value = evaluate(text)
    assert isinstance(value, PartialString) and value.parts == parts and value.references == ("aws_iam_role.r",)


def test_join_of_an_unknown_list_names_its_cause() -> None:
    assert evaluate('join(",", var.items)') == Unknown("var.items")


DATA_WITH_COUNT = [
    (
        "count = 1",
        'try(data.aws_caller_identity.current[0].account_id, "")',
        THIS_ACCOUNT_ID,
    ),
    (
        "count = var.on ? 1 : 0",
        'try(data.aws_caller_identity.current[0].account_id, "")',
        THIS_ACCOUNT_ID,
    ),
    (
        "count = var.unknown ? 1 : 0",
        "data.aws_caller_identity.current[0].account_id",
        THIS_ACCOUNT_ID,
    ),
    (
        "count = 0",
        'try(data.aws_caller_identity.current[0].account_id, "none")',
        "none",
    ),
    ("", "data.aws_caller_identity.current.account_id", THIS_ACCOUNT_ID),
]


@pytest.mark.parametrize(
    ("meta", "text", "expected"),
    DATA_WITH_COUNT,
    ids=[f"{m} {t}" for m, t, _ in DATA_WITH_COUNT],
)
def test_identity_data_sources_with_count_are_indexed(tmp_path: Path, meta: str, text: str, expected: str) -> None:
    main = f'variable "on" {{\n  default = true\n}}\nvariable "unknown" {{}}\ndata "aws_caller_identity" "current" {{\n  {meta}\n}}\nresource "aws_x" "r" {{\n  a = {text}\n}}\n'
    assert resources(load(tmp_path, {"main.tf": main}))["aws_x.r"]["a"] == expected


def test_an_unknown_principal_type_keeps_its_cause() -> None:
    from privlint.normalize.terraform_policy_document import statement_block

    raw = {
        "actions": ["sts:AssumeRole"],
        "principals": [{"type": Unknown("var.principals"), "identifiers": ["x"]}],
    }
    assert statement_block(raw)["Principal"] == {"Unknown": [Unknown("var.principals")]}


@pytest.mark.parametrize("count", ["1e999", "-1e999", "var.on ? 1e999 : 1", "true", '"x"'])
def test_a_count_that_is_not_a_number_is_one_unknown_instance(tmp_path: Path, count: str) -> None:
    text = f'variable "on" {{}}\nresource "aws_x" "r" {{\n  count = {count}\n}}\n'
    assert sorted(resources(load(tmp_path, {"main.tf": text}))) == ["aws_x.r"]


def test_an_undeclared_module_is_an_error_not_an_input(tmp_path: Path) -> None:
    text = 'resource "aws_x" "r" {\n  a = try(module.nowhere.arn, "fallback")\n}\n'
    assert resources(load(tmp_path, {"main.tf": text}))["aws_x.r"]["a"] == "fallback"


WHOLE_OBJECTS = [
    # a resource instance that exists is never null; only its attributes may be
    ("try(aws_iam_role.r[0], null) != null", True),
    ("try(aws_iam_role.r[0], null) == null", False),
    (
        "try(aws_iam_role.none[0], null) == null",
        True,
    ),  # count = 0: no instance, try() falls back
    (
        'try(aws_iam_role.r[0], null) != null ? "serviceAccount:${aws_iam_role.r[0].arn}" : "static"',
        None,
    ),
]


@pytest.mark.parametrize(("text", "expected"), WHOLE_OBJECTS, ids=[t for t, _ in WHOLE_OBJECTS])
def test_a_whole_resource_object_is_not_null(tmp_path: Path, text: str, expected: Any) -> None:
    main = f'resource "aws_iam_role" "r" {{\n  count = 1\n}}\nresource "aws_iam_role" "none" {{\n  count = 0\n}}\nresource "aws_x" "x" {{\n  v = {text}\n}}\n'
    value = resources(load(tmp_path, {"main.tf": main}))["aws_x.x"]["v"]
    if expected is None:
        assert isinstance(value, PartialString) and value.parts == (
            "serviceAccount:",
            None,
        )
    else:
        assert value is expected


def test_an_attribute_compared_with_null_depends_on_the_provider(
    tmp_path: Path,
) -> None:
    main = 'resource "aws_iam_role" "r" {}\nresource "aws_x" "x" {\n  v = aws_iam_role.r.arn == null\n}\n'
    assert resources(load(tmp_path, {"main.tf": main}))["aws_x.x"]["v"] == Unknown("aws_iam_role.r.arn")


_LEAVES = hs.none() | hs.booleans() | hs.integers(-3, 3) | hs.sampled_from(["", "a", "b"])
_VALUES = hs.recursive(
    _LEAVES,
    lambda inner: hs.lists(inner, max_size=3) | hs.dictionaries(hs.sampled_from(["k", "l"]), inner, max_size=2),
    max_leaves=8,
)


def _masked(value: Any, mask: Any) -> Any:
    """``value`` with some parts replaced by an unknown, as the draws of ``mask`` choose."""
    if mask.draw(hs.integers(0, 3)) == 0:
        return Unknown("var.x")
    if isinstance(value, list):
        return [_masked(v, mask) for v in value]
    if isinstance(value, dict):
        return {k: _masked(v, mask) for k, v in value.items()}
    return value


@settings(max_examples=300, deadline=None)
@given(_VALUES, _VALUES, hs.booleans(), hs.data())
def test_equality_decided_from_known_parts_agrees_with_the_whole_values(left: Any, right: Any, same: bool, mask: Any) -> None:
    """Soundness: when equality is decided with some parts unknown, it is what the whole values give."""
    from privlint.terraform import operations as ops

    other = left if same else right  # equal values half of the time
    decided = ops.binary("==", _masked(left, mask), _masked(other, mask))
    if isinstance(decided, bool):
        assert decided is ops.binary("==", left, other)


EXPANDED_ARGUMENTS = [
    # f(list...) with an error or an unknown in place of the list
    ("try(merge(flatten(null)...), {})", {}),
    ('try(merge("x"...), {})', {}),
]


@pytest.mark.parametrize(("text", "expected"), EXPANDED_ARGUMENTS, ids=[t for t, _ in EXPANDED_ARGUMENTS])
def test_an_expanded_argument_that_fails_is_an_error(text: str, expected: Any) -> None:
    assert evaluate(text) == expected


def test_an_expanded_unknown_list_names_its_cause() -> None:
    assert evaluate("merge(var.maps...)") == Unknown("var.maps")


def test_a_for_each_terraform_rejects_names_the_input_it_reads(tmp_path: Path) -> None:
    text = 'variable "configs" {\n  default = null\n}\nresource "aws_x" "r" {\n  for_each = { for k, v in var.configs : k => v }\n  v = each.value\n}\n'
    assert resources(load(tmp_path, {"main.tf": text}))["aws_x.r"]["v"] == Unknown("var.configs")


def test_an_object_with_a_key_from_an_input_names_it() -> None:
    assert evaluate('{ (var.project_id) = ["roles/logging.logWriter"] }') == Unknown("var.project_id")
    assert evaluate('try({ ([][0]) = 1 }, "fallback")') == "fallback"


def test_a_long_run_of_digits_parses_in_linear_time() -> None:
    import time

    from privlint.parsers.hcl_front_end import parse_hcl

    started = time.process_time()
    parse_hcl("x = " + "9" * 200_000 + "\n")
    assert time.process_time() - started < 2.0  # a search from every digit was quadratic (minutes)
