"""Properties of the tree-sitter front-end, checked on generated input.

- a literal value (numbers, strings with backslash and ``$${``/``%%{`` escapes, heredocs, lists, objects,
  nested) printed as HCL reads back as the same value, and text that looks like a comment inside it is
  never taken for one;
- random byte mutations of the fixtures never raise, and every syntax error gives a problem with a line.
"""

from __future__ import annotations

import dataclasses
import math
import re

from hcl_agreement import Name, Shape, tree_depth, value_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from privlint.parsers.hcl_front_end import parse_hcl, parse_tree
from privlint.parsers.hcl_nesting import MAX_NESTING
from privlint.parsers.hcl_syntax_tree import Invalid

KEYWORDS = {"true", "false", "null", "for", "in", "if", "endif", "endfor", "else"}
# Characters that matter to HCL's lexer, mixed into otherwise arbitrary text.
SPECIAL = [
    "${",
    "%{",
    "$${",
    "%%{",
    "$",
    "%",
    "{",
    "}",
    '"',
    "\\",
    "\n",
    "\t",
    "\r",
    "~",
    "# c",
    "// c",
    "/* c */",
    "EOT",
]

# A ``$`` right before ``${`` (printed ``$$${``) is read by the grammar only in the cases test_hcl_front_end covers.
texts = (
    st.lists(
        st.sampled_from(SPECIAL) | st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=5),
        max_size=8,
    )
    .map("".join)
    .filter(lambda text: "$${" not in text and "%%{" not in text)
)
names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,8}", fullmatch=True).filter(lambda n: n not in KEYWORDS)
numbers = st.integers(-(10**30), 10**30) | st.floats(allow_nan=False, allow_infinity=False)
scalars = st.none() | st.booleans() | numbers | texts
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names | texts, inner, max_size=4),
    max_leaves=16,
)


def template_escaped(text: str) -> str:
    return text.replace("${", "$${").replace("%{", "%%{")


def quoted(text: str, draw: st.DrawFn) -> str:
    out = []
    for char in template_escaped(text):
        if char in '"\\':
            out.append("\\" + char)
        elif char in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        elif ord(char) < 0x20 or (char not in "$%{" and draw(st.integers(0, 9)) == 0):  # ``\u0024{`` is not ``$${``
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def heredoc_body(value: str) -> str | None:
    """The heredoc whose value is ``value``, when one can be written (its text ends with a newline)."""
    if not value.endswith("\n") or "\r" in value:
        return None
    lines = value[:-1].split("\n")
    marker = "EOT"
    while any(line.lstrip().startswith(marker) for line in lines):  # see test_hcl_front_end for those lines
        marker += "X"
    return f"<<{marker}\n{template_escaped(value)}{marker}"


@st.composite
def printed(draw: st.DrawFn, value: Shape) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        heredoc = heredoc_body(value)
        if heredoc is not None and draw(st.booleans()):
            return heredoc + "\n"  # the closing marker must end its line
        return quoted(value, draw)
    newline = draw(st.booleans())
    separator = ",\n" if newline else ", "
    if isinstance(value, list):
        items = [draw(printed(item)) for item in value]
        return "[" + separator.join(items) + (draw(st.sampled_from(["", ","])) if items else "") + "]"
    assert isinstance(value, dict)
    entries = []
    for key, item in value.items():
        bare = key not in KEYWORDS and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", key) is not None
        shown = key if bare and draw(st.booleans()) else quoted(key, draw)
        entries.append(f"{shown} {draw(st.sampled_from(['=', ':']))} {draw(printed(item))}")
    return "{" + ("\n" if newline else "") + separator.join(entries) + ("\n" if newline else "") + "}"


