"""CloudFormation's intrinsic functions and conditions, table-driven: template fragment -> value."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from privlint.model.values import (
    THIS_ACCOUNT_ID,
    THIS_REGION,
    Alternatives,
    PartialList,
    PartialString,
    Reference,
    Unknown,
)
from privlint.normalize.cfn_conditions import evaluate_condition, settle
from privlint.normalize.cfn_context import NO_VALUE, TemplateContext, resolve
from privlint.normalize.cfn_language_extensions import expand_for_each
from privlint.normalize.cfn_values import template_context
from privlint.parsers.cloudformation import load_yaml

TEMPLATE = """
Parameters:
  Env: {Type: String, Default: dev, AllowedValues: [dev, prod]}
  Stage: {Type: String, Default: beta}
  Open: {Type: String}
  Zones: {Type: CommaDelimitedList, Default: "a,b,c"}
Mappings:
  Partitions:
    aws: {Suffix: amazonaws.com}
    aws-cn: {Suffix: amazonaws.com.cn}
  Regions:
    us-east-1: {Ami: ami-1}
    eu-west-1: {Ami: ami-2}
  Admins:
    dev: {Action: "s3:GetObject"}
    prod: {Action: "*"}
Conditions:
  IsBeta: !Equals [!Ref Stage, beta]
  IsProd: !Equals [!Ref Env, prod]
  IsOpen: !Equals [!Ref Open, "yes"]
  NotBeta: !Not [!Condition IsBeta]
  BetaOrProd: !Or [!Condition IsBeta, !Condition IsProd]
  BetaAndProd: !And [!Condition IsBeta, !Condition IsProd]
  NotBetaAndProd: !And [!Condition NotBeta, !Condition IsProd]
  Loop: !Condition Loop2
  Loop2: !Not [!Condition Loop]
  NumberText: !Equals [1, "1"]
  InVirginia: !Equals [!Ref "AWS::Region", us-east-1]
  Commercial: !Equals [!Ref "AWS::Partition", aws]
Resources:
  Bucket: {Type: AWS::S3::Bucket}
