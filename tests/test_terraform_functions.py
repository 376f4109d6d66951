"""Terraform's built-in functions through the real evaluator: expression text -> value.

Each row follows Terraform's documented result; unknown inputs (``var.x`` with no value) must give an
``Unknown`` that keeps what is known of it (a ``PartialList``'s elements, a ``Reference``'s address).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from privlint.model.values import PartialList, PartialString, Reference, Unknown
from privlint.terraform.expressions import EvaluationError, Evaluator, Step, walk
from privlint.terraform.functions import FUNCTIONS, JsonDocument

hcl_front_end = pytest.importorskip("privlint.parsers.hcl_front_end")


class _Scope:
    """``var.NAME`` from a dict (absent: unknown); any other root is a resource reference."""

    def __init__(self, variables: dict[str, Any] | None = None) -> None:
        self.variables = variables or {}

    def lookup(self, root: str, steps: list[Step], line: int) -> Any:
        if root == "var":
            name = steps[0][1]
            value = self.variables[name] if name in self.variables else Unknown(f"var.{name}")
            return walk(value, steps[1:])
        return walk(Reference(source=root, address=f"{root}.{steps[0][1]}"), steps[1:])

    def call(self, name: str, args: list[Any], line: int) -> Any:
        return NotImplemented


def evaluate(text: str, **variables: Any) -> Any:
    return Evaluator(_Scope(variables)).evaluate(hcl_front_end.parse_expression(text))


KNOWN: list[tuple[str, Any]] = [
    # numbers
    ("abs(-3.5)", 3.5),
    ("ceil(4.1)", 5),
    ("floor(-4.1)", -5),
    ("log(8, 2)", 3),
    ("pow(2, 10)", 1024),
    ("pow(4, 0.5)", 2),
    ("signum(-7)", -1),
    ("max(3, 9, 2)", 9),
    ("min([5, 1, 3]...)", 1),
    ('parseint("ff", 16)', 255),
    ('parseint("-1010", 2)', -10),
    ("sum([1, 2, 3.5])", 6.5),
    # strings
    ('chomp("hello\\n\\n")', "hello"),
    ('endswith("hello world", "world")', True),
    ('startswith("arn:aws:iam", "arn:")', True),
    ('strcontains("hello", "ell")', True),
    ('indent(2, "a\\nb")', "a\n  b"),
    ('join(", ", ["a", "b"])', "a, b"),
    ('join("-", ["a"], ["b", 1])', "a-b-1"),
    ('lower("HeLLo")', "hello"),
    ('upper("abc")', "ABC"),
    ('split(",", "a,b,,c")', ["a", "b", "", "c"]),
    ('split(",", "")', [""]),
    ('strrev("abc")', "cba"),
    ('substr("hello world", 1, 4)', "ello"),
    ('substr("hello world", -5, -1)', "world"),
    ('substr("hello", 0, 100)', "hello"),
    ('title("hello world-wide")', "Hello World-Wide"),
    ('trim("?!hello?!", "!?")', "hello"),
    ('trimprefix("helloworld", "hello")', "world"),
    ('trimsuffix("helloworld", "world")', "hello"),
    ('trimspace("  hi \\n")', "hi"),
    ('replace("1 + 2 + 3", "+", "-")', "1 - 2 - 3"),
    ('replace("hello world", "/w.*d/", "everybody")', "hello everybody"),
    ('replace("a-1 b-2", "/([a-z])-(\\\\d)/", "$2$1")', "1a 2b"),
    ('regex("[a-z]+", "53453453.345345aaabbbccc23454")', "aaabbbccc"),
    ('regex("(\\\\d\\\\d\\\\d\\\\d)-(\\\\d\\\\d)", "2019-02-01")', ["2019", "02"]),
    (
        'regex("^(?P<scheme>[a-z]+)://(?P<host>[^/]+)", "https://example.com/x")',
        {"scheme": "https", "host": "example.com"},
    ),
    ('regexall("[a-z]+", "1234abcd5678efgh9")', ["abcd", "efgh"]),
    # RE2 semantics: $ ends the text (no trailing newline), (?<name>) groups, ASCII classes, \z
    ('try(regex("^a$", "a\\n"), "no match")', "no match"),
    ('regex("(?m)^b$", "a\\nb\\n")', "b"),
    ('regex("(?<n>[0-9]+)", "ab12")', {"n": "12"}),
    ('regex("\\\\d+", "\u0663\u06634")', "4"),
    ('regex("x\\\\z", "axx")', "x"),
    ('regex("[]a]+$", "b]a]")', "]a]"),
    ('length(regexall("[a-z]+", "1234"))', 0),
    # format
    ('format("Hello, %s!", "Ander")', "Hello, Ander!"),
    ('format("There are %d lights", 4)', "There are 4 lights"),
    ('format("%d%%", 50)', "50%"),
    ('format("%.2f", 3.14159)', "3.14"),
    ('format("%5d|%-5s|%05d", 42, "ab", -42)', "   42|ab   |-0042"),
    ('format("%q", "hi")', '"hi"'),
    ('format("%t", true)', "true"),
    ('format("%v", [1, "a"])', '[1,"a"]'),
    ('format("%v", {a = 1})', '{"a":1}'),
    ('format("%#v", "hello")', '"hello"'),
    ('format("%x %X %o %b", 255, 255, 8, 5)', "ff FF 10 101"),
    ('format("%[2]s %[1]s", "a", "b")', "b a"),
    ('format("%v", 2.5)', "2.5"),
    (
        'formatlist("Hello, %s!", ["Valentina", "Ander"])',
        ["Hello, Valentina!", "Hello, Ander!"],
    ),
    ('formatlist("%s=%s", ["a", "b"], "x")', ["a=x", "b=x"]),
    # collections
    ('length("hello")', 5),
    ("length([1, 2])", 2),
    ("length({a = 1})", 1),
    ('element(["a", "b", "c"], 1)', "b"),
    ('element(["a", "b", "c"], 3)', "a"),  # wraps around
    ('slice(["a", "b", "c", "d"], 1, 3)', ["b", "c"]),
    ('concat(["a"], ["b", "c"])', ["a", "b", "c"]),
    ('compact(["a", "", null, "b"])', ["a", "b"]),
    ('contains(["a", "b"], "b")', True),
    ('contains(["1"], 1)', False),
    ('distinct(["a", "b", "a", "c"])', ["a", "b", "c"]),
    ('flatten([["a", "b"], [], ["c", ["d"]]])', ["a", "b", "c", "d"]),
    ("keys({b = 1, a = 2})", ["a", "b"]),
    ("values({b = 1, a = 2})", [2, 1]),
    ('lookup({a = "x"}, "a", "d")', "x"),
    ('lookup({a = "x"}, "b", "d")', "d"),
    ("merge({a = 1, b = 2}, {b = 3}, null)", {"a": 1, "b": 3}),
    ('one(["x"])', "x"),
    ("one([])", None),
    ('index(["a", "b", "c"], "b")', 1),
    ('coalesce("", null, "b", "c")', "b"),
    ("coalescelist([], [1], [2])", [1]),
    ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
    ('setunion(["a", "b"], ["b", "c"])', ["a", "b", "c"]),
    ('setintersection(["a", "b"], ["b", "c"], ["b", "d"])', ["b"]),
    ('setsubtract(["a", "b", "c"], ["a", "c"])', ["b"]),
    ('setproduct(["a", "b"], [1, 2])', [["a", 1], ["a", 2], ["b", 1], ["b", 2]]),
    ('chunklist(["a", "b", "c", "d", "e"], 2)', [["a", "b"], ["c", "d"], ["e"]]),
    ("range(3)", [0, 1, 2]),
    ("range(1, 4)", [1, 2, 3]),
    ("range(4, 1)", [4, 3, 2]),
    ("range(0, 1, 0.25)", [0, 0.25, 0.5, 0.75]),
    ("reverse([1, 2, 3])", [3, 2, 1]),
    ('sort(["e", "d", "a", "x"])', ["a", "d", "e", "x"]),
    (
        'transpose({a = ["1", "2"], b = ["2", "3"]})',
        {"1": ["a"], "2": ["a", "b"], "3": ["b"]},
    ),
    ('matchkeys(["i-1", "i-2", "i-3"], ["a", "b", "a"], ["a"])', ["i-1", "i-3"]),
    ('alltrue([true, "true"])', True),
    ("alltrue([])", True),
    ("anytrue([false, true])", True),
    ("anytrue([])", False),
    # type conversion
    ('tolist(["a", 1])', ["a", "1"]),
    ('toset(["b", "a", "b"])', ["a", "b"]),
    ('tomap({a = 1, b = "x"})', {"a": "1", "b": "x"}),
    ("tostring(1)", "1"),
    ("tostring(null)", None),
    ('tonumber("42")', 42),
    ('tobool("true")', True),
    ('sensitive("x")', "x"),
    ('nonsensitive("x")', "x"),
    ('ephemeralasnull("x")', "x"),
    # encoding
    ('jsonencode("a<b")', '"a\\u003cb"'),
    ("jsonencode(1)", "1"),
    ('jsonencode({b = [1, true, null], a = "x"})', {"b": [1, True, None], "a": "x"}),
    ("length(jsonencode({a = 1}))", 7),
    ('"x${jsonencode({a = [1]})}"', 'x{"a":[1]}'),
    ('jsondecode("{\\"a\\": [1, 2.5, null]}")', {"a": [1, 2.5, None]}),
    ("jsondecode(jsonencode({a = 1}))", {"a": 1}),
    ("jsonencode({inner = jsonencode({a = 1})})", {"inner": '{"a":1}'}),
    ('yamldecode("a: 1\\nb: [x, true]\\n")', {"a": 1, "b": ["x", True]}),
    ('yamlencode({a = "b", c = 1})', '"a": "b"\n"c": 1\n'),
    ('yamlencode({a = ["x", "y"]})', '"a":\n- "x"\n- "y"\n'),
    (
        'yamlencode({foo = [1, {a = "b", c = "d"}, 3]})',
        '"foo":\n- 1\n- "a": "b"\n  "c": "d"\n- 3\n',
    ),
    ('base64encode("Hello World")', "SGVsbG8gV29ybGQ="),
    ('base64decode("SGVsbG8gV29ybGQ=")', "Hello World"),
    ('textencodebase64("Hello World", "UTF-16LE")', "SABlAGwAbABvACAAVwBvAHIAbABkAA=="),
    ('textdecodebase64("SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE")', "Hello World"),
    ('urlencode("Hello World!")', "Hello%20World%21"),
    ('csvdecode("a,b\\n1,2\\n3,4\\n")', [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]),
    ('md5("hello world")', "5eb63bbbe01eeed093cb22bb8f5acdc3"),
    ('sha1("hello world")', "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"),
    (
        'sha256("hello world")',
        "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9",
    ),
    ('substr(sha512("hello world"), 0, 16)', "309ecc489c12d6eb"),
    ('base64sha256("hello world")', "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="),
    ('substr(base64sha512("hello world"), 0, 12)', "MJ7MSJwS1utM"),
    ('uuidv5("dns", "www.terraform.io")', "a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
    ('length(base64gzip("hello"))', 36),
    # network
    ('cidrhost("10.12.112.0/20", 16)', "10.12.112.16"),
    ('cidrhost("10.12.112.0/20", 268)', "10.12.113.12"),
    ('cidrhost("10.0.0.0/24", -1)', "10.0.0.255"),
    ('cidrnetmask("172.16.0.0/12")', "255.240.0.0"),
    ('cidrsubnet("172.16.0.0/12", 4, 2)', "172.18.0.0/16"),
    ('cidrsubnet("10.1.2.0/24", 4, 15)', "10.1.2.240/28"),
    (
        'cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)',
        "fd00:fd12:3456:7800:a200::/72",
    ),
    (
        'cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)',
        ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"],
    ),
    # dates and paths
    (
        'formatdate("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z")',
        "02 Jan 2018 23:12 UTC",
    ),
    (
        'formatdate("EEEE, DD-MMM-YY hh:mm:ss ZZZ", "2018-01-02T23:12:01Z")',
        "Tuesday, 02-Jan-18 23:12:01 UTC",
    ),
    ('formatdate("HH:mmaa", "2018-01-02T23:12:01Z")', "11:12pm"),
    (
        'formatdate("EEE, DD MMM YYYY hh:mm:ss ZZZ", "2018-01-02T23:12:01-08:00")',
        "Tue, 02 Jan 2018 23:12:01 -0800",
    ),
    ('formatdate("h\'h\'mm", "2018-01-02T23:12:01Z")', "23h12"),
    ('timeadd("2017-11-22T00:00:00Z", "10m")', "2017-11-22T00:10:00Z"),
    ('timeadd("2017-11-22T00:00:00Z", "-1h30m")', "2017-11-21T22:30:00Z"),
    ('timecmp("2017-11-22T00:00:00Z", "2017-11-22T01:00:00+01:00")', 0),
    ('timecmp("2017-11-22T00:00:01Z", "2017-11-22T00:00:00Z")', 1),
    ('basename("foo/bar/baz.txt")', "baz.txt"),
    ('dirname("foo/bar/baz.txt")', "foo/bar"),
    ('dirname("baz.txt")', "."),
    ('pathexpand("data/tags")', "data/tags"),  # only a leading ~ depends on who runs Terraform
    # try and can see Terraform's errors
    ('try(regex("[0-9]+", "abc"), "none")', "none"),
    ('try(one(["a", "b"]), "many")', "many"),
    ('try(element([], 0), "empty")', "empty"),
    ('try(tonumber("x"), -1)', -1),
    ('try(lookup({}, "k"), "d")', "d"),
    ('try(jsondecode("{"), {})', {}),
    ('try(index(["a"], "b"), -1)', -1),
    ('try(coalesce("", null), "x")', "x"),
    ("try(slice([1], 0, 5), [])", []),
    ('try(zipmap(["a"], []), {})', {}),
    ('try(cidrsubnet("10.0.0.0/30", 4, 0), "")', ""),
    ('try(regex("(?=x)", "x"), "not RE2")', "not RE2"),
    ('try(base64decode("%%%"), "bad")', "bad"),
    ("try(range(2000), [])", []),
    ("try(sum([]), 0)", 0),
    ('try(merge({a = 1}, ["x"]), {})', {}),
    ('can(regex("^a", "abc"))', True),
    ('can(regex("^b", "abc"))', False),
    ('can(tobool("yes"))', False),
    ('can(format("%d", "x"))', False),
    ('can(format("%s %s", "x"))', False),
]


@pytest.mark.parametrize(("text", "expected"), KNOWN)
def test_known_values(text: str, expected: Any) -> None:
    assert evaluate(text) == expected


def test_every_row_names_a_function_of_the_table() -> None:
    texts = [text for text, _ in KNOWN] + UNKNOWN
    called = {name for name in FUNCTIONS if any(f"{name}(" in text for text in texts)}
    assert called == set(FUNCTIONS)


def test_absent_functions_stay_unknown() -> None:
    for text in (
        "timestamp()",
        "uuid()",
        'bcrypt("x")',
        "plantimestamp()",
        'abspath(".")',
    ):
        assert isinstance(evaluate(text), Unknown)
    assert "file" not in FUNCTIONS and "templatefile" not in FUNCTIONS


def test_jsonencode_keeps_a_policy_document_as_a_structure() -> None:
    value = evaluate('jsonencode({Statement = [{Action = "s3:*", Resource = aws_s3_bucket.b.arn}]})')
    assert isinstance(value, JsonDocument) and isinstance(value, dict)
    statement = value["Statement"][0]
    assert statement["Action"] == "s3:*"
    assert isinstance(statement["Resource"], Reference) and statement["Resource"].address == "aws_s3_bucket.b"
    template = evaluate('"x${jsonencode({AWS = aws_iam_user.u.arn})}"')
    assert isinstance(template, Unknown)


PARTIAL: list[tuple[str, tuple[Any, ...]]] = [
    ('concat(["iam:PassRole"], var.extra)', ("iam:PassRole",)),
    ('concat(var.extra, ["a"], ["b"])', ("a", "b")),
    ('compact(concat(["a", ""], var.extra))', ("a",)),
    ('distinct(concat(["a", "a"], var.extra))', ("a",)),
    ('flatten([["a"], var.extra])', ("a",)),
    ('toset(concat(["b", "a"], var.extra))', ("a", "b")),
    ('setunion(["a"], var.extra)', ("a",)),
    ('setsubtract(concat(["a", "b"], var.x), ["b"])', ("a",)),
    ('reverse(concat(["a", "b"], var.x))', ("b", "a")),
    ('sort(concat(["b", "a"], var.x))', ("a", "b")),
    ('tolist(concat(["a"], var.x))', ("a",)),
    ('compact(["a", var.x])', ("a",)),
]


@pytest.mark.parametrize(("text", "known"), PARTIAL)
def test_partial_lists_keep_their_known_elements(text: str, known: tuple[Any, ...]) -> None:
    value = evaluate(text)
    assert isinstance(value, PartialList)
    assert value.known == known


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('contains(concat(["iam:PassRole"], var.extra), "iam:PassRole")', True),
        ("anytrue(concat([true], var.x))", True),
        ("alltrue(concat([false], var.x))", False),
        ('startswith("arn:${var.partition}:iam", "arn:")', True),
        ('endswith("${var.prefix}-admin", "-admin")', True),
        ('strcontains("${var.a}:role/admin", "role/")', True),
        ("keys({a = var.x, b = 1})", ["a", "b"]),
        ('lookup({a = var.x, b = "y"}, "b")', "y"),
        ("length([var.x, 1])", 2),
    ],
)
def test_known_results_from_partly_unknown_arguments(text: str, expected: Any) -> None:
    assert evaluate(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        'coalesce(aws_iam_role.r.arn, "x")',
        "coalesce(null, aws_iam_role.r.arn)",
        'try(aws_iam_role.r.arn, "x")',
        "one(aws_iam_role.r[*].arn)",
        "one(aws_iam_role.r.arn)",
        "tostring(aws_iam_role.r.arn)",
        'lookup(aws_iam_role.r.tags, "k", "d")',
        'coalescelist(aws_iam_role.r.names, ["x"])',
    ],
)
def test_references_survive(text: str) -> None:
    value = evaluate(text)
    assert isinstance(value, Reference)
    assert value.address == "aws_iam_role.r"


@pytest.mark.parametrize(
    "text",
    [
        "flatten([[aws_iam_policy.a.json], []])",
        'compact([aws_iam_policy.a.json, ""])',
        "distinct([aws_iam_policy.a.json, aws_iam_policy.a.json])",
        "setunion([aws_iam_policy.a.json], [])",
        "toset([aws_iam_policy.a.json])",
    ],
)
def test_reference_elements_are_kept(text: str) -> None:
    value = evaluate(text)
    assert isinstance(value, list) and len(value) == 1
    assert isinstance(value[0], Reference) and value[0].address == "aws_iam_policy.a"


def test_partial_strings_are_kept_as_elements() -> None:
    value = evaluate('flatten([for v in ["%v:*", "%v:*:*"] : format(v, "arn:aws:logs:${var.region}:x")])')
    assert isinstance(value, list) and [v.pattern() for v in value] == [
        "arn:aws:logs:${?}:x:*",
        "arn:aws:logs:${?}:x:*:*",
    ]
    assert len(evaluate('compact(["", "a${var.x}", "${var.y}"])').known) == 1


def test_format_of_a_partial_string_keeps_its_holes() -> None:
    value = evaluate('format("%s:*", "arn:aws:logs:${var.region}:log-group:${aws_lambda_function.f.name}")')
    assert isinstance(value, PartialString)
    assert value.pattern() == "arn:aws:logs:${?}:log-group:${?}:*"
    assert value.holes[0] == Unknown("var.region") and value.references == ("aws_lambda_function.f",)


def test_format_with_an_unknown_argument_keeps_its_known_text() -> None:
    value = evaluate('format("arn:aws:iam::%s:role/%s", var.account, aws_iam_role.r.name)')
    assert isinstance(value, PartialString)
    assert value.pattern() == "arn:aws:iam::${?}:role/${?}"
    assert value.references == ("aws_iam_role.r",)


UNKNOWN = [
    "pathexpand(var.x)",
    "length(var.x)",
    "element(var.x, 0)",
    "upper(var.x)",
    'join(",", var.x)',
    "jsondecode(var.x)",
    "cidrsubnet(var.cidr, 4, 1)",
    "merge({a = 1}, var.x)",
    "one(concat([], var.x))",
    "sum(var.x)",
    "max(1, var.x)",
    'regex(var.pattern, "x")',
    'contains(concat(["a"], var.x), "b")',
    'format("%5s", var.x)',
    "range(var.n)",
    "yamlencode({a = var.x})",
    "issensitive(var.x)",
    "rsadecrypt(var.ciphertext, var.key)",
    "length(jsonencode({a = var.x}))",
    "tostring(jsonencode([var.x]))",
]


@pytest.mark.parametrize("text", UNKNOWN)
def test_unknown_arguments_give_an_unknown_that_keeps_the_cause(text: str) -> None:
    value = evaluate(text)
    assert isinstance(value, Unknown) and not isinstance(value, (PartialList, Reference))
    assert "var." in value.source, value


@pytest.mark.parametrize(
    "text",
    [
        'regex("(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!")',  # catastrophic backtracking in Python's engine
        'regex("(a|aa)*c", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")',
        'regex("\\\\pL+", "abc")',  # valid RE2 that Python's re does not read
        'regex(".*a.*b.*c", format("%5000s", ""))',  # polynomial backtracking over a long text
        'regexall("x+y+z+", format("%3000s", ""))',
    ],
)
def test_patterns_not_run_safely_are_unknown_not_errors(text: str) -> None:
    value = evaluate(text)
    assert isinstance(value, Unknown) and not isinstance(value, EvaluationError)


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ('format("%10001s", "x")', True),
        ('indent(100000, "a\\nb\\nc\\nd\\ne\\nf\\ng\\nh\\ni\\nj\\nk")', True),
        ("range(0, 100000)", True),  # Terraform's own limit is 1024 elements
        ('replace(format("%9000s", ""), " ", format("%9000s", ""))', True),
        ("setproduct(range(1000), range(1000), range(1000))", False),
        (
            'jsondecode(format("%s%s", join("", [for i in range(1000) : "["]), join("", [for i in range(1000) : "]"])))',
            False,
        ),
    ],
)
def test_bounds_on_untrusted_input(text: str, refused: bool) -> None:
    """Too large a result is an error or unknown; never a memory sink, and valid input is not called an error."""
    value = evaluate(text)
    assert isinstance(value, Unknown)
    assert isinstance(value, EvaluationError) == refused


_json_scalars = hs.none() | hs.booleans() | hs.integers(-(2**53), 2**53) | hs.text(max_size=20)
_json_values = hs.recursive(
    _json_scalars,
    lambda children: hs.lists(children, max_size=4) | hs.dictionaries(hs.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _literal(value: Any) -> str:
    """HCL text for a JSON-like value."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k)} = {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, str):
        escaped = "".join(_ESCAPES.get(ch, ch if ch >= " " else f"\\u{ord(ch):04x}") for ch in value)
        return '"' + escaped.replace("${", "$${").replace("%{", "%%{") + '"'
    return json.dumps(value)


