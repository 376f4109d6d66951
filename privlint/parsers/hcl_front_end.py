"""Terraform's native syntax (HCL) read with tree-sitter into the plain syntax tree.

tree-sitter always returns a tree: a syntax error becomes an ERROR or MISSING node, reported here
as a ``SyntaxProblem`` with its line, while every attribute and block outside the broken region is
still returned. Messages name a token only when it is at most three characters long (longer ones
could be a value, such as a password, so only their kind is named).
"""

from __future__ import annotations

import re
from functools import cache

from tree_sitter import Language, Node, Parser, Query, QueryCursor

from privlint.parsers.hcl_expressions import ExpressionReader
from privlint.parsers.hcl_syntax_tree import (
    Attribute,
    Block,
    Body,
    Comment,
    Expression,
    Invalid,
    ParsedFile,
    SyntaxProblem,
    Template,
)
from privlint.parsers.hcl_templates import code_children

# Blocks nested deeper than this are not read (each level costs Python frames); real code uses a few.
MAX_BLOCK_NESTING = 60
_MISSING_TOKENS = {
    "block_end": "}",
    "object_end": "}",
    "tuple_end": "]",
    "quoted_template_end": '"',
    "template_interpolation_end": "}",
    "template_directive_end": "}",
    "heredoc_identifier": "heredoc end marker",
    "identifier": "name",
    "expression": "expression",
}
_TOKEN_KINDS = {
    "identifier": "name",
    "numeric_lit": "number",
    "template_literal": "text",
    "string_lit": "string",
    "quoted_template": "string",
    "heredoc_identifier": "heredoc marker",
    "comment": "comment",
}


# ``1e3`` is an HCL number, but the grammar reads an exponent only after a fraction (``1.0e3``).
_INTEGER_WITH_EXPONENT = re.compile(rb"(?<![0-9])([0-9]+)[eE][-+]?[0-9]")  # a whole digit run: linear, not quadratic


@cache
def _language() -> Language:
    """Built once per process: it is the only costly step."""
    import tree_sitter_hcl

    return Language(tree_sitter_hcl.language())


@cache
def _parser() -> Parser:
    return Parser(_language())


@cache
def _comment_query() -> Query:
    return Query(_language(), "(comment) @comment")


def parse_tree(source: bytes) -> Node:
    return _parser().parse(source).root_node


def parse_source(source: bytes) -> tuple[bytes, Node]:
    """The tree of ``source``, and the source it was read from (``1e3`` may have become ``1.0e3``)."""
    root = parse_tree(source)
    if root.has_error:
        fixed = _with_fractions_before_exponents(source, root)
        if fixed is not None:  # only line numbers are reported, and inserting ``.0`` keeps them
            return fixed, parse_tree(fixed)
    return source, root


def parse_hcl(text: str) -> ParsedFile:
    """A ``.tf`` / ``.tfvars`` file's body, its syntax problems and its comments. Never raises."""
    source, root = parse_source(text.encode("utf-8", "replace"))
    problems = find_problems(root)
    reader = ExpressionReader(source, report=problems.append)
    body = Body()
    for child in root.children:
        if child.type == "body":
            _read_body(child, body, reader, problems, 0)
        elif child.type == "object" and not body.attributes:
            _read_object_body(child, body, reader)
    problems.sort(key=lambda p: p.line or 0)
    return ParsedFile(body, problems, read_comments(root, source))


def read_comments(root: Node, source: bytes) -> list[Comment]:
    """Every comment node, in file order (the grammar's comments are never inside a string or heredoc)."""
    if b"#" not in source and b"/" not in source:
        return []
    nodes = QueryCursor(_comment_query()).captures(root).get("comment", [])
    comments = []
    for node in sorted(nodes, key=lambda n: n.start_byte):
        line_start = source.rfind(b"\n", 0, node.start_byte) + 1
        own_line = not source[line_start : node.start_byte].strip()
        text = source[node.start_byte : node.end_byte].decode("utf-8", "replace").rstrip("\r\n")
        comments.append(Comment(node.start_point[0] + 1, node.end_point[0] + 1, text, own_line))
    return comments


def _with_fractions_before_exponents(source: bytes, root: Node) -> bytes | None:
    """The source with ``.0`` added to each integer literal followed by an exponent, or None if there is none."""
    pieces: list[bytes] = []
    position = 0
    for match in _INTEGER_WITH_EXPONENT.finditer(source):
        start, end = match.span(1)
        node = root.descendant_for_byte_range(start, end)
        if node is None or node.type != "numeric_lit" or (node.start_byte, node.end_byte) != (start, end):
            continue  # inside a string, a comment or a name
        pieces += [source[position:end], b".0"]
        position = end
    if not pieces:
        return None
    pieces.append(source[position:])
    return b"".join(pieces)


def parse_expression(text: str) -> Expression:
    """One expression that is not part of a file; a syntax error gives ``Invalid``."""
    source, root = parse_source(b"x = " + text.encode("utf-8", "replace") + b"\n")
    reader = ExpressionReader(source)
    body = root.children[0] if root.children else None
    if root.has_error or body is None or body.type != "body" or len(body.children) != 1:
        return Invalid(line=1)
    attribute = body.children[0]
    if attribute.type != "attribute":
        return Invalid(line=1)
    return reader.read(code_children(attribute)[-1])


