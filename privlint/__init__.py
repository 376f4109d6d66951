"""privlint: lint infrastructure code for privileged-access mistakes.

    >>> import privlint
    >>> report = privlint.scan(["infra/"])
    >>> [f.rule_id for f in report.findings]

The public API is ``scan``, ``scan_text`` and the models they return (``Report``, ``Finding``).
Heavy modules (parsers, rules) load only when a scan runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["scan", "scan_text", "drift", "graph", "Report", "Finding", "Settings", "__version__"]

if TYPE_CHECKING:
    from privlint.frontend.api import drift, graph, scan, scan_text
    from privlint.core.findings import Finding, Report
    from privlint.core.settings import Settings


def __getattr__(name: str) -> Any:
    if name in ("scan", "scan_text", "drift", "graph"):
        from privlint.frontend import api

        return getattr(api, name)
    if name in ("Report", "Finding"):
        from privlint.core import findings

        return getattr(findings, name)
    if name == "Settings":
        from privlint.core.settings import Settings

        return Settings
    raise AttributeError(f"module 'privlint' has no attribute {name!r}")
