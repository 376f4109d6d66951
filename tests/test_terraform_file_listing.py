"""``fileset()``, ``pathexpand()`` and relative paths: what factory-style modules read, inside the scanned tree.

Relative paths start where Terraform runs (the root module's directory), whichever module names them,
so ``factories_config = { tags = "data/tags" }`` passed to a child finds the root's ``data/tags``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from privlint.model.values import Unknown
from privlint.terraform.glob_patterns import glob_pattern
from tests.test_terraform_expressions import evaluate
from tests.test_terraform_modules import load, resources

GLOBS = [
    ("*.yaml", ["a.yaml", "b.yaml"], ["a.yml", "sub/c.yaml", ".yaml.bak"]),
    ("**/*.yaml", ["a.yaml", "sub/c.yaml", "sub/deep/d.yaml"], ["a.yml"]),
    ("**", ["a", "sub/c.yaml"], []),
    ("sub/**", ["sub/c.yaml", "sub/deep/d"], ["a.yaml", "subx/c"]),
    ("?.txt", ["a.txt"], ["ab.txt", "/.txt"]),
    ("[ab].txt", ["a.txt", "b.txt"], ["c.txt"]),
    ("[!ab].txt", ["c.txt"], ["a.txt"]),
    ("{a,b*}.txt", ["a.txt", "bcd.txt"], ["c.txt"]),
    ("./x/*.json", ["x/p.json"], ["p.json"]),
    ("a.b", ["a.b"], ["axb"]),  # a dot is a dot
]


@pytest.mark.parametrize(("pattern", "matching", "other"), GLOBS, ids=[g for g, _, _ in GLOBS])
def test_glob_patterns(pattern: str, matching: list[str], other: list[str]) -> None:
    compiled = glob_pattern(pattern)
    assert compiled is not None
    assert [m for m in matching if not compiled.matches(m)] == []
    assert [o for o in other if compiled.matches(o)] == []


@pytest.mark.parametrize("pattern", ["../*", "/etc/*", "..", "[ab", "{a,b", "{a,b}" * 10, "x" * 2000])
def test_glob_patterns_that_are_refused(pattern: str) -> None:
    assert glob_pattern(pattern) is None


def test_a_pathological_pattern_is_bounded() -> None:
    compiled = glob_pattern("*a*a*a*a*a*a*a*a*a*a*a*b")
    assert compiled is not None and not compiled.matches("a" * 5000)


PATHEXPAND = [
    ('pathexpand("data/tags")', "data/tags"),
    ('pathexpand("/abs")', "/abs"),
    ('pathexpand(coalesce(null, "-"))', "-"),
]


@pytest.mark.parametrize(("text", "expected"), PATHEXPAND, ids=[t for t, _ in PATHEXPAND])
def test_pathexpand_of_a_path_without_a_home(text: str, expected: str) -> None:
    assert evaluate(text) == expected


@pytest.mark.parametrize("text", ['pathexpand("~/x")', "pathexpand(var.p)"])
def test_pathexpand_of_a_home_path_is_unknown(text: str) -> None:
    assert isinstance(evaluate(text), Unknown)


FACTORY = {
    "main.tf": 'module "project" {\n  source = "./modules/project"\n  tags_path = "data/tags"\n}\n',
    "data/tags/env.yaml": "name: env\niam:\n  roles/owner:\n    - user:ann@example.com\n",
    "data/tags/team.yaml": "name: team\n",
    "data/tags/notes.txt": "not yaml\n",
    "modules/project/main.tf": """
variable "tags_path" {}
locals {
  path = pathexpand(coalesce(var.tags_path, "-"))
  raw  = { for f in try(fileset(local.path, "*.yaml"), []) : f => yamldecode(file("${local.path}/${f}")) }
}
resource "aws_x" "tags" {
  for_each = local.raw
  name     = each.value.name
}
resource "aws_x" "missing" {
  files = fileset("no/such/dir", "**")
}
""",
}


def test_a_factory_reads_its_data_files_from_the_root(tmp_path: Path) -> None:
    out = resources(load(tmp_path, FACTORY))
    assert out['module.project.aws_x.tags["env.yaml"]']["name"] == "env"
    assert out['module.project.aws_x.tags["team.yaml"]']["name"] == "team"
    assert out["module.project.aws_x.missing"]["files"] == []


def test_fileset_never_lists_outside_the_scanned_tree(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("k: v\n")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "link.yaml").symlink_to(outside / "secret.yaml")
    (tree / "dirlink").symlink_to(outside)
    (tree / "ok.yaml").write_text("k: v\n")
    main = 'resource "aws_x" "r" {\n  here = fileset(".", "**")\n  parent = fileset("..", "*")\n  absolute = fileset("/etc", "*")\n  via_link = fileset("dirlink", "*")\n}\n'
    (tree / "main.tf").write_text(main)
    from privlint.terraform.loader import TerraformLoader

    loader = TerraformLoader(lambda p: p.read_text(), roots=[tree])
    values: dict[str, Any] = loader.load(tree, [tree / "main.tf"]).resources[0].values
    assert values["here"] == [
        "main.tf",
        "ok.yaml",
    ]  # the link to a file outside is not listed
    for name in ("parent", "absolute", "via_link"):
        assert isinstance(values[name], Unknown), name


OPTIONAL_FILES = [
    # what Terraform fails on inside the tree is an error, so try() takes the fallback
    ('try(file("missing.yaml"), "{}")', "{}"),
    ('try(yamldecode(file("missing.yaml")), {})', {}),
    ('fileexists("missing.yaml")', False),
    ('fileexists("present.txt")', True),
    ('try(fileset(null, "*.yaml"), [])', []),
    ("try(pathexpand(null), null)", None),
    ('try(file(null), "none")', "none"),
    (
        'fileexists("/etc/hostname")',
        None,
    ),  # outside the tree: privlint does not look, so unknown
    ('try(file("../outside.txt"), "fallback")', None),
]


@pytest.mark.parametrize(("text", "expected"), OPTIONAL_FILES, ids=[t for t, _ in OPTIONAL_FILES])
def test_optional_files(tmp_path: Path, text: str, expected: Any) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tmp_path / "outside.txt").write_text("secret")
    (tree / "present.txt").write_text("x")
    (tree / "main.tf").write_text(f'resource "aws_x" "r" {{\n  v = {text}\n}}\n')
    from privlint.terraform.loader import TerraformLoader

    loader = TerraformLoader(lambda p: p.read_text(), roots=[tree])
    value = loader.load(tree, [tree / "main.tf"]).resources[0].values["v"]
    if expected is None and "null" not in text:
        assert isinstance(value, Unknown)
    else:
        assert value == expected


def test_a_file_path_from_an_input_keeps_its_cause(tmp_path: Path) -> None:
    main = 'variable "p" {}\nresource "aws_x" "r" {\n  v = file(var.p)\n}\n'
    assert resources(load(tmp_path, {"main.tf": main}))["aws_x.r"]["v"] == Unknown("var.p")