def parse_template(text: str) -> Template | Invalid:
    """Template text (a ``.tf.json`` string, a ``templatefile()`` file): ``${}``, ``%{}``; quotes are plain text.

    Read as the body of a heredoc whose marker does not occur in the text.
    """
    if "${" not in text and "%{" not in text:
        return Template((text,) if text else (), 1)
    marker = "PRIVLINT_TEMPLATE_END"
    while marker in text:
        marker += "_"
    source, root = parse_source(f"x = <<{marker}\n{text}\n{marker}\n".encode("utf-8", "replace"))
    if root.has_error:
        return Invalid(line=1)
    reader = ExpressionReader(source, line_offset=1)
    expression = reader.read(root.children[0].children[0].children[-1])
    if not isinstance(expression, Template):
        return Invalid(line=1)
    parts = list(expression.parts)
    if parts and isinstance(parts[-1], str):  # the newline before the marker is ours, not the text's
        parts[-1] = parts[-1][:-1]
        if not parts[-1]:
            parts.pop()
    return Template(tuple(parts), 1)


def _read_body(node: Node, body: Body, reader: ExpressionReader, problems: list[SyntaxProblem], depth: int) -> None:
    previous: Attribute | None = None
    previous_end_row = -1
    for child in node.children:
        if child.type in ("attribute", "block") and child.start_point[0] == previous_end_row:
            # the grammar accepts ``a = 0X1F`` as ``a = 0`` and ``X1F ...``; HCL ends each one with a newline
            problems.append(SyntaxProblem(reader.line(child), "HCL syntax error: missing newline after an argument or block"))
            if previous is not None:
                previous.expr = reader.invalid(child)
        if child.type in ("attribute", "block"):
            previous, previous_end_row = None, child.end_point[0]
        if child.type == "attribute":
            parts = code_children(child)
            attribute = Attribute(reader.text(parts[0]), reader.read(parts[-1]), reader.line(child), child.end_point[0] + 1)
            if parts[-1].type != "expression":
                attribute.expr = reader.invalid(child)
            previous = attribute
            if attribute.name in body.attributes:
                problems.append(SyntaxProblem(attribute.line, "HCL syntax error: attribute defined twice"))
                continue
            body.attributes[attribute.name] = attribute
        elif child.type == "block":
            block = _read_block(child, reader, problems, depth + 1)
            if block is not None:
                body.blocks.append(block)


def _read_block(node: Node, reader: ExpressionReader, problems: list[SyntaxProblem], depth: int) -> Block | None:
    if depth > MAX_BLOCK_NESTING:
        problems.append(SyntaxProblem(reader.line(node), "HCL syntax error: blocks nested too deeply"))
        return None
    children = code_children(node)
    labels: list[str] = []
    for child in children[1:]:
        if child.type == "identifier":
            labels.append(reader.text(child))
        elif child.type == "string_lit":
            label = reader.templates.quoted(child)
            labels.append("".join(p for p in label.parts if isinstance(p, str)))
        elif child.type == "block_start":
            break
    block = Block(reader.text(children[0]), labels, reader.line(node), node.end_point[0] + 1)
    inner = Body()
    for child in children:
        if child.type == "body":
            _read_body(child, inner, reader, problems, depth)
    block.attributes, block.blocks = inner.attributes, inner.blocks
    return block


def _read_object_body(node: Node, body: Body, reader: ExpressionReader) -> None:
    """A ``.tfvars`` file written as one ``{...}`` object (the grammar allows it): its items as attributes."""
    if node.has_error:
        return
    for item in reader.object(node).items:
        key = item.key
        if isinstance(key, Template) and len(key.parts) == 1 and isinstance(key.parts[0], str):
            body.attributes[key.parts[0]] = Attribute(key.parts[0], item.value, item.line, item.line)


def find_problems(root: Node) -> list[SyntaxProblem]:
    """Every ERROR and MISSING node under ``root`` (only subtrees that hold an error are visited)."""
    problems: list[SyntaxProblem] = []
    if not root.has_error:
        return problems
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_missing:
            problems.append(SyntaxProblem(_missing_line(node), f"HCL syntax error: missing {_missing_name(node)}"))
            continue
        if node.type == "ERROR":
            problems.append(SyntaxProblem(node.start_point[0] + 1, f"HCL syntax error: unexpected {_describe(node)}"))
            # a MISSING node inside an ERROR is the same mistake: report the ERROR once
            continue
        stack.extend(child for child in reversed(node.children) if child.has_error)
    return problems


def _missing_line(node: Node) -> int:
    """A missing token is placed before the next one; the mistake is where the previous token ended."""
    current: Node | None = node
    steps = 0  # tree-sitter can hand back the same zero-width sibling again: never loop on it
    while current is not None and steps < _MAX_SIBLING_STEPS:
        previous = current.prev_sibling
        while previous is not None and (previous.is_missing or previous.end_byte == previous.start_byte) and steps < _MAX_SIBLING_STEPS:
            previous = previous.prev_sibling
            steps += 1
        if previous is not None and steps < _MAX_SIBLING_STEPS:
            return previous.end_point[0] + 1
        current = current.parent
        steps += 1
    return node.start_point[0] + 1


_MAX_SIBLING_STEPS = 10_000


def _missing_name(node: Node) -> str:
    kind = node.type
    if not node.is_named:
        return repr(kind) if len(kind) <= 3 else kind
    shown = _MISSING_TOKENS.get(kind, kind.replace("_", " "))
    return repr(shown) if len(shown) <= 3 else shown


def _describe(error: Node) -> str:
    """The first token of an ERROR node: itself if short, else its kind; never a longer value."""
    node = error
    while node.child_count:
        node = node.children[0]
    if node is error or node.end_byte <= node.start_byte:
        return "input" if error.end_byte > error.start_byte else "end of file"
    raw = node.text or b""
    text = raw.decode("utf-8", "replace").strip()
    if text and len(text) <= 3 and "\n" not in text:
        return repr(text)
    return _TOKEN_KINDS.get(node.type, "token")
