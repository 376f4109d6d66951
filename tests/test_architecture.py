"""The package's folders are its layers: each imports only the layers below it, and nothing forms a cycle.

Every import counts: at module level, inside functions and under ``TYPE_CHECKING`` (a type-only import
still couples two modules). The layers, lowest first, are described in docs/architecture.md.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "privlint"
LAYERS = (
    "model",  # plain types: values, records, findings, settings, the rule catalog, the version
    "knowledge",  # provider facts, each defined once: IAM matching, requires-MFA, admin level, credentials
    "parsers",  # text -> documents with lines (YAML, JSON, HCL, plans)
    "terraform",  # the Terraform evaluator
    "normalize",  # documents and evaluated resources -> the inventory
    "analysis",  # joins across the inventory: the principal graph
    "rules",  # one module per rule family
    "pipeline",  # discover, formats, engine, suppressions, configuration
    "config_drift",  # privlint drift: baselines, change register, audit log (the config-drift rules)
    "report",  # text, SARIF, JUnit, risk register, ...
    "integrations",  # the checkov bundle
    "frontend",  # the CLI, the Python API, generated docs
)
MAX_LINES = 400
# The modules at the top, above every layer: the public package and ``python -m privlint``.
TOP = {"privlint", "privlint.__main__"}
# The pure modules, which checkov's bundle reuses where checkov has already parsed the file.
PURE = [
    "privlint.model.values",
    "privlint.knowledge.iam",
    "privlint.model.inventory",
    "privlint.normalize.common",
    "privlint.normalize.terraform_aws",
    "privlint.normalize.cloudformation_aws",
    "privlint.normalize.cfn_values",
    "privlint.rules.base",
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str) -> Iterator[tuple[str, int]]:
    """(imported privlint module, line) for every import statement anywhere in the module."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES and "." in target:
                target = target.rpartition(".")[0]
            if target == "privlint" or target in MODULES:
                yield target, node.lineno


def _layer(name: str) -> str:
    return name.split(".")[1]


GRAPH = {name: {target for target, _ in _imports(name)} - {name} for name in MODULES}


def test_every_module_sits_in_a_layer() -> None:
    stray = sorted(n for n in MODULES if n not in TOP and _layer(n) not in LAYERS)
    assert not stray, f"modules outside the layers {LAYERS}: {stray}"


def test_imports_run_down_the_layers() -> None:
    wrong = []
    for name in sorted(MODULES):
        if name in TOP:
            continue
        for target, line in _imports(name):
            if target == "privlint":
                wrong.append(f"{MODULES[name].relative_to(ROOT)}:{line}: imports the top-level package")
            elif target not in TOP and LAYERS.index(_layer(target)) > LAYERS.index(_layer(name)):
                wrong.append(f"{MODULES[name].relative_to(ROOT)}:{line}: {_layer(name)} imports {target}")
    assert not wrong, "imports against the layer order:\n" + "\n".join(wrong)


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(GRAPH):
        if root in index:
            continue
        work = [(root, iter(sorted(GRAPH[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(GRAPH[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles() -> None:
    assert _cycles() == []


def test_the_cycle_finder_finds_cycles() -> None:
    saved = {name: set(targets) for name, targets in GRAPH.items()}
    try:
        GRAPH["privlint.model.values"].add("privlint.model.findings")
        GRAPH["privlint.model.findings"].add("privlint.model.values")
        assert ["privlint.model.findings", "privlint.model.values"] in _cycles()
    finally:
        GRAPH.clear()
        GRAPH.update(saved)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(ROOT)} has {lines} lines: split it by responsibility"


def test_no_folder_hides_a_public_name() -> None:
    """``privlint.drift`` is a function of the API: a folder of that name would replace it once imported."""
    import privlint

    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))}
    assert not folders & set(privlint.__all__)


def test_pure_modules_import_no_parser() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in PURE)
        + "from privlint.rules.registry import all_rules\nall_rules()\n"
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('hcl2', 'lark', 'tree_sitter')"
        + " or m.startswith(('privlint.parsers', 'privlint.pipeline', 'privlint.terraform.loader')))\n"
        + "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"pure modules pulled in: {result.stdout.strip()}"
