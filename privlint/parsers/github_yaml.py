"""The YAML reader for GitHub org configuration files (peribolos, safe-settings), with line numbers.

The shared line-aware reader (``yaml_lines``) plus strings as ``SourceText``, so a login in a list of
admins is reported on its own line, and dates as text.
"""

from __future__ import annotations

from typing import Any

import yaml

from privlint.core.values import SourceText
from privlint.parsers import yaml_lines
from privlint.parsers.yaml_lines import YamlError

__all__ = ["YamlError", "load", "try_load"]


class _Loader(yaml_lines.LineLoader):
    def construct_yaml_str(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
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
