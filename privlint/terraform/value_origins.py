"""Where a value that reached a resource attribute was written: a literal, a variable's default, tfvars, a
module argument (the credential rules say where a hard-coded secret comes from)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from privlint.parsers import hcl_syntax_tree as st
from privlint.terraform.references import simple_reference
from privlint.terraform.results import ValueOrigin


class _Declared(Protocol):
    @property
    def file(self) -> Path: ...

    @property
    def block(self) -> st.Block: ...


class Declarations(Protocol):
    """What a module instance declares and was given (``module.ModuleInstance``)."""

    @property
    def variables(self) -> Mapping[str, _Declared]: ...

    @property
    def locals(self) -> Mapping[str, tuple[Path, st.Attribute]]: ...

    @property
    def arguments(self) -> Mapping[str, tuple[Callable[[], Any], ValueOrigin | None]]: ...

    def evaluate(self, expr: st.Expression, file: Path, names: Mapping[str, Any] | None = None) -> Any: ...


def variable_origin(module: Declarations, name: str) -> ValueOrigin | None:
    declared = module.variables.get(name)
    sensitive = False
    if declared is not None and "sensitive" in declared.block.attributes:
        sensitive = module.evaluate(declared.block.attributes["sensitive"].expr, declared.file) is True
    given = module.arguments.get(name)
    if given is not None:
        origin = given[1]
        if origin is None:
            return None
        return ValueOrigin(origin.kind, origin.file, origin.line, via=origin.via or name, sensitive=sensitive or origin.sensitive)
    if declared is not None and "default" in declared.block.attributes:
        return ValueOrigin("variable default", declared.file, declared.block.attributes["default"].line, via=name, sensitive=sensitive)
    return None


def origin_of(module: Declarations, attr: st.Attribute, file: Path) -> ValueOrigin | None:
    """Where the value of an attribute was written, following ``var.x`` and ``local.x``."""
    ref = simple_reference(attr.expr)
    seen: set[str] = set()
    while ref is not None and ref not in seen:
        seen.add(ref)
        kind, _, name = ref.partition(".")
        if kind == "var":
            return variable_origin(module, name)
        if name in module.locals:
            local_file, local_attr = module.locals[name]
            ref = simple_reference(local_attr.expr)
            if ref is None:
                return ValueOrigin("literal", local_file, local_attr.line, via=f"local.{name}")
            continue
        return None
    return ValueOrigin("literal", file, attr.line)
