"""The one YAML reader behind every YAML input (CloudFormation, GitHub org configuration, change registers,
CloudFormation drift output): PyYAML's safe loader (it never builds Python objects), mappings as ``LineDict``
with their line, budgets against alias bombs, and every failure a ``YamlError`` with a line.

An alias costs nothing to parse but everything to use: ten aliases of ten aliases of ... expand to a
billion nodes for whoever walks the result (and merge keys ``<<`` copy them while loading). So the
composed node graph is measured before anything is constructed: the number of nodes it holds once
every alias is expanded, merge keys included, may exceed the number written by at most
``MAX_ALIAS_EXPANSION``.

Formats subclass ``LineLoader`` for what is theirs (CloudFormation's intrinsic-function tags, GitHub's
strings that carry their own line) and read with ``load(text, TheirLoader)``.
"""

from __future__ import annotations

from typing import Any

import yaml

from privlint.model.problems import SourceError
from privlint.model.values import LineDict

MAX_ALIASES = 200
MAX_ALIAS_EXPANSION = 100_000  # nodes added by expanding aliases; a real file adds a few hundred
# Nodes written in one document. PyYAML keeps ~700 bytes per node while composing, so a 9 MB flow list
# of 4 million one-letter items cost 2.7 GB; a 1 MB CloudFormation template (AWS's limit) has ~100,000.
MAX_NODES = 200_000


class YamlError(SourceError):
    pass


class LineLoader(yaml.SafeLoader):
    def __init__(self, stream: str, file: str = "") -> None:
        super().__init__(stream)
        self.file = file
        self.alias_count = 0
        self.node_count = 0
        self.alias_uses: list[tuple[int, yaml.Node]] = []  # (line, node it names), in document order
        self._constructing: yaml.Mark | None = None

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self.node_count += 1
        if self.node_count > MAX_NODES:
            line = self.peek_event().start_mark.line + 1
            raise YamlError(f"more than {MAX_NODES:,} YAML nodes in one document: not read", line)
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            line = self.peek_event().start_mark.line + 1
            if self.alias_count > MAX_ALIASES:
                raise YamlError(f"more than {MAX_ALIASES} YAML aliases: refusing a possible alias bomb", line)
            node = super().compose_node(parent, index)
            if node is not None:
                self.alias_uses.append((line, node))
            return node
        return super().compose_node(parent, index)

    def get_single_node(self) -> yaml.Node | None:
        node = super().get_single_node()
        if node is not None and self.alias_uses:
            _check_expansion(node, self.alias_uses)
        return node

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        self._constructing = node.start_mark  # where a value that cannot be constructed is
        return super().construct_object(node, deep)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
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


def _expanded_sizes(root: yaml.Node) -> dict[int, int]:
    """Nodes under each node (by id) once aliases are expanded; iterative, each node measured once.

    Raises YamlError for an alias inside the node it names (a cycle: infinite once expanded).
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        children = _children(node)
        if children_done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise YamlError("a YAML alias refers to a node that contains it (infinite when expanded)", node.start_mark.line + 1)
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expansion(root: yaml.Node, alias_uses: list[tuple[int, yaml.Node]]) -> None:
    sizes = _expanded_sizes(root)
    added = sizes[id(root)] - len(sizes)
    if added <= MAX_ALIAS_EXPANSION:
        return
    # Name the first alias that by itself, or with those before it, passes the budget.
    total, line = 0, alias_uses[-1][0]
    for use_line, node in alias_uses:
        total += sizes.get(id(node), 1)
        if total > MAX_ALIAS_EXPANSION:
            line = use_line
            break
    raise YamlError(f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} nodes: refusing a possible alias bomb", line)


def _line_of_failure(loader: LineLoader | None) -> int | None:
    mark = getattr(loader, "_constructing", None)
    return mark.line + 1 if mark is not None else None


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
    except (ValueError, TypeError):  # a value PyYAML cannot construct (an impossible date, a huge number)
        # Not the exception's text: it may quote the value.
        raise YamlError("invalid YAML value: an impossible date or a number too large to read", _line_of_failure(loader)) from None
    finally:
        if loader is not None:
            loader.dispose()
