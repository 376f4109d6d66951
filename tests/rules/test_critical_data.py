"""MFA before destroying critical data (PAM-5): PL130 (MFA delete) and PL131 (destructive grants)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_cases import assert_case_matches, case_params, family_fixture_dirs

import privlint

BUCKET = """
resource "aws_s3_bucket" "ledger" {
  bucket = "acme-ledger"
  TAGS
}
"""

GRANT = """
resource "aws_iam_user" "ops" {
  name = "ops"
}

resource "aws_iam_user_policy" "ops" {
  name = "ops"
  user = aws_iam_user.ops.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ACTIONS, Resource = RESOURCES }]
  })
}
"""


def _rules(text: str, config: dict | None = None) -> list[str]:
    return sorted(f.rule_id for f in privlint.scan_text(text, config=config).findings if f.rule_id in ("PL130", "PL131"))


def _grant(actions: str, resources: str) -> str:
    return GRANT.replace("ACTIONS", actions).replace("RESOURCES", resources)


def test_critical_by_configuration_or_tag_only() -> None:
    untagged = BUCKET.replace("TAGS", "")
    assert _rules(untagged) == []
    assert _rules(untagged, {"critical_data": ["acme-*"]}) == ["PL130"]
    assert _rules(BUCKET.replace("TAGS", 'tags = { Data-Classification = "Critical" }')) == ["PL130"]
    assert _rules(BUCKET.replace("TAGS", 'tags = { owner = "finance" }'), {"critical_data_tags": {"owner": "finance"}}) == ["PL130"]


def test_mfa_delete_in_the_legacy_block_or_unknown_is_quiet() -> None:
    legacy = BUCKET.replace("TAGS", "versioning {\n    enabled    = true\n    mfa_delete = true\n  }")
    assert _rules(legacy, {"critical_data": ["acme-ledger"]}) == []
    unknown = (
        BUCKET.replace("TAGS", "")
        + """
variable "mfa_delete" {
  type = string
}

resource "aws_s3_bucket_versioning" "ledger" {
  bucket = aws_s3_bucket.ledger.id
  versioning_configuration {
    status     = "Enabled"
    mfa_delete = var.mfa_delete
  }
}
"""
    )
    assert _rules(unknown, {"critical_data": ["acme-ledger"]}) == []
    assert _rules(unknown.replace("var.mfa_delete", '"Disabled"'), {"critical_data": ["acme-ledger"]}) == ["PL130"]


def test_destructive_grants_on_critical_data_need_mfa() -> None:
    critical = {"critical_data": ["acme-ledger"]}
    assert _rules(_grant('["s3:DeleteObjectVersion"]', '["*"]'), critical) == ["PL131"]
    assert _rules(_grant('["s3:Delete*"]', '["arn:aws:s3:::acme-ledger/2024/*"]'), critical) == ["PL131"]
    assert _rules(_grant('["s3:GetObject"]', '["*"]'), critical) == []  # reading destroys nothing
    assert _rules(_grant('["s3:DeleteObjectVersion"]', '["arn:aws:s3:::acme-logs/*"]'), critical) == []
    assert _rules(_grant('["dynamodb:DeleteTable"]', '["*"]'), critical) == []  # no critical table named
    assert _rules(_grant('["s3:DeleteObjectVersion"]', '["*"]')) == []  # nothing is critical
    table = {"critical_data": ["arn:aws:dynamodb:*:*:table/ledger"]}
    assert _rules(_grant('["dynamodb:DeleteTable"]', '["arn:aws:dynamodb:eu-west-2:123456789012:table/ledger"]'), table) == ["PL131"]
    assert _rules(_grant('["dynamodb:DeleteTable"]', '["arn:aws:dynamodb:eu-west-2:123456789012:table/cache"]'), table) == []


def test_a_bucket_policy_that_denies_deletes_without_mfa_protects_the_bucket() -> None:
    text = (
        BUCKET
        + _grant('["s3:DeleteObjectVersion"]', '["*"]')
        + """
resource "aws_s3_bucket_policy" "ledger" {
  bucket = aws_s3_bucket.ledger.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Principal = "*"
      Action    = ["s3:DeleteObjectVersion"]
      Resource  = ["arn:aws:s3:::acme-ledger/*"]
      Condition = { BoolIfExists = { "aws:MultiFactorAuthPresent" = "false" } }
    }]
  })
}
"""
    )
    tagged = text.replace("TAGS", 'tags = { data-classification = "critical" }')
    assert _rules(tagged) == ["PL130"]  # MFA delete is still off; the grant is covered by the bucket's guard
    assert _rules(tagged.replace('"s3:DeleteObjectVersion"]\n      Resource  = ["arn', '"s3:GetObject"]\n      Resource  = ["arn')) == ["PL130", "PL131"]


@pytest.mark.parametrize(("fixture_dir", "case"), case_params(family_fixture_dirs("critical_data")))
def test_fixture_case_gives_its_expected_findings(fixture_dir: Path, case: Path) -> None:
    assert_case_matches(fixture_dir, case)
