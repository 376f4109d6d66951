"""Single-file input formats: how each is recognised by content, and how it becomes a unit.

Terraform is read per module directory by the engine; every other format is one file = one unit
and registers here, in the order it is tried. A new format is one ``Format`` entry: a ``sniff``
that looks at the text (and the JSON or YAML already decoded, when it decodes), and a ``parse``
that turns the text into an ``Inventory`` plus problems. Nothing here may raise for bad input.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from privlint.core.failures import could_not_analyse
from privlint.core.inventory import Inventory
from privlint.core.settings import Settings
from privlint.normalize.common import Problem


@dataclass
class Unit:
    """The result of parsing and normalising one unit (a template, a plan, a module directory...)."""

    inventory: Inventory = field(default_factory=Inventory)
    problems: list[Problem] = field(default_factory=list)
    directives: list[Any] = field(default_factory=list)  # privlint.pipeline.suppress.Directive: inline suppressions
    disabled: dict[str, str] = field(default_factory=dict)  # resource address -> the input variable that turns it on
    deployed: Inventory | None = None  # with disabled blocks: the inventory of what is deployed by default


@dataclass(frozen=True)
class Document:
    """What a sniffer sees: the text, the file name, and the decoded JSON (None when not JSON)."""

    text: str
    name: str
    json: Any = None


# Failures that mean "privlint could not analyse this", never "stop the scan". OSError: a path the
# input names that the system refuses (a module source with a component over 255 bytes).
GUARDED = (RecursionError, MemoryError, ValueError, TypeError, KeyError, AttributeError, IndexError, OSError)


def internal_error(display: str, exc: BaseException) -> Unit:
    """A bug or limit in privlint must not hide other files' findings: report it as this file's problem.

    The exception's text is not quoted: it may hold a value from the input (a secret).
    """
    return Unit(problems=[Problem(display, None, display, could_not_analyse(exc))])


Sniffer = Callable[[Document], bool]
Parser = Callable[[str, str, Settings], Unit]  # (text, display path, settings) -> Unit


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...]
    sniff: Sniffer
    parse: Parser


FORMATS: list[Format] = []


def register(fmt: Format) -> Format:
    FORMATS.append(fmt)
    return fmt


def sniff_suffixes() -> tuple[str, ...]:
    _load_builtin()
    return tuple(sorted({s for f in FORMATS for s in f.suffixes}))


def detect(text: str, name: str) -> Format | None:
    """The first registered format that recognises this file, or None."""
    _load_builtin()
    stripped = text.lstrip()
    decoded = None
    if stripped.startswith(("{", "[")):
        try:
            decoded = json.loads(text)
        except (ValueError, RecursionError):
            # Too deep, or a number too long to convert: its top levels still tell what the file is,
            # and its format's parser reports the problem with a line instead of skipping the file.
            decoded = _outline(text)
    doc = Document(text, name, decoded)
    for fmt in FORMATS:
        if name.endswith(fmt.suffixes) and fmt.sniff(doc):
            return fmt
    return None


def _outline(text: str) -> Any:
    from privlint.parsers.jsonpos import JsonError, outline

    try:
        return outline(text, keep_depth=3)
    except JsonError:
        return None


def by_name(name: str) -> Format:
    _load_builtin()
    return next(f for f in FORMATS if f.name == name)


_loaded = False


def _load_builtin() -> None:
    """Import the modules that register formats (lazily: a run imports only what it needs to parse)."""
    global _loaded
    if not _loaded:
        _loaded = True
        import privlint.parsers.cloudformation_format
        import privlint.parsers.credential_report
        import privlint.parsers.github_peribolos
        import privlint.parsers.github_safe_settings
        import privlint.parsers.github_snapshot
        import privlint.parsers.iam_authorization_details
        import privlint.parsers.plan_format  # noqa: F401