"""


@lru_cache(maxsize=1)
def _template() -> dict[str, Any]:
    parsed: dict[str, Any] = load_yaml(TEMPLATE)
    return parsed


def _ctx() -> TemplateContext:
    return template_context(_template())


def value_of(fragment: str) -> Any:
    return resolve(load_yaml(f"v: {fragment}")["v"], _ctx())


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("!Ref Stage", "beta"),
        (
            "!Ref Env",
            "dev",
        ),  # a value is its default; only conditions treat AllowedValues as an input
        ("!Ref Zones", ["a", "b", "c"]),
        ("!Ref AWS::AccountId", THIS_ACCOUNT_ID),
        ("!Ref AWS::Region", THIS_REGION),
        ("!Ref AWS::Partition", "aws"),
        ("!Ref AWS::URLSuffix", "amazonaws.com"),
        (
            "!Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'",
            f"arn:aws:iam::{THIS_ACCOUNT_ID}:root",
        ),
        ("!Sub ['${A}-${Stage}', {A: x}]", "x-beta"),
        ("!Join ['-', [a, !Ref Stage, c]]", "a-beta-c"),
        ("!Select [1, [a, b, c]]", "b"),
        ("!Select ['2', !Ref Zones]", "c"),
        ("!Split [',', 'a,b']", ["a", "b"]),
        ("!Select [0, !Split ['/', 'x/y']]", "x"),
        ("!Base64 hello", "aGVsbG8="),
        ("!Cidr ['10.0.0.0/16', 2, 8]", ["10.0.0.0/24", "10.0.1.0/24"]),
        ("!Length [a, b, c]", 3),
        ("!ToJsonString {a: [1, 2]}", '{"a":[1,2]}'),
        ("!FindInMap [Partitions, !Ref AWS::Partition, Suffix]", "amazonaws.com"),
        ("!FindInMap [Admins, nobody, Action, {DefaultValue: none}]", "none"),
        ("!If [IsBeta, picked, other]", "picked"),
        ("!If [NotBeta, other, picked]", "picked"),
        ("!If [BetaOrProd, picked, other]", "picked"),
        ("!If [NumberText, picked, other]", "picked"),
        ("[a, !If [IsBeta, !Ref AWS::NoValue, b], c]", ["a", "c"]),
        ("{Keep: 1, Drop: !Ref AWS::NoValue}", {"Keep": 1}),
        ("!If [IsOpen, same, same]", "same"),
    ],
)
def test_known_values(fragment: str, expected: Any) -> None:
    assert value_of(fragment) == expected


@pytest.mark.parametrize(
    ("fragment", "kind"),
    [
        ("!Ref Open", Unknown),
        ("!Ref AWS::StackName", Unknown),
        ("!GetAZs ''", PartialList),
        ("!Select [0, !GetAZs '']", Unknown),
        ("!ImportValue shared-role", Unknown),
        ("!GetAtt Bucket.Arn", Reference),
        ("!Ref Bucket", Reference),
        ("!Sub '${Bucket.Arn}/*'", PartialString),
        ("!Sub 'arn:aws:s3:::${AWS::StackName}'", PartialString),
        ("!If [IsProd, a, b]", Alternatives),
        ("!FindInMap [Admins, !Ref Open, Action]", Alternatives),
        ("!FindInMap [Regions, !Ref AWS::Region, Ami]", Alternatives),
        ("!ToJsonString {Resource: !GetAtt Bucket.Arn}", PartialString),
    ],
)
def test_unknown_values(fragment: str, kind: type) -> None:
    assert type(value_of(fragment)) is kind


def test_no_value_is_removed() -> None:
    assert value_of("!Ref AWS::NoValue") is NO_VALUE


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("IsBeta", True),
        ("NotBeta", False),
        ("BetaOrProd", True),
        ("NumberText", True),
        ("Commercial", True),
    ],
)
def test_decided_conditions(name: str, expected: bool) -> None:
    assert evaluate_condition(name, _ctx()) is expected


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("IsProd", "parameter Env"),
        ("IsOpen", "parameter Open"),
        ("BetaAndProd", "parameter Env"),
        ("InVirginia", "AWS::Region"),
    ],
)
def test_undecided_conditions_name_their_input(name: str, source: str) -> None:
    value = evaluate_condition(name, _ctx())
    assert isinstance(value, Unknown) and source in value.source


def test_false_conjunct_decides_without_the_unknown_one() -> None:
    assert evaluate_condition("NotBetaAndProd", _ctx()) is False


@pytest.mark.parametrize(
    ("fragment", "problem"),
    [
        ("!If [Loop, a, b]", "depends on itself"),
        ("!If [Missing, a, b]", "not defined"),
        ("!Select [5, [a, b]]", "out of range"),
        ("!Select [x, [a, b]]", "index"),
        ("!Split [1, 2]", "Fn::Split expects"),
        ("!Join [only-one]", "Fn::Join expects"),
        ("!Cidr ['10.0.0.0/16', 999, 8]", "Fn::Cidr expects"),
        ("!FindInMap [Nowhere, a, b]", "does not exist"),
        ("!FindInMap [Admins, nobody, Action]", "no entry"),
        ("!Length notalist", "Fn::Length expects"),
    ],
)
def test_bad_arguments_are_problems_with_unknown_values(fragment: str, problem: str) -> None:
    ctx = _ctx()
    value = resolve(load_yaml(f"v: {fragment}")["v"], ctx)
    assert isinstance(value, Unknown)
    assert any(problem in message for _, _, message in ctx.problems), ctx.problems


def _settled(fragment: str) -> Any:
    return settle(resolve(load_yaml(f"v: {fragment}")["v"], _ctx()))


def test_undecided_statement_keeps_both_branches_marked() -> None:
    statements = _settled("[{Effect: Allow, Action: !If [IsProd, '*', 's3:GetObject'], Resource: '*'}]")
    assert [s["Action"] for s in statements] == ["*", "s3:GetObject"]
    assert statements[0].depends_on == "condition IsProd is true, from parameter Env"
    assert statements[1].depends_on == "condition IsProd is false, from parameter Env"


def test_undecided_list_element_is_spliced_and_no_value_dropped() -> None:
    statements = _settled("[{Sid: a}, !If [IsOpen, {Sid: b}, !Ref AWS::NoValue]]")
    assert [s["Sid"] for s in statements] == ["a", "b"]
    assert statements[0].depends_on is None and "IsOpen is true" in statements[1].depends_on


def test_undecided_document_unites_the_statements_of_both() -> None:
    value = _settled("{Doc: !If [IsProd, {Statement: [{Sid: p}]}, {Statement: [{Sid: d}]}], Name: x}")
    assert value["Name"] == "x"
    assert [s["Sid"] for s in value["Doc"]["Statement"]] == ["p", "d"]


def test_unknown_mapping_key_gives_every_entry() -> None:
    statements = _settled("[{Effect: Allow, Action: !FindInMap [Admins, !Ref Open, Action]}]")
    assert sorted(s["Action"] for s in statements) == ["*", "s3:GetObject"]
    assert all("parameter Open" in s.depends_on for s in statements)


# ----------------------------------------------------------------------------- Fn::ForEach


def _expanded(text: str) -> tuple[dict[str, Any], TemplateContext]:
    template = load_yaml(text)
    ctx = template_context(template)
    return expand_for_each(template, ctx), ctx


def test_for_each_expands_keys_refs_and_subs() -> None:
    template, _ = _expanded(
        """