@settings(max_examples=60, deadline=None)
@given(_json_values)
def test_jsondecode_of_jsonencode_is_the_value(value: Any) -> None:
    assert evaluate(f"jsondecode(jsonencode({_literal(value)}))") == value
    rendered = evaluate(f'"x${{jsonencode({_literal(value)})}}"')
    assert json.loads(rendered[1:]) == value


@settings(max_examples=60, deadline=None)
@given(hs.lists(hs.text(alphabet="abc,", max_size=5), max_size=8))
def test_length_and_join_split(items: list[str]) -> None:
    literal = _literal(items)
    assert evaluate(f"length({literal})") == len(items)
    assert evaluate(f"length(distinct({literal}))") == len(set(items))
    assert evaluate(f"sort({literal})") == sorted(items)
    if items and all("," not in i for i in items):
        assert evaluate(f'split(",", join(",", {literal}))') == items


_small_lists = hs.lists(hs.integers(-5, 5), max_size=6)


@settings(max_examples=60, deadline=None)
@given(_small_lists, _small_lists, hs.integers(0, 20))
def test_list_and_set_functions_agree_with_python(first: list[int], second: list[int], position: int) -> None:
    a, b = _literal(first), _literal(second)
    assert evaluate(f"concat({a}, {b})") == first + second
    assert evaluate(f"reverse({a})") == first[::-1]
    assert evaluate(f"setunion({a}, {b})") == sorted(set(first) | set(second))
    assert evaluate(f"setintersection({a}, {b})") == sorted(set(first) & set(second))
    assert evaluate(f"setsubtract({a}, {b})") == sorted(set(first) - set(second))
    assert evaluate(f"contains({a}, {position})") == (position in first)
    if first:
        assert evaluate(f"element({a}, {position})") == first[position % len(first)]
        assert evaluate(f"max({a}...)") == max(first) and evaluate(f"min({a}...)") == min(first)
    assert evaluate(f'format("%d|%s", {position}, "x")') == f"{position}|x"