def same(read: Shape, expected: Shape) -> bool:
    if isinstance(expected, bool) or expected is None:
        return read is expected
    if isinstance(expected, (int, float)):
        return isinstance(read, (int, float)) and not isinstance(read, bool) and read == expected
    if isinstance(expected, list):
        return isinstance(read, list) and len(read) == len(expected) and all(map(same, read, expected))
    if isinstance(expected, dict):
        return isinstance(read, dict) and read.keys() == expected.keys() and all(same(read[k], expected[k]) for k in expected)
    return read == expected


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), values)
def test_a_printed_literal_reads_back_as_the_same_value(data: st.DataObject, value: Shape) -> None:
    text = data.draw(printed(value))
    parsed = parse_hcl(f"x = {text}\n")
    assert parsed.problems == [], text
    read = value_of(parsed.body.attributes["x"].expr)
    assert not isinstance(read, Name)
    assert same(read, value), (text, read)
    assert parsed.comments == [], text  # comment-like text inside strings and heredocs is not a comment


def test_float_spellings_python_prints_are_hcl_numbers() -> None:
    for number in (1e-05, 1.5e300, 5e-324, 1e16, 123.0, math.pi):
        assert same(value_of(parse_hcl(f"x = {number!r}\n").body.attributes["x"].expr), number)


FIXTURE_TEXTS = sorted(p.read_bytes() for p in FIXTURES.rglob("*") if p.suffix in (".tf", ".tfvars") and p.is_file())
NOISE = [
    b"{",
    b"}",
    b"[",
    b"]",
    b"(",
    b")",
    b'"',
    b"${",
    b"%{",
    b"%{ endif }",
    b"<<EOT\n",
    b"<<-",
    b"\n",
    b"#",
    b"/*",
    b"*/",
    b"\\",
    b"=",
    b",",
    b"...",
    b"?",
    b":",
    b"\x00",
    b"\xff",
    b"\xe2\x82",
    b"0x1F",
    b"1e3",
    b"~",
    b"=>",
    b"\r",
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    source = bytearray(draw(st.sampled_from(FIXTURE_TEXTS)))
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(source)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        noise = draw(st.sampled_from(NOISE) | st.binary(min_size=1, max_size=3))
        end = min(len(source), position + draw(st.integers(1, 40)))
        if action == "insert":
            source[position:position] = noise
        elif action == "delete":
            del source[position:end]
        else:
            source[position:end] = noise
    return bytes(source)


def _invalid_inside(node: object) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Invalid):
            return True
        if isinstance(current, (list, tuple)):
            stack.extend(current)
        elif isinstance(current, dict):
            stack.extend(current.values())
        elif dataclasses.is_dataclass(current) and not isinstance(current, type):
            stack.extend(getattr(current, f.name) for f in dataclasses.fields(current))
    return False


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
def test_mutated_fixtures_never_raise_and_every_error_has_a_line(source: bytes) -> None:
    text = source.decode("utf-8", "surrogateescape")
    parsed = parse_hcl(text)
    last_line = text.count("\n") + 1
    assert all(isinstance(p.line, int) and 1 <= p.line <= last_line for p in parsed.problems)
    if parse_tree(source.decode("utf-8", "surrogateescape").encode("utf-8", "replace")).has_error:
        assert parsed.problems
    if _invalid_inside(parsed.body):
        assert parsed.problems  # nothing becomes unknown without saying so
    assert all(1 <= c.line <= c.end_line <= last_line for c in parsed.comments)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["(", "[", "{a = ", "f(", "-", "!", "a ? b : ", '"${', "%{if a}", "x."]),
        min_size=1,
        max_size=6,
    ),
    st.integers(MAX_NESTING // 2, MAX_NESTING * 3),
)
def test_any_mix_of_deep_nesting_returns_a_problem_or_a_bounded_tree(openers: list[str], depth: int) -> None:
    text = "x = " + "".join(openers[i % len(openers)] for i in range(depth)) + "1\ny = 2\n"
    parsed = parse_hcl(text)  # mostly unbalanced: what matters is that it returns
    assert parsed.problems or tree_depth(parsed.body) <= MAX_NESTING + 5