Parameters:
  Names: {Type: CommaDelimitedList, Default: "a-1,b.2"}
Resources:
  Fn::ForEach::Loop:
    - Name
    - !Ref Names
    - "Topic&{Name}":
        Type: AWS::SNS::Topic
        Properties: {TopicName: !Ref Name, DisplayName: !Sub "t-${Name}"}
"""
    )
    resources = template["Resources"]
    assert sorted(resources) == ["Topica1", "Topicb2"]
    assert resources["Topica1"]["Properties"] == {
        "TopicName": "a-1",
        "DisplayName": {"Fn::Sub": "t-a-1"},
    }


def test_nested_for_each() -> None:
    template, _ = _expanded(
        """
Resources:
  Fn::ForEach::Outer:
    - X
    - [a, b]
    - Fn::ForEach::Inner:
        - Y
        - [c, d]
        - "${X}${Y}": {Type: AWS::SNS::Topic}
"""
    )
    assert sorted(template["Resources"]) == ["ac", "ad", "bc", "bd"]


@pytest.mark.parametrize(
    ("loop", "problem"),
    [
        ("[X, !Ref Missing, {'${X}': {Type: AWS::SNS::Topic}}]", "not a list"),
        ("[X, [a]]", "expects"),
        (
            "[X, !Split [',', !Join [',', !Ref Many]], {'${X}': {Type: AWS::SNS::Topic}}]",
            "more than 1000",
        ),
    ],
)
def test_bad_for_each_is_a_problem(loop: str, problem: str) -> None:
    many = ",".join(f"n{i}" for i in range(1500))
    template, ctx = _expanded(
        f"""
Parameters:
  Many: {{Type: CommaDelimitedList, Default: "{many}"}}
Resources:
  Kept: {{Type: AWS::SNS::Topic}}
  Fn::ForEach::Loop: {loop}
"""
    )
    assert "Kept" in template["Resources"]
    assert len(template["Resources"]) <= 1000
    assert any(problem in message for _, _, message in ctx.problems), ctx.problems


def test_bad_values_do_not_hide_other_findings(tmp_path: Any) -> None:
    import privlint

    path = tmp_path / "t.yaml"
    path.write_text(
        """AWSTemplateFormatVersion: '2010-09-09'
Conditions:
  A: !Condition B
  B: !Condition A
