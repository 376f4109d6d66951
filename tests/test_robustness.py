"""Hostile input, secrets and determinism (extends tests/test_bad_input.py; nothing there is repeated).

- hostile files finish in bounded time and memory and become PL000 findings, never tracebacks;
- no output format prints a secret from the scanned files in full, error messages included;
- the same input gives byte-identical JSON whatever the order of the paths or the number of workers.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import textwrap
from pathlib import Path

import pytest

import privlint
from privlint.pipeline.discover import discover
from privlint.pipeline.engine import Scanner
from tests.conftest import FIXTURES, run_cli
from tests.test_fuzz import bounded


def findings_by_file(root: Path, config: dict[str, object] | None = None) -> dict[str, list[tuple[str, int, str]]]:
    out: dict[str, list[tuple[str, int, str]]] = {}
    with bounded(f"scan of {root.name}"):
        report = privlint.scan([str(root)], config)
    for f in report.findings:
        out.setdefault(os.path.relpath(f.file, root), []).append((f.rule_id, f.line, f.message))
    return out


# --------------------------------------------------------------------------- hostile input


def test_hundred_megabyte_files_are_reported_not_read(tmp_path: Path) -> None:
    # Sparse files: 100 MB on paper, nothing on disk. The size check must come before any read.
    for name in ("huge.tf", "huge.yaml", "huge.json"):
        with open(tmp_path / name, "wb") as fh:
            fh.truncate(100 * 1024 * 1024)
    found = findings_by_file(tmp_path)
    assert sorted(found) == ["huge.json", "huge.tf", "huge.yaml"]
    for name, items in found.items():
        assert [(rule, line) for rule, line, _ in items] == [("PL000", 1)], name
        assert "104,857,600 bytes" in items[0][2] and "max_file_size" in items[0][2]


def test_size_limit_is_configurable_upwards(tmp_path: Path) -> None:
    (tmp_path / "big.tf").write_text("# " + "x" * 20_000_000 + "\n" + 'resource "aws_iam_user" "u" { name = "u" }\n')
    assert "big.tf" in findings_by_file(tmp_path)  # over the 10 MB default
    assert findings_by_file(tmp_path, {"max_file_size": 30_000_000}) == {}


def test_yaml_control_characters_are_a_parse_error(tmp_path: Path) -> None:
    # PyYAML's reader rejects these before parsing starts; that used to escape as a traceback.
    (tmp_path / "t.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  X: {Type: 'AWS::IAM::User'}\n  \x14\n")
    assert [(r, line) for r, line, _ in findings_by_file(tmp_path)["t.yaml"]] == [("PL000", 4)]


def test_yaml_alias_bomb_in_a_mapping_merge(tmp_path: Path) -> None:
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "a0: &a0 {k0: x}"]
    for i in range(1, 40):
        lines.append(f"a{i}: &a{i} {{<<: [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}], k{i}: x}}")
    lines.append("Resources: {X: {Type: 'AWS::IAM::User', Properties: *a39}}")
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    assert findings_by_file(tmp_path)["bomb.yaml"][0][0] == "PL000"


@pytest.mark.parametrize(
    "name, text",
    [
        ("deep-flow.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources: " + "[" * 20_000 + "]" * 20_000 + "\n"),
        ("deep-block.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 3000)) + " " * 3000 + "x: 1\n"),
        ("deep-blocks.tf", "".join(f"b{i} {{\n" for i in range(5000)) + "}\n" * 5000),
        ("deep-object.tf", "locals { x = " + "{a = " * 5000 + "1" + "}" * 5000 + " }\n"),
        ("deep-call.tf", "locals { x = " + "jsonencode(" * 3000 + "1" + ")" * 3000 + " }\n"),
        ("deep.tf.json", '{"locals": {"x": ' + "[" * 20_000 + "]" * 20_000 + "}}"),
        ("deep-plan.json", '{"format_version": "1.2", "planned_values": ' + '{"a": ' * 20_000 + "1" + "}" * 20_000 + "}"),
    ],
)
def test_deeply_nested_documents_of_every_format(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text)
    found = findings_by_file(tmp_path)
    # Either parsed (and nothing found) or one clear parse error: never a crash, never a hang.
    assert set(found) <= {name}
    for rule, line, message in found.get(name, []):
        assert rule == "PL000" and line >= 1 and "Traceback" not in message


def test_nul_bytes_after_the_binary_sniffing_window(tmp_path: Path) -> None:
    (tmp_path / "late-nul.tf").write_bytes(b"# " + b"x" * 9000 + b"\n" + b'resource "a" "b" { x = 1 }\n\x00\n')
    (tmp_path / "late-nul.yaml").write_bytes(b"AWSTemplateFormatVersion: '2010-09-09'\n# " + b"x" * 9000 + b"\nResources: {X: \x00}\n")
    found = findings_by_file(tmp_path)
    assert {name: items[0][0] for name, items in found.items()} == {"late-nul.tf": "PL000", "late-nul.yaml": "PL000"}


def test_invalid_utf8_in_yaml_and_json(tmp_path: Path) -> None:
    admin = b"AWSTemplateFormatVersion: '2010-09-09'\n# caf\xe9\nResources:\n  U: {Type: 'AWS::IAM::User', Properties: {ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess']}}\n"
    (tmp_path / "t.yaml").write_bytes(admin)
    (tmp_path / "t.json").write_bytes(b'{"AWSTemplateFormatVersion": "2010-09-09", "Description": "caf\xe9", "Resources": {}}')
    found = findings_by_file(tmp_path)
    yaml_rules = sorted((r, line) for r, line, _ in found["t.yaml"])
    assert ("PL000", 1) in yaml_rules and ("PL101", 4) in yaml_rules  # reported, and the rest still analysed
    assert found["t.json"][0][:2] == ("PL000", 1)


def test_symlink_loops_between_files_and_to_themselves(tmp_path: Path) -> None:
    (tmp_path / "a.tf").symlink_to(tmp_path / "b.tf")
    (tmp_path / "b.tf").symlink_to(tmp_path / "a.tf")
    (tmp_path / "self.yaml").symlink_to(tmp_path / "self.yaml")
    (tmp_path / "dangling.tf").symlink_to(tmp_path / "nowhere.tf")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path, target_is_directory=True)
    assert findings_by_file(tmp_path) == {}


def test_fifos_and_sockets_are_never_opened(tmp_path: Path) -> None:
    # Reading a FIFO blocks until someone writes to it: a scan used to hang here forever.
    os.mkfifo(tmp_path / "main.tf")
    os.mkfifo(tmp_path / "template.yaml")
    (tmp_path / "real.tf").write_text('resource "aws_iam_user" "u" { name = "u" }\n')
    assert findings_by_file(tmp_path) == {}


def test_files_that_vanish_between_discovery_and_parsing(tmp_path: Path) -> None:
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text('resource "aws_iam_user" "u" { name = "u" }\n')
    (tmp_path / "mod" / "gone.tf").write_text('resource "aws_iam_user" "v" { name = "v" }\n')
    (tmp_path / "gone.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: {X: {Type: 'AWS::IAM::User'}}\n")
    found = discover([str(tmp_path)], 10_000_000)
    (tmp_path / "mod" / "gone.tf").unlink()
    (tmp_path / "gone.yaml").unlink()
    units, problems = Scanner()._parse(found.files)
    messages = sorted((os.path.basename(p.file), p.message) for p in [*problems, *(p for u in units for p in u.problems)])
    assert [name for name, _ in messages] == ["gone.tf", "gone.yaml"]
    assert all("cannot read file" in m for _, m in messages)


def test_a_named_file_whose_directory_vanishes(tmp_path: Path) -> None:
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text('resource "aws_iam_user" "u" { name = "u" }\n')
    found = discover([str(tmp_path / "mod" / "main.tf")], 10_000_000)
    shutil.rmtree(tmp_path / "mod")
    units, problems = Scanner()._parse(found.files)
    assert [p.message for p in [*problems, *(p for u in units for p in u.problems)]] != []


# --------------------------------------------------------------------------- secrets

# Values that look like real credentials; none may appear in full in any output.
SECRETS = [
    "Tf-Literal-Passw0rd-7f3a9c",
    "Tf-Default-Passw0rd-1b2c3d",
    "Tf-Tfvars-Passw0rd-9e8d7c",
    "Tf-Module-Arg-Secret-5a6b7c",
    "AKIAIOSFODNN7EXAMPLEX",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYX",
    "Tf-Heredoc-Secret-in-broken-file-42",
    "Tf-Bare-Word-Secret-in-broken-file-43",
    "Cfn-Master-Passw0rd-3c4d5e",
    "Cfn-NoEcho-Default-Secret-6f7a8b",
    "Cfn-Broken-Yaml-Secret-0a1b2c",
    "Cfn-Broken-Json-Secret-4d5e6f",
    "Plan-Constant-Passw0rd-8a9b0c",
]

SECRET_FILES = {
    "tf/main.tf": f"""
        variable "db_password" {{
          default = "{SECRETS[1]}"
        }}
        variable "from_tfvars" {{}}
        provider "aws" {{
          access_key = "{SECRETS[4]}"
          secret_key = "{SECRETS[5]}"
        }}
        resource "aws_db_instance" "a" {{
          username = "admin"
          password = "{SECRETS[0]}"
        }}
        resource "aws_db_instance" "b" {{ password = var.db_password }}
        resource "aws_db_instance" "c" {{ password = var.from_tfvars }}
        module "db" {{
          source   = "./modules/db"
          password = "{SECRETS[3]}"
        }}
    """,
    "tf/terraform.tfvars": f'from_tfvars = "{SECRETS[2]}"\n',
    "tf/modules/db/main.tf": """
        variable "password" {}
        resource "aws_db_instance" "m" { password = var.password }
    """,
    "broken/heredoc.tf": f"""
        resource "aws_db_instance" "d" {{
          password = <<EOF
        {SECRETS[6]}
        }}
    """,
    "broken/bare.tf": f"""
        resource "aws_db_instance" "d" {{
          password = "x" {SECRETS[7]} {SECRETS[7]}
        }}
    """,
    "cfn/template.yaml": f"""
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          Secret:
            Type: String
            NoEcho: true
            Default: {SECRETS[9]}
        Resources:
          Db:
            Type: AWS::RDS::DBInstance
            Properties:
              MasterUsername: admin
              MasterUserPassword: {SECRETS[8]}
    """,
    "cfn/broken.yaml": f"""
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Db:
            Type: AWS::RDS::DBInstance
            Properties:
              MasterUserPassword: "{SECRETS[10]}
              : : [
    """,
    "cfn/broken.json": '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Db": {"Type": "AWS::RDS::DBInstance", '
    f'"Properties": {{"MasterUserPassword": "{SECRETS[11]}\\q"}}}}}}',
    "plan/plan.json": json.dumps(
        {
            "format_version": "1.2",
            "terraform_version": "1.7.0",
            "planned_values": {"root_module": {"resources": [{"address": "aws_db_instance.p", "mode": "managed", "type": "aws_db_instance", "name": "p", "values": {"password": SECRETS[12], "username": "admin"}}]}},
            "configuration": {"root_module": {"resources": [{"address": "aws_db_instance.p", "expressions": {"password": {"constant_value": SECRETS[12]}}}]}},
        }
    ),
}

# Every output format, as CLI arguments. A new format is one line here (e.g. ("sarif", ["--format", "sarif"])).
OUTPUTS: list[tuple[str, list[str]]] = [
    ("text", ["--format", "text", "--color", "never"]),
    ("text-colour", ["--format", "text", "--color", "always"]),
    ("json", ["--format", "json"]),
]


@pytest.fixture(scope="module")
def secret_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("secrets")
    for name, text in SECRET_FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def test_the_secret_fixtures_are_really_found(secret_tree: Path) -> None:
    """Guard against a vacuous pass: the secrets are read and reported (masked), and broken files fail."""
    report = privlint.scan([str(secret_tree)])
    rules = {(os.path.relpath(f.file, secret_tree), f.rule_id) for f in report.findings}
    assert {("tf/main.tf", "PL301"), ("tf/terraform.tfvars", "PL301"), ("cfn/template.yaml", "PL301"), ("cfn/template.yaml", "PL305")} <= rules
    assert {("broken/heredoc.tf", "PL000"), ("broken/bare.tf", "PL000"), ("cfn/broken.yaml", "PL000"), ("cfn/broken.json", "PL000")} <= rules


@pytest.mark.parametrize("name, args", OUTPUTS, ids=[n for n, _ in OUTPUTS])
def test_no_output_format_prints_a_secret(secret_tree: Path, name: str, args: list[str]) -> None:
    result = run_cli("check", str(secret_tree), *args)
    assert result.returncode == 1, result.stderr
    assert result.stdout.strip()
    printed = result.stdout + result.stderr
    leaked = [s for s in SECRETS if s in printed]
    assert not leaked, f"{name} output contains {leaked}"


def test_the_api_report_holds_no_secret(secret_tree: Path) -> None:
    dumped = json.dumps(privlint.scan([str(secret_tree)]).model_dump(mode="json"))
    assert [s for s in SECRETS if s in dumped] == []


# --------------------------------------------------------------------------- determinism


def _copy_fixtures(dest: Path, reverse: bool) -> list[Path]:
    """The fixture tree, created in forward or reverse order (directory listing order may follow it)."""
    sources = sorted((p for p in FIXTURES.rglob("*") if p.is_file()), reverse=reverse)
    for src in sources:
        target = dest / src.relative_to(FIXTURES)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
    return sorted(p for p in dest.iterdir() if p.is_dir())


def test_same_input_same_bytes_whatever_the_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    roots_a = _copy_fixtures(tmp_path / "a", reverse=False)
    roots_b = _copy_fixtures(tmp_path / "b", reverse=True)
    monkeypatch.chdir(tmp_path)
    forward = privlint.scan([f"a/{p.name}" for p in roots_a]).to_json()
    backward = privlint.scan([f"b/{p.name}" for p in reversed(roots_b)]).to_json()
    assert forward.count('"rule_id"') > 20
    # Paths appear as JSON values and inside messages (a suppression's "PL101 at <file>:<line>").
    assert forward == re.sub(r'(?<=[" ])b/', "a/", backward)



# --------------------------------------------------------------------------- the benchmark corpus stays meaningful


def test_the_benchmark_corpus_parses_and_has_findings(tmp_path: Path) -> None:
    """benchmarks/corpus.py must keep producing valid code that the rules have work to do on."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_corpus", Path(__file__).resolve().parent.parent / "benchmarks" / "corpus.py")
    assert spec and spec.loader
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    stats = corpus.generate(tmp_path, 20)
    assert stats["terraform_files"] == 20 and stats["templates"] == 2
    report = privlint.scan([str(tmp_path)])
    rules = {f.rule_id for f in report.findings}
    assert "PL000" not in rules
    assert {"PL201", "PL401"} <= rules and report.summary.files == 20 + 2 + 2  # + one variables.tf per module