def test_jsonencode_keeps_partial_lists_inside_a_document() -> None:
    value = evaluate('jsonencode({Statement = [{Action = concat(["iam:PassRole"], var.extra), Resource = "*"}]})')
    action = value["Statement"][0]["Action"]
    assert isinstance(action, PartialList) and action.known == ("iam:PassRole",)


def _der(tag: int, content: bytes) -> bytes:
    size = len(content)
    head = bytes([size]) if size < 128 else bytes([0x80 | ((size.bit_length() + 7) // 8)]) + size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag]) + head + content


def _der_int(value: int) -> bytes:
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def test_rsadecrypt_with_a_key_in_the_code() -> None:
    """A toy key built here (two Mersenne primes), so no private key file sits in the repository."""
    p, q, e = 2**127 - 1, 2**89 - 1, 65537
    n, d = p * q, pow(e, -1, (p - 1) * (q - 1))
    numbers = [0, n, e, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p)]
    pkcs1 = _der(0x30, b"".join(_der_int(x) for x in numbers))
    body = base64.b64encode(pkcs1).decode()
    pem = "-----BEGIN RSA PRIVATE KEY-----\\n" + body + "\\n-----END RSA PRIVATE KEY-----"
    size = (n.bit_length() + 7) // 8
    message = b"s3cr3t"
    block = b"\x00\x02" + b"\x07" * (size - 3 - len(message)) + b"\x00" + message
    ciphertext = base64.b64encode(pow(int.from_bytes(block, "big"), e, n).to_bytes(size, "big")).decode()
    assert evaluate(f'rsadecrypt("{ciphertext}", "{pem}")') == "s3cr3t"
    assert evaluate(f'try(rsadecrypt("{ciphertext}", "not a key"), "bad key")') == "bad key"
    assert isinstance(evaluate("rsadecrypt(aws_instance.w.password_data, var.key)"), Unknown)


@pytest.mark.parametrize(
    ("text", "branches"),
    [
        ('upper(var.admin ? "a" : "b")', ("A", "B")),
        (
            'concat(var.admin ? ["*"] : [], ["s3:GetObject"])',
            (["*", "s3:GetObject"], ["s3:GetObject"]),
        ),
        ("length(var.big ? [1, 2] : [1])", (2, 1)),
        ('one(var.x ? ["a"] : ["a", "b"])', "a"),  # the failing branch is dropped
    ],
)
def test_functions_apply_to_each_branch_of_an_unknown_condition(text: str, branches: Any) -> None:
    value = evaluate(text)
    if isinstance(branches, tuple):
        assert getattr(value, "options", None) == branches
        assert value.source.startswith("var.")
    else:
        assert value == branches
