"""The importable API returns typed models."""

from __future__ import annotations

import pytest

import privlint
from conftest import FIXTURES
from privlint.model.findings import Category, Finding, Report, Severity


def test_scan_returns_a_typed_report() -> None:
    report = privlint.scan(FIXTURES / "rules/PL101-admin-without-mfa/terraform/bad/user")
    assert isinstance(report, Report)
    (finding,) = report.findings
    assert isinstance(finding, Finding)
    assert finding.category is Category.admin_without_mfa and finding.severity is Severity.high
    assert finding.controls == ["PAM-3", "PAM-4", "PUG-5"]
    assert report.fails(Severity.high) and not report.fails(Severity.critical)


def test_scan_text_for_each_format() -> None:
    tf = privlint.scan_text('resource "aws_iam_policy" "p" {\n  policy = jsonencode({Statement = [{Effect = "Allow", Action = "*", Resource = "*"}]})\n}\n')
    assert [(f.rule_id, f.severity.value, f.file, f.line) for f in tf.findings] == [("PL201", "critical", "main.tf", 2)]
    cfn = privlint.scan_text(
        "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      MasterUserPassword: changeme\n",
        format="cloudformation",
        filename="stack.yaml",
    )
    assert [(f.rule_id, f.resource, f.file) for f in cfn.findings] == [("PL302", "Db", "stack.yaml")]


def test_scan_text_rejects_what_is_not_the_format() -> None:
    with pytest.raises(ValueError):
        privlint.scan_text("just: yaml\n", format="cloudformation")
    with pytest.raises(ValueError):
        privlint.scan_text("x", format="ansible")  # type: ignore[arg-type]


def test_settings_are_validated_and_used() -> None:
    bad = FIXTURES / "rules/PL402-weak-password-policy/terraform/good"
    assert privlint.scan(bad).findings == []
    assert [f.rule_id for f in privlint.scan(bad, {"min_password_length": 20}).findings] == ["PL402"]
    with pytest.raises(ValueError):
        privlint.scan(bad, {"min_pasword_length": 20})
    extra = privlint.scan(FIXTURES / "rules/PL301-hardcoded-secret/terraform/bad", {"extra_default_passwords": ["Xk9#mPq2vL7!wR4t"]})
    assert "PL302" in {f.rule_id for f in extra.findings}


# --------------------------------------------------------------------------- the public surface


def test_public_names_resolve_and_are_documented() -> None:
    for name in privlint.__all__:
        assert getattr(privlint, name) is not None, name
        if name != "__version__":
            assert name in (privlint.__doc__ or ""), f"{name} is missing from the module docstring"
    assert privlint.ConfigError.__module__ == "privlint.pipeline.config"
    assert set(privlint.__all__) <= set(dir(privlint))
    for model in (privlint.Report, privlint.Finding, privlint.Settings):
        assert model.__doc__ and len(model.__doc__) > 40, model


def test_help_lists_the_api() -> None:
    import pydoc

    text = pydoc.render_doc(privlint, renderer=pydoc.plaintext)
    for name in ("scan", "scan_text", "risk_register", "ConfigError", "Settings"):
        assert name in text


def test_risk_register_at_top_level(tmp_path) -> None:
    (tmp_path / "main.tf").write_text(
        '# privlint:ignore PL201 reason="reviewed" owner=secops until=2099-01-31\n'
        'resource "aws_iam_policy" "p" {\n  policy = jsonencode({Statement = [{Effect = "Allow", Action = "*", Resource = "*"}]})\n}\n'
    )
    (row,) = privlint.risk_register(tmp_path)
    assert row.model_dump()["owner"] == "secops"


TEXTS = {
    "terraform": ('resource "aws_iam_user" "u" {\n  name = "u"\n}\n', None),
    "terraform-json": ('{"resource": {"aws_iam_user": {"u": {"name": "u"}}}}\n', None),
    "terraform-plan": (FIXTURES / "drift", "*plan*.json"),
    "cloudformation": (FIXTURES / "rules/PL201-wildcard-action/cloudformation/bad/main.template", None),
    "cloudformation-json": (FIXTURES / "rules", "*/cloudformation/*/*.json"),
    "aws-credential-report": (FIXTURES / "credential-report" / "bad", "*.csv"),
    "aws-iam-authorization-details": (FIXTURES / "rules" / "PL105-non-default-policy-version-grants-admin" / "aws-iam-authorization-details", "**/*.json"),
    "github-snapshot": (FIXTURES / "github" / "snapshot" / "bad" / "acme-corp.json", None),
    "github-peribolos": (FIXTURES / "github" / "peribolos" / "bad" / "config.yaml", None),
    "github-safe-settings": (FIXTURES / "github", "**/settings.yml"),
}


def _text_of(format: str) -> str:
    source, pattern = TEXTS[format]
    if isinstance(source, str):
        return source
    if pattern is None:
        return source.read_text(encoding="utf-8")
    from privlint.frontend.api import _sniffed_format

    for path in sorted(source.glob(pattern)):
        text = path.read_text(encoding="utf-8", errors="replace")
        expected = {"cloudformation-json": "cloudformation", "terraform-json": None}.get(format, format)
        if _sniffed_format(text) == expected and (format != "terraform-json" or text.lstrip().startswith("{")):
            return text
    raise AssertionError(f"no fixture text for {format}")


@pytest.mark.parametrize("format", sorted(TEXTS))
def test_scan_text_reads_every_format(format: str) -> None:
    from typing import get_args

    from privlint.frontend.api import TextFormat

    assert set(TEXTS) == set(get_args(TextFormat))
    report = privlint.scan_text(_text_of(format), format=format)  # type: ignore[arg-type]
    assert report.summary.files == 1


@pytest.mark.parametrize(
    ("text", "format"),
    [
        ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R:\n    Type: AWS::IAM::User\n", "terraform"),
        ('resource "aws_iam_user" "u" {\n  name = "u"\n}\n', "cloudformation"),
        ('resource "aws_iam_user" "u" {\n  name = "u"\n}\n', "terraform-json"),
        ("user,arn\n", "github-snapshot"),
    ],
)
def test_scan_text_refuses_a_text_of_another_format(text: str, format: str) -> None:
    with pytest.raises(privlint.TextFormatError, match="is not"):
        privlint.scan_text(text, format=format)  # type: ignore[arg-type]


def readme_api_example() -> str:
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Python API") :]
    return section[section.index("```python\n") + len("```python\n") : section.index("```", section.index("```python\n") + 3)]


def test_mypy_accepts_the_readme_api_example(tmp_path) -> None:
    """The README's example type-checks against the installed package (py.typed) under mypy --strict."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    example = tmp_path / "example.py"
    example.write_text(readme_api_example(), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-incremental", "--cache-dir", str(tmp_path / "mypy"), str(example)],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        # An editable install's import hook is invisible to mypy; errors inside privlint are not the example's.
        env={**os.environ, "MYPYPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
