"""Templates (quoted strings and heredocs) from tree-sitter nodes to ``Template`` parts.

The grammar's scanner skips whitespace between literal chunks, so literal text is taken from the
source bytes *between* interpolations and directives, never from the literal nodes themselves.
Work happens on a flat token list: strip markers (``~``) and heredoc indentation are applied there,
then directive tags are nested into ``TemplateIf`` / ``TemplateFor``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from tree_sitter import Node

from privlint.parsers.hcl_nesting import Nesting, Unreadable
from privlint.parsers.hcl_syntax_tree import (
    Expression,
    Interpolation,
    Template,
    TemplateFor,
    TemplateIf,
    TemplatePart,
)

_QUOTED_ESCAPE = re.compile(rb'\\(["nrt\\]|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})|\$\$\{|%%\{')
_TEMPLATE_ESCAPE = re.compile(rb"\$\$\{|%%\{")
_PLAIN_AFTER_ESCAPE = re.compile(rb'[^"$%{}\\\r\n]*')
_IDENTIFIER_CHAR = re.compile(rb"[A-Za-z0-9_-]")
_SIMPLE_ESCAPES = {b'"': '"', b"n": "\n", b"r": "\r", b"t": "\t", b"\\": "\\"}
_DIRECTIVE_NODES = {"template_if_intro", "template_else_intro", "template_if_end", "template_for_start", "template_for_end"}


def decode_literal(raw: bytes, quoted: bool) -> str:
    """Template literal bytes as text: ``$${``/``%%{`` always, backslash escapes only in quoted strings."""
    if b"\\" not in raw and b"{" not in raw:
        return raw.decode("utf-8", "replace")
    pattern = _QUOTED_ESCAPE if quoted else _TEMPLATE_ESCAPE
    out: list[str] = []
    pos = 0
    for match in pattern.finditer(raw):
        out.append(raw[pos : match.start()].decode("utf-8", "replace"))
        out.append(_escape_value(match.group(0)))
        pos = match.end()
    out.append(raw[pos:].decode("utf-8", "replace"))
    return "".join(out)


def _escape_value(escape: bytes) -> str:
    if escape == b"$${":
        return "${"
    if escape == b"%%{":
        return "%{"
    kind = escape[1:2]
    if kind in (b"u", b"U"):
        code = int(escape[2:].decode("ascii"), 16)
        if code > 0x10FFFF or 0xD800 <= code < 0xE000:
            return escape.decode("ascii")  # not a character: keep the escape as written
        return chr(code)
    return _SIMPLE_ESCAPES[kind]


@dataclass
class _Interp:
    expr: Expression
    line: int
    strip_left: bool
    strip_right: bool


@dataclass
class _Tag:
    kind: str  # if, else, endif, for, endfor
    line: int
    strip_left: bool
    strip_right: bool
    condition: Expression | None = None
    key: str | None = None
    value: str = ""


@dataclass
class _Frame:
    tag: _Tag | None
    parts: list[TemplatePart] = field(default_factory=list)
    otherwise: list[TemplatePart] | None = None


_Token = str | _Interp | _Tag


class TemplateReader:
    """Builds ``Template`` values; ``expression`` converts the expressions inside them."""

    def __init__(self, source: bytes, line_of: Callable[[Node], int], expression: Callable[[Node], Expression], nesting: Nesting) -> None:
        self.source = source
        self.line_of = line_of
        self.expression = expression
        self.nesting = nesting

    def quoted(self, node: Node) -> Template:
        """``string_lit`` or ``quoted_template``: the parts between the quotes."""
        children = node.children
        start = children[0].end_byte
        end = children[-1].start_byte if len(children) > 1 else node.end_byte
        tokens = self._flatten(children[1:-1], start, end, quoted=True)
        return Template(_nest(_apply_strip_markers(tokens)), self.line_of(node))

    def heredoc(self, node: Node) -> Template:
        """``heredoc_template``: the lines between the markers (with the final newline), ``<<-`` indentation removed."""
        children = node.children
        flush = children[0].type == "heredoc_start" and self.source[children[0].start_byte : children[0].end_byte] == b"<<-"
        opener = children[1]
        if opener.start_byte != children[0].end_byte:  # the grammar allows ``<<- EOT``; Terraform does not
            raise Unreadable(self.line_of(node), "HCL syntax error: space between << and the heredoc marker")
        newline = self.source.find(b"\n", opener.end_byte)
        start = opener.end_byte if newline < 0 else newline + 1
        closer = children[-1]
        end = self.source.rfind(b"\n", start, closer.start_byte) + 1 if closer is not opener else start
        if end <= 0 or end < start:
            end = start
        self._check_marker_lines(self.source[opener.start_byte : opener.end_byte], start, end, node)
        tokens = _apply_strip_markers(self._flatten(children[2:-1], start, end, quoted=False))
        if flush:
            tokens = _remove_indentation(tokens)
        return Template(_nest(tokens), self.line_of(node))

    def _check_marker_lines(self, marker: bytes, start: int, end: int, node: Node) -> None:
        """A line that starts with the end marker and goes on (``EOT ${x}``) is text with interpolations in
        Terraform, but the grammar's scanner takes the whole line as plain text: stop rather than lose them."""
        body = self.source[start:end]
        if marker not in body:
            return
        for line in body.split(b"\n"):
            text = line.lstrip()
            rest = text[len(marker) :]
            if text.startswith(marker) and rest and not _IDENTIFIER_CHAR.match(rest) and (b"${" in rest or b"%{" in rest):
                raise Unreadable(self.line_of(node), "HCL syntax error: a heredoc line starts with its end marker")

    def _flatten(self, nodes: list[Node], start: int, end: int, quoted: bool) -> list[_Token]:
        tokens: list[_Token] = []
        cursor = start
        for child in nodes:
            kind = child.type
            if kind == "template_literal":
                continue
            if kind == "template_interpolation" and self._escaped(child, cursor):
                continue  # its text stays in the literal around it
            if child.start_byte > cursor:
                tokens.append(decode_literal(self.source[cursor : child.start_byte], quoted))
            if kind == "template_interpolation":
                tokens.append(self._interpolation(child))
            elif kind == "template_directive":
                directive = child.children[0]
                self.nesting.enter(self.line_of(child))  # the directive's body nests one level deeper
                tokens.extend(self._flatten(directive.children, directive.start_byte, directive.end_byte, quoted))
                self.nesting.leave()
            elif kind in _DIRECTIVE_NODES:
                tokens.append(self._tag(child))
            cursor = max(cursor, child.end_byte)
        if end > cursor:
            tokens.append(decode_literal(self.source[cursor:end], quoted))
        return tokens

    def _escaped(self, node: Node, cursor: int) -> bool:
        """``$$${x}`` is the text ``$${x}`` in Terraform (a ``$`` right before ``${`` escapes it, whatever precedes),
        but the grammar pairs the dollars and sees ``$$`` then ``${x}``. Read it as Terraform does when the
        interpolation is plain text up to its ``}``; anything else after such an escape is unreadable."""
        start = node.start_byte
        if start <= cursor or self.source[start - 1 : start] != b"$":
            return False
        if _PLAIN_AFTER_ESCAPE.fullmatch(self.source, start + 2, node.end_byte - 1):
            return True
        raise Unreadable(self.line_of(node), "HCL syntax error: text after an escaped interpolation ($${) cannot be read")

    def _interpolation(self, node: Node) -> _Interp:
        left, right = _strip_markers(node)
        inner = next((c for c in code_children(node) if c.type == "expression"), None)
        expr: Expression = self.expression(inner) if inner is not None else Template((), self.line_of(node))
        return _Interp(expr, self.line_of(node), left, right)

    def _tag(self, node: Node) -> _Tag:
        left, right = _strip_markers(node)
        line = self.line_of(node)
        kinds = {"template_if_intro": "if", "template_else_intro": "else", "template_if_end": "endif"}
        if node.type in kinds:
            tag = _Tag(kinds[node.type], line, left, right)
            if tag.kind == "if":
                tag.condition = self.expression(_first(node, "expression"))
            return tag
        if node.type == "template_for_end":
            return _Tag("endfor", line, left, right)
        names = [self.source[c.start_byte : c.end_byte].decode("utf-8", "replace") for c in code_children(node) if c.type == "identifier"]
        key, value = (names[0], names[1]) if len(names) > 1 else (None, names[0] if names else "")
        return _Tag("for", line, left, right, self.expression(_first(node, "expression")), key, value)


def code_children(node: Node) -> list[Node]:
    """A node's children without comments: the grammar allows a comment between any two tokens of an expression."""
    return [child for child in node.children if child.type != "comment"]


def _first(node: Node, kind: str) -> Node:
    return next(c for c in code_children(node) if c.type == kind)


def _strip_markers(node: Node) -> tuple[bool, bool]:
    """Whether ``~`` follows the opener (strip before) / precedes the closer (strip after)."""
    children = code_children(node)
    left = len(children) > 1 and children[1].type == "strip_marker"
    right = len(children) > 2 and children[-2].type == "strip_marker"
    return left, right


def _apply_strip_markers(tokens: list[_Token]) -> list[_Token]:
    out = list(tokens)
    for i, token in enumerate(out):
        if isinstance(token, str):
            continue
        if token.strip_left and i > 0 and isinstance(before := out[i - 1], str):
            out[i - 1] = before.rstrip()
        if token.strip_right and i + 1 < len(out) and isinstance(after := out[i + 1], str):
            out[i + 1] = after.lstrip()
    return out


def _remove_indentation(tokens: list[_Token]) -> list[_Token]:
    """``<<-``: remove the smallest indentation of the lines from each line, as HCL does.

    A line that is only whitespace is not counted and keeps its spaces; a line that starts with an
    interpolation or directive has no indentation.
    """
    pieces: list[_Token] = []
    for token in tokens:
        if isinstance(token, str):
            pieces.extend(token.splitlines(keepends=True))
        else:
            pieces.append(token)
    smallest: int | None = None
    indented: list[int] = []
    at_line_start = True
    for i, piece in enumerate(pieces):
        if at_line_start:
            if isinstance(piece, str):
                stripped = piece.lstrip()
                if not (stripped == "" and piece.endswith("\n")):
                    spaces = len(piece) - len(stripped)
                    indented.append(i)
                    smallest = spaces if smallest is None else min(smallest, spaces)
            else:
                smallest = 0
        at_line_start = isinstance(piece, str) and piece.endswith("\n")
    if smallest:
        for i in indented:
            piece = pieces[i]
            if isinstance(piece, str):  # always: only text is indented
                pieces[i] = piece[smallest:]
    return pieces


def _nest(tokens: list[_Token]) -> tuple[TemplatePart, ...]:
    """Directive tags to nested ``TemplateIf`` / ``TemplateFor``; adjacent text merged, empty text dropped."""
    stack = [_Frame(None)]
    for token in tokens:
        frame = stack[-1]
        target = _target(frame)
        if isinstance(token, str):
            if not token:
                continue
            if target and isinstance(target[-1], str):
                target[-1] = target[-1] + token
            else:
                target.append(token)
        elif isinstance(token, _Interp):
            target.append(Interpolation(token.expr, token.line))
        elif token.kind in ("if", "for"):
            stack.append(_Frame(token))
        elif token.kind == "else" and frame.tag is not None and frame.tag.kind == "if":
            frame.otherwise = []
        elif len(stack) > 1:
            stack.pop()
            _target(stack[-1]).append(_close(frame))
    while len(stack) > 1:  # unbalanced tags cannot come from a tree without errors; close them anyway
        frame = stack.pop()
        _target(stack[-1]).append(_close(frame))
    return tuple(stack[0].parts)


def _target(frame: _Frame) -> list[TemplatePart]:
    return frame.otherwise if frame.otherwise is not None else frame.parts


def _close(frame: _Frame) -> TemplatePart:
    tag = frame.tag
    assert tag is not None
    if tag.kind == "for":
        assert tag.condition is not None
        return TemplateFor(tag.key, tag.value, tag.condition, tuple(frame.parts), tag.line)
    assert tag.condition is not None
    return TemplateIf(tag.condition, tuple(frame.parts), tuple(frame.otherwise or ()), tag.line)
