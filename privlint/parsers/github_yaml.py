"""The YAML reader for GitHub org configuration files (peribolos, safe-settings), with line numbers.

PyYAML's safe loader (it never builds Python objects), an alias budget against alias bombs, mappings as
``LineDict`` and strings as ``SourceText`` so a login in a list of admins is reported on its own line.
"""

from __future__ import annotations

from typing import Any

import yaml

from privlint.core.values import LineDict, SourceText

MAX_ALIASES = 200


class YamlError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


class _Loader(yaml.SafeLoader):
    def __init__(self, stream: str, file: str) -> None:
        super().__init__(stream)
        self.file = file
        self.alias_count = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                raise YamlError(f"more than {MAX_ALIASES} YAML aliases: refusing a possible alias bomb", self.peek_event().start_mark.line + 1)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:  # type: ignore[override]
        self.flatten_mapping(node)
        out = LineDict(line=node.start_mark.line + 1)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise YamlError("a mapping key is not a plain value", key_node.start_mark.line + 1) from None
            value = self.construct_object(value_node, deep=True)
            if isinstance(value, LineDict) and isinstance(value_node, yaml.MappingNode) and value_node.flow_style is not True:
                value.line = key_node.start_mark.line + 1  # a block mapping is reported on its key's line
            out[key] = value
        return out

    def construct_yaml_str(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
        return SourceText.at(self.construct_scalar(node), self.file, node.start_mark.line + 1)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:str", _Loader.construct_yaml_str)
# Dates stay text: the rules never need them, and an impossible date must not stop the scan.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)


def load(text: str, file: str) -> Any:
    """The first YAML document. Raises YamlError with a line for anything that is not valid YAML."""
    loader = None
    try:
        loader = _Loader(text, file)  # the reader rejects control characters already here
        return loader.get_single_data()
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlError(f"invalid YAML: {exc.problem or exc.context or 'syntax error'}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", None) from None
    except RecursionError:
        raise YamlError("YAML nested too deeply", None) from None
    except (ValueError, TypeError) as exc:  # a value PyYAML cannot construct (e.g. a huge number)
        raise YamlError(f"invalid YAML: {exc}", None) from None
    finally:
        if loader is not None:
            loader.dispose()


def try_load(text: str) -> Any:
    """For sniffing: the decoded document, or None when it is not YAML."""
    try:
        return load(text, "")
    except YamlError:
        return None
