"""Terraform's string functions, with RE2 regular expressions run safely on Python's engine.

Patterns come from the code under review: they are bounded in length, patterns RE2 would reject are
errors, and patterns that could backtrack without end (a repeated group that itself repeats or
alternates) are unknown rather than run.
"""

from __future__ import annotations

import re
from typing import Any

from privlint.model.regex_safety import MAX_STEPS, may_backtrack, search_cost
from privlint.model.values import PartialString, Reference, Unknown, is_known
from privlint.terraform import operations as ops
from privlint.terraform.document_substitution import substitute_in_document_text
from privlint.terraform.functions_format import format_, formatlist
from privlint.terraform.functions_support import (
    MAX_TEXT,
    Function,
    FunctionError,
    bounded_text,
    cause_of,
    integer,
    known,
    sequence,
    text,
)
from privlint.terraform.template_values import join_template

MAX_PATTERN = 1_000
MAX_SUBJECT = 100_000

_NOT_RE2 = re.compile(r"\(\?[=!]|\(\?<[=!]|\\[1-9]|\(\?P=|\\g<")  # lookaround and backreferences
_UNSUPPORTED = re.compile(r"\[\[:")  # POSIX classes: valid RE2 that Python's re reads differently


class _Unsupported(Exception):
    pass


def _compile(pattern: str) -> re.Pattern[str]:
    if len(pattern) > MAX_PATTERN:
        raise _Unsupported
    if _NOT_RE2.search(pattern):
        raise FunctionError("the pattern is not valid RE2")
    if _UNSUPPORTED.search(pattern):
        raise _Unsupported
    try:
        # RE2's \d, \w, \s and \b are ASCII classes.
        compiled = re.compile(_translate(pattern), re.ASCII)
    except (re.error, RecursionError, OverflowError) as exc:
        raise FunctionError("invalid regular expression") from exc
    if may_backtrack(compiled.pattern):
        raise _Unsupported  # RE2 runs it in linear time; Python's engine could take exponential time
    return compiled


def _translate(pattern: str) -> str:
    """RE2 syntax in Python's: ``\\z`` and a non-multiline ``$`` end the text, ``(?<name>`` names a group."""
    if re.search(r"\\[pPCQ]|\(\?[a-zA-Z]*U", pattern):
        raise _Unsupported  # Unicode classes, \C, \Q...\E and ungreedy mode have no Python equivalent
    multiline = re.search(r"\(\?[a-zA-Z]*m", pattern) is not None
    out: list[str] = []
    position, class_start = (
        0,
        -1,
    )  # class_start: where the open character class's items begin
    while position < len(pattern):
        ch = pattern[position]
        if ch == "\\" and position + 1 < len(pattern):
            escaped = pattern[position + 1]
            out.append("\\Z" if escaped == "z" and class_start < 0 else ch + escaped)
            position += 2
            continue
        if class_start >= 0:
            if ch == "]" and position > class_start:
                class_start = -1
        elif ch == "[":
            if pattern.startswith("[:", position + 1):
                raise _Unsupported
            class_start = position + (2 if pattern.startswith("^", position + 1) else 1)
        elif ch == "$" and not multiline:
            ch = "\\Z"
        elif pattern.startswith("(?<", position) and pattern[position + 3 : position + 4].isalpha():
            ch, position = "(?P<", position + 2
        out.append(ch)
        position += 1
    return "".join(out)


def _regex_call(label: str, pattern: Any, subject: Any) -> tuple[re.Pattern[str], str] | Unknown:
    if not is_known(pattern) or not is_known(subject):
        return ops.unknown(label, pattern, subject)
    source, target = text(pattern), text(subject)
    try:
        compiled = _compile(source)
    except _Unsupported:
        return Unknown(f"{label}: a pattern privlint cannot run safely")
    if len(target) > MAX_SUBJECT or search_cost(compiled.pattern, len(target)) > MAX_STEPS:
        return Unknown(f"{label}: too costly to run on this text")
    return compiled, target


def _match_value(match: re.Match[str]) -> Any:
    named = match.groupdict()
    if named:
        return dict(named)
    if match.re.groups:
        return list(match.groups())
    return match.group(0)


def regex(pattern: Any, subject: Any) -> Any:
    compiled = _regex_call("regex()", pattern, subject)
    if isinstance(compiled, Unknown):
        return compiled
    match = compiled[0].search(compiled[1])
    if match is None:
        raise FunctionError("regex(): no match")
    return _match_value(match)


def regexall(pattern: Any, subject: Any) -> Any:
    compiled = _regex_call("regexall()", pattern, subject)
    if isinstance(compiled, Unknown):
        return compiled
    return [_match_value(m) for m in compiled[0].finditer(compiled[1])]


def replace(subject: Any, search: Any, replacement: Any) -> Any:
    substituted = substitute_in_document_text(subject, search, replacement)
    if substituted is not None:
        return substituted  # a placeholder in a policy document's JSON: the document, with it replaced
    if not all(is_known(a) for a in (subject, search, replacement)):
        return ops.unknown("replace()", subject, search, replacement)
    target, needle, new = text(subject), text(search), text(replacement)
    if len(needle) > 1 and needle.startswith("/") and needle.endswith("/"):
        compiled = _regex_call("replace()", needle[1:-1], target)
        if isinstance(compiled, Unknown):
            return compiled
        template = re.sub(
            r"\$(\d+|\{\w+\})",
            lambda m: "\\g<" + m.group(1).strip("{}") + ">",
            new.replace("\\", "\\\\"),
        )
        try:
            return bounded_text(compiled[0].sub(template, target))
        except (re.error, IndexError) as exc:
            raise FunctionError("replace(): invalid replacement") from exc
    if needle == "":
        raise FunctionError("replace(): empty search string")
    if len(target) // len(needle) * len(new) > MAX_TEXT:
        raise FunctionError("replace(): result too large")
    return target.replace(needle, new)


