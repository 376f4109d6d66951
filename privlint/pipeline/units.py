"""What every input format produces and is described by: a ``Unit`` of inventory and problems, a ``Format``.

A format is one ``Format`` value: a ``sniff`` that looks at the text (and the JSON already decoded,
when it decodes), and a ``parse`` that turns the text into a ``Unit``. Nothing may raise for bad input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from privlint.model.failures import could_not_analyse
from privlint.model.inventory import Inventory
from privlint.model.problems import Problem
from privlint.model.settings import Settings


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
