"""Terraform and CloudFormation spellings: each must reach the same inventory and rules."""

from __future__ import annotations

import textwrap
from pathlib import Path

import privlint


def scan_files(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, str, int]]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    report = privlint.scan([str(tmp_path)])
    return sorted((f.rule_id, f.resource, f.line) for f in report.findings)


ADMIN_USER = """
resource "aws_iam_user" "u" { name = "u" }
resource "aws_iam_user_policy_attachment" "a" {
  user       = aws_iam_user.u.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess"
}
"""


def test_partition_interpolated_managed_policy_arn(tmp_path: Path) -> None:
    assert scan_files(tmp_path, {"main.tf": ADMIN_USER}) == [("PL101", "aws_iam_user.u", 2)]


def test_heredoc_with_interpolations_and_policy_name_attachment(tmp_path: Path) -> None:
    found = scan_files(
        tmp_path,
        {
            "main.tf": """
        resource "aws_iam_group" "ops" { name = "ops" }
        resource "aws_iam_policy" "p" {
          name   = "ops-admin"
          policy = <<-EOT
            {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": ["iam:*"], "Resource": "*"},
                           {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "${aws_s3_bucket.b.arn}/*"}]}
          EOT
        }
        resource "aws_iam_policy_attachment" "x" {
          name       = "x"
          groups     = ["ops"]
          policy_arn = "arn:aws:iam::123456789012:policy/ops-admin"
        }
    """
        },
    )
    assert found == [("PL101", "aws_iam_group.ops", 2), ("PL201", "aws_iam_policy.p", 5)]


def test_variables_tfvars_and_locals(tmp_path: Path) -> None:
    found = scan_files(
        tmp_path,
        {
            "main.tf": """
            variable "admin_policy" { default = "ReadOnlyAccess" }
            variable "ssh_cidr" {}
            locals { arn = "arn:aws:iam::aws:policy/${var.admin_policy}" }
            resource "aws_iam_user" "u" { name = "u" }
            resource "aws_iam_user_policy_attachment" "a" {
              user       = aws_iam_user.u.name
              policy_arn = local.arn
            }
            resource "aws_security_group_rule" "ssh" {
              type = "ingress"
              from_port = 22
              to_port = 22
              protocol = "tcp"
              cidr_blocks = [var.ssh_cidr]
              security_group_id = "sg-1"
            }
        """,
            "terraform.tfvars": 'admin_policy = "AdministratorAccess"\n',
            "prod.auto.tfvars": 'ssh_cidr = "0.0.0.0/0"\n',
        },
    )
    assert [f[:2] for f in found] == [("PL101", "aws_iam_user.u"), ("PL401", "aws_security_group_rule.ssh")]


def test_unknown_values_never_produce_findings(tmp_path: Path) -> None:
    found = scan_files(
        tmp_path,
        {
            "main.tf": """
        variable "policy_arn" {}
        variable "cidr" {}
        variable "password" { sensitive = true }
        resource "aws_iam_user" "u" { name = "u" }
        resource "aws_iam_user_policy_attachment" "a" {
          user       = aws_iam_user.u.name
          policy_arn = var.policy_arn
        }
        resource "aws_security_group_rule" "ssh" {
          type = "ingress"
          from_port = 22
          to_port = 22
          protocol = "tcp"
          cidr_blocks = [var.cidr]
          security_group_id = "sg-1"
        }
        resource "aws_db_instance" "db" {
          password = var.password
          username = var.user
        }
        resource "random_password" "p" { length = 24 }
        resource "aws_db_instance" "db2" { password = random_password.p.result }
    """
        },
    )
    assert found == []


def test_count_zero_and_for_each_instances(tmp_path: Path) -> None:
    found = scan_files(
        tmp_path,
        {
            "main.tf": """
        variable "enabled" { default = false }
        resource "aws_iam_policy" "off" {
          count  = var.enabled ? 1 : 0
          policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
        }
        resource "aws_iam_user" "u" {
          for_each = { alice = "AdministratorAccess", bob = "ReadOnlyAccess" }
          name     = each.key
        }
        resource "aws_iam_user_policy_attachment" "a" {
          for_each   = { alice = "AdministratorAccess", bob = "ReadOnlyAccess" }
          user       = each.key
          policy_arn = "arn:aws:iam::aws:policy/${each.value}"
        }
    """
        },
    )
    assert found == [("PL101", 'aws_iam_user.u["alice"]', 7)]


def test_local_module_call_with_arguments_and_nested_literal_location(tmp_path: Path) -> None:
    found = scan_files(
        tmp_path,
        {
            "main.tf": """
            module "db" {
              source   = "./modules/db"
              password = "Xk9#mPq2vL7!wR4t"
            }
        """,
            "modules/db/main.tf": """
            variable "password" {}
            variable "manage" { default = false }
            resource "aws_db_instance" "this" {
              password = var.manage ? null : var.password
            }
        """,
        },
    )
    # Reported where the literal is written, once (the module directory is not also scanned alone).
    assert found == [("PL301", "module.db.aws_db_instance.this", 4)]


