"""privlint: lint infrastructure code for privileged-access mistakes.

    >>> import privlint
    >>> report = privlint.scan(["infra/"])
    >>> [f.rule_id for f in report.findings]

The public API (``privlint.__all__``):

- ``scan(paths, config=None) -> Report``: scan files and directories.
- ``scan_text(text, format="terraform", config=None, filename=None) -> Report``: scan one document given as
  text; ``format`` is a ``TextFormat``; a text that is not that format raises ``TextFormatError``.
- ``risk_register(paths, config=None) -> list[RegisterEntry]``: every active suppression, as register rows.
- ``drift(plan=..., cfn_drift=..., baseline=..., current=..., register=..., ...) -> Report``: unapproved changes.
- ``graph(paths, config=None) -> PrincipalGraph``: who can become admin, and how.
- ``Report``, ``Finding``, ``Severity``, ``Category``: the models a scan returns (pydantic; ``model_dump()``).
- ``Settings``: the configuration (``config`` may also be a mapping or a configuration file's path).
- ``ConfigError``: a configuration file that cannot be used; ``TextFormatError``: see ``scan_text``.
- ``report_schema()``: the JSON Schema of ``Report.to_json()``.

Heavy modules (parsers, rules) load only when a scan runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from privlint.model.version import __version__

__all__ = [
    "Category",
    "ConfigError",
    "Finding",
    "Report",
    "Settings",
    "Severity",
    "TextFormat",
    "TextFormatError",
    "__version__",
    "drift",
    "graph",
    "report_schema",
    "risk_register",
    "scan",
    "scan_text",
]

if TYPE_CHECKING:
    from privlint.frontend.api import (
        TextFormat,
        TextFormatError,
        drift,
        graph,
        risk_register,
        scan,
        scan_text,
    )
    from privlint.model.findings import (
        Category,
        Finding,
        Report,
        Severity,
        report_schema,
    )
    from privlint.model.settings import Settings
    from privlint.pipeline.config import ConfigError

# Where each public name is defined: imported on first use, so ``import privlint`` stays cheap.
_HOMES = {
    "privlint.frontend.api": ("scan", "scan_text", "risk_register", "drift", "graph", "TextFormat", "TextFormatError"),
    "privlint.model.findings": ("Report", "Finding", "Severity", "Category", "report_schema"),
    "privlint.model.settings": ("Settings",),
    "privlint.pipeline.config": ("ConfigError",),
}


def __getattr__(name: str) -> Any:
    import importlib

    for module, names in _HOMES.items():
        if name in names:
            return getattr(importlib.import_module(module), name)
    raise AttributeError(f"module 'privlint' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
