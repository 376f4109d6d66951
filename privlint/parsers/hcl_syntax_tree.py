"""The Terraform language as plain data: what the front-end produces and the evaluator reads.

Every node knows the 1-based line it starts on. Nothing here depends on a parser library, so parsed
files can be cached, compared and built by hand in tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True, slots=True)
class Literal:
    """``1``, ``2.5``, ``true``, ``null``. Strings are always templates, even without interpolation."""

    value: str | int | float | bool | None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Interpolation:
    """``${expr}`` inside a template (``~`` strip markers are applied by the front-end)."""

    expr: Expression
    line: int = 0


@dataclass(frozen=True, slots=True)
class TemplateIf:
    """``%{ if cond }...%{ else }...%{ endif }``."""

    condition: Expression
    then: tuple[TemplatePart, ...]
    otherwise: tuple[TemplatePart, ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True)
class TemplateFor:
    """``%{ for k, v in coll }...%{ endfor }`` (``key`` is None with one variable)."""

    key: str | None
    value: str
    collection: Expression
    body: tuple[TemplatePart, ...]
    line: int = 0


TemplatePart = Union[str, Interpolation, TemplateIf, TemplateFor]  # noqa: UP007 - evaluated at import, before the classes exist


@dataclass(frozen=True, slots=True)
class Template:
    """A quoted string or heredoc (indentation of ``<<-`` already removed), escapes already decoded."""

    parts: tuple[TemplatePart, ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class Variable:
    """A bare name at the root of a traversal: ``var``, ``local``, ``aws_iam_role``, ``each``, ``count``."""

    name: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class GetAttr:
    """``obj.name`` (also the legacy index form ``obj.0``, as ``GetAttr(obj, "0")``)."""

    obj: Expression
    name: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class Index:
    """``obj[key]``."""

    obj: Expression
    key: Expression
    line: int = 0


@dataclass(frozen=True, slots=True)
class SplatStep:
    """One step after a splat: ``.name`` (``attr`` set) or ``[key]`` (``index`` set)."""

    attr: str | None = None
    index: Expression | None = None


@dataclass(frozen=True, slots=True)
class Splat:
    """``obj[*].a.b`` (full) or ``obj.*.a`` (attribute-only splat): ``steps`` apply to each element."""

    obj: Expression
    steps: tuple[SplatStep, ...]
    full: bool = True
    line: int = 0


@dataclass(frozen=True, slots=True)
class TupleExpr:
    items: tuple[Expression, ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class ObjectItem:
    """One ``key = value``. A bare identifier key is a string ``Template``; ``(expr)`` keys are expressions."""

    key: Expression
    value: Expression
    line: int = 0


@dataclass(frozen=True, slots=True)
class ObjectExpr:
    items: tuple[ObjectItem, ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class FunctionCall:
    """``name(args...)``; ``expand_final`` for ``f(list...)``; ``name`` keeps a namespace (``provider::x::f``)."""

    name: str
    args: tuple[Expression, ...]
    expand_final: bool = False
    line: int = 0


@dataclass(frozen=True, slots=True)
class Conditional:
    condition: Expression
    true: Expression
    false: Expression
    line: int = 0


@dataclass(frozen=True, slots=True)
class BinaryOp:
    """``op`` is one of ``* / % + - < > <= >= == != && ||``."""

    op: str
    left: Expression
    right: Expression
    line: int = 0


@dataclass(frozen=True, slots=True)
class UnaryOp:
    """``op`` is ``-`` or ``!``."""

    op: str
    operand: Expression
    line: int = 0


@dataclass(frozen=True, slots=True)
class ForExpr:
    """``[for k, v in coll : value if cond]`` or ``{for k, v in coll : key => value... if cond}``.

    ``key_expr`` is None for the tuple form; ``group`` is the ``...`` grouping mode of the object form.
    """

    key_var: str | None
    value_var: str
    collection: Expression
    value_expr: Expression
    key_expr: Expression | None = None
    condition: Expression | None = None
    group: bool = False
    line: int = 0


@dataclass(frozen=True, slots=True)
class Invalid:
    """An expression the front-end could not read (a syntax error inside it): its value is unknown."""

    text: str = ""
    line: int = 0


Expression = Union[  # noqa: UP007 - see TemplatePart
    Literal, Template, Variable, GetAttr, Index, Splat, TupleExpr, ObjectExpr, FunctionCall, Conditional, BinaryOp, UnaryOp, ForExpr, Invalid
]


@dataclass(slots=True)
class Attribute:
    name: str
    expr: Expression
    line: int
    end_line: int = 0


@dataclass(slots=True)
class Block:
    type: str
    labels: list[str]
    line: int
    end_line: int
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)


@dataclass(slots=True)
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    """A syntax error the front-end recovered from: the line and a message that never quotes a value."""

    line: int | None
    message: str


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment as written, marker included (``#``, ``//``, ``/* */``). Text that looks like a comment inside a
    string or heredoc is not one. ``own_line``: nothing but whitespace before it on its first line."""

    line: int
    end_line: int
    text: str
    own_line: bool = True


@dataclass(slots=True)
class ParsedFile:
    """One file's body, the syntax problems found in it (the body holds what could still be read) and its comments."""

    body: Body
    problems: list[SyntaxProblem] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
