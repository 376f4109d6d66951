"""The principal graph and the escalation rules (PL103, PL104): fixtures per technique, properties, renderers."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import deque
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import privlint
from conftest import FIXTURES, run_cli
from privlint.analysis.graph_model import Edge, Node, PrincipalGraph
from privlint.analysis.graph_render import render, to_mermaid
from privlint.analysis.paths import escalation_paths, shortest_paths
from privlint.analysis.principal_graph import build_graph
from privlint.analysis.techniques import techniques
from privlint.knowledge.iam import parse_policy
from privlint.model.inventory import (
    Grant,
    Inventory,
    Location,
    PolicyDocument,
    Principal,
)

ESCALATION = FIXTURES / "escalation"
EXPECTED: dict[str, dict[str, str]] = json.loads((ESCALATION / "expected_paths.json").read_text())


def _escalations(path: Path) -> list[privlint.Finding]:
    return [f for f in privlint.scan([str(path)]).findings if f.rule_id in ("PL103", "PL104")]


# --------------------------------------------------------------------------- fixtures, one per technique


def test_every_technique_has_fixtures() -> None:
    ids = {t.id for t in techniques()}
    assert ids == set(EXPECTED)
    for technique in ids:
        assert (ESCALATION / "terraform" / technique / "bad" / "main.tf").is_file()
        assert (ESCALATION / "terraform" / technique / "good" / "main.tf").is_file()
        # CloudFormation has no property for some targets (a stack's service role is given at deploy time).
        assert ("cloudformation" in EXPECTED[technique]) == (ESCALATION / "cloudformation" / technique / "bad.template").is_file()
        assert ("cloudformation" in EXPECTED[technique]) == (ESCALATION / "cloudformation" / technique / "good.template").is_file()


_CASES = [(t, fmt) for t in sorted(EXPECTED) for fmt in sorted(EXPECTED[t])]


@pytest.mark.parametrize(("technique", "fmt"), _CASES)
def test_bad_fixture_reports_the_exact_path(technique: str, fmt: str) -> None:
    path = ESCALATION / fmt / technique / ("bad" if fmt == "terraform" else "bad.template")
    findings = _escalations(path)
    expected = EXPECTED[technique][fmt]
    source = expected.split(" -> ")[0]
    assert [(f.rule_id, f.resource) for f in findings] == [("PL103", source)]
    assert f": {expected} (" in findings[0].message
    assert findings[0].category.value == "admin-without-mfa"


@pytest.mark.parametrize(("technique", "fmt"), _CASES)
def test_good_fixture_reports_nothing(technique: str, fmt: str) -> None:
    path = ESCALATION / fmt / technique / ("good" if fmt == "terraform" else "good.template")
    assert privlint.scan([str(path)]).findings == []


def test_finding_points_at_the_first_grant_on_the_path() -> None:
    path = ESCALATION / "terraform" / "pass-role-ec2" / "bad"
    (finding,) = _escalations(path)
    lines = (path / "main.tf").read_text().splitlines()
    # The statement that grants iam:PassRole on role/admin opens on this line.
    assert lines[finding.line - 1].strip() == "{"
    assert '"iam:PassRole"' in lines[finding.line + 1]
    assert finding.file == str(path / "main.tf")


# --------------------------------------------------------------------------- inventories written in code


def _doc(address: str, statements: list[dict], kind: str = "identity") -> PolicyDocument:
    return PolicyDocument(
        address=address,
        resource=address,
        resource_type="aws_iam_policy",
        location=Location(file="t.tf", line=1),
        kind=kind,
        statements=parse_policy({"Statement": statements}) or [],
    )  # type: ignore[arg-type]


def _inventory(users: dict[str, list[dict]], roles: dict[str, tuple[list[dict], list[dict]]]) -> Inventory:
    """users: name -> identity statements; roles: name -> (trust statements, identity statements)."""
    inv = Inventory()
    for name, statements in users.items():
        address = f"aws_iam_user.{name}"
        inv.documents[f"{address}.policy"] = _doc(f"{address}.policy", statements)
        inv.principals[address] = Principal(
            address=address, kind="user", name=name, location=Location(file="t.tf", line=1), grants=[Grant(document=f"{address}.policy")]
        )
    for name, (trust, statements) in roles.items():
        address = f"aws_iam_role.{name}"
        inv.documents[f"{address}.trust"] = _doc(f"{address}.trust", trust, "trust")
        inv.documents[f"{address}.policy"] = _doc(f"{address}.policy", statements)
        inv.principals[address] = Principal(
            address=address,
            kind="role",
            name=name,
            location=Location(file="t.tf", line=1),
            grants=[Grant(document=f"{address}.policy")],
            trust_document=f"{address}.trust",
        )
    return inv


ADMIN = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
ROOT_TRUST = [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]
EC2_TRUST = [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]


def _pass_to_ec2(resource: object, condition: dict | None = None) -> list[dict]:
    stmt: dict = {"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": resource}
    if condition:
        stmt["Condition"] = condition
    return [stmt]


def test_chain_through_an_assumed_role_is_reported_step_by_step() -> None:
    inv = _inventory(
        {"dev": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::123456789012:role/deployer"}]},
        {
            "deployer": (
                ROOT_TRUST,
                _pass_to_ec2(["arn:aws:iam::123456789012:role/admin", "*"][0:1]) + [{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}],
            ),
            "admin": (EC2_TRUST, ADMIN),
        },
    )
    graph = build_graph(inv)
    path = graph.path_from("aws_iam_user.dev")
    assert path is not None and not path.mfa_required
    assert path.describe() == "aws_iam_user.dev -> can-assume -> aws_iam_role.deployer -> can-pass-to-service(ec2) -> aws_iam_role.admin"


def test_unknown_resource_never_creates_an_edge() -> None:
    text = """
