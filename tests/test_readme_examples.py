"""The README's and docs/configuration.md's examples work as written."""

from __future__ import annotations

import re
from pathlib import Path

import privlint
from conftest import ROOT
from privlint.pipeline.config import load_config

README = (ROOT / "README.md").read_text()
CONFIGURATION = (ROOT / "docs" / "configuration.md").read_text()


def code_blocks(language: str) -> list[str]:
    """The examples of the README and of docs/configuration.md, where the configuration reference lives."""
    return re.findall(rf"```{language}\n(.*?)```", README + CONFIGURATION, re.DOTALL)


def test_config_example_is_valid(tmp_path: Path) -> None:
    (example,) = [b for b in code_blocks("yaml") if b.startswith("# .privlint.yaml")]
    path = tmp_path / ".privlint.yaml"
    path.write_text(example)
    settings = load_config(path).settings
    assert settings.fail_on.value == "medium" and settings.suppressions[0].owner == "platform-team"


def test_inline_suppression_example_suppresses(tmp_path: Path) -> None:
    (example,) = [b for b in code_blocks("hcl") if "privlint:ignore" in b]
    (tmp_path / "main.tf").write_text(
        example + '\nresource "aws_iam_user_policy_attachment" "a" {\n  user = aws_iam_user.breakglass.name\n'
        '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n'
    )
    report = privlint.scan(tmp_path)
    assert [(f.rule_id, f.suppressed) for f in report.findings] == [("PL101", True)]


def test_cloudformation_metadata_example_suppresses(tmp_path: Path) -> None:
    (example,) = [b for b in code_blocks("yaml") if "Metadata:" in b and "privlint:" in b]
    template = "Resources:\n" + example.rstrip() + "\n    Properties:\n      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]\n"
    (tmp_path / "t.yaml").write_text(template)
    report = privlint.scan(tmp_path)
    assert [(f.rule_id, f.resource, f.suppressed) for f in report.findings] == [("PL101", "BreakGlass", True)]


def test_python_api_example_runs(tmp_path: Path, monkeypatch, capsys) -> None:
    (example,) = [b for b in code_blocks("python") if "privlint.scan(" in b]
    import shutil

    from conftest import FIXTURES

    shutil.copytree(FIXTURES / "rules/PL101-admin-without-mfa/terraform/bad/user", tmp_path / "infra")
    shutil.copy(FIXTURES / "rules/PL302-default-password/cloudformation/bad/main.template", tmp_path / "template.yaml")
    monkeypatch.chdir(tmp_path)
    exec(compile(example, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "PL101 high infra/main.tf" in out


def test_readme_opens_with_one_line_then_the_two_setup_commands() -> None:
    """What a newcomer runs first: install and scan a bundled example (exit 0, a finding shown), then the tests."""
    import re
    import shlex

    from conftest import ROOT, run_cli

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.match(r"# privlint\n\n([^\n]+)\n\n```sh\n([^\n]+)\n([^\n]+)\n```\n", readme)
    assert match, readme[:400]
    install_and_scan, tests = match.group(2), match.group(3)
    assert tests == "python -m pytest"
    install, scan = install_and_scan.split(" && ")
    assert install == "pip install -e '.[dev]'"
    args = shlex.split(scan)
    assert args[:2] == ["privlint", "check"]
    done = run_cli(*args[1:])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 finding" in done.stdout and "PL101" in done.stdout
