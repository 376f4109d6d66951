"""``privlint checkov-bundle --output DIR``: the checkov checks as a self-contained directory.

For people who installed privlint with pip and run checkov from its own environment (the two
cannot share one: both install the import name ``hcl2``). DIR gets:

- ``__init__.py``: checkov loads check files only from a directory that has one;
- ``privlint_checks.py``: the loader checkov executes (a copy of ``privlint/integrations/checkov_loader.py``);
- ``privlint_lib.zip``: the pure privlint modules the checks import, with their data files.

The library is a zip, not a directory, because checkov walks every directory under DIR: it would
execute each privlint module as a check and try to read each JSON/YAML data file as a policy.
The loader unpacks it once per content into the temporary directory.
"""

from __future__ import annotations

import ast
import zipfile
from pathlib import Path

from privlint.integrations.checkov_rules import COVERED

PACKAGE = Path(__file__).resolve().parent.parent
LOADER_NAME = "privlint_checks.py"
LIBRARY_ARCHIVE = "privlint_lib.zip"
INIT_TEXT = '"""privlint\'s rules as checkov custom checks (see privlint_checks.py)."""\n'

# Where the checks' imports start; every privlint module they may import goes into the library.
ENTRY_MODULES = ("privlint", "privlint.integrations.checkov_checks", "privlint.integrations.checkov_selftest")
# privlint/__init__.py imports the public API (scan: parsers, engine) lazily; the checks never use it.
NOT_FOLLOWED = frozenset({"privlint"})


def _module_file(name: str) -> Path | None:
    """The source file of a privlint module (``privlint.rules.base`` -> rules/base.py), if it exists."""
    parts = name.split(".")[1:]
    base = PACKAGE.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_modules(path: Path) -> set[str]:
    """privlint modules a file may import, also lazily inside functions (not under TYPE_CHECKING)."""
    names: set[str] = set()
    for node in ast.walk(ast.Module(body=_outside_type_checking(ast.parse(path.read_text(encoding="utf-8")).body), type_ignores=[])):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)  # ``from privlint import iam``
    out: set[str] = set()
    for name in names:
        if name == "privlint" or name.startswith("privlint."):
            parts = name.split(".")
            out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))  # parent packages too
    return out


def _outside_type_checking(body: list[ast.stmt]) -> list[ast.stmt]:
    return [node for node in body if not (isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test))]


def library_modules() -> list[Path]:
    """Source files of every privlint module reachable by import from the checks."""
    todo, seen, files = list(ENTRY_MODULES), set(), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _module_file(name)
        if path is not None:
            files.add(path)
            if name not in NOT_FOLLOWED:
                todo.extend(_imported_modules(path) - seen)
    return sorted(files)


def library_files() -> list[Path]:
    """The package files, relative to the package directory, that go into the library archive."""
    modules = [p.relative_to(PACKAGE) for p in library_modules()]
    rule_modules = [Path(f"rules/{rule.module}.py") for rule in COVERED]
    catalogs = [p.relative_to(PACKAGE) for p in (PACKAGE / "rules").glob("*.yaml")]
    data = [p.relative_to(PACKAGE) for p in (PACKAGE / "data").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted({*modules, *rule_modules, *catalogs, *data})


def write_bundle(output: Path, with_library: bool = True) -> list[Path]:
    """Write the bundle into ``output`` (created if needed); returns the files written.

    ``with_library=False`` writes only the loader, as in the repository's ``policies/``, where the
    loader finds privlint in the checkout next to it.
    """
    output.mkdir(parents=True, exist_ok=True)
    written = [output / "__init__.py", output / LOADER_NAME]
    written[0].write_text(INIT_TEXT, encoding="utf-8")
    written[1].write_bytes((PACKAGE / "integrations" / "checkov_loader.py").read_bytes())
    if with_library:
        archive = output / LIBRARY_ARCHIVE
        # Fixed timestamps: the same privlint gives a byte-identical archive (and one unpacked copy).
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for relative in library_files():
                info = zipfile.ZipInfo(f"privlint/{relative.as_posix()}", date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                bundle.writestr(info, (PACKAGE / relative).read_bytes())
        written.append(archive)
    return written
