"""The Terraform expression evaluator: expression text -> value, construct by construct.

Each row is checked against Terraform's documented semantics; unknown inputs (``var.x`` with no value)
must give an ``Unknown`` that keeps what is known of it, never a guess.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from privlint.model.values import PartialList, PartialString, Reference, Unknown
from privlint.parsers.hcl_front_end import parse_hcl
from privlint.terraform.expressions import Evaluator, Step, walk


class _Scope:
    """``var.NAME`` from a dict (absent: unknown); any other root is a resource reference."""

    def __init__(self, variables: dict[str, Any] | None = None) -> None:
        self.variables = variables or {}

    def lookup(self, root: str, steps: list[Step], line: int) -> Any:
        if root == "var":
            name = steps[0][1]
            value = self.variables[name] if name in self.variables else Unknown(f"var.{name}")
            return walk(value, steps[1:])
        return walk(Reference(source=root, address=f"{root}.{steps[0][1]}"), steps[1:])

    def call(self, name: str, args: list[Any], line: int) -> Any:
        return NotImplemented


def evaluate(text: str, **variables: Any) -> Any:
    parsed = parse_hcl(f"x = {text}\n")
    assert not parsed.problems, parsed.problems
    return Evaluator(_Scope(variables)).evaluate(parsed.body.attributes["x"].expr)


KNOWN = [
    # literals and arithmetic, with Terraform's single number type
    ("1", 1),
    ("1.5", 1.5),
    ("null", None),
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("5 / 2", 2.5),
    ("4 / 2", 2),
    ("7 % 3", 1),
    ("-7 % 3", -1),
    ('"1" + "2"', 3),  # arithmetic converts numeric strings; there is no string concatenation
    ("-(3)", -3),
    ("!true", False),
    ("2 > 1", True),
    ("1 >= 1 && 2 <= 1", False),
    ('1 == "1"', False),
    ('"a" == "a"', True),
    ("[1, 2] == [1, 2]", True),
    ("false && var.unknown", False),
    ("true || var.unknown", True),
    # templates
    ('"a${"b"}c"', "abc"),
    ('"n=${1 + 1}"', "n=2"),
    ('"$${literal}"', "${literal}"),
    ('"%%{literal}"', "%{literal}"),
    ('"%{ if true }yes%{ else }no%{ endif }"', "yes"),
    ('"%{ if 1 > 2 }yes%{ else }no%{ endif }"', "no"),
    ('"%{ for x in [1, 2] }${x},%{ endfor }"', "1,2,"),
    ('"${true}"', True),  # a lone interpolation is the value itself
    ('"v: ${true}"', "v: true"),
    # collections, access and splats
    ("{a = {b = [1, 2]}}.a.b[1]", 2),
    ('{"k" = 1}["k"]', 1),
    ("[10, 20].1", 20),
    ("[{a = 1}, {a = 2}][*].a", [1, 2]),
    ("[{a = 1}, {a = 2}].*.a", [1, 2]),
    ("{a = 1}[*].a", [1]),
    ("null[*]", []),
    # conditionals
    ("true ? 1 : 2", 1),
    ('var.unknown ? "same" : "same"', "same"),
    # for expressions
    ("[for x in [1, 2, 3] : x * 2]", [2, 4, 6]),
    ('[for i, x in ["a", "b"] : "${i}${x}"]', ["0a", "1b"]),
    ("[for x in [1, 2, 3] : x if x > 1]", [2, 3]),
    ("{for k, v in {b = 2, a = 1} : v => k}", {"1": "a", "2": "b"}),
    ('{for x in ["a", "b", "a"] : x => x...}', {"a": ["a", "a"], "b": ["b"]}),
    ("[for k, v in {b = 2, a = 1} : k]", ["a", "b"]),  # maps iterate in key order
    # try and can: an error moves on, an unknown value is a value
    ('try({a = 1}.b, "fallback")', "fallback"),
    ("can({a = 1}.b)", False),
    ("can({a = 1}.a)", True),
]


@pytest.mark.parametrize(("text", "expected"), KNOWN, ids=[t for t, _ in KNOWN])
def test_known_values(text: str, expected: Any) -> None:
    value = evaluate(text)
    assert value == expected and (type(value) is type(expected) or isinstance(expected, dict) and isinstance(value, dict))


def test_variables_are_read_from_the_scope() -> None:
    assert evaluate("var.actions[0]", actions=["iam:PassRole"]) == "iam:PassRole"
    assert evaluate('var.on ? "*" : "s3:GetObject"', on=True) == "*"


def test_an_unknown_variable_stays_unknown_never_a_guess() -> None:
    for text in ("var.x", "var.x + 1", 'var.x ? "a" : "b"', "var.x[0]", "!var.x"):
        assert isinstance(evaluate(text), Unknown), text


def test_references_survive_try_splats_and_templates() -> None:
    ref = evaluate('try(aws_iam_role.r.arn, "")')
    assert isinstance(ref, Reference) and ref.address == "aws_iam_role.r" and ref.attribute == "arn"
    assert evaluate("can(aws_iam_role.r.arn)") is True
    listed = evaluate("[aws_iam_role.r][*].arn")
    assert isinstance(listed[0], Reference) and listed[0].attribute == "arn"
    text = evaluate('"AWS: ${aws_iam_user.u.arn}"')
    assert isinstance(text, PartialString) and text.references == ("aws_iam_user.u",)
    assert text.parts == ("AWS: ", None) and isinstance(text.holes[0], Reference)


def test_a_for_expression_over_a_partly_known_list_keeps_the_known_elements() -> None:
    value = evaluate("[for a in var.x : upper(a)]", x=PartialList(known=("s3:getobject",)))
    assert isinstance(value, PartialList)


def test_an_unknown_filter_keeps_the_certain_elements_and_marks_the_rest_unknown() -> None:
    value = evaluate("[for x in [1, 2] : x if var.keep]")
    assert isinstance(value, PartialList) and value.known == ()
    value = evaluate("[for x in [1, 2] : x if x == 1 || var.keep]")
    assert isinstance(value, PartialList) and value.known == (1,)


def test_errors_are_unknown_never_exceptions() -> None:
    for text in ("1 / 0", '"a" + 1', "[1][5]", "{a = 1}.b", "true && 1"):
        assert isinstance(evaluate(text), Unknown), text


def test_a_huge_number_is_bounded() -> None:
    parsed = parse_hcl(f"x = {'9' * 5000} * {'9' * 5000}\n")
    assert parsed.problems and all("number too long" in p.message for p in parsed.problems)
    assert isinstance(Evaluator(_Scope()).evaluate(parsed.body.attributes["x"].expr), Unknown)


_literals = hs.recursive(
    hs.none()
    | hs.booleans()
    | hs.integers(-(10**12), 10**12)
    | hs.text(hs.characters(codec="utf-8", exclude_categories=("Cc", "Cs"), exclude_characters='"\\$%{}'), max_size=12),
    lambda inner: hs.lists(inner, max_size=4) | hs.dictionaries(hs.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True), inner, max_size=4),
    max_leaves=12,
)


def _render(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\n", "\\n").replace("\t", "\\t") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    return "{" + ", ".join(f"{k} = {_render(v)}" for k, v in value.items()) + "}"


@settings(max_examples=150, deadline=None)
@given(_literals)
def test_an_expression_built_from_literals_evaluates_to_them(value: Any) -> None:
    assert evaluate(_render(value)) == value
    assert evaluate(f"[for v in [{_render(value)}] : v][0]") == value
    assert evaluate(f"true ? {_render(value)} : null") == value
