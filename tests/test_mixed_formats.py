"""One `privlint check` over a directory that mixes every input format reports each with its own naming."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import FIXTURES

SOURCES = {
    "aws-tf": FIXTURES / "rules/PL101-admin-without-mfa/terraform/bad/user",
    "aws-cfn": FIXTURES / "rules/PL101-admin-without-mfa/cloudformation/bad/user.template",
    "plan": None,  # written below
    "github-snapshot": FIXTURES / "github" / "snapshot" / "bad",
    "github-peribolos": FIXTURES / "github" / "peribolos" / "bad",
    "github-safe-settings": FIXTURES / "github" / "safe-settings" / "bad",
    "github-tf": FIXTURES / "github" / "terraform" / "bad",
    "azure": FIXTURES / "rules/PL220-azure-wildcard-role-definition/terraform/bad",
    "gcp": FIXTURES / "rules/PL223-gcp-public-member/terraform/bad",
    "credential-report": FIXTURES / "credential-report" / "bad",
}


def test_a_directory_mixing_every_format(cli, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    for name, source in SOURCES.items():
        target = root / name
        if source is None:
            continue
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.mkdir(parents=True)
            shutil.copy(source, target / source.name)
    plan = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_iam_policy.p",
                        "mode": "managed",
                        "type": "aws_iam_policy",
                        "name": "p",
                        "values": {"policy": json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})},
                    }
                ]
            }
        },
    }
    (root / "plan").mkdir()
    (root / "plan" / "plan.json").write_text(json.dumps(plan))
    result = cli("check", str(root), "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    by_dir: dict[str, set[str]] = {}
    for f in findings:
        part = Path(f["file"]).relative_to(root).parts[0]
        by_dir.setdefault(part, set()).add(f["resource"])
        assert f["line"] >= 1 and f["controls"], f
    assert set(by_dir) == set(SOURCES), set(SOURCES) - set(by_dir)
    assert "aws_iam_user.alice" in by_dir["aws-tf"] and "AliceUser" in by_dir["aws-cfn"]
    assert by_dir["plan"] == {"aws_iam_policy.p"}
    assert all(r.startswith("github:") for r in by_dir["github-snapshot"] | by_dir["github-peribolos"] | by_dir["github-safe-settings"])
    assert all(r.startswith("aws-credential-report:") for r in by_dir["credential-report"])
    assert all(r.startswith(("azurerm_", "azuread_")) for r in by_dir["azure"])
    assert all(r.startswith("google_") for r in by_dir["gcp"])
    assert all(r.startswith("github_") for r in by_dir["github-tf"])