resource "aws_iam_user" "ci" { name = "ci" }
variable "role_arn" {}
resource "aws_iam_user_policy" "ci" {
  user   = aws_iam_user.ci.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = ["iam:PassRole", "ec2:RunInstances"], Resource = [var.role_arn] }] })
}
resource "aws_iam_role" "admin" {
  name = "admin"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }] })
}
resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""
    assert [f.rule_id for f in privlint.scan_text(text).findings if f.rule_id.startswith("PL10")] == []


def test_passed_to_service_condition_and_deny_remove_the_edge() -> None:
    only_lambda = {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}
    inv = _inventory({"ci": _pass_to_ec2("arn:aws:iam::123456789012:role/admin", only_lambda)}, {"admin": (EC2_TRUST, ADMIN)})
    assert build_graph(inv).path_from("aws_iam_user.ci") is None
    denied = _pass_to_ec2("arn:aws:iam::123456789012:role/admin") + [
        {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/admin"}
    ]
    inv = _inventory({"ci": denied}, {"admin": (EC2_TRUST, ADMIN)})
    assert build_graph(inv).path_from("aws_iam_user.ci") is None
    inv = _inventory({"ci": _pass_to_ec2("arn:aws:iam::123456789012:role/admin")}, {"admin": (EC2_TRUST, ADMIN)})
    assert build_graph(inv).path_from("aws_iam_user.ci") is not None


def test_unevaluated_condition_never_creates_an_edge() -> None:
    tagged = {"StringEquals": {"aws:ResourceTag/team": "ci"}}
    inv = _inventory({"ci": _pass_to_ec2("arn:aws:iam::123456789012:role/admin", tagged)}, {"admin": (EC2_TRUST, ADMIN)})
    assert build_graph(inv).edges == [e for e in build_graph(inv).edges if e.source.startswith("service:")]


def test_mfa_on_the_grant_makes_the_path_need_mfa() -> None:
    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    inv = _inventory({"ci": _pass_to_ec2("arn:aws:iam::123456789012:role/admin", mfa)}, {"admin": (EC2_TRUST, ADMIN)})
    path = build_graph(inv).path_from("aws_iam_user.ci")
    assert path is not None and path.mfa_required


def test_service_and_federated_roles_are_not_reported_but_assumable_roles_are() -> None:
    passes = _pass_to_ec2("arn:aws:iam::123456789012:role/admin")
    saml = [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/corp"}, "Action": "sts:AssumeRoleWithSAML"}]
    lambda_trust = [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    inv = _inventory({}, {"sso": (saml, passes), "worker": (lambda_trust, passes), "ops": (ROOT_TRUST, passes), "admin": (EC2_TRUST, ADMIN)})
    from privlint.rules.escalation import assumable_role_escalates_to_admin

    hits = list(assumable_role_escalates_to_admin(inv, privlint.Settings()))
    assert [h.resource for h in hits] == ["aws_iam_role.ops"]
    # The graph still shows every path, for a reviewer.
    assert {p.source for p in build_graph(inv).paths} == {"aws_iam_role.ops", "aws_iam_role.sso", "aws_iam_role.worker"}


# --------------------------------------------------------------------------- shortest paths: properties


def _reference_distance(source: str, admins: set[str], edges: list[Edge]) -> int | None:
    """Plain breadth-first search forwards from one source (the specification the fast search must meet)."""
    forward: dict[str, list[Edge]] = {}
    for e in edges:
        forward.setdefault(e.source, []).append(e)
    reach_as = {}

    def act_as_reach(start: str) -> set[str]:
        if start not in reach_as:
            seen, todo = {start}, deque([start])
            while todo:
                n = todo.popleft()
                for e in forward.get(n, []):
                    if e.effect == "act-as" and e.target not in seen:
                        seen.add(e.target)
                        todo.append(e.target)
            reach_as[start] = seen
        return reach_as[start]

    dist = {source: 0}
    todo = deque([source])
    while todo:
        node = todo.popleft()
        for e in forward.get(node, []):
            if e.effect == "grant":
                if e.target in act_as_reach(node):
                    return dist[node] + 1
                continue
            if e.target in admins:
                return dist[node] + 1
            if e.target not in dist:
                dist[e.target] = dist[node] + 1
                todo.append(e.target)
    return None


@st.composite
def random_graphs(draw: st.DrawFn) -> tuple[list[str], set[str], list[Edge]]:
    size = draw(st.integers(min_value=1, max_value=9))
    nodes = [f"n{i}" for i in range(size)]
    admins = set(draw(st.lists(st.sampled_from(nodes), max_size=3)))
    raw = draw(st.lists(st.tuples(st.sampled_from(nodes), st.sampled_from(nodes), st.sampled_from(["act-as", "act-as", "grant"])), max_size=20))
    edges = [
        Edge(source=s, target=t, kind="can-assume" if eff == "act-as" else "can-modify-permissions", effect=eff, technique=f"t{i}")
        for i, (s, t, eff) in enumerate(raw)
    ]
    return nodes, admins, edges


@settings(max_examples=300, deadline=None)
@given(random_graphs())
def test_a_path_is_reported_exactly_when_one_exists_and_is_shortest(graph: tuple[list[str], set[str], list[Edge]]) -> None:
    nodes, admins, edges = graph
    found = shortest_paths(admins, edges)
    for node in nodes:
        if node in admins:
            assert node not in found
            continue
        expected = _reference_distance(node, admins, edges)
        if expected is None:
            assert node not in found
            continue
        path, end = found[node]
        assert len(path) == expected
        # The path is walkable: each edge starts where the previous one ended, and it ends at admin rights.
        at = node
        for e in path:
            assert e in edges and e.source == at
            at = e.target
        last = path[-1]
        assert end == last.target
        assert last.target in admins or (last.effect == "grant" and (last.target == last.source or _reference_distance_to(last.source, last.target, edges)))


def _reference_distance_to(source: str, target: str, edges: list[Edge]) -> bool:
    return _reference_distance(source, {target}, [e for e in edges if e.effect == "act-as"]) is not None


@settings(max_examples=150, deadline=None)
@given(random_graphs(), st.sets(st.integers(min_value=0, max_value=19)))
def test_paths_without_mfa_avoid_mfa_edges(graph: tuple[list[str], set[str], list[Edge]], with_mfa: set[int]) -> None:
    nodes, admins, edges = graph
    edges = [e.model_copy(update={"mfa": i in with_mfa}) for i, e in enumerate(edges)]
    node_models = {n: Node(id=n, kind="user", label=n, admin=n in admins) for n in nodes}
    free = [e for e in edges if not e.mfa]
    for path in escalation_paths(node_models, edges):
        if path.mfa_required:
            assert _reference_distance(path.source, admins, free) is None
            assert _reference_distance(path.source, admins, edges) == len(path.edges)
        else:
            assert not any(e.mfa for e in path.edges)
            assert _reference_distance(path.source, admins, free) == len(path.edges)


# --------------------------------------------------------------------------- rendering and the command


_MERMAID_NODE = re.compile(r'^  n\d+(\["[^"]*"\]|\(\["[^"]*"\]\)|\[\["[^"]*"\]\]|\(\("[^"]*"\)\))$')
_MERMAID_EDGE = re.compile(r'^  (n\d+) (-->|==>|-\.->)\|"[^"]*"\| (n\d+)$')


def check_mermaid_flowchart(text: str) -> None:
    """The Mermaid flowchart syntax privlint writes: header, node shapes, labelled links, classes, link styles."""
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "flowchart LR"
    declared: set[str] = set()
    links = 0
    for line in lines[1:]:
        if _MERMAID_NODE.match(line):
            declared.add(line.split("[")[0].split("(")[0].strip())
        elif m := _MERMAID_EDGE.match(line):
            assert m.group(1) in declared and m.group(3) in declared, line
            links += 1
        elif line.startswith("  classDef "):
            assert re.match(r"^  classDef \w+ [\w#:,-]+(,[\w#:-]+)*$", line), line
        elif line.startswith("  class "):
            assert set(line.split()[1].split(",")) <= declared, line
        elif line.startswith("  linkStyle "):
            assert all(int(i) < links for i in line.split()[1].split(",")), line
        else:
            raise AssertionError(f"not Mermaid flowchart syntax: {line!r}")


def test_mermaid_output_is_flowchart_syntax() -> None:
    graph = privlint.graph([str(ESCALATION)])
    text = to_mermaid(graph)
    check_mermaid_flowchart(text)
    assert "==>" in text and "class " in text


def test_mermaid_check_rejects_broken_output() -> None:
    with pytest.raises(AssertionError):
        check_mermaid_flowchart('flowchart LR\n  n0["a"]\n  n0 --> n1\n')
    with pytest.raises(AssertionError):
        check_mermaid_flowchart('flowchart LR\n  n0["a "quoted""]\n')


def test_labels_with_quotes_are_escaped() -> None:
    graph = PrincipalGraph(nodes=[Node(id='a"b', kind="user", label='module.x["a"].aws_iam_user.y')])
    check_mermaid_flowchart(to_mermaid(graph))
    assert '\\"' in render(graph, "dot")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed (.ci/run installs it)")
def test_dot_output_renders_with_graphviz(tmp_path: Path) -> None:
    out = tmp_path / "graph.dot"
    result = run_cli("graph", str(ESCALATION), "--format", "dot", "--output", str(out))
    assert result.returncode == 0, result.stderr
    rendered = subprocess.run(["dot", "-Tsvg", str(out)], check=False, capture_output=True, text=True, timeout=120)
    assert rendered.returncode == 0, rendered.stderr
    assert "<svg" in rendered.stdout and "aws_iam_user.ci" in rendered.stdout


def test_graph_command_json_is_the_typed_model(tmp_path: Path) -> None:
    out = tmp_path / "graph.json"
    result = run_cli("graph", str(ESCALATION / "terraform" / "pass-role-ec2" / "bad"), "--format", "json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    graph = PrincipalGraph.model_validate_json(out.read_text())
    (path,) = [p for p in graph.paths if not p.mfa_required]
    assert path.describe() == "aws_iam_user.ci -> can-pass-to-service(ec2) -> aws_iam_role.admin"
    assert {n.id for n in graph.nodes if n.admin} == {"aws_iam_role.admin"}


def test_graph_command_usage_errors() -> None:
    assert run_cli("graph", "no/such/path").returncode == 2
    assert run_cli("graph", str(ESCALATION), "--format", "png").returncode == 2


def test_api_returns_typed_graph_and_bad_input_is_not_a_traceback() -> None:
    graph = privlint.graph(FIXTURES / "rules/PL000-parse-error")
    assert isinstance(graph, PrincipalGraph)
    graph = privlint.graph(ESCALATION / "cloudformation" / "assume-role" / "good.template")
    (path,) = graph.paths
    assert path.mfa_required and path.describe() == "CiUser -> can-assume -> AdminRole"


def test_aws_managed_policy_arns_name_nothing_the_code_can_rewrite() -> None:
    """A CreatePolicyVersion scoped to arn:aws:iam::aws:policy/... cannot touch customer policies
    (the shape of Bishop Fox iam-vulnerable's fp4 false-positive test)."""
    inv = _inventory({"ci": [{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "arn:aws:iam::aws:policy/ci-*"}]}, {})
    inv.documents["aws_iam_user.ci.policy"].name = "ci-tools"
    assert build_graph(inv).edges == []
    inv = _inventory({"ci": [{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "arn:aws:iam::*:policy/ci-*"}]}, {})
    inv.documents["aws_iam_user.ci.policy"].name = "ci-tools"
    assert build_graph(inv).path_from("aws_iam_user.ci") is not None


@st.composite
def random_accounts(draw: st.DrawFn) -> tuple[dict, dict, list[tuple[str, str, bool]], set[str]]:
    """Users and roles with random trusts and sts:AssumeRole grants, and the can-assume edges the spec gives."""
    users = [f"u{i}" for i in range(draw(st.integers(1, 4)))]
    roles = [f"r{i}" for i in range(draw(st.integers(1, 5)))]
    admins = set(draw(st.lists(st.sampled_from(roles), max_size=2)))
    trusts: dict[str, tuple[str, str | None, bool]] = {}
    for role in roles:
        kind = draw(st.sampled_from(["root", "user", "role", "service"]))
        named = draw(st.sampled_from(users)) if kind == "user" else draw(st.sampled_from(roles)) if kind == "role" else None
        trusts[role] = (kind, named, draw(st.booleans()))  # (who, which, MFA on the trust)
    grants = {p: draw(st.lists(st.sampled_from(roles), max_size=3)) for p in users + roles}
    edges: list[tuple[str, str, bool]] = []
    for role, (kind, named, mfa) in trusts.items():
        for principal in users + roles:
            if principal == role or principal in admins:
                continue
            if kind == "root" and role in grants[principal] or kind in ("user", "role") and named == principal:
                edges.append((principal, role, mfa))
    user_statements = {
        u: [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::123456789012:role/{r}"} for r in grants[u]] for u in users
    }
    role_specs = {}
    for role, (kind, named, mfa) in trusts.items():
        principal = {
            "root": {"AWS": "arn:aws:iam::123456789012:root"},
            "user": {"AWS": f"arn:aws:iam::123456789012:user/{named}"},
            "role": {"AWS": f"arn:aws:iam::123456789012:role/{named}"},
            "service": {"Service": "ec2.amazonaws.com"},
        }[kind]
        trust: dict = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
        if mfa:
            trust["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        own = [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::123456789012:role/{r}"} for r in grants[role]]
        role_specs[role] = ([trust], own + (ADMIN if role in admins else []))
    return user_statements, role_specs, edges, admins


@settings(max_examples=200, deadline=None)
@given(random_accounts())
def test_random_accounts_report_exactly_the_users_that_reach_admin_without_mfa(case: tuple) -> None:
    """Through the whole build (trust policies, grants, ARNs), compared with a plain BFS over the spec's edges."""
    user_statements, role_specs, edges, admins = case
    inv = _inventory(user_statements, role_specs)
    free = [
        Edge(source=f"aws_iam_{'user' if s.startswith('u') else 'role'}.{s}", target=f"aws_iam_role.{t}", kind="can-assume") for s, t, mfa in edges if not mfa
    ]
    admin_ids = {f"aws_iam_role.{r}" for r in admins}
    graph = build_graph(inv)
    for user in user_statements:
        expected = _reference_distance(f"aws_iam_user.{user}", admin_ids, free)
        path = graph.path_from(f"aws_iam_user.{user}")
        reported = path if path is not None and not path.mfa_required else None
        assert (reported is None) == (expected is None), (user, path)
        if reported is not None:
            assert len(reported.edges) == expected


_POLICY_FROM_DATA_SOURCE = """
data "aws_iam_policy_document" "rotate" {
  statement {
    actions   = ["iam:CreatePolicyVersion"]
    resources = ["*"]
    CONDITION
  }
}

resource "aws_iam_policy" "rotate" {
  name   = "rotate"
  policy = data.aws_iam_policy_document.rotate.json
}

resource "aws_iam_user" "ci" {
  name = "ci"
}

resource "aws_iam_user_policy_attachment" "ci" {
  user       = aws_iam_user.ci.name
  policy_arn = aws_iam_policy.rotate.arn
}
"""


@pytest.mark.parametrize(
    ("condition", "escalates"),
    [
        ("", True),
        ('condition {\n      test = "DateGreaterThan"\n      variable = "aws:TokenIssueTime"\n      values = ["2020-01-01T00:00:01Z"]\n    }', True),
        ('condition {\n      test = "DateLessThan"\n      variable = "aws:TokenIssueTime"\n      values = ["2020-01-01T00:00:01Z"]\n    }', False),
    ],
)
def test_a_managed_policy_written_by_a_data_source_can_be_rewritten_by_its_holder(condition: str, escalates: bool) -> None:
    """iam-vulnerable's fn3 (a condition every session meets) escalates; fp5 (one no session meets) does not."""
    findings = privlint.scan_text(_POLICY_FROM_DATA_SOURCE.replace("CONDITION", condition)).findings
    reported = [f for f in findings if f.rule_id == "PL103"]
    assert bool(reported) == escalates
    if escalates:
        assert "aws_iam_user.ci -> can-modify-permissions(iam:CreatePolicyVersion) -> aws_iam_user.ci" in reported[0].message
