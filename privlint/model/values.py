"""Values that configuration code can hold but a static scan cannot know.

Parsers turn every expression they cannot evaluate into one of these, so that rules
can tell "proven" from "unknown" and never report a finding by guesswork.
This module is pure: it imports no parser library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Unknown:
    """A value only known at deploy time (a variable with no default, a function result...)."""

    source: str = ""

    def __repr__(self) -> str:
        return f"Unknown({self.source!r})"


@dataclass(frozen=True)
class Reference(Unknown):
    """A reference to another resource's attribute, e.g. ``aws_iam_policy.admin.arn``.

    Its value is unknown, but the address lets the normaliser link resources together
    (a policy attachment naming a policy, a role naming its trust policy document).
    """

    address: str = ""
    attribute: str = ""


@dataclass(frozen=True)
class SecretStoreValue(Unknown):
    """A value that comes from a secret store or generator (never a hard-coded secret)."""


@dataclass(frozen=True)
class Alternatives(Unknown):
    """One of ``options``, chosen by an input the scan does not know (``source``, e.g. ``var.admin``).

    Written by a conditional whose condition is unknown (Terraform's ``?:``, CloudFormation's ``Fn::If``, a
    ``Fn::FindInMap`` on an unknown key): rules see every branch, and a finding that holds on one branch only
    names what it depends on: ``labels[i]`` when given (``condition IsProd is true``), else ``source``.
    """

    options: tuple[Any, ...] = ()
    labels: tuple[str, ...] = ()  # when each option is the one, in the source's words; empty: ``source`` decides


MAX_VARIANTS = 8


def expand_alternatives(value: Any, depends_on: str | None = None) -> list[tuple[Any, str | None]]:
    """``value`` once per combination of the branches it holds, with the inputs each depends on.

    At most ``MAX_VARIANTS`` combinations; beyond that the remaining alternatives stay unknown.
    """
    variants: list[tuple[Any, str | None]] = [(value, depends_on)]
    for _ in range(MAX_VARIANTS):
        expanded: list[tuple[Any, str | None]] = []
        changed = False
        for current, cause in variants:
            found = _first_alternatives(current)
            if found is None or len(variants) - 1 + len(found.options) > MAX_VARIANTS:
                expanded.append((current, cause))
                continue
            changed = True
            label = found.source or "an unknown condition"
            joined = label if cause is None or label in cause.split(", ") else f"{cause}, {label}"
            expanded.extend((_replace(current, found, option), joined) for option in found.options)
        variants = expanded
        if not changed:
            break
    return variants


def _first_alternatives(value: Any) -> Alternatives | None:
    if isinstance(value, Alternatives):
        return value
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for child in children:
        found = _first_alternatives(child)
        if found is not None:
            return found
    return None


def _replace(value: Any, target: Alternatives, option: Any) -> Any:
    if value is target:
        return option
    if isinstance(value, dict):
        out = LineDict(line=getattr(value, "line", None), depends_on=getattr(value, "depends_on", None))
        replaced = False
        for key, child in value.items():
            if not replaced and _first_alternatives(child) is not None:
                out[key] = _replace(child, target, option)
                replaced = True
            else:
                out[key] = child
        return out
    if isinstance(value, list):
        items, replaced = [], False
        for child in value:
            if not replaced and _first_alternatives(child) is not None:
                items.append(_replace(child, target, option))
                replaced = True
            else:
                items.append(child)
        return items
    return value


def is_known(value: Any) -> bool:
    """True when the value, and everything inside it, is known."""
    if isinstance(value, Unknown):
        return False
    if isinstance(value, dict):
        return all(is_known(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(is_known(v) for v in value)
    return True


def as_list(value: Any) -> list[Any]:
    """IAM and CloudFormation accept a scalar where a list is meant; normalise to a list.

    A ``PartialList`` gives its known elements followed by one ``Unknown`` for the rest.
    """
    if value is None:
        return []
    if isinstance(value, PartialList):
        return [*value.known, Unknown(value.source or "unknown elements")]
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def known_int(value: Any) -> int | None:
    """An integer written as a number or a numeric string (ports, lengths); None when unknown."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def truthy(value: Any) -> bool | None:
    """Interpret booleans the way Terraform and CloudFormation do; None when unknown."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low == "true":
            return True
        if low == "false":
            return False
    if isinstance(value, (int, float)):
        return bool(value)
    return None


UNKNOWN_MARK = "${?}"
# How a policy statement keeps a reference to another resource (``aws_iam_role.admin.arn``): the
# resource is known exactly, its ARN is not. Never equal to "*", an ARN, or an action name.
REFERENCE_PREFIX = "ref:"


@dataclass(frozen=True)
class PartialString(Unknown):
    """A string with some known and some unknown parts, e.g. ``arn:${partition}:iam::aws:policy/X``.

    ``parts`` holds known text as ``str`` and unknown pieces as ``None``.
    """

    parts: tuple[str | None, ...] = ()
    references: tuple[str, ...] = ()  # addresses of the resources referenced in the unknown parts
    holes: tuple[Any, ...] = ()  # the values of the unknown parts, in order (a Reference keeps its address)

    def pattern(self) -> str:
        """The text with each unknown part shown as ``${?}`` (never equal to a wildcard or a real name)."""
        return "".join(UNKNOWN_MARK if part is None else part for part in self.parts)

    def known_suffix(self) -> str:
        """The known text after the last unknown part."""
        tail: list[str] = []
        for part in reversed(self.parts):
            if part is None:
                break
            tail.append(part)
        return "".join(reversed(tail))


@dataclass(frozen=True)
class PartialList(Unknown):
    """A list known to contain ``known`` and an unknown number of other, unknown elements.

    ``concat(["iam:PassRole"], var.extra)`` is known to grant ``iam:PassRole``; what else it grants is not.
    """

    known: tuple[Any, ...] = ()


class SourceText(str):
    """A string literal that remembers where it was written, so a credential is reported where it is set.

    It is a ``str`` in every other respect; operations that build new strings drop the location.
    """

    file: str
    line: int

    @classmethod
    def at(cls, text: str, file: str, line: int) -> SourceText:
        out = cls(text)
        out.file = file
        out.line = line
        return out


class LineDict(dict):  # type: ignore[type-arg]
    """A mapping that remembers the source line it started on (set by the parsers).

    ``depends_on`` names the inputs the mapping exists under when the code chooses between alternatives
    the scan cannot decide (a CloudFormation condition from a parameter), so a finding can say so.
    """

    __slots__ = ("line", "depends_on")

    def __init__(self, *args: Any, line: int | None = None, depends_on: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = line
        self.depends_on = depends_on


def line_of(value: Any) -> int | None:
    """The source line of a parsed mapping, when the parser recorded one."""
    return getattr(value, "line", None)


# The account, region and principal a deployment runs in and as, where the code names them without a literal
# (``data.aws_caller_identity.current.account_id``, ``!Ref AWS::AccountId``, ``data.aws_region.current.name``).
# The angle brackets never occur in a real ID, so these never equal a real account, region or wildcard.
THIS_ACCOUNT_ID = "<this-account>"
THIS_REGION = "<this-region>"
DEPLOYING_PRINCIPAL_ARN = f"arn:aws:iam::{THIS_ACCOUNT_ID}:<deploying-principal>"
DEPLOYING_PRINCIPAL_ID = "<deploying-principal-id>"
# ``data.aws_partition`` / ``AWS::Partition``: the commercial partition, so managed policy ARNs are recognised.
DEFAULT_PARTITION = "aws"
