"""``privlint drift`` never prints or logs a secret: by name, by source mark, or by the look of the value.

Every drift input (Terraform plan, CloudFormation drift output, directory snapshots of Terraform, plans
and CloudFormation) carries planted secrets; every output format and the audit log are searched for
them; the audit log keeps a keyed hash so that the change is still visible.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from privlint.config_drift.differences import shown
from privlint.config_drift.sensitive import is_sensitive_path, looks_secret
from tests.conftest import FIXTURES, run_cli

# Each secret is planted under a different kind of name or mark.
PLANTED = {
    "secret": "Plan-Secret-Attr-9f8e7d",
    "secret_string": "Plan-SecretString-1a2b3c",
    "ssm_value": "Plan-Ssm-Value-4d5e6f",
    "private_key_pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIEplantedKeyBody7g8h9i\n-----END RSA PRIVATE KEY-----",
    "environment": "Plan-Env-Var-Value-0j1k2l",
    "user_data": "#!/bin/sh\nexport DB=Plan-User-Data-3m4n5o",
    "connection": "postgres://app:Plan-Conn-Pw-6p7q8r@db.internal:5432/app",
    "marked": "Plan-Marked-Sensitive-9s0t1u",
    "cfn_drift": "Cfn-Drift-Secret-2v3w4x",
    "cfn_noecho": "Cfn-NoEcho-Snapshot-5y6z7a",
    "tf_sensitive_var": "Tf-Sensitive-Var-8b9c0d",
    "plan_sensitive_values": "Plan-Sensitive-Values-1e2f3g",
}
# What may never appear: each whole secret, and a distinctive part of it (so a masked prefix is caught too).
NEEDLES = [*PLANTED.values(), "Plan-Conn-Pw", "MIIEplantedKeyBody", "Plan-User-Data"]


def change(address: str, type_: str, before: dict, after: dict, **marks: object) -> dict:
    return {"address": address, "type": type_, "mode": "managed", "change": {"actions": ["update"], "before": before, "after": after, **marks}}


def plan_document() -> dict:
    p = PLANTED
    return {
        "format_version": "1.2",
        "resource_changes": [
            change("aws_iam_access_key.k", "aws_iam_access_key", {"secret": "old"}, {"secret": p["secret"]}),
            change("aws_secretsmanager_secret_version.s", "aws_secretsmanager_secret_version", {"secret_string": "old"}, {"secret_string": p["secret_string"]}),
            change("aws_ssm_parameter.p", "aws_ssm_parameter", {"value": "old", "type": "SecureString"}, {"value": p["ssm_value"], "type": "SecureString"}),
            change("tls_private_key.t", "tls_private_key", {"private_key_pem": "old"}, {"private_key_pem": p["private_key_pem"]}),
            change(
                "aws_lambda_function.f",
                "aws_lambda_function",
                {"environment": [{"variables": {"X": "old"}}]},
                {"environment": [{"variables": {"X": p["environment"]}}]},
            ),
            change("aws_instance.i", "aws_instance", {"user_data": "old"}, {"user_data": p["user_data"]}),
            change("aws_glue_connection.c", "aws_glue_connection", {"url": "old"}, {"url": p["connection"]}),
            change("aws_iam_role.r", "aws_iam_role", {"description": "old"}, {"description": p["marked"]}, after_sensitive={"description": True}),
        ],
    }


def cfn_drift_document() -> dict:
    return {
        "StackResourceDrifts": [
            {
                "LogicalResourceId": "Key",
                "ResourceType": "AWS::IAM::AccessKey",
                "StackResourceDriftStatus": "MODIFIED",
                "PropertyDifferences": [
                    {"PropertyPath": "/SecretAccessKey", "ExpectedValue": "old", "ActualValue": PLANTED["cfn_drift"], "DifferenceType": "NOT_EQUAL"}
                ],
            }
        ]
    }


def snapshot_sides(root: Path) -> tuple[Path, Path]:
    baseline, current = root / "baseline", root / "current"
    for side, planted in ((baseline, False), (current, True)):
        side.mkdir()

        def secret(name: str, planted: bool = planted) -> str:
            return PLANTED[name] if planted else f"old-{name}"

        (side / "main.tf").write_text(
            f'variable "token" {{\n  sensitive = true\n  default = "{secret("tf_sensitive_var")}"\n}}\n'
            'resource "aws_iam_role" "r" {\n  name = "r"\n  description = var.token\n}\n'
        )
        (side / "template.yaml").write_text(
            "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Hidden:\n    Type: String\n    NoEcho: true\n"
            f"    Default: {secret('cfn_noecho')}\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref Hidden\n"
        )
        (side / "plan.json").write_text(
            json.dumps(
                {
                    "format_version": "1.2",
                    "terraform_version": "1.7.0",
                    "planned_values": {
                        "root_module": {
                            "resources": [
                                {
                                    "address": "aws_iam_user.u",
                                    "mode": "managed",
                                    "type": "aws_iam_user",
                                    "name": "u",
                                    "values": {"name": "u", "tags": {"note": secret("plan_sensitive_values")}},
                                    "sensitive_values": {"tags": {"note": True}},
                                }
                            ]
                        }
                    },
                }
            )
        )
    return baseline, current


@pytest.fixture(scope="module")
def drift_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    root = tmp_path_factory.mktemp("drift-secrets")
    (root / "plan.json").write_text(json.dumps(plan_document()))
    (root / "drift.json").write_text(json.dumps(cfn_drift_document()))
    baseline, current = snapshot_sides(root)
    return {
        "plan": ["--plan", str(root / "plan.json")],
        "cfn-drift": ["--cfn-drift", str(root / "drift.json")],
        "snapshots": ["--baseline", str(baseline), "--current", str(current)],
    }


@pytest.mark.parametrize("source", ["plan", "cfn-drift", "snapshots"])
@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_drift_prints_and_logs_no_secret(drift_inputs: dict[str, list[str]], tmp_path: Path, source: str, fmt: str) -> None:
    log = tmp_path / "audit.jsonl"
    result = run_cli("drift", *drift_inputs[source], "--format", fmt, "--audit-log", str(log))
    assert result.returncode == 1, result.stderr
    printed, logged = result.stdout + result.stderr, log.read_text()
    assert [n for n in NEEDLES if n in printed or n in logged or json.dumps(n)[1:-1] in logged] == []
    entries = [json.loads(line) for line in logged.splitlines()]
    hidden = [e for e in entries if e["sensitive"]]
    expected = {"plan": 8, "cfn-drift": 1, "snapshots": 3}[source]
    assert len(hidden) == expected, [e["resource"] for e in entries]  # the secrets were really there, and withheld
    assert all(e["before_hmac"] != e["after_hmac"] and e["after_hmac"].startswith("hmac-sha256:") for e in hidden)
    if fmt == "text":
        assert printed.count("(sensitive value changed)") == expected


def test_the_audit_key_is_private_and_stable(drift_inputs: dict[str, list[str]], tmp_path: Path) -> None:
    state = tmp_path / "state"
    env_before = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = str(state)
    try:
        runs = []
        for n in range(2):
            log = tmp_path / f"audit{n}.jsonl"
            run_cli("drift", *drift_inputs["cfn-drift"], "--audit-log", str(log))
            runs.append(json.loads(log.read_text().splitlines()[0]))
        key = state / "privlint" / "audit.key"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(key.parent.stat().st_mode) == 0o700
        assert runs[0]["after_hmac"] == runs[1]["after_hmac"] and runs[0]["hmac_key_id"] == runs[1]["hmac_key_id"]
        key.chmod(0o644)
        refused = run_cli("drift", *drift_inputs["cfn-drift"], "--audit-log", str(tmp_path / "audit2.jsonl"))
        assert refused.returncode == 2 and "readable by others" in refused.stderr
        os.environ["PRIVLINT_AUDIT_KEY"] = "k" * 40  # CI: the key from the environment
        from_env = run_cli("drift", *drift_inputs["cfn-drift"], "--audit-log", str(tmp_path / "audit3.jsonl"))
        assert from_env.returncode == 1 and json.loads((tmp_path / "audit3.jsonl").read_text())["hmac_key_id"] != runs[0]["hmac_key_id"]
    finally:
        os.environ.pop("PRIVLINT_AUDIT_KEY", None)
        os.environ["XDG_STATE_HOME"] = env_before or ""


@pytest.mark.parametrize(
    "path, resource_type",
    [
        (("password",), ""),
        (("db_passwd",), ""),
        (("MasterUserPassword",), ""),
        (("secret",), ""),
        (("SecretString",), ""),
        (("auth_token",), ""),
        (("private_key_pem",), ""),
        (("access_key",), ""),
        (("api_key",), ""),
        (("secret_key",), ""),
        (("credentials", 0, "x"), ""),
        (("environment", 0, "variables", "X"), ""),
        (("Environment", "Variables", "X"), ""),
        (("user_data",), ""),
        (("UserData",), ""),
        (("certificate_body",), ""),
        (("value",), "aws_ssm_parameter"),
        (("Value",), "AWS::SSM::Parameter"),
        (("data",), "kubernetes_secret"),
        (("value",), "azurerm_key_vault_secret"),
        (("tls_cert",), ""),
        (("client_certificate",), ""),
        (("connection_string",), ""),
        (("sas_token",), ""),
        (("x_api_key",), ""),
        (("user_data_base64",), ""),
        (("ssh_key",), ""),
    ],
)
def test_sensitive_paths(path: tuple[str | int, ...], resource_type: str) -> None:
    assert is_sensitive_path(path, resource_type)


# Names of keys, not keys: a key pair's name, a KMS key's id or ARN are what a reviewer needs to see.
@pytest.mark.parametrize(
    "path, resource_type",
    [
        (("name",), "aws_ssm_parameter"),
        (("description",), "aws_iam_role"),
        (("policy_arn",), ""),
        (("key_name",), "aws_instance"),
        (("kms_key_id",), "aws_ssm_parameter"),
        (("KmsKeyId",), "AWS::SecretsManager::Secret"),
        (("key_id",), ""),
        (("key_pair_name",), ""),
        (("private_ip",), "aws_instance"),
        (("authorization_type",), "aws_api_gateway_method"),
    ],
)
def test_ordinary_paths_are_shown(path: tuple[str | int, ...], resource_type: str) -> None:
    assert not is_sensitive_path(path, resource_type)


def test_values_that_look_secret_whatever_their_name() -> None:
    for value in ("mysql://root:hunter2@db/x", "-----BEGIN CERTIFICATE-----\nMII", "AKIAIOSFODNN7EXAMPLE", "ghp_" + "a" * 36):
        assert looks_secret(value) and shown({"note": value}) == ({"note": "(sensitive)"}, True)
    assert not looks_secret("https://example.com/path") and not looks_secret("user@example.com")


# -- privlint check, graph and risk-register: a distinct secret in every input format

CHECK_PLANTED = {
    "tf_literal": "Tf-Literal-Pw-7Hq2#xZ9",
    "tf_variable_default": "Tf-Var-Default-Pw-4Lm8!",
    "tfvars": "Tfvars-Auth-Token-9Kd3Wq2",
    "tf_connection_string": "Tf-Conn-Pw-5Rt6",
    "plan": "Plan-Db-Pw-3Vb7#kQ1",
    "cfn_literal": "Cfn-Literal-Pw-8Jn4!zP",
    "cfn_noecho": "Cfn-NoEcho-Default-2Xc5",
    "github_wrong_type": "ghp_PlantedGithubToken1234567890abcdef",
    "credential_report_cell": "AKIAPLANTEDCELL12345",
}


def check_inputs(root: Path) -> Path:
    """One repository holding every format `privlint check` reads, each with its own secret."""
    p = CHECK_PLANTED
    (root / "tf").mkdir(parents=True)
    (root / "tf" / "main.tf").write_text(
        'variable "cluster_password" {\n  default = "' + p["tf_variable_default"] + '"\n}\n'
        'variable "redis_auth_token" {}\n'
        '# privlint:ignore PL301 reason="rotated by the vault agent" owner=dba until=2099-01-01\n'
        'resource "aws_db_instance" "orders" {\n  username = "orders_owner"\n  password = "' + p["tf_literal"] + '"\n}\n'
        'resource "aws_rds_cluster" "inventory" {\n  master_username = "inventory_owner"\n  master_password = var.cluster_password\n}\n'
        'resource "aws_elasticache_replication_group" "sessions" {\n  replication_group_id = "sessions"\n  auth_token = var.redis_auth_token\n}\n'
        'resource "aws_lambda_function" "f" {\n  function_name = "f"\n  role = "arn:aws:iam::123456789012:role/r"\n'
        '  environment {\n    variables = { DB = "postgres://app:' + p["tf_connection_string"] + '@db.internal/app" }\n  }\n}\n'
        'resource "aws_iam_user" "admin" {\n  name = "admin"\n}\n'
        'resource "aws_iam_user_policy_attachment" "admin" {\n  user = aws_iam_user.admin.name\n  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n'
    )
    (root / "tf" / "terraform.tfvars").write_text(f'redis_auth_token = "{p["tfvars"]}"\n')
    (root / "plan.json").write_text(
        json.dumps(
            {
                "format_version": "1.2",
                "terraform_version": "1.7.0",
                "planned_values": {
                    "root_module": {
                        "resources": [
                            {
                                "address": "aws_db_instance.p",
                                "mode": "managed",
                                "type": "aws_db_instance",
                                "name": "p",
                                "values": {"username": "plan_owner", "password": p["plan"]},
                            }
                        ]
                    }
                },
                "configuration": {"root_module": {"resources": [{"address": "aws_db_instance.p", "expressions": {"password": {"constant_value": p["plan"]}}}]}},
            }
        )
    )
    (root / "template.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  DbPassword:\n    Type: String\n    NoEcho: true\n"
        f"    Default: {p['cfn_noecho']}\nResources:\n"
        "  Hidden:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      MasterUsername: hidden_owner\n      MasterUserPassword: !Ref DbPassword\n"
        f"  Literal:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      MasterUsername: literal_owner\n      MasterUserPassword: '{p['cfn_literal']}'\n"
    )
    snapshot = json.loads((FIXTURES / "github" / "snapshot" / "bad" / "acme-corp.json").read_text())
    snapshot["organization"]["two_factor_requirement_enabled"] = p["github_wrong_type"]
    (root / "org.json").write_text(json.dumps(snapshot))
    report = (FIXTURES / "credential-report" / "bad" / "credential-report.csv").read_text().splitlines()
    cells = report[2].split(",")
    cells[7] = p["credential_report_cell"]  # mfa_active
    report[2] = ",".join(cells)
    (root / "credential-report.csv").write_text("\n".join(report) + "\n")
    return root


@pytest.fixture(scope="module")
def check_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return check_inputs(tmp_path_factory.mktemp("check-secrets"))


def leaked(text: str) -> list[str]:
    """Planted secrets (whole, or their distinctive middle) found in ``text``."""
    return [name for name, secret in CHECK_PLANTED.items() if secret in text or secret[4:-4] in text]


@pytest.mark.parametrize(
    "command",
    [
        ("check", "--format", "text"),
        ("check", "--format", "json"),
        ("check", "--format", "sarif"),
        ("graph", "--format", "mermaid"),
        ("graph", "--format", "dot"),
        ("graph", "--format", "json"),
        ("risk-register", "--format", "csv"),
        ("risk-register", "--format", "json"),
        ("risk-register", "--format", "markdown"),
    ],
    ids=lambda c: "-".join(c[::2]),
)
def test_no_output_format_prints_a_planted_secret(check_root: Path, command: tuple[str, ...]) -> None:
    result = run_cli(command[0], str(check_root), *command[1:])
    assert result.returncode in (0, 1), result.stderr
    assert len(result.stdout) > 100, result.stdout  # the inputs were read and reported on
    assert leaked(result.stdout + result.stderr) == []


def test_the_planted_secrets_were_found(check_root: Path) -> None:
    """Each secret sits where a rule or a parse error looks: the test above proves something."""
    findings = json.loads(run_cli("check", str(check_root), "--format", "json").stdout)["findings"]
    by_file: dict[str, set[str]] = {}
    for f in findings:
        by_file.setdefault(Path(f["file"]).name, set()).add(f["rule_id"])
    assert "PL301" in by_file["main.tf"] | by_file["terraform.tfvars"] and "PL301" in by_file["plan.json"] and "PL301" in by_file["template.yaml"]
    assert "PL000" in by_file["org.json"] and "PL000" in by_file["credential-report.csv"]
