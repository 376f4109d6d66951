"""A YAML reader for drift inputs (change registers, CloudFormation drift output) that keeps lines.

Mappings become ``LineDict`` with the line they start on. Dates and times stay strings so that a
malformed date is a validation error with a line, not a crash in the YAML library.
"""

from __future__ import annotations

from typing import Any

import yaml

from privlint.core.values import LineDict


class YamlError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message if line is None else f"{message} (line {line})")
        self.line = line


class _Loader(yaml.SafeLoader):
    pass


# Without the implicit timestamp resolver, 2026-13-01 is a string the register can reject by name.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict(line=node.start_mark.line + 1)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise YamlError("a mapping key must be a plain value", key_node.start_mark.line + 1)
        out[key] = loader.construct_object(value_node, deep=True)
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)

MAX_ALIASES = 100  # refuse "billion laughs" documents


def load_yaml_with_lines(text: str) -> Any:
    try:
        aliases = sum(1 for token in yaml.scan(text) if isinstance(token, yaml.AliasToken))
    except yaml.YAMLError:
        aliases = 0  # the load below reports the error with its line
    if aliases > MAX_ALIASES:
        raise YamlError(f"more than {MAX_ALIASES} YAML aliases: refused", None)
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlError(f"invalid YAML: {exc.problem or exc.context}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", None) from None
    except RecursionError:
        raise YamlError("YAML nested too deeply", None) from None
