"""Terraform's JSON syntax (``.tf.json``, ``.tfvars.json``) read into the same syntax tree as HCL.

In JSON every string is a template (``"${aws_iam_role.r.arn}"``), except where Terraform reads a
literal (a variable's ``default``, a module's ``source``) or an expression (``type``,
``depends_on``). Block labels are nested object keys (``{"resource": {"TYPE": {"NAME": {...}}}}``);
a nested block is written as an object or a list of objects and is kept as such an attribute, as
Terraform itself does without a provider schema, except ``dynamic``, which becomes a block.
Keys named ``//`` are comments. Pure module: text in, tree out, never raises for bad input.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from privlint.parsers import hcl_syntax_tree as st
from privlint.parsers import jsonpos
from privlint.parsers.hcl_front_end import parse_expression, parse_template

# How many labels each top-level block type has in JSON form.
_LABELS = {"resource": 2, "data": 2, "variable": 1, "module": 1, "output": 1, "provider": 1, "locals": 0, "terraform": 0, "check": 1, "moved": 0, "import": 0}
# Attributes of these blocks are literal values, not templates.
_LITERAL_ATTRIBUTES = {("variable", "default"), ("module", "source"), ("module", "version")}
# Attributes that hold an expression written as a string.
_EXPRESSION_ATTRIBUTES = {"type", "depends_on", "providers", "provider", "replace_triggered_by"}
_COMMENT_KEY = "//"


def parse_tf_json(text: str) -> st.ParsedFile:
    """A ``.tf.json`` file as blocks, with a problem (file line) when the JSON is broken."""
    document = _load(text)
    if isinstance(document, st.SyntaxProblem):
        return st.ParsedFile(st.Body(), [document])
    body = st.Body()
    problems: list[st.SyntaxProblem] = []
    if not isinstance(document, dict):
        return st.ParsedFile(body, [st.SyntaxProblem(1, "a Terraform JSON file must hold an object")])
    for block_type, content in document.items():
        depth = _LABELS.get(block_type)
        if depth is None:
            continue
        line = _key_line(document, block_type)
        for labels, inner, inner_line in _labelled(content, depth, line):
            for item in inner if isinstance(inner, list) else [inner]:
                if isinstance(item, dict):
                    body.blocks.append(_block(block_type, labels, item, _line(item, inner_line)))
                else:
                    problems.append(st.SyntaxProblem(inner_line, f"a {block_type} block must be a JSON object"))
    return st.ParsedFile(body, problems)


def parse_tfvars_json(text: str) -> st.ParsedFile:
    """A ``.tfvars.json`` file: top-level keys are variable values, all literal."""
    document = _load(text)
    if isinstance(document, st.SyntaxProblem):
        return st.ParsedFile(st.Body(), [document])
    if not isinstance(document, dict):
        return st.ParsedFile(st.Body(), [st.SyntaxProblem(1, "a tfvars JSON file must hold an object")])
    body = st.Body()
    for name, value in document.items():
        line = _key_line(document, name)
        body.attributes[name] = st.Attribute(name, _literal(value, line), line, line)
    return st.ParsedFile(body)


def _load(text: str) -> Any:
    try:
        return jsonpos.loads(text.lstrip("\ufeff"), key_lines=True)
    except jsonpos.JsonError as exc:
        return st.SyntaxProblem(exc.line, f"invalid JSON: {exc.reason}")
    except RecursionError:
        return st.SyntaxProblem(1, "JSON nested too deeply")


def _labelled(content: Any, depth: int, line: int) -> list[tuple[list[str], Any, int]]:
    if depth == 0:
        return [([], content, line)]
    out: list[tuple[list[str], Any, int]] = []
    for item in content if isinstance(content, list) else [content]:
        if isinstance(item, dict):
            for key, inner in item.items():
                if key != _COMMENT_KEY:
                    key_line = _key_line(item, key)
                    out.extend(([key, *labels], v, ln) for labels, v, ln in _labelled(inner, depth - 1, key_line))
    return out


def _block(block_type: str, labels: list[str], content: dict[str, Any], line: int) -> st.Block:
    block = st.Block(type=block_type, labels=labels, line=line, end_line=line)
    for key, value in content.items():
        key_line = _key_line(content, key, line)
        if key == _COMMENT_KEY:
            continue
        if key == "dynamic" and isinstance(value, dict):
            block.blocks.extend(_dynamic(value, key_line))
        elif (block_type, key) in _LITERAL_ATTRIBUTES:
            block.attributes[key] = st.Attribute(key, _literal(value, key_line), key_line, key_line)
        elif key in _EXPRESSION_ATTRIBUTES and block_type in ("variable", "resource", "data", "module", "output"):
            block.attributes[key] = st.Attribute(key, _expression_string(value, key_line), key_line, key_line)
        else:
            block.attributes[key] = st.Attribute(key, _template_value(value, key_line), key_line, key_line)
    return block


def _dynamic(labelled: dict[str, Any], line: int) -> list[st.Block]:
    """``"dynamic": {"statement": {"for_each": ..., "iterator": ..., "content": {...}}}`` as dynamic blocks."""
    blocks = []
    for label, spec in labelled.items():
        for item in spec if isinstance(spec, list) else [spec]:
            if not isinstance(item, dict):
                continue
            item_line = _line(item, _key_line(labelled, label, line))
            dynamic = st.Block(type="dynamic", labels=[label], line=item_line, end_line=item_line)
            for key, value in item.items():
                key_line = _key_line(item, key, item_line)
                if key == "content" and isinstance(value, dict):
                    dynamic.blocks.append(_block("content", [], value, _line(value, key_line)))
                elif key == "iterator" and isinstance(value, str):
                    dynamic.attributes[key] = st.Attribute(key, st.Variable(value, key_line), key_line, key_line)
                elif key != _COMMENT_KEY:
                    dynamic.attributes[key] = st.Attribute(key, _template_value(value, key_line), key_line, key_line)
            blocks.append(dynamic)
    return blocks


def _template_value(value: Any, line: int) -> st.Expression:
    """A JSON value where strings are templates and object keys may be templates too."""
    if isinstance(value, str):
        return _string_template(value, line)
    if isinstance(value, dict):
        own = _line(value, line)
        items = tuple(
            st.ObjectItem(_string_template(k, _key_line(value, k, own)), _template_value(v, _key_line(value, k, own)), _key_line(value, k, own))
            for k, v in value.items()
            if k != _COMMENT_KEY
        )
        return st.ObjectExpr(items, own)
    if isinstance(value, list):
        return st.TupleExpr(tuple(_template_value(v, line) for v in value), line)
    return st.Literal(value, line)


def _literal(value: Any, line: int) -> st.Expression:
    """A JSON value taken as it is written (no templates)."""
    if isinstance(value, dict):
        own = _line(value, line)
        return st.ObjectExpr(
            tuple(st.ObjectItem(st.Literal(k, own), _literal(v, _key_line(value, k, own)), _key_line(value, k, own)) for k, v in value.items()), own
        )
    if isinstance(value, list):
        return st.TupleExpr(tuple(_literal(v, line) for v in value), line)
    return st.Literal(value, line)


def _string_template(text: str, line: int) -> st.Expression:
    if "${" not in text and "%{" not in text:
        return st.Literal(text, line)
    parsed = parse_template(text)
    return _shift(parsed, line)


def _expression_string(value: Any, line: int) -> st.Expression:
    """``"type": "list(string)"``, ``"depends_on": ["aws_x.y"]``: strings read as expressions."""
    if isinstance(value, str):
        inner = value[2:-1] if value.startswith("${") and value.endswith("}") else value
        return _shift(parse_expression(inner), line)
    if isinstance(value, list):
        return st.TupleExpr(tuple(_expression_string(v, line) for v in value), line)
    return _template_value(value, line)


def _shift(expr: st.Expression, line: int) -> st.Expression:
    """Give an expression parsed from a JSON string the line of the string in the file."""
    return dataclasses.replace(expr, line=line)


def _line(value: Any, default: int) -> int:
    line = getattr(value, "line", None)
    return line if isinstance(line, int) and line > 0 else default


def _key_line(container: Any, key: str, default: int = 1) -> int:
    lines = getattr(container, "key_lines", None)
    return lines.get(key, default) if isinstance(lines, dict) else default
