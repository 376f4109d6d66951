"""The one YAML reader behind every YAML input (CloudFormation, GitHub org configuration, change registers,
CloudFormation drift output): PyYAML's safe loader (it never builds Python objects), mappings as ``LineDict``
with their line, an alias budget against alias bombs, and every failure a ``YamlError`` with a line.

Formats subclass ``LineLoader`` for what is theirs (CloudFormation's intrinsic-function tags, GitHub's
strings that carry their own line) and read with ``load(text, TheirLoader)``.
"""

from __future__ import annotations

from typing import Any

import yaml

from privlint.core.values import LineDict

MAX_ALIASES = 200


class YamlError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


class LineLoader(yaml.SafeLoader):
    def __init__(self, stream: str, file: str = "") -> None:
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
                value.line = key_node.start_mark.line + 1  # a block mapping starts on the line after its key: point at the key
            out[key] = value
        return out


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, LineLoader.construct_mapping)


def load(text: str, loader_class: type[LineLoader] = LineLoader, file: str = "") -> Any:
    """The first YAML document of ``text``. Raises YamlError, with a line where there is one."""
    loader = None
    try:
        loader = loader_class(text, file)  # the reader rejects control characters here, before parsing
        return loader.get_single_data()
    except YamlError:
        raise
    except yaml.reader.ReaderError as exc:
        raise YamlError(f"invalid YAML: character {exc.character!r} is not allowed", text.count("\n", 0, exc.position) + 1) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlError(f"invalid YAML: {exc.problem or exc.context or 'syntax error'}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", None) from None
    except RecursionError:
        raise YamlError("YAML nested too deeply", None) from None
    except (ValueError, TypeError) as exc:  # a value PyYAML cannot construct (an impossible date, a huge number)
        raise YamlError(f"invalid YAML value: {exc}"[:200], None) from None
    finally:
        if loader is not None:
            loader.dispose()
