"""Terraform's built-in functions, as one table: name -> implementation over evaluated values.

Every function that Terraform evaluates without a provider is here, except those whose result is not
a function of their arguments (``timestamp``, ``uuid``, ``bcrypt``, ``plantimestamp``, ``abspath``,
``pathexpand`` of a ``~`` path) and those that read files (``file_functions``): calls to them stay unknown.

An argument that is one of several branches (a conditional on an unknown input) gives the function's
result on each branch, so ``concat(var.admin ? ["*"] : [], ["s3:GetObject"])`` still shows both.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from functools import wraps
from types import MappingProxyType
from typing import Any

from privlint.terraform.functions_collections import COLLECTION_FUNCTIONS
from privlint.terraform.functions_encoding import ENCODING_FUNCTIONS
from privlint.terraform.functions_maps import MAP_FUNCTIONS
from privlint.terraform.functions_numeric import NUMERIC_FUNCTIONS
from privlint.terraform.functions_rsa import RSA_FUNCTIONS
from privlint.terraform.functions_sets import SET_FUNCTIONS
from privlint.terraform.functions_strings import STRING_FUNCTIONS
from privlint.terraform.functions_support import (
    Function,
    FunctionError,
    JsonDocument,
    JsonList,
)
from privlint.terraform.functions_time import TIME_AND_PATH_FUNCTIONS

try:
    from privlint.model.values import MAX_VARIANTS, Alternatives
    from privlint.terraform.operations import alternatives
except ImportError:  # an engine whose conditionals do not keep their branches
    Alternatives = None  # type: ignore[assignment,misc]


def _on_each_branch(function: Function) -> Function:
    """Call ``function`` once per combination of its arguments' branches; a failing branch is dropped."""

    @wraps(function)
    def call(*args: Any) -> Any:
        if Alternatives is None:
            return function(*args)
        if not any(isinstance(a, Alternatives) for a in args):
            args = tuple(_lifted(a) for a in args)  # ["a", var.on ? "b" : "c"] is ["a", "b"] or ["a", "c"]
            if not any(isinstance(a, Alternatives) for a in args):
                return function(*args)
        choices = [a.options if isinstance(a, Alternatives) else (a,) for a in args]
        cause = next(a.source for a in args if isinstance(a, Alternatives))
        combinations = 1
        for options in choices:
            combinations *= len(options)
        if combinations > MAX_VARIANTS:
            return function(*args)  # too many branches: each stays an unknown argument
        results = []
        for combination in itertools.product(*choices):
            try:
                results.append(function(*combination))
            except FunctionError:
                continue  # Terraform would fail on that branch only
        if not results:
            raise FunctionError("fails on every branch")
        return alternatives(cause, *results)

    return call


def _lifted(value: Any) -> Any:
    """A list holding undecided elements as the undecided choice of whole lists (when few enough)."""
    if type(value) is not list or not any(isinstance(item, Alternatives) for item in value):
        return value
    choices = [item.options if isinstance(item, Alternatives) else (item,) for item in value]
    combinations = 1
    for options in choices:
        combinations *= len(options)
    if combinations > MAX_VARIANTS:
        return value
    cause = next(item.source for item in value if isinstance(item, Alternatives))
    return alternatives(cause, *(list(combination) for combination in itertools.product(*choices)))


FUNCTIONS: Mapping[str, Function] = MappingProxyType(
    {
        name: _on_each_branch(function)
        for name, function in {
            **COLLECTION_FUNCTIONS,
            **MAP_FUNCTIONS,
            **ENCODING_FUNCTIONS,
            **NUMERIC_FUNCTIONS,
            **RSA_FUNCTIONS,
            **SET_FUNCTIONS,
            **STRING_FUNCTIONS,
            **TIME_AND_PATH_FUNCTIONS,
        }.items()
    }
)

__all__ = ["FUNCTIONS", "FunctionError", "JsonDocument", "JsonList"]