def test_policy_document_data_source_with_conditions(tmp_path: Path) -> None:
    found = scan_files(
        tmp_path,
        {
            "main.tf": """
        data "aws_iam_policy_document" "trust" {
          statement {
            actions = ["sts:AssumeRole"]
            principals {
              type        = "AWS"
              identifiers = ["arn:aws:iam::123456789012:root"]
            }
            condition {
              test     = "Bool"
              variable = "aws:MultiFactorAuthPresent"
              values   = ["true"]
            }
          }
        }
        resource "aws_iam_role" "admin" {
          assume_role_policy  = data.aws_iam_policy_document.trust.json
          managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
        }
        resource "aws_iam_role" "admin_no_mfa" {
          assume_role_policy  = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "123456789012" } }] })
          managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
        }
        resource "aws_iam_role" "service" {
          assume_role_policy  = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
          managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
        }
    """
        },
    )
    assert found == [("PL102", "aws_iam_role.admin_no_mfa", 20)]


def test_terraform_json_syntax(tmp_path: Path) -> None:
    found = scan_files(
        tmp_path,
        {
            "main.tf.json": """
        {"resource": {"aws_security_group": {"sg": {"ingress": [{"from_port": 3389, "to_port": 3389,
          "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}]}}}}
    """
        },
    )
    assert [f[:2] for f in found] == [("PL401", "aws_security_group.sg")]


CFN = """
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Policy:
    Type: String
    Default: AdministratorAccess
  Cidr:
    Type: String
    Default: 0.0.0.0/0
Mappings:
  Ports: { ssh: { port: 22 } }
Resources:
  Admins:
    Type: AWS::IAM::Group
    Properties:
      ManagedPolicyArns: [!Sub 'arn:${AWS::Partition}:iam::aws:policy/${Policy}']
  Alice:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Admins]
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: !FindInMap [Ports, ssh, port]
          ToPort: 22
          CidrIp: !Ref Cidr
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Statement:
            - Effect: Allow
              Action: 'dynamodb:*'
              Resource: !GetAtt Table.Arn
"""


def test_cloudformation_short_tags_parameters_and_sam(tmp_path: Path) -> None:
    found = scan_files(tmp_path, {"template.yaml": CFN})
    assert found == [("PL101", "Admins", 13), ("PL101", "Alice", 17), ("PL201", "Fn", 35), ("PL401", "Sg", 26)]


def test_cloudformation_json_gives_the_same_findings(tmp_path: Path) -> None:
    import json

    import yaml

    from privlint.parsers.cloudformation import load_yaml

    doc = load_yaml(CFN)
    text = json.dumps(doc, indent=2, default=str)
    (tmp_path / "a").mkdir()
    yaml_found = scan_files(tmp_path / "a", {"template.yaml": CFN})
    (tmp_path / "b").mkdir()
    json_found = scan_files(tmp_path / "b", {"template.json": text})
    assert [f[:2] for f in json_found] == [f[:2] for f in yaml_found]
    assert yaml  # PyYAML is the loader under test


def test_terraform_plan_json(tmp_path: Path) -> None:
    import json

    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_iam_policy.p",
                        "mode": "managed",
                        "type": "aws_iam_policy",
                        "name": "p",
                        "values": {"policy": json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})},
                    },
                    {
                        "address": "aws_db_instance.db",
                        "mode": "managed",
                        "type": "aws_db_instance",
                        "name": "db",
                        "values": {"password": "generated-by-random-password-xyz"},
                    },
                ]
            }
        },
        "configuration": {
            "root_module": {
                "resources": [
                    {"address": "aws_db_instance.db", "expressions": {"password": {"references": ["random_password.p.result"]}}},
                ]
            }
        },
    }
    found = scan_files(tmp_path, {"plan.json": json.dumps(plan, indent=1)})
    assert [f[:2] for f in found] == [("PL201", "aws_iam_policy.p")]


def test_policy_resource_whose_document_is_a_data_source_reaches_its_attachments(tmp_path: Path) -> None:
    found = scan_files(
        tmp_path,
        {
            "main.tf": """
        data "aws_iam_policy_document" "admin" {
          statement {
            actions   = ["iam:*"]
            resources = ["*"]
          }
        }
        resource "aws_iam_policy" "admin" {
          name   = "admin"
          policy = data.aws_iam_policy_document.admin.json
        }
        resource "aws_iam_user" "u" { name = "u" }
        resource "aws_iam_user_policy_attachment" "by_reference" {
          user       = aws_iam_user.u.name
          policy_arn = aws_iam_policy.admin.arn
        }
        resource "aws_iam_group" "g" { name = "g" }
        resource "aws_iam_group_policy_attachment" "by_arn" {
          group      = aws_iam_group.g.name
          policy_arn = "arn:aws:iam::123456789012:policy/admin"
        }
    """
        },
    )
    assert [f[:2] for f in found] == [("PL101", "aws_iam_group.g"), ("PL101", "aws_iam_user.u"), ("PL201", "data.aws_iam_policy_document.admin")]


