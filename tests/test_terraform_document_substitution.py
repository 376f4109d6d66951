"""``replace()`` over a policy document's JSON text: the document with its placeholders replaced.

terraform-aws-modules/s3-bucket passes every bucket policy through
``replace(data.aws_iam_policy_document.combined[0].json, "_S3_BUCKET_ARN_", aws_s3_bucket.this[0].arn)``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

import privlint
from privlint.model.policy import Condition, Statement
from privlint.model.values import Reference, Unknown
from privlint.terraform.document_substitution import (
    SubstitutedReference,
    substituted_statements,
)
from tests.test_terraform_modules import load, resources

_DOC = "data.aws_iam_policy_document.d"

REPLACE = [
    # a literal placeholder in a document's json: the document, with the replacement recorded
    (
        'replace(data.aws_iam_policy_document.d.json, "_ARN_", "arn:aws:s3:::b")',
        (("_ARN_", "arn:aws:s3:::b"),),
    ),
    (
        'replace(replace(data.aws_iam_policy_document.d.json, "_A_", "x"), "_B_", "y")',
        (("_A_", "x"), ("_B_", "y")),
    ),
    (
        'replace(data.aws_iam_policy_document.d.json, "_ID_", var.id)',
        (("_ID_", Unknown("var.id")),),
    ),
]


def _value(tmp_path: Path, text: str) -> Any:
    main = f'variable "id" {{}}\nvariable "search" {{}}\ndata "aws_iam_policy_document" "d" {{}}\nresource "aws_x" "r" {{\n  v = {text}\n}}\n'
    return resources(load(tmp_path, {"main.tf": main}))["aws_x.r"]["v"]


@pytest.mark.parametrize(("text", "substitutions"), REPLACE, ids=[t for t, _ in REPLACE])
def test_replace_in_a_document_keeps_the_document(tmp_path: Path, text: str, substitutions: tuple[tuple[str, Any], ...]) -> None:
    value = _value(tmp_path, text)
    assert isinstance(value, SubstitutedReference)
    assert value.address == _DOC and value.attribute == "json" and value.substitutions == substitutions


NOT_A_PLACEHOLDER = [
    'replace(data.aws_iam_policy_document.d.json, "/_A+_/", "x")',  # a regular expression
    'replace(data.aws_iam_policy_document.d.json, ":", "-")',  # JSON syntax
    'replace(data.aws_iam_policy_document.d.json, "\\"", "")',
    'replace(data.aws_iam_policy_document.d.json, "Allow", "Deny")',  # the document's own words
    'replace(data.aws_iam_policy_document.d.json, "", "x")',
    'replace(data.aws_iam_policy_document.d.json, var.search, "x")',
    'replace(aws_s3_bucket.b.id, "_A_", "x")',  # not a document's text
]


@pytest.mark.parametrize("text", NOT_A_PLACEHOLDER)
def test_replace_that_may_change_the_structure_stays_unknown(tmp_path: Path, text: str) -> None:
    value = _value(tmp_path, text)
    assert isinstance(value, Unknown) and not isinstance(value, SubstitutedReference)


def test_replacements_reach_every_string_of_the_statements() -> None:
    statement = Statement(
        sid="S_X_",
        effect="Allow",
        actions=["s3:GetObject"],
        resources=["_ARN_", "_ARN_/*", "arn:aws:s3:::other"],
        principals={"AWS": ["arn:aws:iam::_ACCOUNT_:root"]},
        conditions=[
            Condition(
                operator="StringEquals",
                key="aws:PrincipalAccount",
                values=["_ACCOUNT_"],
            )
        ],
    )
    bucket = Reference(source="aws_s3_bucket.b.arn", address="aws_s3_bucket.b", attribute="arn")
    [out] = substituted_statements(
        [statement],
        (("_ARN_", bucket), ("_ACCOUNT_", "123456789012"), ("_X_", Unknown("var.x"))),
    )
    assert out.sid == "S${?}"
    assert out.resources == [
        "ref:aws_s3_bucket.b",
        "${?}/*",
        "arn:aws:s3:::other",
    ]  # as a reference / a partial string read
    assert out.principals == {"AWS": ["arn:aws:iam::123456789012:root"]}
    assert out.conditions[0].values == ["123456789012"]
    assert statement.resources[0] == "_ARN_"  # the document itself is unchanged


BUCKET = """
resource "aws_s3_bucket" "b" {
  bucket = "b"
}
data "aws_iam_policy_document" "d" {
  statement {
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    actions   = ["s3:GetObject"]
    resources = ["_BUCKET_ARN_/*"]
  }
}
resource "aws_s3_bucket_policy" "p" {
  bucket = aws_s3_bucket.b.id
  policy = replace(data.aws_iam_policy_document.d.json, "_BUCKET_ARN_", aws_s3_bucket.b.arn)
}
"""


def test_a_bucket_policy_written_through_placeholders_is_linted(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(textwrap.dedent(BUCKET))
    report = privlint.scan([str(tmp_path)])
    assert ("PL205", "aws_s3_bucket_policy.p") in {(f.rule_id, f.resource) for f in report.findings}