Resources:
  Broken:
    Type: AWS::IAM::ManagedPolicy
    Condition: A
    Properties:
      PolicyDocument:
        Statement:
          - {Effect: Allow, Action: !Select [9, [a]], Resource: !Split [1], NotResource: !Cidr [x, y, z]}
  Wide:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - {Effect: Allow, Action: "iam:*", Resource: "*"}
"""
    )
    findings = privlint.scan([str(path)]).findings
    assert any(f.rule_id == "PL201" and f.resource == "Wide" for f in findings)
    problems = [f for f in findings if f.rule_id == "PL000"]
    assert problems and all(f.file == str(path) and f.line > 1 for f in problems)


def test_for_each_in_conditions_and_outputs() -> None:
    template, _ = _expanded(
        """
Conditions:
  Fn::ForEach::Envs:
    - Env
    - [dev, prod]
    - "Is${Env}": !Equals [!Ref "AWS::StackName", !Ref Env]
Resources:
  Topic: {Type: AWS::SNS::Topic}
Outputs:
  Fn::ForEach::Out:
    - Name
    - [a]
    - "Out${Name}": {Value: !Sub "${Name}-x"}
"""
    )
    assert sorted(template["Conditions"]) == ["Isdev", "Isprod"]
    assert template["Conditions"]["Isprod"] == {"Fn::Equals": [{"Ref": "AWS::StackName"}, "prod"]}
    assert template["Outputs"] == {"Outa": {"Value": {"Fn::Sub": "a-x"}}}


def test_sub_of_a_macro_result_is_unknown_without_a_problem() -> None:
    ctx = _ctx()
    value = resolve(load_yaml("v: {'Fn::Sub': {'Fn::Transform': {Name: M}}}")["v"], ctx)
    assert isinstance(value, Unknown) and not ctx.problems


# ----------------------------------------------------------------------------- properties

_TEXT = st.text(alphabet="abcxyz:*-/", min_size=1, max_size=8)
_LITERALS = st.recursive(
    st.one_of(_TEXT, st.integers(0, 99), st.booleans()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(_TEXT.map(lambda t: "K" + t), inner, max_size=3),
    ),
    max_leaves=8,
)


def _wrapped(value: Any, choice: int) -> Any:
    """The same literal behind functions whose result is decided: a decided Fn::If, Fn::Select, Fn::Join..."""
    if choice == 0:
        return {"Fn::If": ["IsBeta", value, {"Ref": "Open"}]}
    if choice == 1:
        return {"Fn::If": ["NotBeta", {"Ref": "Open"}, value]}
    if choice == 2:
        return {"Fn::Select": [1, [{"Ref": "Open"}, value]]}
    if choice == 3 and isinstance(value, str):
        return {"Fn::Join": ["", [value[:1], value[1:]]]}
    if choice == 4 and isinstance(value, str) and "$" not in value:
        return {"Fn::Sub": value}
    return value


@given(_LITERALS, st.integers(0, 4))
def test_decided_functions_of_literals_give_the_literal(value: Any, choice: int) -> None:
    assert resolve(_wrapped(value, choice), _ctx()) == value


def test_metadata_suppressions_apply_to_resources_made_by_for_each(
    tmp_path: Any,
) -> None:
    import privlint

    path = tmp_path / "loop.yaml"
    path.write_text(
        """Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::P:
    - S
    - [s3, ec2]
    - '${S}Policy':
        Type: AWS::IAM::ManagedPolicy
        Metadata:
          privlint:
            ignore:
              - rule: PL201
                reason: reviewed sandbox access
        Properties:
          PolicyDocument:
            Statement: [{Effect: Allow, Action: !Sub '${S}:*', Resource: 'arn:aws:s3:::x'}]
"""
    )
    findings = privlint.scan([str(path)]).findings
    assert {(f.resource, f.suppressed) for f in findings if f.rule_id == "PL201"} == {
        ("s3Policy", True),
        ("ec2Policy", True),
    }