def test_an_explicit_deny_takes_admin_rights_away(tmp_path: Path) -> None:
    found = scan_files(
        tmp_path,
        {
            "main.tf": """
        resource "aws_iam_user" "u" { name = "u" }
        resource "aws_iam_user_policy" "p" {
          user   = aws_iam_user.u.name
          policy = jsonencode({ Statement = [
            { Effect = "Allow", Action = ["iam:PassRole", "iam:CreateAccessKey"], Resource = "*" },
            { Effect = "Deny", Action = "iam:*", Resource = "*" },
          ] })
        }
    """
        },
    )
    assert [f[0] for f in found] == ["PL203"]  # the wildcard is still there; the admin rights are not


REFERENCES_TF = """
resource "aws_iam_role" "admin" {
  name                = "admin"
  assume_role_policy  = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
  managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
}
resource "aws_iam_user" "ci" { name = "ci" }
resource "aws_iam_user_policy" "ci" {
  user   = aws_iam_user.ci.name
  policy = jsonencode({ Statement = [
    { Effect = "Allow", Action = "iam:PassRole", Resource = aws_iam_role.admin.arn },
    { Effect = "Allow", Action = "ec2:RunInstances", Resource = "*" },
  ] })
}
resource "aws_iam_role" "ops" {
  name                = "ops"
  assume_role_policy  = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = aws_iam_user.ci.arn } }] })
  managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
}
"""

REFERENCES_CFN = """
Resources:
  Admin:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Action: sts:AssumeRole, Principal: {Service: ec2.amazonaws.com}}]}
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
  Ci:
    Type: AWS::IAM::User
    Properties:
      Policies:
        - PolicyName: deploy
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: iam:PassRole, Resource: !GetAtt Admin.Arn}
              - {Effect: Allow, Action: ec2:RunInstances, Resource: '*'}
  Ops:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Action: sts:AssumeRole, Principal: {AWS: !GetAtt Ci.Arn}}]}
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
"""


def test_references_to_roles_and_users_are_followed(tmp_path: Path) -> None:
    """Resource = aws_iam_role.admin.arn and Principal = aws_iam_user.ci.arn name exactly those resources."""
    (tmp_path / "tf").mkdir()
    tf = scan_files(tmp_path / "tf", {"main.tf": REFERENCES_TF})
    assert sorted(f[:2] for f in tf) == [("PL102", "aws_iam_role.ops"), ("PL103", "aws_iam_user.ci")]
    (tmp_path / "cfn").mkdir()
    cfn = scan_files(tmp_path / "cfn", {"template.yaml": REFERENCES_CFN})
    assert sorted(f[:2] for f in cfn) == [("PL102", "Ops"), ("PL103", "Ci")]


def test_interpolated_references_are_kept(tmp_path: Path) -> None:
    """ "serviceAccount:${google_service_account.x.email}" names x: its key is a key of an owner (PL320)."""
    found = scan_files(
        tmp_path,
        {
            "main.tf": """
        resource "google_service_account" "deployer" { account_id = "deployer" }
        resource "google_project_iam_member" "owner" {
          project = "acme-prod"
          role    = "roles/owner"
          member  = "serviceAccount:${google_service_account.deployer.email}"
        }
        resource "google_service_account_key" "deployer" {
          service_account_id = google_service_account.deployer.name
        }
    """
        },
    )
    assert [f[:2] for f in found] == [("PL222", "google_project_iam_member.owner"), ("PL320", "google_service_account_key.deployer")]


def test_inventory_merge_keeps_every_field_of_both_sides() -> None:
    from typing import get_args, get_origin

    from privlint.model.inventory import Inventory

    def one_of_each(tag: str) -> Inventory:
        values: dict[str, object] = {}
        for name, field in Inventory.model_fields.items():
            if get_origin(field.annotation) is list:
                values[name] = [f"{name}-{tag}"]
            elif get_origin(get_args(field.annotation)[1]) is list:
                values[name] = {"shared": [f"{name}-{tag}"]}
            else:
                values[name] = {f"{name}-{tag}": tag}
        return Inventory.model_construct(**values)

    merged = Inventory()
    merged.merge(one_of_each("a"))
    merged.merge(one_of_each("b"))
    for name in Inventory.model_fields:
        value = getattr(merged, name)
        assert len(value if isinstance(value, list) else value.get("shared", value)) == 2, name
