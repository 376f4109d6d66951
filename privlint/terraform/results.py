"""What evaluating a Terraform configuration produces: resources with their values, and problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from privlint.model.values import LineDict


@dataclass
class ParseProblem:
    file: Path
    line: int | None
    message: str


@dataclass
class ValueOrigin:
    """Where a value that reached a resource attribute was written (for credentials)."""

    kind: str  # "literal", "variable default", "tfvars", "module argument"
    file: Path
    line: int
    via: str | None = None  # the variable name
    sensitive: bool = False


@dataclass
class TerraformResource:
    mode: str  # "resource", "data" or "provider"
    type: str
    name: str
    address: str  # module.x.aws_iam_role.admin["a"] / data.aws_iam_policy_document.d
    values: LineDict
    file: Path
    line: int
    attribute_lines: dict[str, int] = field(default_factory=dict)
    origins: dict[str, ValueOrigin] = field(default_factory=dict)
    module_dir: Path | None = None
    enabled_by: str | None = None  # switched off by this input variable; linted only with include_disabled


@dataclass
class TerraformResult:
    resources: list[TerraformResource] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)  # every file read, modules included
    called_dirs: set[Path] = field(default_factory=set)  # local module directories loaded through calls
    remote_modules: set[str] = field(default_factory=set)  # registry and git sources not read (nothing is downloaded)
    contents_read: set[Path] = field(default_factory=set)  # files read by file(), templatefile() and the like
    listings: dict[Path, list[str] | None] = field(default_factory=dict)  # directories fileset() listed, and what it found
    probes: dict[Path, bool] = field(default_factory=dict)  # paths fileexists() and file() looked for: missing or not
