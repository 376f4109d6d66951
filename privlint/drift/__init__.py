"""Unapproved configuration drift (issue 4): differences between what was approved and what is live.

    inputs (plan JSON, CloudFormation drift output, two snapshots)
        -> differences (``differences.py``: one ``Difference`` per changed attribute path)
        -> approval against the change register (``register.py``, ``approval.py``)
        -> findings (category ``config-drift``) and, optionally, one audit-log line per difference (``audit.py``)

``run.py`` wires it together; ``privlint.drift(...)`` and ``privlint drift`` call it.
Pure modules (``differences``, ``register``, ``approval``, ``security``) import no parser library.
"""

import sys
import types
from typing import Any


class _CallablePackage(types.ModuleType):
    """``privlint.drift(...)`` is the public API function, and ``privlint.drift`` is also this package:
    once any ``privlint.drift.*`` module is imported, Python binds the package to ``privlint.drift``,
    so the package itself must answer the call."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from privlint.api import drift

        return drift(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
