"""Module evaluation: instances, references between them, local module outputs, dynamic blocks,
the AWS identity data sources, and file reads confined to the scanned tree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from privlint.model.values import DEFAULT_PARTITION, DEPLOYING_PRINCIPAL_ARN, THIS_ACCOUNT_ID, PartialList, Reference, Unknown
from privlint.terraform.loader import TerraformLoader
from privlint.terraform.results import TerraformResult


def load(tmp_path: Path, files: dict[str, str], root: str = ".") -> TerraformResult:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    directory = (tmp_path / root).resolve()
    loader = TerraformLoader(lambda p: p.read_text(), roots=[tmp_path])
    return loader.load(directory, sorted(p for p in directory.iterdir() if p.is_file()))


def resources(result: TerraformResult) -> dict[str, Any]:
    return {r.address: r.values for r in result.resources}


def test_count_makes_one_instance_per_index(tmp_path: Path) -> None:
    out = resources(load(tmp_path, {"main.tf": 'resource "aws_iam_user" "u" {\n  count = 2\n  name = "user-${count.index}"\n}\n'}))
    assert {k: v["name"] for k, v in out.items()} == {"aws_iam_user.u[0]": "user-0", "aws_iam_user.u[1]": "user-1"}


def test_count_from_a_variable_that_is_zero_creates_nothing(tmp_path: Path) -> None:
    text = 'variable "on" {\n  default = false\n}\nresource "aws_iam_user" "u" {\n  count = var.on ? 1 : 0\n  name = "x"\n}\n'
    assert resources(load(tmp_path, {"main.tf": text})) == {}


def test_for_each_instances_and_references_by_key(tmp_path: Path) -> None:
    text = """
