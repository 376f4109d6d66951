"""A live IAM snapshot (aws iam get-account-authorization-details) next to a credential report: stored
policy versions that grant admin (PL105), and the report joined with the snapshot's admins."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import privlint
from conftest import FIXTURES

SNAPSHOTS = FIXTURES / "rules" / "PL105-non-default-policy-version-grants-admin" / "aws-iam-authorization-details"
BAD = SNAPSHOTS / "bad" / "account-authorization-details.json"


def _pl105(path: Path) -> list[privlint.Finding]:
    return [f for f in privlint.scan([str(path)]).findings if f.rule_id == "PL105"]


def test_a_stored_version_that_grants_admin_is_one_set_default_away() -> None:
    [finding] = _pl105(BAD)
    assert finding.resource == "arn:aws:iam::111122223333:policy/ops-policy" and finding.severity.value == "high"
    assert "keeps version v1, not its default" in finding.message and "arn:aws:iam::111122223333:user/bob" in finding.message
    assert finding.line == 240  # the version's entry in PolicyVersionList
    assert _pl105(SNAPSHOTS / "good") == [] and privlint.scan([str(SNAPSHOTS / "good")]).findings == []


def _snapshot(tmp_path: Path, change) -> Path:
    data = json.loads(BAD.read_text())
    change(data)
    out = tmp_path / "account-authorization-details.json"
    out.write_text(json.dumps(data, indent=2))
    return out


def _ops_policy(data: dict) -> dict:
    return next(p for p in data["Policies"] if p["PolicyName"] == "ops-policy")


def test_an_unattached_policy_is_medium_and_a_version_its_own_deny_cancels_is_quiet(tmp_path: Path) -> None:
    def detach(data: dict) -> None:
        for user in data["UserDetailList"]:
            user["AttachedManagedPolicies"] = [p for p in user["AttachedManagedPolicies"] if p["PolicyName"] != "ops-policy"]

    [finding] = _pl105(_snapshot(tmp_path, detach))
    assert finding.severity.value == "medium" and "whoever it is attached to next" in finding.message

    def deny_all(data: dict) -> None:
        old = next(v for v in _ops_policy(data)["PolicyVersionList"] if not v["IsDefaultVersion"])
        old["Document"]["Statement"].append({"Effect": "Deny", "Action": "*", "Resource": "*"})

    assert _pl105(_snapshot(tmp_path, deny_all)) == []


def test_the_credential_report_joins_the_live_snapshots_admins(tmp_path: Path) -> None:
    """alice is admin-level in the snapshot (AdministratorAccess) and signs in without MFA in the report."""
    shutil.copy(BAD, tmp_path / "account-authorization-details.json")
    alone = tmp_path / "report-only"
    alone.mkdir()
    shutil.copy(FIXTURES / "credential-report" / "bad" / "credential-report.csv", tmp_path / "credential-report.csv")
    shutil.copy(FIXTURES / "credential-report" / "bad" / "credential-report.csv", alone / "credential-report.csv")

    def alice(path: Path) -> list[privlint.Finding]:
        return [f for f in privlint.scan([str(path)]).findings if f.resource == "aws-credential-report:alice"]

    joined = {f.rule_id: f for f in alice(tmp_path) if f.file.endswith("/credential-report.csv") and "report-only" not in f.file}
    assert joined and all(f.severity.value != "critical" for f in alice(alone))
    assert any(f.severity.value == "critical" and "111122223333:user/alice" in f.message for f in joined.values())