def join(separator: Any, *lists: Any) -> Any:
    if not lists:
        raise FunctionError("join() needs a list")
    if not is_known(separator) or not all(isinstance(items, list) for items in lists):
        return cause_of("join()", [separator, *lists])
    glue = text(separator)
    items = [item for items in lists for item in sequence(items)]
    if any(i is None for i in items):
        raise FunctionError("join(): null element")
    if all(is_known(i) for i in items):
        return bounded_text(glue.join(text(i) for i in items))
    if not all(isinstance(i, (Reference, PartialString)) or is_known(i) for i in items):
        return cause_of("join()", items)
    # Strings and references, like a template: "serviceAccount:${google_service_account.sa.email}".
    parts: list[Any] = []
    for position, item in enumerate(items):
        if position:
            parts.append(glue)
        parts.append(item if isinstance(item, Unknown) else text(item))
    return join_template(parts)


@known("split()")
def split(separator: Any, subject: Any) -> Any:
    glue, target = text(separator), text(subject)
    if glue == "":
        return list(target)
    return target.split(glue)


def _string_function(label: str, body: Any) -> Function:
    @known(label)
    def call(value: Any) -> Any:
        return body(text(value))

    return call


def _title(value: str) -> str:
    return re.sub(r"(^|[^\w'])(\w)", lambda m: m.group(1) + m.group(2).upper(), value)


def _chomp(value: str) -> str:
    return re.sub(r"(?:\r\n|\n|\r)+\Z", "", value)


@known("indent()")
def indent(spaces: Any, subject: Any) -> Any:
    count, target = integer(spaces), text(subject)
    if count < 0 or count * (target.count("\n") + 1) + len(target) > MAX_TEXT:
        raise FunctionError("indent(): result too large")
    return target.replace("\n", "\n" + " " * count)


@known("substr()")
def substr(subject: Any, offset: Any, length: Any) -> Any:
    target, start, size = text(subject), integer(offset), integer(length)
    if start < 0:
        start += len(target)
    if start < 0 or start > len(target):
        raise FunctionError("substr(): offset out of range")
    end = len(target) if size == -1 else start + size
    if size < -1:
        raise FunctionError("substr(): length must be -1 or more")
    return target[start:end]


@known("trim()")
def trim(subject: Any, characters: Any) -> Any:
    return text(subject).strip(text(characters))


@known("trimprefix()")
def trimprefix(subject: Any, prefix: Any) -> Any:
    return text(subject).removeprefix(text(prefix))


@known("trimsuffix()")
def trimsuffix(subject: Any, suffix: Any) -> Any:
    return text(subject).removesuffix(text(suffix))


def _known_head(value: PartialString) -> str:
    head: list[str] = []
    for part in value.parts:
        if part is None:
            break
        head.append(part)
    return "".join(head)


def startswith(subject: Any, prefix: Any) -> Any:
    if isinstance(subject, PartialString) and is_known(prefix):
        head, wanted = _known_head(subject), text(prefix)
        if len(head) >= len(wanted):
            return head.startswith(wanted)  # the known beginning decides it
    if not is_known(subject) or not is_known(prefix):
        return ops.unknown("startswith()", subject, prefix)
    return text(subject).startswith(text(prefix))


def endswith(subject: Any, suffix: Any) -> Any:
    if isinstance(subject, PartialString) and is_known(suffix):
        tail, wanted = subject.known_suffix(), text(suffix)
        if len(tail) >= len(wanted):
            return tail.endswith(wanted)
    if not is_known(subject) or not is_known(suffix):
        return ops.unknown("endswith()", subject, suffix)
    return text(subject).endswith(text(suffix))


def strcontains(subject: Any, part: Any) -> Any:
    if isinstance(subject, PartialString) and is_known(part) and any(p is not None and text(part) in p for p in subject.parts):
        return True
    if not is_known(subject) or not is_known(part):
        return ops.unknown("strcontains()", subject, part)
    return text(part) in text(subject)


STRING_FUNCTIONS: dict[str, Function] = {
    "chomp": _string_function("chomp()", _chomp),
    "endswith": endswith,
    "format": format_,
    "formatlist": formatlist,
    "indent": indent,
    "join": join,
    "lower": _string_function("lower()", str.lower),
    "regex": regex,
    "regexall": regexall,
    "replace": replace,
    "split": split,
    "startswith": startswith,
    "strcontains": strcontains,
    "strrev": _string_function("strrev()", lambda s: s[::-1]),
    "substr": substr,
    "title": _string_function("title()", _title),
    "trim": trim,
    "trimprefix": trimprefix,
    "trimspace": _string_function("trimspace()", str.strip),
    "trimsuffix": trimsuffix,
    "upper": _string_function("upper()", str.upper),
}
