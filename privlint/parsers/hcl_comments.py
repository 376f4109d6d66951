"""Comments and block ranges of a Terraform file, from the tree-sitter syntax tree.

tree-sitter knows what is a string, a heredoc or a template, so a ``privlint:ignore`` inside one
of them is data, never a directive.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from privlint.parsers.hcl_front_end import parse_hcl, parse_tree


def comment_columns(text: str) -> dict[int, int]:
    """Line number (1-based) -> column (in characters) where a line comment starts."""
    source = text.encode("utf-8", "replace")
    lines = source.split(b"\n")
    found: dict[int, int] = {}
    for node in _comments(parse_tree(source)):
        row, byte_column = node.start_point
        if source[node.start_byte : node.start_byte + 2] == b"/*":
            continue  # a block comment is not a directive's syntax
        prefix = lines[row][:byte_column] if row < len(lines) else b""
        found.setdefault(row + 1, len(prefix.decode("utf-8", "replace")))
    return found


def _comments(root: Node) -> Iterator[Node]:
    stack = [root]
    while stack:  # iterative: a deeply nested file must not exhaust the Python stack
        node = stack.pop()
        if node.type == "comment":
            yield node
        else:
            stack.extend(node.children)


def block_ranges(text: str) -> list[tuple[int, int]]:
    """(first line, last line) of every top-level block."""
    return [(block.line, block.end_line or block.line) for block in parse_hcl(text).body.blocks]
