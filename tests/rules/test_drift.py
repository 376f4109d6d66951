"""`privlint drift`: differences from plans, CloudFormation drift and snapshots, judged against the change register."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

import privlint
from conftest import FIXTURES
from privlint.config_drift.approval import covers, evaluate
from privlint.config_drift.differences import Difference
from privlint.config_drift.register import build_register, load_register
from privlint.config_drift.security import security_reasons
from privlint.model.findings import report_schema

DRIFT = FIXTURES / "drift"
TODAY = dt.date(2026, 11, 20)
REPORT_SCHEMA = report_schema()
OLD_PASSWORD, NEW_PASSWORD = "Old-Orders-Pw-2025!", "New-Orders-Pw-2026!"  # in plan-drift.json, marked sensitive


def found(report: privlint.Report) -> set[tuple[str, str, str]]:
    return {(f.rule_id, f.resource, f.severity.value) for f in report.findings}


# --------------------------------------------------------------------------- fixtures (see fixtures/drift/README.md)


def test_plan_findings_say_why_each_change_is_unapproved() -> None:
    report = privlint.drift(plan=DRIFT / "plan-drift.json", register=DRIFT / "changes.yaml", today=TODAY)
    assert found(report) == {
        ("PL501", "aws_security_group.bastion", "high"),  # no record; network exposure
        ("PL503", "aws_s3_bucket.reports", "medium"),  # CHG-0990 expired
        ("PL504", "aws_lambda_function.exporter", "medium"),  # CHG-1100 has one approver
        ("PL501", "aws_iam_user.contractor", "high"),  # deleted outside Terraform, no record
        ("PL505", "aws_iam_user_policy_attachment.ops_admin", "high"),  # CHG-1101 lacks sec-lead
        ("PL501", "aws_db_instance.orders", "high"),  # sensitive password changed, no record
    }
    # aws_iam_role.breakglass is covered by CHG-1042 (two approvers, one of them security): approved.
    assert all(f.category.value == "config-drift" and f.file == str(DRIFT / "plan-drift.json") for f in report.findings)
    by_resource = {f.resource: f for f in report.findings}
    assert "CCM-5" in by_resource["aws_security_group.bastion"].controls
    assert "CCM-5" not in by_resource["aws_lambda_function.exporter"].controls
    assert "expired on 2026-01-31" in by_resource["aws_s3_bucket.reports"].message
    assert "1 distinct approver(s) of the 2 required" in by_resource["aws_lambda_function.exporter"].message
    assert "no security approver (sec-lead)" in by_resource["aws_iam_user_policy_attachment.ops_admin"].message
    assert "was deleted outside Terraform" in by_resource["aws_iam_user.contractor"].message
    assert '("10.20.0.0/16" -> "0.0.0.0/0")' in by_resource["aws_security_group.bastion"].message
    # file/line point at the plan entry.
    lines = (DRIFT / "plan-drift.json").read_text().splitlines()
    assert '"address": "aws_security_group.bastion"' in lines[by_resource["aws_security_group.bastion"].line]


def test_an_expired_record_approves_until_its_last_day() -> None:
    before = privlint.drift(plan=DRIFT / "plan-drift.json", register=DRIFT / "changes.yaml", today=dt.date(2026, 1, 31))
    assert "aws_s3_bucket.reports" not in {f.resource for f in before.findings}


def test_a_plan_with_only_no_op_and_read_changes_is_clean(cli) -> None:
    report = privlint.drift(plan=DRIFT / "plan-noop.json", register=DRIFT / "changes.yaml", today=TODAY)
    assert report.findings == []
    result = cli("drift", "--plan", "fixtures/drift/plan-noop.json")
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_a_register_every_change_is_unapproved() -> None:
    report = privlint.drift(plan=DRIFT / "plan-drift.json", today=TODAY)
    assert {f.rule_id for f in report.findings} == {"PL501"}
    assert "aws_iam_role.breakglass" in {f.resource for f in report.findings}
    assert all("no change register was given" in f.message for f in report.findings)


def test_register_problems_are_findings_and_approve_nothing() -> None:
    report = privlint.drift(plan=DRIFT / "plan-drift.json", register=DRIFT / "changes-problems.json", today=TODAY)
    register_findings = sorted((f.rule_id, f.resource, f.line) for f in report.findings if f.file.endswith("changes-problems.json"))
    text = (DRIFT / "changes-problems.json").read_text().splitlines()

    def line_of(needle: str, occurrence: int = 0) -> int:
        hits = [n for n, line in enumerate(text, start=1) if needle in line]
        return hits[occurrence] - 1  # the record's "{" is the line before its "id"

    assert register_findings == sorted(
        [
            ("PL511", "CHG-3001", line_of('"id": "CHG-3001"', 0)),
            ("PL511", "CHG-3001", line_of('"id": "CHG-3001"', 1)),
            ("PL510", "CHG-3002", line_of('"id": "CHG-3002"')),  # approved_at 2026-13-01
            ("PL512", "CHG-3003", line_of('"id": "CHG-3003"')),  # dave approves his own change
            ("PL510", "CHG-3004", line_of('"id": "CHG-3004"')),  # status typo, no covers
        ]
    )
    messages = {f.resource: f.message for f in report.findings}
    assert "approved_at" in messages["CHG-3002"] and "month" in messages["CHG-3002"]
    changes = {f.resource: f.rule_id for f in report.findings if f.file.endswith("plan-drift.json")}
    # Duplicate ids and invalid records approve nothing; dave's own approval does not count.
    assert changes["aws_security_group.bastion"] == "PL501"
    assert changes["aws_iam_user.contractor"] == "PL501"
    assert changes["aws_s3_bucket.reports"] == "PL501"
    assert changes["aws_lambda_function.exporter"] == "PL504"


def test_cloudformation_drift_output() -> None:
    report = privlint.drift(cfn_drift=DRIFT / "cfn-drifts.json", register=DRIFT / "cfn-changes.yaml", today=TODAY)
    assert found(report) == {
        ("PL501", "AdminRole", "high"),  # MFA condition removed from the trust policy: no record
        ("PL502", "AdminRole", "high"),  # AdministratorAccess added: OCR-78 is only proposed
        ("PL501", "AuditTrail", "high"),  # DELETED; logging is security-relevant
    }
    # JobsQueue VisibilityTimeout is covered by OCR-77; ReportsBucket is IN_SYNC.
    messages = sorted(f.message for f in report.findings if f.resource == "AdminRole")
    assert any("AssumeRolePolicyDocument.Statement[0].Condition" in m for m in messages)
    assert any("ManagedPolicyArns[1]" in m and "AdministratorAccess" in m for m in messages)
    lines = (DRIFT / "cfn-drifts.json").read_text().splitlines()
    for f in report.findings:
        assert "PropertyPath" in lines[f.line] or "LogicalResourceId" in "".join(lines[f.line : f.line + 3])


def test_check_does_not_read_cloudformation_drift_output_as_a_template(cli) -> None:
    from privlint.pipeline.formats import detect

    text = (DRIFT / "cfn-drifts.json").read_text()
    assert detect(text, "cfn-drifts.json") is None
    result = json.loads(cli("check", "fixtures/drift", "--format", "json").stdout)
    assert not [f for f in result["findings"] if "cfn-drifts" in f["file"] or "changes" in f["file"]]


def test_snapshots_compare_lists_as_sets(tmp_path: Path) -> None:
    report = privlint.drift(baseline=DRIFT / "snapshots" / "baseline", current=DRIFT / "snapshots" / "current", today=TODAY)
    assert found(report) == {("PL501", "aws_iam_group_membership.admins", "high"), ("PL501", "aws_cloudwatch_log_group.app", "high")}
    admins = next(f for f in report.findings if f.resource == "aws_iam_group_membership.admins")
    assert 'added "mallory"' in admins.message and "removed" not in admins.message
    assert admins.file.endswith("current/main.tf") and admins.line == 5  # the users = [...] line

    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "main.tf").write_text('resource "aws_iam_group_membership" "g" {\n  name = "g"\n  group = "g"\n  users = ["x", "y"]\n}\n')
    (b / "main.tf").write_text('resource "aws_iam_group_membership" "g" {\n  name  = "g"\n  group = "g"\n  users = ["y", "x"]\n}\n')
    assert privlint.drift(baseline=a, current=b).findings == []


def test_snapshot_of_a_new_and_a_removed_resource(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "main.tf").write_text('resource "aws_iam_user" "old" {\n  name = "old"\n}\n')
    (b / "main.tf").write_text('resource "aws_iam_user" "new" {\n  name = "new"\n}\n')
    report = privlint.drift(baseline=a, current=b)
    messages = {f.resource: f.message for f in report.findings}
    assert "was deleted since the baseline" in messages["aws_iam_user.old"]
    assert "was created since the baseline" in messages["aws_iam_user.new"]


# --------------------------------------------------------------------------- secrets


def test_sensitive_values_are_never_printed_or_logged(cli, tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    outputs = [
        cli("drift", "--plan", "fixtures/drift/plan-drift.json", "--register", "fixtures/drift/changes.yaml", "--format", fmt, "--audit-log", str(log)).stdout
        for fmt in ("text", "json")
    ]
    logged = log.read_text()
    for text in (*outputs, logged):
        assert OLD_PASSWORD not in text and NEW_PASSWORD not in text and OLD_PASSWORD[:8] not in text
    assert "password is about to be changed by this plan (sensitive value changed)" in outputs[0]
    entry = next(json.loads(line) for line in logged.splitlines() if '"aws_db_instance.orders"' in line)
    assert (entry["before"], entry["after"], entry["sensitive"]) == ("(sensitive)", "(sensitive)", True)
    assert entry["security_implications"] == ["credential (password)"]


def test_credentials_not_marked_sensitive_are_withheld_and_fingerprinted(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    secret_a, secret_b = "Xq7#Plm2Vn9!Rt4w", "Zk3$Wae8Bc1?Hy6u"
    for folder, secret in ((a, secret_a), (b, secret_b)):
        (folder / "main.tf").write_text(f'resource "aws_db_instance" "db" {{\n  identifier = "db"\n  password   = "{secret}"\n}}\n')
    log = tmp_path / "audit.jsonl"
    report = privlint.drift(baseline=a, current=b, audit_log=log)
    out = report.to_json() + log.read_text()
    assert secret_a not in out and secret_b not in out and "Xq" not in out and "Zk3" not in out
    assert "password differs from the approved baseline (sensitive value changed)" in report.findings[0].message
    [entry] = [json.loads(line) for line in log.read_text().splitlines()]
    assert (entry["before"], entry["after"], entry["sensitive"]) == ("(sensitive)", "(sensitive)", True)
    assert entry["before_hmac"].startswith("hmac-sha256:") and entry["before_hmac"] != entry["after_hmac"]  # the change stays visible


# --------------------------------------------------------------------------- JSON contract, exit codes, bad input


def test_json_output_follows_the_check_contract(cli) -> None:
    result = cli("drift", "--plan", "fixtures/drift/plan-drift.json", "--register", "fixtures/drift/changes.yaml", "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["summary"]["findings"] == 6 and report["summary"]["by_severity"] == {"high": 4, "medium": 2}
    assert cli("drift", "--plan", "fixtures/drift/plan-drift.json", "--register", "fixtures/drift/changes.yaml", "--fail-on", "critical").returncode == 0


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "give --plan"),
        (("--baseline", "fixtures/drift/snapshots/baseline"), "--baseline and --current go together"),
        (("--plan", "no/such/plan.json"), "no such file or directory: no/such/plan.json"),
        (("--plan", "fixtures/drift/plan-noop.json", "--register", "no/such.yaml"), "no such file or directory: no/such.yaml"),
        (("--plan", "fixtures/drift/plan-noop.json", "--format", "yaml"), ""),
    ],
)
def test_usage_errors_exit_2(cli, args: tuple[str, ...], message: str) -> None:
    result = cli("drift", *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_bad_input_becomes_parse_error_findings(tmp_path: Path) -> None:
    broken_plan = tmp_path / "plan.json"
    broken_plan.write_text('{\n  "format_version": "1.2",\n  "resource_changes": [\n    {"address": }\n  ]\n}\n')
    not_a_plan = tmp_path / "other.json"
    not_a_plan.write_text('{"hello": "world"}\n')
    not_drift = tmp_path / "drift.json"
    not_drift.write_text('{"Stacks": []}\n')
    broken_register = tmp_path / "changes.yaml"
    broken_register.write_text("policy:\n  required_approvals: 2\nchanges:\n  - id: CHG-1\n    covers: [\n")
    report = privlint.drift(plan=broken_plan, cfn_drift=not_drift, register=broken_register)
    errors = {(Path(f.file).name, f.line) for f in report.findings if f.rule_id == "PL000"}
    assert ("plan.json", 4) in errors
    assert ("drift.json", 1) in errors
    assert any(name == "changes.yaml" and line >= 5 for name, line in errors)
    other = privlint.drift(plan=not_a_plan)
    assert [(f.rule_id, "not a Terraform plan" in f.message) for f in other.findings] == [("PL000", True)]


def test_garbage_plan_entries_are_ignored_not_fatal(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps({"format_version": "1.2", "resource_drift": [1, None, {"address": "x.y", "change": "nope"}], "resource_changes": {"not": "a list"}})
    )
    assert privlint.drift(plan=plan).findings == []


# --------------------------------------------------------------------------- register schema


def _plain(value: object) -> object:
    return json.loads(json.dumps(value))


def test_published_schema_agrees_with_the_register_loader(cli) -> None:
    result = cli("schema", "change-register")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    from privlint.config_drift.yamlpos import load_yaml_with_lines

    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for name in ("changes.yaml", "cfn-changes.yaml"):
        data = _plain(load_yaml_with_lines((DRIFT / name).read_text()))
        assert not list(validator.iter_errors(data)), name
        assert not load_register((DRIFT / name).read_text(), name).problems
    problems = json.loads((DRIFT / "changes-problems.json").read_text())
    assert list(validator.iter_errors(problems))  # status typo and empty covers are schema errors


def test_register_top_level_must_be_a_mapping() -> None:
    assert [p.rule for p in build_register(["x"], "r.yaml").problems] == ["PL510"]
    assert [p.rule for p in build_register({"changes": [], "extra": 1}, "r.yaml").problems] == ["PL510"]


# --------------------------------------------------------------------------- approval and security relevance


def _difference(resource: str = "aws_iam_role.r", path: tuple[str | int, ...] = ("assume_role_policy",), resource_type: str = "aws_iam_role") -> Difference:
    return Difference(source="resource_drift", file="plan.json", line=3, resource=resource, resource_type=resource_type, path=path)


def _register(**record: object) -> object:
    base = {"id": "CHG-1", "ticket": "CHG-1", "status": "approved", "approvers": ["a", "sec"], "covers": [{"resource": "aws_iam_role.r"}]}
    return build_register({"policy": {"security_approvers": ["sec"]}, "changes": [{**base, **record}]}, "r.yaml")


def test_attribute_coverage_is_by_path_prefix() -> None:
    register = _register(covers=[{"resource": "aws_iam_role.r", "attributes": ["inline_policy"]}])
    record = register.changes[0][0]
    assert covers(record, _difference(path=("inline_policy", 0, "policy")))
    assert not covers(record, _difference(path=("inline_policy_extra",)))
    assert not covers(record, _difference(path=()))  # a whole-resource change needs a whole-resource record
    assert covers(register.changes[0][0], _difference(resource='aws_iam_role.r["blue"]', path=("inline_policy",)))


@pytest.mark.parametrize(
    "record, rule",
    [
        ({}, None),
        ({"status": "rejected"}, "PL502"),
        ({"ticket": "n/a"}, "PL506"),
        ({"ticket": None}, "PL506"),
        ({"expires": "2026-11-19"}, "PL503"),
        ({"expires": "2026-11-20"}, None),
        ({"approvers": ["sec"]}, "PL504"),
        ({"approvers": ["a", "b"]}, "PL505"),
        ({"requested_by": "a", "approvers": ["a", "sec"]}, "PL504"),
    ],
)
def test_each_requirement_of_the_policy(record: dict[str, object], rule: str | None) -> None:
    verdict = evaluate(_difference(), _register(**record), security=True, today=TODAY)  # type: ignore[arg-type]
    assert verdict.rule == rule and verdict.approved == (rule is None)


def test_security_change_needs_a_named_security_approver() -> None:
    register = build_register(
        {"changes": [{"id": "CHG-1", "ticket": "CHG-1", "status": "approved", "approvers": ["a", "b"], "covers": [{"resource": "aws_iam_role.r"}]}]}, "r"
    )
    assert evaluate(_difference(), register, security=True, today=TODAY).rule == "PL505"
    assert evaluate(_difference(), register, security=False, today=TODAY).approved


@pytest.mark.parametrize(
    "resource_type, path, relevant",
    [
        ("aws_iam_role", ("name",), True),
        ("AWS::IAM::User", ("Tags",), True),
        ("aws_s3_bucket", ("tags", "team"), False),
        ("aws_s3_bucket", ("logging", 0, "target_bucket"), True),
        ("aws_db_instance", ("master_password",), True),
        ("aws_lambda_function", ("memory_size",), False),
        ("aws_vpc_security_group_ingress_rule", ("cidr_ipv4",), True),
        ("github_organization_settings", ("web_commit_signoff_required",), True),
        ("aws_cognito_user_pool", ("mfa_configuration",), True),
        ("aws_instance", ("associate_public_ip_address",), True),
    ],
)
def test_security_relevance_is_decided_by_the_listed_rules(resource_type: str, path: tuple[str | int, ...], relevant: bool) -> None:
    assert bool(security_reasons(_difference(path=path, resource_type=resource_type))) is relevant


def test_python_api_is_callable_after_the_implementation_is_imported() -> None:
    import privlint.config_drift.run

    assert privlint.drift(plan=DRIFT / "plan-noop.json").findings == []


# --------------------------------------------------------------------------- plan details


def _plan_with(change: dict[str, object], actions: list[str], resource_type: str = "aws_iam_role") -> dict[str, object]:
    return {
        "format_version": "1.2",
        "resource_changes": [
            {"address": f"{resource_type}.r", "mode": "managed", "type": resource_type, "name": "r", "change": {"actions": actions, **change}}
        ],
    }


def test_values_known_only_after_apply_are_a_change() -> None:
    from privlint.config_drift.plan_changes import plan_differences

    plan = _plan_with({"before": {"arn": "arn:a", "name": "r"}, "after": {"name": "r2"}, "after_unknown": {"arn": True}}, ["update"])
    found_differences = {d.attribute: (d.before, d.after) for d in plan_differences(plan, "plan.json")}
    assert found_differences == {"arn": ("arn:a", "(known after apply)"), "name": ("r", "r2")}


def test_a_replacement_without_visible_attribute_changes_is_still_reported() -> None:
    from privlint.config_drift.plan_changes import plan_differences

    plan = _plan_with({"before": {"name": "r"}, "after": {"name": "r"}, "after_unknown": {}}, ["delete", "create"])
    [difference] = plan_differences(plan, "plan.json")
    assert (difference.kind, difference.attribute) == ("replaced", "")


def test_sensitive_marks_inside_lists_and_whole_values() -> None:
    from privlint.config_drift.plan_changes import plan_differences

    change = {
        "before": {"secrets": [{"name": "a", "value": "hunter2-old"}], "tags": {"k": "v"}},
        "after": {"secrets": [{"name": "a", "value": "hunter2-new"}], "tags": {"k": "w"}},
        "before_sensitive": {"secrets": [{"value": True}]},
        "after_sensitive": {"secrets": [{"value": True}], "tags": True},
    }
    by_path = {d.attribute: d for d in plan_differences(_plan_with(change, ["update"], "aws_lambda_function"), "plan.json")}
    assert (by_path["secrets[0].value"].before, by_path["secrets[0].value"].after, by_path["secrets[0].value"].sensitive) == (
        "(sensitive)",
        "(sensitive)",
        True,
    )
    assert (by_path["tags.k"].before, by_path["tags.k"].after, by_path["tags.k"].sensitive) == ("v", "(sensitive)", True)
    assert "hunter2" not in repr(list(by_path.values()))


def test_change_register_from_the_configuration_file(cli, tmp_path: Path) -> None:
    (tmp_path / "changes.yaml").write_text((DRIFT / "changes.yaml").read_text())
    (tmp_path / ".privlint.yaml").write_text("change_register: changes.yaml\n")
    plan = tmp_path / "plan.json"
    plan.write_text((DRIFT / "plan-drift.json").read_text())
    report = json.loads(cli("drift", "--plan", str(plan), "--format", "json").stdout)
    # CHG-1042 (from the configured register) approves the breakglass change.
    assert "aws_iam_role.breakglass" not in {f["resource"] for f in report["findings"]}
    assert privlint.drift(plan=plan, config=tmp_path / ".privlint.yaml").summary.findings == report["summary"]["findings"]


def test_an_audit_log_that_cannot_be_written_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("drift", "--plan", "fixtures/drift/plan-noop.json", "--audit-log", str(tmp_path))
    assert result.returncode == 2 and "cannot open audit log" in result.stderr and "Traceback" not in result.stderr


# --------------------------------------------------------------------------- robustness


def _mutations(data: bytes, seed: int, count: int) -> list[bytes]:
    """Deterministic random edits: flips, deletions, duplications, truncations, inserted tokens."""
    import random

    rng = random.Random(seed)
    tokens = [b"{", b"}", b"[", b"]", b'"', b":", b",", b"\n  - ", b"null", b"2026-13-45", b"&a ", b"*a", b"!!binary x", b"\xff"]
    out = []
    for _ in range(count):
        buf = bytearray(data)
        for _edit in range(rng.randint(1, 4)):
            pos = rng.randint(0, len(buf))
            op = rng.randrange(4)
            if op == 0 and buf:
                buf[rng.randrange(len(buf))] = rng.randrange(256)
            elif op == 1:
                del buf[pos : pos + rng.randint(1, 40)]
            elif op == 2:
                buf[pos:pos] = rng.choice(tokens)
            else:
                buf[pos:pos] = buf[pos : pos + rng.randint(1, 60)]
        out.append(bytes(buf))
    return out


@pytest.mark.parametrize(
    "name, option",
    [("plan-drift.json", "plan"), ("cfn-drifts.json", "cfn_drift"), ("changes.yaml", "register"), ("changes-problems.json", "register")],
)
def test_mutated_inputs_never_raise(tmp_path: Path, name: str, option: str) -> None:
    target = tmp_path / name
    failures = []
    for n, data in enumerate(_mutations((DRIFT / name).read_bytes(), seed=len(name), count=150)):
        target.write_bytes(data)
        kwargs = {option: target} if option != "register" else {"plan": DRIFT / "plan-drift.json", "register": target}
        try:
            report = privlint.drift(**kwargs, today=TODAY)
        except Exception as exc:
            failures.append(f"case {n}: {type(exc).__name__}: {exc}"[:200])
            continue
        assert all(f.line >= 1 for f in report.findings)
    assert not failures, "\n".join(failures[:5])


# --------------------------------------------------------------------------- GitHub organisations


def test_github_config_in_git_against_an_exported_snapshot() -> None:
    report = privlint.drift(baseline=DRIFT / "github" / "approved.yaml", current=DRIFT / "github" / "export.json")
    messages = {f.resource: f.message for f in report.findings}
    assert set(messages) == {"github:acme-corp/member/mallory-x", "github:acme-corp/team/platform"}
    assert "was created since the baseline" in messages["github:acme-corp/member/mallory-x"]
    assert 'repositories.infra-live differs from the approved baseline ("maintain" -> "admin")' in messages["github:acme-corp/team/platform"]
    assert all(f.severity.value == "high" and "CCM-5" in f.controls for f in report.findings)
    # Only what both sources describe is compared: peribolos lists no webhooks and no 2FA setting.
    assert not any("hook" in r or r == "github:acme-corp" for r in messages)


def test_github_member_covered_by_a_change_record(tmp_path: Path) -> None:
    register = tmp_path / "changes.yaml"
    register.write_text(
        "policy: {security_approvers: [sec-lead]}\n"
        "changes:\n"
        "  - {id: CHG-7, ticket: CHG-7, status: approved, approvers: [alice-ops, sec-lead],\n"
        "     covers: [{resource: 'github:acme-corp/member/mallory-x'}]}\n"
    )
    report = privlint.drift(baseline=DRIFT / "github" / "approved.yaml", current=DRIFT / "github" / "export.json", register=register)
    assert {f.resource for f in report.findings} == {"github:acme-corp/team/platform"}


def test_cloudformation_drift_as_yaml_and_single_resource_output(tmp_path: Path) -> None:
    yaml_output = tmp_path / "drifts.yaml"
    yaml_output.write_text(
        "StackResourceDrifts:\n"
        "- LogicalResourceId: Db\n"
        "  ResourceType: AWS::RDS::DBInstance\n"
        "  StackResourceDriftStatus: MODIFIED\n"
        "  PropertyDifferences:\n"
        "  - PropertyPath: /MasterUserPassword\n"
        "    ExpectedValue: Tr0ub4dor&3xyz\n"
        "    ActualValue: correct-horse-battery\n"
        "    DifferenceType: NOT_EQUAL\n"
    )
    report = privlint.drift(cfn_drift=yaml_output)
    [finding] = report.findings
    assert (finding.resource, finding.line, finding.severity.value) == ("Db", 6, "high")
    assert "Tr0ub4dor" not in finding.message and "correct-horse" not in finding.message and "(sensitive value changed)" in finding.message
    single = tmp_path / "one.json"
    single.write_text(json.dumps({"StackResourceDrift": {"LogicalResourceId": "Q", "ResourceType": "AWS::SQS::Queue", "StackResourceDriftStatus": "DELETED"}}))
    assert [(f.resource, "was deleted outside CloudFormation" in f.message) for f in privlint.drift(cfn_drift=single).findings] == [("Q", True)]
