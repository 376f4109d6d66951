"""Generate realistic benchmark corpora: Terraform modules and CloudFormation templates.

Each Terraform file looks like a file from a real account: IAM users, groups, roles with trust
policies, policies written as ``jsonencode`` / heredoc / ``aws_iam_policy_document``, attachments,
databases with credentials from variables, security groups, and noise resources no rule reads
(buckets, instances, log groups). Files are grouped ten to a module directory. About one resource
in six is a mistake privlint reports, so the rules do real work. The output is deterministic for a
given size: the same corpus on every machine.
"""

from __future__ import annotations

import random
from pathlib import Path

FILES_PER_MODULE = 10


def _policy_parts(rng: random.Random) -> tuple[str, str]:
    actions = rng.choice(
        [
            '["s3:GetObject", "s3:ListBucket"]',
            '["logs:CreateLogStream", "logs:PutLogEvents"]',
            '"iam:*"',
            '"*"',
            '["ec2:Describe*"]',
            '["kms:Decrypt"]',
            '["dynamodb:GetItem", "dynamodb:Query"]',
        ]
    )
    resource = rng.choice(['"*"', '"arn:aws:s3:::bucket-${var.env}/*"', '"arn:aws:logs:eu-west-2:123456789012:*"'])
    return actions, resource


def terraform_file(i: int, rng: random.Random) -> str:
    """One file of about 3.5 KB with 16 resources (15 blocks and a data source)."""
    n = f"{i:05d}"
    actions, resource = _policy_parts(rng)
    admin = rng.random() < 0.15
    open_ssh = rng.random() < 0.15
    weak_db = rng.random() < 0.15
    mfa = "" if rng.random() < 0.5 else '\n      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }'
    return f'''# Service {n}: application identities, data store and network.
resource "aws_iam_user" "svc_{n}" {{
  name = "svc-{n}"
  path = "/services/"
  tags = {{ team = "platform", service = "{n}" }}
}}

resource "aws_iam_group" "ops_{n}" {{
  name = "ops-{n}"
}}

resource "aws_iam_group_membership" "ops_{n}" {{
  name  = "ops-{n}-members"
  group = aws_iam_group.ops_{n}.name
  users = [aws_iam_user.svc_{n}.name]
}}

resource "aws_iam_policy" "app_{n}" {{
  name = "app-{n}"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = {actions}
      Resource = {resource}{mfa}
    }}]
  }})
}}

resource "aws_iam_group_policy_attachment" "ops_{n}" {{
  group      = aws_iam_group.ops_{n}.name
  policy_arn = "{"arn:aws:iam::aws:policy/AdministratorAccess" if admin else "arn:aws:iam::aws:policy/ReadOnlyAccess"}"
}}

resource "aws_iam_user_policy_attachment" "svc_{n}" {{
  user       = aws_iam_user.svc_{n}.name
  policy_arn = aws_iam_policy.app_{n}.arn
}}

data "aws_iam_policy_document" "assume_{n}" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "{rng.choice(["Service", "AWS"])}"
      identifiers = ["{rng.choice(["ec2.amazonaws.com", "lambda.amazonaws.com", "arn:aws:iam::123456789012:root"])}"]
    }}
  }}
}}

resource "aws_iam_role" "app_{n}" {{
  name               = "app-{n}"
  assume_role_policy = data.aws_iam_policy_document.assume_{n}.json
}}

resource "aws_iam_role_policy" "app_{n}" {{
  name = "app-{n}-inline"
  role = aws_iam_role.app_{n}.id
  policy = <<-EOT
    {{
      "Version": "2012-10-17",
      "Statement": [
        {{"Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"], "Resource": "arn:aws:sqs:eu-west-2:123456789012:queue-{n}"}},
        {{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "${{aws_s3_bucket.data_{n}.arn}}/*"}}
      ]
    }}
  EOT
}}

resource "aws_iam_role_policy_attachment" "app_{n}" {{
  role       = aws_iam_role.app_{n}.name
  policy_arn = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"
}}

resource "aws_db_instance" "db_{n}" {{
  identifier          = "db-{n}"
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  username            = "{"admin" if weak_db else "app_owner"}"
  password            = {'"changeme"' if weak_db else "var.db_password"}
  skip_final_snapshot = true
}}

resource "aws_security_group" "app_{n}" {{
  name   = "app-{n}"
  vpc_id = var.vpc_id
  ingress {{
    from_port   = {22 if open_ssh else 443}
    to_port     = {22 if open_ssh else 443}
    protocol    = "tcp"
    cidr_blocks = ["{"0.0.0.0/0" if open_ssh else "10.0.0.0/8"}"]
  }}
  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}

resource "aws_s3_bucket" "data_{n}" {{
  bucket = "data-{n}-${{var.env}}"
  tags   = {{ service = "{n}" }}
}}

resource "aws_instance" "app_{n}" {{
  ami                    = "ami-0abcdef1234567890"
  instance_type          = "t3.small"
  vpc_security_group_ids = [aws_security_group.app_{n}.id]
  iam_instance_profile   = aws_iam_role.app_{n}.name
  tags                   = {{ Name = "app-{n}" }}
}}

resource "aws_cloudwatch_log_group" "app_{n}" {{
  name              = "/app/{n}"
  retention_in_days = 30
}}

resource "aws_sns_topic" "alerts_{n}" {{
  name = "alerts-{n}"
}}
'''


