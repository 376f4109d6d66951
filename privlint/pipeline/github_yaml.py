"""The YAML reader for GitHub org configuration files (peribolos, safe-settings), with line numbers.

The shared line-aware reader (``yaml_lines``) plus strings as ``SourceText``, so a login in a list of
admins is reported on its own line, and dates as text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import yaml

from privlint.model.problems import Problem
from privlint.model.values import SourceText
from privlint.parsers import yaml_lines
from privlint.parsers.yaml_lines import YamlError
from privlint.pipeline.units import Unit

__all__ = ["YamlError", "load", "try_load", "parse_unit"]


class _Loader(yaml_lines.LineLoader):
    def construct_yaml_str(self, node: yaml.ScalarNode) -> Any:
        return SourceText.at(self.construct_scalar(node), self.file, node.start_mark.line + 1)


_Loader.add_constructor("tag:yaml.org,2002:str", _Loader.construct_yaml_str)
# Dates stay text: the rules never need them, and an impossible date must not stop the scan.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)


def load(text: str, file: str) -> Any:
    """The first YAML document. Raises YamlError with a line for anything that is not valid YAML."""
    return yaml_lines.load(text, _Loader, file)


def try_load(text: str) -> Any:
    """For sniffing: the decoded document, or None when it is not YAML."""
    try:
        return load(text, "")
    except YamlError:
        return None


def parse_unit(text: str, display: str, looks_right: Callable[[Any], bool], expected: str, to_orgs: Callable[[Any], Iterable[Any]]) -> Unit:
    """A GitHub org file as a scan unit: its orgs, or a problem with a line (invalid YAML, or not the ``expected`` shape)."""
    unit = Unit()
    try:
        data = load(text, display)
    except YamlError as exc:
        unit.problems.append(Problem(display, exc.line, display, str(exc)))
        return unit
    if not looks_right(data):
        unit.problems.append(Problem(display, None, display, expected))
        return unit
    unit.inventory.github_orgs.extend(to_orgs(data))
    return unit
