"""Evaluate Terraform expressions (``syntax_tree`` nodes) with Terraform's semantics.

Names at the root of a traversal (``var``, ``local``, ``aws_iam_role``, ``module``...) are handed to a
``Scope``; names bound by ``for`` expressions, ``dynamic`` iterators, ``each`` and ``count`` live in the
evaluator's own bindings. Whatever cannot be proven becomes an ``Unknown``, keeping what is known of it:
a reference stays a reference through ``try``, ``coalesce`` and splats; a list keeps its known elements.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from privlint.model.values import (
    LineDict,
    PartialList,
    Reference,
    SourceText,
    Unknown,
    is_known,
)
from privlint.parsers import hcl_syntax_tree as st
from privlint.terraform import operations as ops
from privlint.terraform.template_values import join_template

Step = tuple[str, Any]  # ("attr", name) or ("index", key value)
MAX_DEPTH = 120
MAX_ELEMENTS = 10_000  # a for expression or splat over more than this is unknown, not a memory sink


class Scope(Protocol):
    def lookup(self, root: str, steps: list[Step], line: int) -> Any:
        """The value of ``root`` followed by ``steps`` (the scope applies them all, see ``walk``)."""

    def call(self, name: str, args: list[Any], line: int) -> Any:
        """Functions the scope provides (``file``, ``templatefile``...); ``NotImplemented`` when it has none."""


def walk(value: Any, steps: list[Step]) -> Any:
    """Apply attribute and index steps to a value."""
    for kind, key in steps:
        value = ops.get_attr(value, key) if kind == "attr" else ops.index(value, key)
    return value


def _builtin_functions() -> tuple[Mapping[str, Callable[..., Any]], type[Exception]]:
    try:
        from privlint.terraform.functions import FUNCTIONS, FunctionError
    except ImportError:  # the library's table is not there: evaluate no function rather than guess
        return {}, ValueError
    return FUNCTIONS, FunctionError


class Evaluator:
    def __init__(self, scope: Scope, file: str | None = None) -> None:
        self.scope = scope
        self.file = file  # where string literals were written, for SourceText
        self.functions, self.function_error = _builtin_functions()
        self._depth = 0

    def evaluate(self, expr: st.Expression, names: Mapping[str, Any] | None = None) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                return Unknown("expression nested too deeply")
            method = _DISPATCH.get(type(expr))
            if method is None:
                return Unknown("expression")
            return method(self, expr, names or {})
        except RecursionError:
            return Unknown("expression nested too deeply")
        finally:
            self._depth -= 1

    # -- literals and templates
    def _literal(self, expr: st.Literal, names: Mapping[str, Any]) -> Any:
        return expr.value

    def _template(self, expr: st.Template, names: Mapping[str, Any]) -> Any:
        parts = expr.parts
        if len(parts) == 1 and isinstance(parts[0], st.Interpolation):
            return self.evaluate(parts[0].expr, names)  # "${x}" is x itself, of any type
        if all(isinstance(p, str) for p in parts):
            text = "".join(p for p in parts if isinstance(p, str))
            return SourceText.at(text, self.file, expr.line) if self.file is not None else text
        return join_template(self._parts(parts, names))

    def _parts(self, parts: tuple[st.TemplatePart, ...], names: Mapping[str, Any]) -> list[Any]:
        out: list[Any] = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, st.Interpolation):
                out.append(self.evaluate(part.expr, names))
            elif isinstance(part, st.TemplateIf):
                condition = ops.truth(self.evaluate(part.condition, names))
                if isinstance(condition, Unknown):
                    out.append(Unknown("template if"))
                else:
                    out.extend(self._parts(part.then if condition else part.otherwise, names))
            else:
                pairs = ops.element_values(self.evaluate(part.collection, names))
                if not isinstance(pairs, list) or len(pairs) > MAX_ELEMENTS:
                    out.append(Unknown("template for"))
                    continue
                for key, value in pairs:
                    bound = {**names, part.value: value, **({part.key: key} if part.key else {})}
                    out.extend(self._parts(part.body, bound))
        return out

    # -- collections
    def _tuple(self, expr: st.TupleExpr, names: Mapping[str, Any]) -> Any:
        return [self.evaluate(item, names) for item in expr.items]

    def _object(self, expr: st.ObjectExpr, names: Mapping[str, Any]) -> Any:
        out = LineDict(line=expr.line or None)
        for item in expr.items:
            key = self.evaluate(item.key, names)
            if isinstance(key, (int, float, bool)) and not isinstance(key, Unknown):
                key = ops.to_text(key)
            value = self.evaluate(item.value, names)
            if isinstance(key, str):
                out[str(key)] = value
            elif isinstance(key, ops.EvaluationError):
                return key
            else:
                return ops.unknown("object with an unknown key", key)  # keep the cause: (var.project_id) = ...
        return out

    # -- references
    def _traversal(self, expr: st.Expression, names: Mapping[str, Any]) -> Any:
        steps: list[Step] = []
        node: st.Expression = expr
        while isinstance(node, (st.GetAttr, st.Index)):
            if isinstance(node, st.GetAttr):
                steps.append(("attr", node.name))
            else:
                steps.append(("index", self.evaluate(node.key, names)))
            node = node.obj
        steps.reverse()
        if isinstance(node, st.Variable):
            if node.name in names:
                return walk(names[node.name], steps)
            return self.scope.lookup(node.name, steps, node.line)
        return walk(self.evaluate(node, names), steps)

    def _splat(self, expr: st.Splat, names: Mapping[str, Any]) -> Any:
        base = self.evaluate(expr.obj, names)
        if base is None:
            return []
        if isinstance(base, PartialList):
            known = [self._splat_steps(v, expr.steps, names) for v in base.known]
            return PartialList(source="splat", known=tuple(known))
        if isinstance(base, Unknown) and not isinstance(base, Reference):
            return ops.unknown("splat", base)
        if not expr.full and isinstance(base, dict):
            return Unknown("splat of a map")
        items = base if isinstance(base, list) else [base]
        if len(items) > MAX_ELEMENTS:
            return Unknown("splat")
        return [self._splat_steps(v, expr.steps, names) for v in items]

    def _splat_steps(self, value: Any, steps: tuple[st.SplatStep, ...], names: Mapping[str, Any]) -> Any:
        for step in steps:
            if step.attr is not None:
                value = ops.get_attr(value, step.attr)
            elif step.index is not None:
                value = ops.index(value, self.evaluate(step.index, names))
        return value

    # -- operators
    def _conditional(self, expr: st.Conditional, names: Mapping[str, Any]) -> Any:
        condition = ops.truth(self.evaluate(expr.condition, names))
        if isinstance(condition, bool):
            return self.evaluate(expr.true if condition else expr.false, names)
        if isinstance(condition, ops.EvaluationError):
            return condition
        yes, no = self.evaluate(expr.true, names), self.evaluate(expr.false, names)
        if is_known(yes) and yes == no:
            return yes
        return ops.alternatives(ops.unknown("conditional", condition).source, yes, no)

    def _binary(self, expr: st.BinaryOp, names: Mapping[str, Any]) -> Any:
        return ops.binary(expr.op, self.evaluate(expr.left, names), self.evaluate(expr.right, names))

    def _unary(self, expr: st.UnaryOp, names: Mapping[str, Any]) -> Any:
        return ops.unary(expr.op, self.evaluate(expr.operand, names))

    def _for(self, expr: st.ForExpr, names: Mapping[str, Any]) -> Any:
        pairs = ops.element_values(self.evaluate(expr.collection, names))
        if isinstance(pairs, PartialList):
            if expr.key_expr is not None:
                return Unknown("for expression over an unknown collection")
            known = []
            for value in pairs.known:
                bound = {**names, expr.value_var: value, **({expr.key_var: Unknown("index")} if expr.key_var else {})}
                keep = ops.truth(self.evaluate(expr.condition, bound)) if expr.condition is not None else True
                if keep is True:
                    known.append(self.evaluate(expr.value_expr, bound))
            return PartialList(source="for expression", known=tuple(known))
        if not isinstance(pairs, list):
            return pairs
        if len(pairs) > MAX_ELEMENTS:
            return Unknown("for expression over too many elements")
        items: list[Any] = []
        unsure = False
        object_out: dict[str, Any] = {}
        for key, value in pairs:
            bound = {**names, expr.value_var: value, **({expr.key_var: key} if expr.key_var else {})}
            if expr.condition is not None:
                keep = ops.truth(self.evaluate(expr.condition, bound))
                if isinstance(keep, Unknown):
                    unsure = True
                    continue
                if not keep:
                    continue
            if expr.key_expr is None:
                items.append(self.evaluate(expr.value_expr, bound))
                continue
            out_key = self.evaluate(expr.key_expr, bound)
            out_key = ops.to_text(out_key) if isinstance(out_key, (int, float, bool)) else out_key
            if not isinstance(out_key, str):
                return Unknown("for expression with an unknown key")
            out_value = self.evaluate(expr.value_expr, bound)
            if expr.group:
                object_out.setdefault(out_key, []).append(out_value)
            elif out_key in object_out:
                return ops.EvaluationError("duplicate key in a for expression")
            else:
                object_out[out_key] = out_value
        if expr.key_expr is not None:
            return Unknown("for expression with an unknown condition") if unsure else LineDict(object_out, line=expr.line or None)
        return PartialList(source="for expression", known=tuple(items)) if unsure else items

    # -- functions
    def _call(self, expr: st.FunctionCall, names: Mapping[str, Any]) -> Any:
        name = expr.name
        if name in ("try", "can"):
            return self._try(expr, names) if name == "try" else self._can(expr, names)
        args = [self.evaluate(a, names) for a in expr.args]
        if expr.expand_final and args:
            last = args.pop()
            if isinstance(last, ops.EvaluationError):
                return last
            if not isinstance(last, list):
                return ops.unknown(f"{name}()", last) if isinstance(last, Unknown) else ops.EvaluationError(f"{name}(...) needs a list")
            args.extend(last)
        provided = self.scope.call(name, args, expr.line)
        if provided is not NotImplemented:
            return provided
        function = self.functions.get(name)
        if function is None:
            return Unknown(f"{name}()")
        if any(isinstance(a, ops.EvaluationError) for a in args):
            return ops.EvaluationError(f"{name}()")
        try:
            result = function(*args)
            return ops.unknown(f"{name}()", *args, result) if type(result) is Unknown else result
        except self.function_error:
            return ops.EvaluationError(f"{name}()")
        except (ArithmeticError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, MemoryError):
            return Unknown(f"{name}()")  # a gap in the library is unknown, never a crash

    def _try(self, expr: st.FunctionCall, names: Mapping[str, Any]) -> Any:
        for arg in expr.args:
            value = self.evaluate(arg, names)
            if not isinstance(value, ops.EvaluationError):
                return value  # an unknown value (a reference, a variable) is no error: it is the result
        return ops.EvaluationError("try(): every argument failed")

    def _can(self, expr: st.FunctionCall, names: Mapping[str, Any]) -> Any:
        if len(expr.args) != 1:
            return ops.EvaluationError("can() takes one argument")
        value = self.evaluate(expr.args[0], names)
        if isinstance(value, ops.EvaluationError):
            return False
        return True if is_known(value) or (isinstance(value, Reference) and value.address) else Unknown("can()")

    def _invalid(self, expr: st.Invalid, names: Mapping[str, Any]) -> Any:
        return Unknown("invalid expression")


_DISPATCH: dict[type, Callable[[Evaluator, Any, Mapping[str, Any]], Any]] = {
    st.Literal: Evaluator._literal,
    st.Template: Evaluator._template,
    st.TupleExpr: Evaluator._tuple,
    st.ObjectExpr: Evaluator._object,
    st.Variable: Evaluator._traversal,
    st.GetAttr: Evaluator._traversal,
    st.Index: Evaluator._traversal,
    st.Splat: Evaluator._splat,
    st.Conditional: Evaluator._conditional,
    st.BinaryOp: Evaluator._binary,
    st.UnaryOp: Evaluator._unary,
    st.ForExpr: Evaluator._for,
    st.FunctionCall: Evaluator._call,
    st.Invalid: Evaluator._invalid,
}

EvaluationError = ops.EvaluationError