VARIABLES = """variable "env" {
  default = "prod"
}

variable "vpc_id" {}

variable "db_password" {
  sensitive = true
}
"""


def cloudformation_template(i: int, rng: random.Random) -> str:
    n = f"{i:05d}"
    admin = rng.random() < 0.2
    return f"""AWSTemplateFormatVersion: "2010-09-09"
Description: Service {n}
Parameters:
  DbPassword:
    Type: String
    NoEcho: true
Resources:
  User{n}:
    Type: AWS::IAM::User
    Properties:
      UserName: !Sub "svc-{n}-${{AWS::Region}}"
      ManagedPolicyArns:
        - {"arn:aws:iam::aws:policy/AdministratorAccess" if admin else "arn:aws:iam::aws:policy/ReadOnlyAccess"}
  Role{n}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{Service: lambda.amazonaws.com}}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: app
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [dynamodb:GetItem, dynamodb:PutItem]
                Resource: !GetAtt Table{n}.Arn
  Table{n}:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{{AttributeName: id, AttributeType: S}}]
      KeySchema: [{{AttributeName: id, KeyType: HASH}}]
  Db{n}:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      AllocatedStorage: "20"
      MasterUsername: app_owner
      MasterUserPassword: !Ref DbPassword
  Sg{n}:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: app
      SecurityGroupIngress:
        - {{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}}
  Bucket{n}:
    Type: AWS::S3::Bucket
"""


def generate(root: Path, terraform_files: int, seed: int = 7) -> dict[str, int]:
    """Write ``terraform_files`` .tf files (plus one variables.tf per module) and one template per ten files."""
    rng = random.Random(f"{seed}:{terraform_files}")
    tf_bytes = 0
    for i in range(terraform_files):
        module = root / "terraform" / f"service-{i // FILES_PER_MODULE:04d}"
        module.mkdir(parents=True, exist_ok=True)
        text = terraform_file(i, rng)
        (module / f"service_{i:05d}.tf").write_text(text)
        tf_bytes += len(text)
        if not (module / "variables.tf").exists():
            (module / "variables.tf").write_text(VARIABLES)
            tf_bytes += len(VARIABLES)
    templates = max(1, terraform_files // 10)
    (root / "cloudformation").mkdir(parents=True, exist_ok=True)
    cfn_bytes = 0
    for i in range(templates):
        text = cloudformation_template(i, rng)
        (root / "cloudformation" / f"service-{i:04d}.yaml").write_text(text)
        cfn_bytes += len(text)
    return {"terraform_files": terraform_files, "terraform_bytes": tf_bytes, "templates": templates, "template_bytes": cfn_bytes}