locals {
  admins = { for name in ["ben", "ann"] : name => { group = "admins" } }
}
resource "aws_iam_user" "admin" {
  for_each = local.admins
  name     = each.key
  tags     = { group = each.value.group }
}
resource "aws_iam_user_policy_attachment" "a" {
  user       = aws_iam_user.admin["ben"].name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
resource "aws_iam_group_membership" "m" {
  name  = "m"
  group = "admins"
  users = [for u in aws_iam_user.admin : u.name]
}
"""
    out = resources(load(tmp_path, {"main.tf": text}))
    assert out['aws_iam_user.admin["ann"]']["name"] == "ann" and out['aws_iam_user.admin["ben"]']["tags"] == {"group": "admins"}
    user = out["aws_iam_user_policy_attachment.a"]["user"]
    assert isinstance(user, Reference) and user.address == 'aws_iam_user.admin["ben"]' and user.attribute == "name"
    members = out["aws_iam_group_membership.m"]["users"]
    assert [m.address for m in members] == ['aws_iam_user.admin["ann"]', 'aws_iam_user.admin["ben"]']


def test_splat_over_counted_resources(tmp_path: Path) -> None:
    text = 'resource "aws_iam_role" "r" {\n  count = 2\n  name = "r${count.index}"\n}\nresource "aws_x" "y" {\n  arns = aws_iam_role.r[*].arn\n}\n'
    arns = resources(load(tmp_path, {"main.tf": text}))["aws_x.y"]["arns"]
    assert [(a.address, a.attribute) for a in arns] == [("aws_iam_role.r[0]", "arn"), ("aws_iam_role.r[1]", "arn")]


def test_dynamic_blocks_generate_one_block_per_element(tmp_path: Path) -> None:
    text = """
variable "statements" {
  default = [
    { actions = ["s3:GetObject"], resources = ["*"] },
    { actions = ["iam:*"], resources = ["*"] },
  ]
}
data "aws_iam_policy_document" "d" {
  dynamic "statement" {
    for_each = var.statements
    iterator = s
    content {
      actions   = s.value.actions
      resources = s.value.resources
      dynamic "condition" {
        for_each = s.key == 1 ? [1] : []
        content {
          test     = "Bool"
          variable = "aws:MultiFactorAuthPresent"
          values   = ["true"]
        }
      }
    }
  }
}
"""
    statements = resources(load(tmp_path, {"main.tf": text}))["data.aws_iam_policy_document.d"]["statement"]
    assert [s["actions"] for s in statements] == [["s3:GetObject"], ["iam:*"]]
    assert statements[0]["condition"] == [] and statements[1]["condition"][0]["values"] == ["true"]


def test_a_dynamic_block_over_an_unknown_collection_leaves_an_unknown_mark(tmp_path: Path) -> None:
    text = 'variable "s" {}\ndata "aws_iam_policy_document" "d" {\n  dynamic "statement" {\n    for_each = var.s\n    content {\n      actions = ["*"]\n    }\n  }\n}\n'
    statements = resources(load(tmp_path, {"main.tf": text}))["data.aws_iam_policy_document.d"]["statement"]
    assert len(statements) == 1 and isinstance(statements[0], Unknown)


def test_local_module_outputs_and_instances(tmp_path: Path) -> None:
    files = {
        "main.tf": """
module "role" {
  source   = "./modules/role"
  for_each = toset(["a", "b"])
  name     = "role-${each.key}"
}
resource "aws_iam_role_policy_attachment" "admin" {
  role       = module.role["a"].name
  policy_arn = module.role["a"].admin_policy
}
""",
        "modules/role/main.tf": """
variable "name" {}
resource "aws_iam_role" "this" {
  name = var.name
}
output "name" {
  value = aws_iam_role.this.name
}
output "admin_policy" {
  value = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess"
}
data "aws_partition" "current" {}
""",
    }
    result = load(tmp_path, files)
    out = resources(result)
    assert out['module.role["a"].aws_iam_role.this']["name"] == "role-a" and out['module.role["b"].aws_iam_role.this']["name"] == "role-b"
    attachment = out["aws_iam_role_policy_attachment.admin"]
    assert isinstance(attachment["role"], Reference) and attachment["role"].address == 'module.role["a"].aws_iam_role.this'
    assert attachment["policy_arn"] == f"arn:{DEFAULT_PARTITION}:iam::aws:policy/AdministratorAccess"


def test_the_deploying_principal_and_this_account(tmp_path: Path) -> None:
    text = 'data "aws_caller_identity" "current" {}\nresource "aws_x" "y" {\n  a = data.aws_caller_identity.current.arn\n  b = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"\n}\n'
    out = resources(load(tmp_path, {"main.tf": text}))["aws_x.y"]
    assert out["a"] == DEPLOYING_PRINCIPAL_ARN and out["b"] == f"arn:aws:iam::{THIS_ACCOUNT_ID}:root"


def test_file_reads_stay_inside_the_scanned_tree(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("TOKEN=abc")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "link.txt").symlink_to(outside)
    (tree / "policy.json").write_text('{"Statement": []}')
    text = """
resource "aws_x" "y" {
  inside   = file("${path.module}/policy.json")
  absolute = file("/etc/hostname")
  parent   = file("../secret.txt")
  link     = file("link.txt")
  proc     = file("/proc/self/environ")
}
"""
    (tree / "main.tf").write_text(text)
    loader = TerraformLoader(lambda p: p.read_text(), roots=[tree])
    values = loader.load(tree, [tree / "main.tf"]).resources[0].values
    assert values["inside"] == '{"Statement": []}'
    for name in ("absolute", "parent", "link", "proc"):
        assert isinstance(values[name], Unknown), name


def test_templatefile_keeps_references_in_policy_json(tmp_path: Path) -> None:
    files = {
        "trust.json.tpl": '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "${user}"}, "Action": "sts:AssumeRole"}]}',
        "main.tf": 'resource "aws_iam_user" "u" {\n  name = "u"\n}\nresource "aws_iam_role" "r" {\n  assume_role_policy = templatefile("${path.module}/trust.json.tpl", { user = aws_iam_user.u.arn })\n}\n',
    }
    policy = resources(load(tmp_path, files))["aws_iam_role.r"]["assume_role_policy"]
    assert policy.references == ("aws_iam_user.u",)


def test_concat_with_an_unknown_list_keeps_the_known_actions(tmp_path: Path) -> None:
    text = 'variable "extra" {}\nresource "aws_x" "y" {\n  actions = concat(["iam:PassRole"], var.extra)\n}\n'
    actions = resources(load(tmp_path, {"main.tf": text}))["aws_x.y"]["actions"]
    assert isinstance(actions, PartialList) and actions.known == ("iam:PassRole",)


def test_a_huge_count_costs_only_that_block(tmp_path: Path) -> None:
    text = f'resource "aws_iam_user" "big" {{\n  count = {"9" * 5000}\n}}\nresource "aws_iam_user" "ok" {{\n  name = "ok"\n}}\n'
    result = load(tmp_path, {"main.tf": text})
    assert "aws_iam_user.ok" in resources(result)
    assert all(p.file.name == "main.tf" for p in result.problems)


def test_a_type_constraint_fills_optional_attributes_as_terraform_converts_inputs(tmp_path: Path) -> None:
    files = {
        "main.tf": 'module "m" {\n  source = "./m"\n  statements = {\n    a = { actions = ["s3:GetObject"], port = "443" }\n  }\n}\n',
        "m/main.tf": """
variable "statements" {
  type = map(object({
    actions     = optional(list(string))
    not_actions = optional(list(string))
    effect      = optional(string, "Allow")
    port        = number
  }))
}
variable "tags" {
  type    = set(string)
  default = ["a", "a", "b"]
}
variable "kept" {
  default = "d"
}
variable "strict" {
  default  = "d"
  nullable = false
}
resource "aws_x" "y" {
  for_each    = var.statements
  not_actions = each.value.not_actions
  effect      = each.value.effect
  port        = each.value.port
  tags        = var.tags
}
""",
    }
    out = resources(load(tmp_path, files))['module.m.aws_x.y["a"]']
    assert out["not_actions"] is None and out["effect"] == "Allow" and out["port"] == 443 and out["tags"] == ["a", "b"]


def test_a_null_argument_is_null_unless_the_variable_is_not_nullable(tmp_path: Path) -> None:
    files = {
        "main.tf": 'module "m" {\n  source = "./m"\n  kept   = null\n  strict = null\n}\n',
        "m/main.tf": 'variable "kept" {\n  default = "d"\n}\nvariable "strict" {\n  default  = "d"\n  nullable = false\n}\nresource "aws_x" "y" {\n  kept   = var.kept\n  strict = var.strict\n}\n',
    }
    out = resources(load(tmp_path, files))["module.m.aws_x.y"]
    assert out["kept"] is None and out["strict"] == "d"


def test_a_policy_document_statement_with_null_arguments_leaves_them_unset() -> None:
    from privlint.normalize.terraform_policy_document import statement_block

    converted = statement_block(
        {"effect": None, "actions": ["s3:GetObject"], "not_actions": None, "principals": [], "resources": ["*"], "not_resources": Unknown("x")}
    )
    assert converted == {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}
