"""SAM: generated roles, policy templates from aws-sam-translator's data, and connectors."""

from __future__ import annotations

import json
from importlib import metadata, resources
from pathlib import Path

import pytest

from privlint.model.datafiles import DATA_DIR
from privlint.model.inventory import Inventory
from privlint.model.values import THIS_ACCOUNT_ID, THIS_REGION, UNKNOWN_MARK
from privlint.normalize.cfn_sam import SAM_TRANSLATOR_VERSION
from privlint.normalize.cloudformation_aws import CloudFormationNormaliser
from privlint.parsers.cloudformation import load_yaml

HEADER = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n"


def inventory_of(resources_yaml: str) -> tuple[Inventory, list[str]]:
    normaliser = CloudFormationNormaliser(load_yaml(HEADER + resources_yaml), "t.yaml")
    inventory = normaliser.normalise()
    return inventory, [p.message for p in normaliser.problems]


def role_statements(inventory: Inventory, role: str) -> list[tuple[list[str], list[str]]]:
    out = []
    for grant in inventory.principals[role].grants:
        for stmt in inventory.documents[grant.document].statements:
            out.append((stmt.actions, stmt.resources))
    return out


@pytest.mark.parametrize(
    ("vendored", "packaged"),
    [
        ("sam_policy_templates.json", "policy_templates_data/policy_templates.json"),
        ("sam_connector_profiles.json", "model/connector_profiles/profiles.json"),
    ],
)
def test_vendored_sam_data_matches_the_pinned_translator(vendored: str, packaged: str) -> None:
    try:
        installed = metadata.version("aws-sam-translator")
    except metadata.PackageNotFoundError:
        pytest.skip("aws-sam-translator is not installed (pip install -e '.[dev]')")
    if installed != SAM_TRANSLATOR_VERSION:
        pytest.skip(f"aws-sam-translator {installed} installed; the vendored data is from {SAM_TRANSLATOR_VERSION}")
    original = resources.files("samtranslator").joinpath(packaged).read_text(encoding="utf-8")
    assert json.loads((DATA_DIR / vendored).read_text(encoding="utf-8")) == json.loads(original)


def test_vendored_data_carries_its_licence() -> None:
    notice = Path(DATA_DIR / "sam_translator_LICENSE.txt").read_text(encoding="utf-8")
    assert "Apache License" in notice and SAM_TRANSLATOR_VERSION in notice


def test_policy_template_parameters_are_substituted() -> None:
    inventory, problems = inventory_of(
        """  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - S3FullAccessPolicy: {BucketName: my-bucket}
"""
    )
    statements = role_statements(inventory, "FnRole")
    assert (statements[0][1], "s3:PutObject" in statements[0][0]) == (
        ["arn:aws:s3:::my-bucket/*"],
        True,
    )
    assert statements[1][1] == ["arn:aws:s3:::my-bucket"]
    assert not problems


def test_policy_template_with_a_reference_and_pseudo_parameters() -> None:
    inventory, _ = inventory_of(
        """  Table: {Type: AWS::DynamoDB::Table}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - DynamoDBCrudPolicy: {TableName: !Ref Table}
"""
    )
    ((actions, resources_),) = role_statements(inventory, "FnRole")
    assert "dynamodb:PutItem" in actions
    assert resources_ == [  # the table's name is a reference: a hole, never a wildcard
        f"arn:aws:dynamodb:{THIS_REGION}:{THIS_ACCOUNT_ID}:table/{UNKNOWN_MARK}",
        f"arn:aws:dynamodb:{THIS_REGION}:{THIS_ACCOUNT_ID}:table/{UNKNOWN_MARK}/index/*",
    ]


def test_missing_template_parameter_is_a_problem() -> None:
    _, problems = inventory_of(
        """  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies: [{SQSSendMessagePolicy: {}}]
"""
    )
    assert any("SQSSendMessagePolicy needs the parameter QueueName" in p for p in problems)


def test_managed_policy_names_and_state_machine_role() -> None:
    inventory, _ = inventory_of(
        """  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Policies: [AWSLambdaExecute, AmazonS3FullAccess]
  Own:
    Type: AWS::Serverless::StateMachine
    Properties:
      Role: arn:aws:iam::123456789012:role/existing
"""
    )
    grants = {g.document for g in inventory.principals["FlowRole"].grants}
    assert grants == {
        "arn:aws:iam::aws:policy/AWSLambdaExecute",
        "arn:aws:iam::aws:policy/AmazonS3FullAccess",
    }
    trust = inventory.documents[inventory.principals["FlowRole"].trust_document or ""]
    assert trust.statements[0].principals == {"Service": ["states.amazonaws.com"]}
    assert "OwnRole" not in inventory.principals


def test_connector_grants_the_profile_to_the_source_role() -> None:
    inventory, _ = inventory_of(
        """  Producer: {Type: AWS::Serverless::Function}
  Jobs: {Type: AWS::SQS::Queue}
  Link:
    Type: AWS::Serverless::Connector
    Properties:
      Source: {Id: Producer}
      Destination: [{Id: Jobs}]
      Permissions: [Read, Write]
"""
    )
    actions = {a for granted, _ in role_statements(inventory, "ProducerRole") for a in granted}
    assert {"sqs:ReceiveMessage", "sqs:SendMessage", "sqs:PurgeQueue"} <= actions


def test_an_undecided_resource_condition_marks_what_sam_writes() -> None:
    import privlint

    findings = privlint.scan([str(Path(__file__).parent / "data" / "cfn_conditional_sam.template")]).findings
    assert {(f.rule_id, f.resource) for f in findings} == {
        ("PL201", "Fn"),
        ("PL205", "Perm"),
        ("PL203", "Link"),
    }
    assert all("only when condition Open is true, from parameter Mode" in f.message for f in findings)
