"""One account graph per scan: paths cross root modules and templates, and clashing names stay apart."""

from __future__ import annotations

from pathlib import Path

import privlint
from conftest import FIXTURES
from privlint.analysis.account import account_graph
from privlint.analysis.principal_graph import build_graph
from privlint.knowledge.iam import parse_policy
from privlint.model.inventory import (
    Grant,
    Inventory,
    Location,
    PolicyDocument,
    Principal,
    Workload,
)

ACCOUNT = FIXTURES / "escalation" / "account"
CLOUDFORMATION = FIXTURES / "escalation" / "cloudformation"


def _escalations(*paths: Path) -> list[privlint.Finding]:
    return [f for f in privlint.scan([str(p) for p in paths]).findings if f.rule_id in ("PL103", "PL104")]


def test_a_path_crosses_root_modules_only_when_both_are_scanned() -> None:
    assert _escalations(ACCOUNT / "bad" / "ci") == []
    assert _escalations(ACCOUNT / "bad" / "app") == []
    [finding] = _escalations(ACCOUNT / "bad")
    assert (finding.rule_id, finding.resource) == ("PL103", "aws_iam_user.ci")
    assert finding.file.endswith("bad/ci/main.tf") and finding.line == 14  # the grant, in the unit that has it
    assert "aws_iam_user.ci -> can-modify-permissions(lambda:UpdateFunctionCode) -> aws_iam_role.reporting (in " in finding.message
    assert "bad/app/main.tf) (aws_iam_role.reporting is admin-level)" in finding.message  # another unit's role says where
    # Named one by one, the two root modules are the same account too.
    assert [f.resource for f in _escalations(ACCOUNT / "bad" / "ci", ACCOUNT / "bad" / "app")] == ["aws_iam_user.ci"]


def test_a_grant_scoped_to_another_function_stays_quiet_across_root_modules() -> None:
    assert _escalations(ACCOUNT / "good") == []


def test_the_graph_command_shows_the_graph_the_rules_use() -> None:
    graph = privlint.graph(ACCOUNT / "bad")
    path = graph.path_from("aws_iam_user.ci")
    assert path is not None and not path.mfa_required and path.target == "aws_iam_role.reporting"


def test_clashing_addresses_are_qualified_in_the_graph_but_findings_keep_the_units_names() -> None:
    bad = CLOUDFORMATION / "update-function-code" / "bad.template"
    alone = _escalations(bad)
    together = _escalations(bad, CLOUDFORMATION / "create-access-key" / "bad.template")
    assert [(f.resource, f.message) for f in alone] == [(f.resource, f.message) for f in together if f.file == str(bad)]
    assert {f.resource for f in together} == {"CiUser"} and len({f.file for f in together}) == 2
    ids = {n.id for n in privlint.graph([bad, CLOUDFORMATION / "create-access-key" / "bad.template"]).nodes}
    assert f"{bad}::CiUser" in ids and "CiUser" not in ids


def _unit(file: str, user_policy: dict, *, role: bool, function: str) -> Inventory:
    """A unit with a user ``ci`` (the given policy) and, with ``role``, an admin role running ``function``."""
    inventory = Inventory()
    here = Location(file=file, line=1)
    inventory.documents["aws_iam_user_policy.ci"] = PolicyDocument(
        address="aws_iam_user_policy.ci",
        resource="aws_iam_user_policy.ci",
        resource_type="aws_iam_user_policy",
        location=here,
        kind="identity",
        statements=parse_policy(user_policy),
    )
    inventory.principals["aws_iam_user.ci"] = Principal(
        address="aws_iam_user.ci", kind="user", name=f"ci-{file}", location=here, grants=[Grant(document="aws_iam_user_policy.ci")]
    )
    if role:
        admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}},
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "ref:aws_iam_user.ci"}},  # this unit's ci only
            ],
        }
        for address, doc, kind in (("aws_iam_role_policy.admin", admin, "identity"), ("aws_iam_role.admin#trust", trust, "trust")):
            inventory.documents[address] = PolicyDocument(
                address=address, resource=address, resource_type="aws_iam_role_policy", location=here, kind=kind, statements=parse_policy(doc)
            )
        inventory.principals["aws_iam_role.admin"] = Principal(
            address="aws_iam_role.admin",
            kind="role",
            name=f"admin-{file}",
            location=here,
            grants=[Grant(document="aws_iam_role_policy.admin")],
            trust_document="aws_iam_role.admin#trust",
        )
        inventory.workloads.append(Workload(address="aws_lambda_function.f", kind="lambda-function", location=here, name=function, role="aws_iam_role.admin"))
    return inventory


def test_references_stay_inside_their_unit_and_names_cross_units() -> None:
    by_reference = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "ref:aws_iam_role.admin"}]}
    by_arn = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "lambda:UpdateFunctionCode", "Resource": "arn:aws:lambda:*:*:function:report"}],
    }
    first = _unit("a.tf", by_arn, role=False, function="")
    second = _unit("b.tf", by_reference, role=True, function="report")
    account = account_graph([first, second])
    a_ci, b_ci = account.ids[0]["aws_iam_user.ci"], account.ids[1]["aws_iam_user.ci"]
    assert (a_ci, b_ci) == ("a.tf::aws_iam_user.ci", "b.tf::aws_iam_user.ci")
    assert account.ids[1]["aws_iam_role.admin"] == "aws_iam_role.admin"  # used once: not qualified
    a_path, b_path = account.graph.path_from(a_ci), account.graph.path_from(b_ci)
    assert a_path is not None and [e.technique for e in a_path.edges] == ["update-function-code"]
    assert b_path is not None and b_path.target == "aws_iam_role.admin" and [e.kind for e in b_path.edges] == ["can-assume"]
    assert not any(e.source == a_ci and e.kind == "can-assume" for e in account.graph.edges)
    assert {n.label for n in account.graph.nodes if n.id in (a_ci, b_ci)} == {"aws_iam_user.ci"}
    # Alone, the first unit has no path; one unit joined alone is the unit's own graph.
    assert account_graph([first]).graph == build_graph(first) and build_graph(first).paths == []


def test_a_switched_off_grant_is_marked_and_a_deployed_cross_unit_path_is_not(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "ci").mkdir()
    (tmp_path / "app" / "main.tf").write_text((ACCOUNT / "bad" / "app" / "main.tf").read_text())
    ops = """
variable "ops_enabled" {
  type    = bool
  default = false
}

resource "aws_iam_user" "ops" {
  name = "ops"
}

resource "aws_iam_user_policy" "ops" {
  count  = var.ops_enabled ? 1 : 0
  name   = "ops"
  user   = aws_iam_user.ops.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["lambda:UpdateFunctionCode"], Resource = ["arn:aws:lambda:eu-west-2:123456789012:function:nightly-report"] }]
  })
}
"""
    (tmp_path / "ci" / "main.tf").write_text((ACCOUNT / "bad" / "ci" / "main.tf").read_text() + ops)
    report = privlint.scan([str(tmp_path)], {"include_disabled": True})
    marks = {f.resource: f.enabled_by for f in report.findings if f.rule_id == "PL103"}
    assert marks == {"aws_iam_user.ci": None, "aws_iam_user.ops": "var.ops_enabled"}
