"""``python privlint_checks.py --self-test``: does checkov load privlint's checks, and do they fire?

checkov only logs a check file that fails to load, and ``checkov -l`` does not list external checks,
so a bundle that checkov cannot load looks like a clean run. The self-test runs the checkov of the
Python environment it is started with on a known-bad Terraform file and CloudFormation template, with
the bundle's directory as ``--external-checks-dir``. It passes when every ``CKV_PRIVLINT`` check fails
on the samples (each breaks one rule in each framework the check covers) and checkov logs no error.

Runs inside checkov's environment: imports only the standard library and privlint's pure modules.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from privlint.integrations.checkov_rules import COVERED

USAGE = "usage: python privlint_checks.py --self-test   (with the Python of checkov's environment)"

TERRAFORM_SAMPLE = """\
resource "aws_iam_policy" "wildcard_action" { # PL201
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "arn:aws:s3:::selftest/*" }] })
}

resource "aws_iam_policy" "not_action" { # PL202
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", NotAction = "iam:*", Resource = "arn:aws:s3:::selftest/*" }] })
}

resource "aws_iam_policy" "write_everywhere" { # PL203
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:PutObject"], Resource = "*" }] })
}

resource "aws_iam_policy" "escalation_wildcard" { # PL204
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "iam:Put*", Resource = "arn:aws:iam::123456789012:role/app-*" }] })
}

resource "aws_s3_bucket_policy" "public" { # PL205
  bucket = "selftest"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "arn:aws:s3:::selftest/*" }] })
}

resource "aws_db_instance" "hardcoded" { # PL301
  engine   = "postgres"
  username = "app_owner"
  password = "Xk9#mPq2vL7!wR4t"
}

resource "aws_db_instance" "vendor_default" { # PL302, PL303
  engine   = "mysql"
  username = "admin"
  password = "changeme"
}

resource "aws_iam_user_login_profile" "no_reset" { # PL304
  user                    = "selftest"
  password_reset_required = false
}

resource "aws_security_group" "ssh_from_anywhere" { # PL401
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_iam_account_password_policy" "weak" { # PL402
  minimum_password_length = 8
}
"""

CLOUDFORMATION_SAMPLE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  WildcardAction:  # PL201
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Action: 's3:*', Resource: 'arn:aws:s3:::selftest/*'}]
  NotAction:  # PL202
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, NotAction: 'iam:*', Resource: 'arn:aws:s3:::selftest/*'}]
  WriteEverywhere:  # PL203
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Action: ['s3:PutObject'], Resource: '*'}]
  EscalationWildcard:  # PL204
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Action: 'iam:Put*', Resource: 'arn:aws:iam::123456789012:role/app-*'}]
  PublicBucketPolicy:  # PL205
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: selftest
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::selftest/*'}]
  HardcodedPassword:  # PL301
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      MasterUsername: app_owner
      MasterUserPassword: 'Xk9#mPq2vL7!wR4t'
  VendorDefault:  # PL302, PL303
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: mysql
      MasterUsername: admin
      MasterUserPassword: changeme
  NoReset:  # PL304
    Type: AWS::IAM::User
    Properties:
      LoginProfile:
        Password: !Ref AWS::NoValue
        PasswordResetRequired: false
  SshFromAnywhere:  # PL401
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: selftest
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}]
"""


def expected_failures() -> set[tuple[str, str]]:
    """(check id, framework) for every check: each must fail on the sample of each framework it covers."""
    out: set[tuple[str, str]] = set()
    for rule in COVERED:
        if rule.terraform or rule.terraform_data or rule.terraform_providers:
            out.add((rule.check_id, "terraform"))
        if rule.cloudformation:
            out.add((rule.check_id, "cloudformation"))
    return out


def _failures(reports: Any) -> set[tuple[str, str]]:
    reports = reports if isinstance(reports, list) else [reports]
    return {
        (check["check_id"], report.get("check_type", ""))
        for report in reports
        if isinstance(report, dict)
        for check in report.get("results", {}).get("failed_checks", [])
    }


def run_self_test(bundle_dir: Path) -> int:
    """Run checkov with the bundle on the samples; print what happened; 0 when every check fired cleanly."""
    with tempfile.TemporaryDirectory(prefix="privlint-checkov-selftest-") as scratch:
        (Path(scratch) / "main.tf").write_text(TERRAFORM_SAMPLE, encoding="utf-8")
        (Path(scratch) / "template.yaml").write_text(CLOUDFORMATION_SAMPLE, encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "checkov.main",
            "-d",
            scratch,
            "--external-checks-dir",
            str(bundle_dir),
            "--check",
            "CKV_PRIVLINT_*",
            "-o",
            "json",
            "--framework",
            "terraform",
            "cloudformation",
            "--skip-download",
        ]
        env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "WARNING"}
        done = subprocess.run(command, cwd=scratch, env=env, capture_output=True, text=True, timeout=900, check=False)
    problems = [line for line in done.stderr.splitlines() if "[ERROR]" in line or line.startswith("Traceback")]
    try:
        failed = _failures(json.loads(done.stdout))
    except json.JSONDecodeError:
        failed = set()
        problems.append(f"checkov exited {done.returncode} without a JSON report: {done.stderr.strip()[-2000:]}")
    expected = expected_failures()
    missing = sorted(expected - failed)
    version = importlib.metadata.version("checkov")
    checks = sorted({check_id for check_id, _ in expected})
    if not missing and not problems:
        print(f"privlint checkov bundle OK: {len(checks)} checks loaded from {bundle_dir} by checkov {version}; each failed on its known-bad sample.")
        return 0
    print(f"privlint checkov bundle FAILED (checkov {version}, bundle {bundle_dir}):")
    for check_id, framework in missing:
        print(f"  {check_id} did not fail on the {framework} sample: not loaded, or broken")
    for line in problems:
        print(f"  checkov logged: {line}")
    return 1


def main(bundle_dir: Path, argv: list[str]) -> int:
    if argv != ["--self-test"]:
        print(USAGE, file=sys.stderr)
        return 2
    if importlib.util.find_spec("checkov") is None:
        print(f"checkov is not installed for {sys.executable}; {USAGE}", file=sys.stderr)
        return 2
    return run_self_test(bundle_dir)
