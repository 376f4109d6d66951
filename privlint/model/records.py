"""Evaluated resources: what every source (Terraform, a plan, CloudFormation, checkov) hands the normalisers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from privlint.model.inventory import CredentialOrigin, Location


@dataclass
class Origin:
    """Where a value that reached an attribute was written (variable default, tfvars, parameter...)."""

    kind: CredentialOrigin
    file: str
    line: int | None
    via: str | None = None
    sensitive: bool = False


@dataclass
class ResourceRecord:
    """One resource (or data source) with its evaluated values, as every normaliser receives it."""

    address: str
    type: str
    values: dict[str, Any]
    file: str
    line: int | None
    mode: str = "resource"  # "resource" or "data"
    attribute_lines: dict[str, int] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)
    sensitive: Any = None  # a Terraform-style mark tree (True, or dicts/lists of marks) of values the source marks sensitive

    @property
    def location(self) -> Location:
        return Location(file=self.file, line=self.line)

    def attr_location(self, name: str) -> Location:
        return Location(file=self.file, line=self.attribute_lines.get(name, self.line))

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


def block_address(address: str) -> str:
    """A Terraform address without instance keys: ``module.a["x"].aws_iam_role.r[0]`` -> ``module.a.aws_iam_role.r``."""
    out, depth = [], 0
    for ch in address:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)
