"""Terraform's built-in functions, as one table: name -> implementation over evaluated values.

Every function that Terraform evaluates without a provider is here, except those whose result is not
a function of their arguments (``timestamp``, ``uuid``, ``bcrypt``, ``plantimestamp``, ``abspath``,
``pathexpand``) and those that read files (``file_functions``): calls to them stay unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from privlint.terraform.functions_collections import COLLECTION_FUNCTIONS
from privlint.terraform.functions_encoding import ENCODING_FUNCTIONS
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

FUNCTIONS: Mapping[str, Function] = MappingProxyType(
    {
        **COLLECTION_FUNCTIONS,
        **ENCODING_FUNCTIONS,
        **NUMERIC_FUNCTIONS,
        **RSA_FUNCTIONS,
        **SET_FUNCTIONS,
        **STRING_FUNCTIONS,
        **TIME_AND_PATH_FUNCTIONS,
    }
)

__all__ = ["FUNCTIONS", "FunctionError", "JsonDocument", "JsonList"]
