"""Operations whose result the known parts of a partly unknown value already decide, as in Terraform.

Expression text -> value, with unknown (``var.x`` with no value) and partial inputs; a row whose
result Terraform could not know must stay ``Unknown``.
"""

from __future__ import annotations

from typing import Any

import pytest

from privlint.core.values import Alternatives, Unknown
from tests.test_terraform_expressions import evaluate

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


@pytest.mark.parametrize(
    ("text", "variables", "expected"), EQUALITY, ids=[t for t, _, _ in EQUALITY]
)
def test_equality_the_known_parts_decide(
    text: str, variables: dict[str, Any], expected: bool
) -> None:
    assert evaluate(text, **variables) is expected


@pytest.mark.parametrize(
    ("text", "variables"), STILL_UNKNOWN, ids=[t for t, _ in STILL_UNKNOWN]
)
def test_equality_that_depends_on_an_unknown_stays_unknown(
    text: str, variables: dict[str, Any]
) -> None:
    value = evaluate(text, **variables)
    assert isinstance(value, Unknown) and not isinstance(value, Alternatives)


def test_an_undecided_comparison_names_the_input_it_depends_on() -> None:
    assert evaluate('var.region == "eu-west-1"').source == "var.region"
