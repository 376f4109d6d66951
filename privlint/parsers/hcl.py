"""HCL: python-hcl2's raw Lark tree turned into blocks, and an evaluator for expressions.

python-hcl2's dict output renders expressions back to text (``"${jsonencode({...})}"``), which
would have to be parsed again. Working on the Lark tree instead keeps line numbers for every block
and attribute and lets us evaluate ``jsonencode``, heredocs, ``file()`` and references directly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lark import Token, Tree

from privlint.core.values import LineDict, PartialString, Reference, SourceText, Unknown, is_known


class HclSyntaxError(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class HclAttribute:
    name: str
    expr: Any  # a Lark Tree or Token
    line: int


@dataclass
class HclBlock:
    type: str
    labels: list[str]
    line: int
    attributes: dict[str, HclAttribute] = field(default_factory=dict)
    blocks: list[HclBlock] = field(default_factory=list)
    end_line: int | None = None


class JsonValue:
    """An expression from a ``.tf.json`` file: a JSON value whose strings may hold ``${...}``."""

    __slots__ = ("value", "line")

    def __init__(self, value: Any, line: int) -> None:
        self.value = value
        self.line = line


@dataclass
class HclBody:
    attributes: dict[str, HclAttribute] = field(default_factory=dict)
    blocks: list[HclBlock] = field(default_factory=list)


def parse_hcl(text: str) -> HclBody:
    """Parse HCL text into blocks and attributes. Raises HclSyntaxError with a line number."""
    import hcl2  # lazy: the parser is the expensive import
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        tree = hcl2.parses_to_tree(text)
    except UnexpectedInput as exc:
        line = getattr(exc, "line", None)
        column = getattr(exc, "column", None)
        token = getattr(exc, "token", None)
        if token is not None:
            shown = str(token).strip()
            if len(shown) > 3:
                # A longer token may be a value (a password in a heredoc or a bare word): name its kind, never quote it.
                what = f"unexpected {str(getattr(token, 'type', 'token')).lower().replace('_', ' ')}"
            else:
                what = f"unexpected {shown!r}" if shown else "unexpected end of line"
        else:
            char = getattr(exc, "char", None)
            what = f"unexpected character {char!r}" if char else "unexpected input"
        where = f" (column {column})" if isinstance(column, int) and column > 0 else ""
        raise HclSyntaxError(f"HCL syntax error: {what}{where}", line if isinstance(line, int) and line > 0 else None) from None
    except (LarkError, RecursionError, ValueError) as exc:
        raise HclSyntaxError(f"HCL syntax error: {type(exc).__name__}: {exc}"[:300], None) from None
    body = _find(tree, "body")
    return _convert_body(body) if body is not None else HclBody()


def _find(tree: Tree, name: str) -> Tree | None:
    for child in tree.children:
        if isinstance(child, Tree) and child.data == name:
            return child
    return None


def _name_of(node: Any) -> str:
    """Text of an attribute name, block type or label (identifier, keyword, literal or string)."""
    if isinstance(node, Token):
        return str(node.value)
    if node.data == "string":
        return "".join(str(p.children[0].value) for p in node.children if isinstance(p, Tree) and p.data == "string_part" and isinstance(p.children[0], Token))
    return "".join(_name_of(c) for c in node.children)


def _convert_body(body: Tree) -> HclBody:
    out = HclBody()
    for child in body.children:
        if not isinstance(child, Tree):
            continue
        if child.data == "attribute":
            name = _name_of(child.children[0])
            out.attributes[name] = HclAttribute(name, child.children[-1], child.meta.line)
        elif child.data == "block":
            out.blocks.append(_convert_block(child))
    return out


def _convert_block(node: Tree) -> HclBlock:
    names: list[str] = []
    inner: Tree | None = None
    for child in node.children:
        if isinstance(child, Tree) and child.data == "body":
            inner = child
            break
        if isinstance(child, Tree) and child.data in ("identifier", "keyword", "literal_value", "string"):
            names.append(_name_of(child))
    body = _convert_body(inner) if inner is not None else HclBody()
    return HclBlock(type=names[0], labels=names[1:], line=node.meta.line, attributes=body.attributes, blocks=body.blocks, end_line=getattr(node.meta, "end_line", None))


# --------------------------------------------------------------------------- evaluation

Resolver = Callable[[str, list[Any]], Any]
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_SIMPLE_TRAVERSAL = re.compile(r"^\s*([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[\d+\]|\.\d+)*)\s*$")


def unescape(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        c = m.group(1)
        if c in _ESCAPES:
            return _ESCAPES[c]
        if c.startswith(("u", "U")):
            try:
                return chr(int(c[1:], 16))
            except ValueError:
                return m.group(0)
        return m.group(0)

    return re.sub(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", repl, text)


class Evaluator:
    """Evaluates expressions; references are handed to ``resolve(root, steps)``.

    ``root`` is the first name (``var``, ``local``, ``aws_iam_role``...), ``steps`` the attribute names
    and index values after it. Anything not provable becomes an ``Unknown``.
    """

    MAX_DEPTH = 200

    def __init__(self, resolve: Resolver, functions: dict[str, Callable[..., Any]] | None = None) -> None:
        self.resolve = resolve
        self.functions = dict(BUILTIN_FUNCTIONS)
        if functions:
            self.functions.update(functions)
        self._depth = 0
        self.file: str | None = None  # the file whose expressions are being evaluated (for SourceText)

    def value_in(self, node: Any, file: str | None) -> Any:
        """Evaluate an expression written in ``file``; string literals remember that file."""
        saved, self.file = self.file, file
        try:
            return self.value(node)
        finally:
            self.file = saved

    # -- bodies
    def block_value(self, block: HclBlock) -> LineDict:
        """Attributes and nested blocks of a block, like Terraform's JSON form; nested blocks become lists."""
        out = LineDict(line=block.line)
        for name, attr in block.attributes.items():
            out[name] = self.value(attr.expr)
        for nested in block.blocks:
            if nested.type == "dynamic":
                # Contents generated at plan time: record that something unknown is there.
                label = nested.labels[0] if nested.labels else "dynamic"
                out.setdefault(label, []).append(Unknown(f"dynamic {label}"))
                continue
            out.setdefault(nested.type, []).append(self.block_value(nested))
        return out

    # -- expressions
    def value(self, node: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > self.MAX_DEPTH:
                return Unknown("expression too deeply nested")
            return self._value(node)
        finally:
            self._depth -= 1

    def _value(self, node: Any) -> Any:
        if isinstance(node, JsonValue):
            return self._json_value(node.value, node.line)
        if isinstance(node, Token):
            return self._token(node)
        kind = node.data
        method = getattr(self, f"_e_{kind}", None)
        if method is None:
            return Unknown(kind)
        return method(node)

    def _json_value(self, value: Any, line: int) -> Any:
        """A value from Terraform's JSON syntax: strings are templates, the rest is literal."""
        if isinstance(value, str):
            return self.template(value) if "${" in value or "%{" in value else value
        if isinstance(value, dict):
            out = LineDict(line=getattr(value, "line", None) or line)
            for key, item in value.items():
                out[key] = self._json_value(item, line)
            return out
        if isinstance(value, list):
            return [self._json_value(item, line) for item in value]
        return value

    def _token(self, tok: Token) -> Any:
        if tok.type == "INT_LITERAL":
            return int(tok.value)
        if tok.type == "FLOAT_LITERAL":
            return float(tok.value)
        return Unknown(tok.type)

    def _children(self, node: Tree) -> list[Any]:
        return [c for c in node.children if not (isinstance(c, Tree) and c.data == "new_line_or_comment") and not (isinstance(c, Token) and c.type in ("LPAR", "RPAR", "LSQB", "RSQB", "LBRACE", "RBRACE", "COMMA", "NL_OR_COMMENT"))]

    def _e_expr_term(self, node: Tree) -> Any:
        kids = self._children(node)
        return self.value(kids[0]) if kids else Unknown("empty")

    def _e_int_lit(self, node: Tree) -> Any:
        return int(node.children[0].value)

    def _e_float_lit(self, node: Tree) -> Any:
        return float(node.children[0].value)

    def _e_literal_value(self, node: Tree) -> Any:
        text = str(node.children[0].value)
        return {"true": True, "false": False, "null": None}.get(text, Unknown(text))

    def _e_identifier(self, node: Tree) -> Any:
        return self._traverse(node)

    _e_get_attr_expr_term = _e_identifier
    _e_index_expr_term = _e_identifier

    def _e_attr_splat_expr_term(self, node: Tree) -> Any:
        return Unknown("splat")

    _e_full_splat_expr_term = _e_attr_splat_expr_term

    def _e_string(self, node: Tree) -> Any:
        parts: list[Any] = []
        for part in node.children:
            if not (isinstance(part, Tree) and part.data == "string_part"):
                continue
            inner = part.children[0]
            if isinstance(inner, Token):
                if inner.type == "STRING_CHARS":
                    parts.append(unescape(str(inner.value)))
                elif inner.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                    parts.append(str(inner.value)[1:])
                else:
                    parts.append(Unknown(inner.type))
            elif inner.data == "interpolation":
                parts.append(self.value(inner.children[1]))
            else:
                parts.append(Unknown("template directive"))
        if self.file is not None and len(parts) == 1 and isinstance(parts[0], str):
            return SourceText.at(parts[0], self.file, node.meta.line)
        return join_template(parts)

    def _e_template_string(self, node: Tree) -> Any:
        return Unknown("template string")

    def _e_heredoc_template(self, node: Tree) -> Any:
        return self._heredoc(str(node.children[0].value), trim=False)

    def _e_heredoc_template_trim(self, node: Tree) -> Any:
        return self._heredoc(str(node.children[0].value), trim=True)

    def _heredoc(self, raw: str, trim: bool) -> Any:
        lines = raw.split("\n")
        content_lines = lines[1:-2] if len(lines) >= 3 else []
        if trim:
            indents = [len(line) - len(line.lstrip()) for line in content_lines if line.strip()]
            cut = min(indents) if indents else 0
            content_lines = [line[cut:] for line in content_lines]
        content = "\n".join(content_lines) + ("\n" if content_lines else "")
        return self.template(content)

    def template(self, content: str) -> Any:
        """Evaluate a template text (heredoc or file) with ``${...}`` interpolations."""
        parts: list[Any] = []
        for chunk, expr in split_template(content):
            if chunk:
                parts.append(chunk)
            if expr is not None:
                parts.append(self.expression_text(expr))
        return join_template(parts)

    def expression_text(self, text: str) -> Any:
        """Evaluate an expression given as text (inside a heredoc or template file)."""
        m = _SIMPLE_TRAVERSAL.match(text)
        if m:
            steps: list[Any] = []
            for step in re.findall(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]|\.(\d+)", m.group(2)):
                steps.append(step[0] if step[0] else int(step[1] or step[2]))
            return self.resolve(m.group(1), steps)
        try:
            import hcl2

            tree = hcl2.parses_to_tree(f"x = {text}\n")
        except Exception:  # noqa: BLE001 - any failure means "unknown", never a crash
            return Unknown(text)
        body = _find(tree, "body")
        if body is None:
            return Unknown(text)
        for child in body.children:
            if isinstance(child, Tree) and child.data == "attribute":
                return self.value(child.children[-1])
        return Unknown(text)

    def _e_tuple(self, node: Tree) -> Any:
        return [self.value(c) for c in self._children(node)]

    def _e_object(self, node: Tree) -> Any:
        out = LineDict(line=node.meta.line if hasattr(node.meta, "line") else None)
        for elem in self._children(node):
            if not (isinstance(elem, Tree) and elem.data == "object_elem"):
                continue
            key_node = elem.children[0]
            key = self._object_key(key_node)
            value = self.value(elem.children[-1])
            if isinstance(key, str):
                out[key] = value
            else:
                out[f"<unknown key {len(out)}>"] = value
        return out

    def _object_key(self, key_node: Tree) -> Any:
        inner = key_node.children[0]
        # A bare identifier key is the key's name, not a variable reference.
        if isinstance(inner, Tree) and inner.data == "expr_term":
            kids = self._children(inner)
            if len(kids) == 1 and isinstance(kids[0], Tree) and kids[0].data == "identifier":
                return _name_of(kids[0])
        if isinstance(inner, Tree) and inner.data == "identifier":
            return _name_of(inner)
        if isinstance(inner, Tree) and inner.data == "keyword":
            return _name_of(inner)
        value = self.value(inner)
        return value if isinstance(value, str) else None

    def _e_function_call(self, node: Tree) -> Any:
        name_parts = [c for c in node.children if isinstance(c, Tree) and c.data == "identifier"]
        name = "::".join(_name_of(p) for p in name_parts)
        args_node = next((c for c in node.children if isinstance(c, Tree) and c.data == "arguments"), None)
        args = [self.value(a) for a in self._children(args_node)] if args_node is not None else []
        args = [a for a in args if not (isinstance(a, Token))]
        fn = self.functions.get(name)
        if fn is None:
            return Unknown(f"{name}()")
        try:
            return fn(self, *args)
        except Exception:  # noqa: BLE001 - a function we cannot evaluate is unknown
            return Unknown(f"{name}()")

    def _e_conditional(self, node: Tree) -> Any:
        kids = [c for c in self._children(node) if not (isinstance(c, Token) and c.type in ("QMARK", "COLON"))]
        if len(kids) != 3:
            return Unknown("conditional")
        cond = self.value(kids[0])
        if isinstance(cond, bool):
            return self.value(kids[1] if cond else kids[2])
        a, b = self.value(kids[1]), self.value(kids[2])
        if is_known(a) and a == b:
            return a
        return Unknown("conditional")

    def _e_binary_op(self, node: Tree) -> Any:
        kids = self._children(node)
        left = self.value(kids[0])
        term = kids[1]
        op = _name_of(term.children[0])
        right = self.value(term.children[-1])
        if not (is_known(left) and is_known(right)):
            return Unknown(f"operator {op}")
        try:
            return _BINARY[op.strip()](left, right)
        except Exception:  # noqa: BLE001
            return Unknown(f"operator {op}")

    def _e_unary_op(self, node: Tree) -> Any:
        op = str(node.children[0].value)
        val = self.value(node.children[1])
        if op == "!" and isinstance(val, bool):
            return not val
        if op == "-" and isinstance(val, (int, float)) and not isinstance(val, bool):
            return -val
        return Unknown(f"operator {op}")

    def _e_for_tuple_expr(self, node: Tree) -> Any:
        return Unknown("for expression")

    _e_for_object_expr = _e_for_tuple_expr

    def _traverse(self, node: Any) -> Any:
        """Flatten ``a.b[0].c`` into a root name and steps, then resolve it."""
        steps: list[Any] = []
        while isinstance(node, Tree) and node.data in ("get_attr_expr_term", "index_expr_term", "expr_term"):
            if node.data == "expr_term":
                kids = self._children(node)
                if len(kids) != 1:
                    return Unknown("expression")
                node = kids[0]
                continue
            step = node.children[1]
            if node.data == "get_attr_expr_term":
                steps.append(_name_of(step.children[-1]))
            elif step.data == "short_index":
                steps.append(int(step.children[-1].value))
            else:
                idx_kids = self._children(step)
                steps.append(self.value(idx_kids[0]) if idx_kids else Unknown("index"))
            node = node.children[0]
        if isinstance(node, Tree) and node.data == "identifier":
            steps.reverse()
            return self.resolve(_name_of(node), steps)
        base = self.value(node)
        for step in reversed(steps):
            base = index_value(base, step)
        return base


def index_value(base: Any, step: Any) -> Any:
    if isinstance(base, dict) and isinstance(step, str) and step in base:
        return base[step]
    if isinstance(base, list) and isinstance(step, int) and not isinstance(step, bool) and -len(base) <= step < len(base):
        return base[step]
    if isinstance(base, Reference):
        return base
    return Unknown("index")


def join_template(parts: list[Any]) -> Any:
    """Join template parts: a string when all are known scalars, else a PartialString (or the lone value)."""
    if len(parts) == 1 and not isinstance(parts[0], str):
        only = parts[0]
        return only if isinstance(only, (Unknown, dict, list)) else _to_text(only)
    if not parts:
        return ""
    out: list[str | None] = []
    for part in parts:
        if isinstance(part, (str, int, float, bool)) and not isinstance(part, Unknown):
            out.append(_to_text(part))
        else:
            out.append(None)
    if all(p is not None for p in out):
        return "".join(p for p in out if p is not None)
    merged: list[str | None] = []
    for p in out:
        if p is not None and merged and merged[-1] is not None:
            merged[-1] = merged[-1] + p
        else:
            merged.append(p)
    references = tuple(p.address for p in parts if isinstance(p, Reference) and p.address)
    return PartialString(source="template", parts=tuple(merged), references=references)


def _to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def split_template(content: str) -> list[tuple[str, str | None]]:
    """Split template text into (literal text, interpolation expression or None) pairs.

    ``$${`` is an escaped literal ``${``. Braces inside the expression are balanced, skipping strings.
    """
    out: list[tuple[str, str | None]] = []
    buf: list[str] = []
    i, n = 0, len(content)
    while i < n:
        if content.startswith("$${", i):
            buf.append("${")
            i += 3
            continue
        if content.startswith("%{", i) and not content.startswith("%%{", i):
            # A template directive (if/for): its output is unknown.
            end = content.find("}", i)
            out.append(("".join(buf), "__directive__"))
            buf = []
            i = n if end < 0 else end + 1
            continue
        if content.startswith("${", i):
            depth, j, in_str = 1, i + 2, False
            while j < n and depth:
                ch = content[j]
                if in_str:
                    if ch == "\\":
                        j += 1
                    elif ch == '"':
                        in_str = False
                elif ch == '"':
                    in_str = True
                elif ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                j += 1
            out.append(("".join(buf), content[i + 2 : j - 1]))
            buf = []
            i = j
            continue
        buf.append(content[i])
        i += 1
    out.append(("".join(buf), None))
    return out


_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "&&": lambda a, b: bool(a) and bool(b),
    "||": lambda a, b: bool(a) or bool(b),
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


# --------------------------------------------------------------------------- functions


def _identity(ev: Evaluator, value: Any, *rest: Any) -> Any:
    return value


def _concat(ev: Evaluator, *lists: Any) -> Any:
    out: list[Any] = []
    for item in lists:
        if not isinstance(item, list):
            return Unknown("concat()")
        out.extend(item)
    return out


def _merge(ev: Evaluator, *maps: Any) -> Any:
    out = LineDict()
    for item in maps:
        if not isinstance(item, dict):
            return Unknown("merge()")
        out.update(item)
    return out


def _flatten(ev: Evaluator, value: Any) -> Any:
    if not isinstance(value, list):
        return Unknown("flatten()")
    out: list[Any] = []
    for item in value:
        if isinstance(item, list):
            flat = _flatten(ev, item)
            if not isinstance(flat, list):
                return Unknown("flatten()")
            out.extend(flat)
        else:
            out.append(item)
    return out


def _string_fn(fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(ev: Evaluator, *args: Any) -> Any:
        if all(isinstance(a, (str, int, float, list)) and is_known(a) for a in args):
            return fn(*args)
        return Unknown(f"{fn.__name__}()")

    return wrapper


def _jsondecode(ev: Evaluator, text: Any) -> Any:
    import json

    if isinstance(text, str):
        return json.loads(text)
    return Unknown("jsondecode()")


def _coalesce(ev: Evaluator, *args: Any) -> Any:
    for a in args:
        if isinstance(a, Unknown):
            return Unknown("coalesce()")
        if a not in (None, ""):
            return a
    return None


def _try(ev: Evaluator, *args: Any) -> Any:
    for a in args:
        if not isinstance(a, Unknown):
            return a
        return Unknown("try()")
    return Unknown("try()")


def _lookup(ev: Evaluator, mapping: Any, key: Any, *default: Any) -> Any:
    if isinstance(mapping, dict) and isinstance(key, str):
        if key in mapping:
            return mapping[key]
        if default:
            return default[0]
    return Unknown("lookup()")


BUILTIN_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "jsonencode": _identity,
    "yamlencode": lambda ev, v: Unknown("yamlencode()"),
    "tolist": _identity,
    "toset": _identity,
    "tomap": _identity,
    "tostring": _identity,
    "sensitive": _identity,
    "nonsensitive": _identity,
    "concat": _concat,
    "merge": _merge,
    "flatten": _flatten,
    "jsondecode": _jsondecode,
    "coalesce": _coalesce,
    "try": _try,
    "lookup": _lookup,
    "lower": _string_fn(lambda s: s.lower()),
    "upper": _string_fn(lambda s: s.upper()),
    "trimspace": _string_fn(lambda s: s.strip()),
    "join": _string_fn(lambda sep, items: sep.join(str(i) for i in items)),
    "format": _string_fn(lambda fmt, *a: fmt.replace("%%", "\x00") % tuple(a) if "%s" in fmt or "%d" in fmt else fmt),
}


def read_relative(base_dir: Path, value: Any, limit: int = 1_000_000) -> str | None:
    """Read a file named by ``file()``/``templatefile()`` relative to the module, staying inside it."""
    if not isinstance(value, str):
        return None
    path = Path(value)
    if not path.is_absolute():
        path = base_dir / path
    try:
        resolved = path.resolve()
        if not resolved.is_file() or resolved.stat().st_size > limit:
            return None
        return resolved.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError):
        return None
