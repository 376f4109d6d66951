"""HCL expressions from tree-sitter nodes to syntax-tree values.

The grammar hides its ``_expr_term`` rule, so a term and the steps after it (``.a``, ``[0]``,
``[*]``) arrive as one flat list of children: ``term()`` folds them left to right.
Any node that holds a syntax error becomes ``Invalid``; the error itself is reported by the caller.
"""

from __future__ import annotations

from collections.abc import Callable

from tree_sitter import Node

from privlint.parsers.hcl_nesting import Nesting, Unreadable
from privlint.parsers.hcl_syntax_tree import (
    BinaryOp,
    Conditional,
    Expression,
    ForExpr,
    FunctionCall,
    GetAttr,
    Index,
    Invalid,
    Literal,
    ObjectExpr,
    ObjectItem,
    Splat,
    SplatStep,
    SyntaxProblem,
    Template,
    TupleExpr,
    UnaryOp,
    Variable,
)
from privlint.parsers.hcl_templates import TemplateReader, code_children

MAX_NUMBER_LENGTH = 400  # digits: beyond any real count, port or ID, and cheap to convert
_BINARY_OPERATORS = frozenset({"*", "/", "%", "+", "-", "<", ">", "<=", ">=", "==", "!=", "&&", "||"})


class ExpressionReader:
    """Reads expressions out of one parsed source; problems found while reading go to ``report``."""

    def __init__(self, source: bytes, line_offset: int = 0, report: Callable[[SyntaxProblem], None] | None = None) -> None:
        self.source = source
        self.line_offset = line_offset
        self.nesting = Nesting()
        self.report = report or (lambda problem: None)
        self.templates = TemplateReader(source, self.line, self.expression, self.nesting)

    def line(self, node: Node) -> int:
        return node.start_point[0] + 1 - self.line_offset

    def text(self, node: Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def invalid(self, node: Node) -> Invalid:
        return Invalid(line=self.line(node))

    def read(self, node: Node) -> Expression:
        """An ``expression`` node as a whole attribute value: never raises."""
        try:
            return self.expression(node)
        except Unreadable as exc:
            self.report(SyntaxProblem(exc.line, exc.message))
            self.nesting.reset()
            return self.invalid(node)

    def expression(self, node: Node) -> Expression:
        """Raises ``Unreadable`` (leaving the depth to be reset by ``read``), never anything else."""
        if node.has_error:
            return self.invalid(node)
        self.nesting.enter(self.line(node))
        children = code_children(node)
        if node.type != "expression":
            result = self.term([node])
        elif len(children) == 1 and children[0].type == "conditional":
            result = self.conditional(children[0])
        else:
            result = self.term(children)
        self.nesting.leave()
        return result

    def conditional(self, node: Node) -> Expression:
        """``a ? b : c ? d : e`` is ``a ? b : (c ? d : e)`` in HCL; the grammar nests it to the left, so unfold that."""
        spine: list[Node] = []
        while True:
            condition, true, false = (c for c in code_children(node) if c.type == "expression")
            spine[:0] = [true, false]
            inner = code_children(condition)
            if len(inner) != 1 or inner[0].type != "conditional":
                spine.insert(0, condition)
                break
            node = inner[0]
        levels = len(spine) // 2  # each ``? :`` nests the result one level deeper
        self.nesting.enter(self.line(node), levels)
        result = self.expression(spine[-1])
        for i in range(len(spine) - 3, -1, -2):
            result = Conditional(self.expression(spine[i]), self.expression(spine[i + 1]), result, self.line(spine[i]))
        self.nesting.leave(levels)
        return result

    def term(self, children: list[Node]) -> Expression:
        """A primary followed by attribute, index and splat steps (each step nests the result one level deeper)."""
        first = children[0]
        if first.type == "(":
            inner, rest = children[1], children[3:]
        else:
            inner, rest = first, children[1:]
        levels = 1 + len(rest)
        self.nesting.enter(self.line(first), levels)
        result = self.expression(inner) if first.type == "(" else self.primary(inner)
        for step in rest:
            result = self.step(result, step)
        self.nesting.leave(levels)
        return result

    def step(self, obj: Expression, node: Node) -> Expression:
        line = self.line(node)
        if node.type == "get_attr":
            return GetAttr(obj, self.text(code_children(node)[-1]), line)
        if node.type == "index":
            inner = code_children(node)[0]
            if inner.type == "legacy_index":
                return GetAttr(obj, self.text(inner)[1:], line)
            return Index(obj, self.expression(code_children(inner)[1]), line)
        if node.type == "splat":
            return self.splat(obj, code_children(node)[0])
        return self.invalid(node)

    def splat(self, obj: Expression, node: Node) -> Expression:
        """``[*]`` takes every following step; ``.*`` only attribute steps (an index ends it, as in HCL)."""
        full = node.type == "full_splat"
        steps: list[SplatStep] = []
        after: list[Node] = []
        for child in code_children(node)[1:]:
            if after or (not full and child.type == "index" and code_children(child)[0].type == "new_index"):
                after.append(child)
            elif child.type == "get_attr":
                steps.append(SplatStep(attr=self.text(code_children(child)[-1])))
            elif code_children(child)[0].type == "legacy_index":
                steps.append(SplatStep(attr=self.text(code_children(child)[0])[1:]))
            else:
                steps.append(SplatStep(index=self.expression(code_children(code_children(child)[0])[1])))
        result: Expression = Splat(obj, tuple(steps), full, self.line(node))
        for child in after:
            result = self.step(result, child)
        return result

    def primary(self, node: Node) -> Expression:
        kind = node.type
        line = self.line(node)
        if kind == "variable_expr":
            return Variable(self.text(node), line)
        if kind == "literal_value":
            return self.literal(code_children(node)[0])
        if kind == "template_expr":
            inner = code_children(node)[0]
            return self.templates.heredoc(inner) if inner.type == "heredoc_template" else self.templates.quoted(inner)
        if kind == "collection_value":
            inner = code_children(node)[0]
            return self.tuple(inner) if inner.type == "tuple" else self.object(inner)
        if kind == "function_call":
            return self.function_call(node)
        if kind == "for_expr":
            return self.for_expr(code_children(node)[0])
        if kind == "operation":
            return self.operation(code_children(node)[0])
        if kind == "expression":
            return self.expression(node)
        return self.invalid(node)

    def literal(self, node: Node) -> Expression:
        line = self.line(node)
        kind = node.type
        if kind == "numeric_lit":
            text = self.text(node)
            if not text[:1].isdigit() or not text[-1:].isdigit() or text[1:2] in ("x", "X"):
                # the grammar accepts ``0x1F``; HCL has only decimal numbers, and Terraform rejects it
                self.report(SyntaxProblem(line, "HCL syntax error: invalid number (HCL numbers are decimal)"))
                return Invalid(line=line)
            if len(text) > MAX_NUMBER_LENGTH:  # Python refuses to convert past 4,300 digits
                self.report(SyntaxProblem(line, "HCL syntax error: number too long"))
                return Invalid(line=line)
            return Literal(int(text) if text.isdigit() else float(text), line)
        if kind == "bool_lit":
            return Literal(self.text(node) == "true", line)
        if kind == "null_lit":
            return Literal(None, line)
        return self.templates.quoted(node)

    def tuple(self, node: Node) -> TupleExpr:
        items = tuple(self.expression(c) for c in code_children(node) if c.type == "expression")
        return TupleExpr(items, self.line(node))

    def object(self, node: Node) -> ObjectExpr:
        items = []
        for elem in code_children(node):
            if elem.type != "object_elem":
                continue
            key_node = elem.child_by_field_name("key")
            value_node = elem.child_by_field_name("val")
            if key_node is None or value_node is None:
                continue
            items.append(ObjectItem(self.object_key(key_node), self.expression(value_node), self.line(elem)))
        return ObjectExpr(tuple(items), self.line(node))

    def object_key(self, node: Node) -> Expression:
        """A bare name is the string itself; ``(expr)`` and everything else is an expression."""
        children = code_children(node)
        if len(children) == 1 and children[0].type == "variable_expr":
            return Template((self.text(children[0]),), self.line(node))
        return self.expression(node)

    def function_call(self, node: Node) -> FunctionCall:
        name = self.text(code_children(node)[0])
        arguments = next((c for c in code_children(node) if c.type == "function_arguments"), None)
        if arguments is None:
            return FunctionCall(name, (), False, self.line(node))
        args = tuple(self.expression(c) for c in code_children(arguments) if c.type == "expression")
        expand = any(c.type == "ellipsis" for c in code_children(arguments))
        return FunctionCall(name, args, expand, self.line(node))

    def for_expr(self, node: Node) -> ForExpr | Invalid:
        intro = next((c for c in code_children(node) if c.type == "for_intro"), None)
        names = [self.text(c) for c in code_children(intro) if c.type == "identifier"] if intro is not None else []
        if intro is None or not names:
            return self.invalid(node)
        key_var, value_var = (names[0], names[1]) if len(names) > 1 else (None, names[0])
        collection = self.expression(next(c for c in code_children(intro) if c.type == "expression"))
        results = [self.expression(c) for c in code_children(node) if c.type == "expression"]
        condition_node = next((c for c in code_children(node) if c.type == "for_cond"), None)
        condition = self.expression(code_children(condition_node)[1]) if condition_node is not None else None
        line = self.line(node)
        if node.type == "for_tuple_expr":
            return ForExpr(key_var, value_var, collection, results[0], None, condition, False, line)
        group = any(c.type == "ellipsis" for c in code_children(node))
        return ForExpr(key_var, value_var, collection, results[1], results[0], condition, group, line)

    def operation(self, node: Node) -> Expression:
        children = code_children(node)
        line = self.line(node)
        if node.type == "unary_operation":
            return UnaryOp(children[0].type, self.term(children[1:]), line)
        split = next(i for i, c in enumerate(children) if not c.is_named and c.type in _BINARY_OPERATORS)
        left = self.term(children[:split])
        right = self.term(children[split + 1 :])
        return BinaryOp(children[split].type, left, right, line)
