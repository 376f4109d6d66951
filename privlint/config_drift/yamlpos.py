"""The YAML reader for drift inputs (change registers, CloudFormation drift output) that keeps lines.

The shared line-aware reader (``privlint/parsers/yaml_lines.py``), with dates and times kept as strings
so that a malformed date is a validation error with a line, not a crash in the YAML library.
"""

from __future__ import annotations

from typing import Any

import yaml

from privlint.parsers import yaml_lines
from privlint.parsers.yaml_lines import YamlError

__all__ = ["YamlError", "load_yaml_with_lines"]


class _Loader(yaml_lines.LineLoader):
    pass


def _timestamp_as_text(loader: _Loader, node: yaml.ScalarNode) -> str:
    return loader.construct_yaml_str(node)


# 2026-13-01 stays a string the register can reject by name.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def load_yaml_with_lines(text: str) -> Any:
    return yaml_lines.load(text, _Loader)
