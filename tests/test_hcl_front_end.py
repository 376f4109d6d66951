"""The tree-sitter HCL front-end: text in, plain syntax tree out (lines ignored unless a case is about lines)."""

from __future__ import annotations

import dataclasses

import pytest
from hcl_agreement import tree_depth

from privlint.parsers.hcl_front_end import parse_expression, parse_hcl, parse_template
from privlint.parsers.hcl_syntax_tree import (
    BinaryOp,
    Block,
    Conditional,
    ForExpr,
    FunctionCall,
    GetAttr,
    Index,
    Interpolation,
    Invalid,
    Literal,
    ObjectExpr,
    ObjectItem,
    Splat,
    SplatStep,
    Template,
    TemplateFor,
    TemplateIf,
    TupleExpr,
    UnaryOp,
    Variable,
)


def without_lines(node: object) -> object:
    """The same tree with every ``line`` set to 0, so cases state structure only."""
    if isinstance(node, tuple):
        return tuple(without_lines(n) for n in node)
    if isinstance(node, list):
        return [without_lines(n) for n in node]
    if isinstance(node, dict):
        return {k: without_lines(v) for k, v in node.items()}
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {f.name: without_lines(getattr(node, f.name)) for f in dataclasses.fields(node)}
        for name in ("line", "end_line"):
            if name in changes:
                changes[name] = 0
        return dataclasses.replace(node, **changes)
    return node


def expr(text: str) -> object:
    parsed = parse_hcl(f"x = {text}\n")
    assert parsed.problems == [], parsed.problems
    return without_lines(parsed.body.attributes["x"].expr)


def T(*parts: object) -> Template:
    return Template(tuple(parts))  # type: ignore[arg-type]


def V(name: str) -> Variable:
    return Variable(name)


def L(value: object) -> Literal:
    return Literal(value)  # type: ignore[arg-type]


EXPRESSIONS = [
    ("1", L(1)),
    ("2.5", L(2.5)),
    ("1.0", L(1.0)),
    ("true", L(True)),
    ("false", L(False)),
    ("null", L(None)),
    ('"plain"', T("plain")),
    ('""', T()),
    (r'"a\nb\t\"q\" \\ \u00e9 \U0001F600"', T('a\nb\t"q" \\ é 😀')),
    ('"cost $${x} %%{y}"', T("cost ${x} %{y}")),
    ('"a ${b} c"', T("a ", Interpolation(V("b")), " c")),
    ('"${b}"', T(Interpolation(V("b")))),
    ('"  ${~ b ~}  x"', T(Interpolation(V("b")), "x")),
    ('"%{if a}yes%{else}no%{endif}"', T(TemplateIf(V("a"), ("yes",), ("no",)))),
    ('"%{ if a ~}  yes  %{~ endif }"', T(TemplateIf(V("a"), ("yes",)))),
    ('"%{for k, v in m}${k}=${v},%{endfor}"', T(TemplateFor("k", "v", V("m"), (Interpolation(V("k")), "=", Interpolation(V("v")), ",")))),
    ('"%{for v in m}${v}%{endfor}"', T(TemplateFor(None, "v", V("m"), (Interpolation(V("v")),)))),
    ("var.name", GetAttr(V("var"), "name")),
    ("a.0.b", GetAttr(GetAttr(V("a"), "0"), "b")),
    ('a["k"][0]', Index(Index(V("a"), T("k")), L(0))),
    ("a[*].b.c", Splat(V("a"), (SplatStep(attr="b"), SplatStep(attr="c")), True)),
    ("a[*][0]", Splat(V("a"), (SplatStep(index=L(0)),), True)),
    ("a.*.b", Splat(V("a"), (SplatStep(attr="b"),), False)),
    ("a.*.b[0]", Index(Splat(V("a"), (SplatStep(attr="b"),), False), L(0))),
    ("a[*].b[*].c", Splat(Splat(V("a"), (SplatStep(attr="b"),), True), (SplatStep(attr="c"),), True)),
    ("[]", TupleExpr(())),
    ('[1, "a", [true],]', TupleExpr((L(1), T("a"), TupleExpr((L(True),))))),
    ("{}", ObjectExpr(())),
    (
        '{a = 1, "b": 2, (c) = 3, "${d}" = 4}',
        ObjectExpr(
            (
                ObjectItem(T("a"), L(1)),
                ObjectItem(T("b"), L(2)),
                ObjectItem(V("c"), L(3)),
                ObjectItem(T(Interpolation(V("d"))), L(4)),
            )
        ),
    ),
    ("{\n  a = 1\n  b = 2\n}", ObjectExpr((ObjectItem(T("a"), L(1)), ObjectItem(T("b"), L(2))))),
    ("f()", FunctionCall("f", ())),
    ("concat(a, [1])", FunctionCall("concat", (V("a"), TupleExpr((L(1),))))),
    ("max(list...)", FunctionCall("max", (V("list"),), expand_final=True)),
    ("provider::aws::arn_parse(x)", FunctionCall("provider::aws::arn_parse", (V("x"),))),
    ("a ? b : c", Conditional(V("a"), V("b"), V("c"))),
    ("1 + 2 * 3", BinaryOp("+", L(1), BinaryOp("*", L(2), L(3)))),
    ("1 - 2 - 3", BinaryOp("-", BinaryOp("-", L(1), L(2)), L(3))),
    ("(1 + 2) * 3", BinaryOp("*", BinaryOp("+", L(1), L(2)), L(3))),
    ("a == b && c != d || !e", BinaryOp("||", BinaryOp("&&", BinaryOp("==", V("a"), V("b")), BinaryOp("!=", V("c"), V("d"))), UnaryOp("!", V("e")))),
    ("a < b", BinaryOp("<", V("a"), V("b"))),
    ("a >= 1 % 2 / 3", BinaryOp(">=", V("a"), BinaryOp("/", BinaryOp("%", L(1), L(2)), L(3)))),
    ("-a.b", UnaryOp("-", GetAttr(V("a"), "b"))),
    ("-1", UnaryOp("-", L(1))),
    ("a ? b : c ? d : e", Conditional(V("a"), V("b"), Conditional(V("c"), V("d"), V("e")))),
    ("[for v in xs : v.id]", ForExpr(None, "v", V("xs"), GetAttr(V("v"), "id"))),
    ("[for i, v in xs : v if i > 0]", ForExpr("i", "v", V("xs"), V("v"), None, BinaryOp(">", V("i"), L(0)))),
    ("{for k, v in m : k => v}", ForExpr("k", "v", V("m"), V("v"), V("k"))),
    ("{for v in m : v.k => v...}", ForExpr(None, "v", V("m"), V("v"), GetAttr(V("v"), "k"), None, True)),
    ("(a)", V("a")),
    ("((a)).b", GetAttr(V("a"), "b")),
    ("<<EOT\nhello\n  world\nEOT", T("hello\n  world\n")),
    ("<<-EOT\n    a\n      b\n    EOT", T("a\n  b\n")),
    ("<<-EOT\n  a\n\n    b\n  EOT", T("a\n\n  b\n")),
    ("<<-EOT\n    x ${y}\n    \\n $${z}\n  EOT", T("x ", Interpolation(V("y")), "\n\\n ${z}\n")),
    ('<<EOT\n{"a": "${b}"}\nEOT', T('{"a": "', Interpolation(V("b")), '"}\n')),
    ("<<EOT\nEOT", T()),
    ("<<-EOT\n  %{ for x in xs ~}\n  ${x}\n  %{ endfor ~}\n  EOT", T(TemplateFor(None, "x", V("xs"), (Interpolation(V("x")), "\n")))),
]


@pytest.mark.parametrize(("text", "expected"), EXPRESSIONS, ids=[c[0] for c in EXPRESSIONS])
def test_expression_forms(text: str, expected: object) -> None:
    assert expr(text) == expected


def test_blocks_labels_lines_and_comments() -> None:
    parsed = parse_hcl(
        '# comment\nresource "aws_iam_role" admin {\n  // another\n  name = "x" /* inline */\n'
        '  dynamic "statement" {\n    for_each = []\n  }\n}\nlocals {\n  a = 1\n}\n'
    )
    assert parsed.problems == []
    role, locals_block = parsed.body.blocks
    assert (role.type, role.labels, role.line, role.end_line) == ("resource", ["aws_iam_role", "admin"], 2, 8)
    assert role.attributes["name"].line == 4
    assert role.blocks[0].type == "dynamic" and role.blocks[0].labels == ["statement"]
    assert (role.blocks[0].line, role.blocks[0].end_line) == (5, 7)
    assert without_lines(locals_block) == Block("locals", [], 0, 0, {"a": without_lines(locals_block.attributes["a"])}, [])


def test_attribute_lines_span_multiline_values() -> None:
    parsed = parse_hcl("a = [\n  1,\n  2,\n]\nb = 1\n")
    assert (parsed.body.attributes["a"].line, parsed.body.attributes["a"].end_line) == (1, 4)
    assert parsed.body.attributes["b"].line == 5


def test_expression_lines() -> None:
    parsed = parse_hcl('x = [\n  a,\n  "${b}",\n]\n')
    items = parsed.body.attributes["x"].expr.items  # type: ignore[union-attr]
    assert [items[0].line, items[1].line, items[1].parts[0].line] == [2, 3, 3]


def test_a_broken_block_keeps_the_good_ones_around_it() -> None:
    parsed = parse_hcl('good "one" {\n  a = 1\n}\nbroken {\n  x = (1\n}\ngood "two" {\n  b = 2\n}\n')
    assert [(b.type, b.labels) for b in parsed.body.blocks] == [("good", ["one"]), ("broken", []), ("good", ["two"])]
    assert parsed.body.blocks[2].attributes["b"].expr == Literal(2, 8)
    assert isinstance(parsed.body.blocks[1].attributes["x"].expr, Invalid)
    assert [(p.line, p.message) for p in parsed.problems] == [(5, "HCL syntax error: missing ')'")]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("}", 1, "HCL syntax error: unexpected '}'"),
        ('a = 1\nresource "x" {\n', 2, "HCL syntax error: missing '}'"),
        ("a = 1\nb = \n", 2, None),
        ('a = "unterminated\n', 1, None),
    ],
)
def test_problem_lines(text: str, line: int, message: str | None) -> None:
    problems = parse_hcl(text).problems
    assert problems, text
    assert problems[0].line == line
    if message is not None:
        assert problems[0].message == message


def test_problem_messages_never_quote_a_long_token() -> None:
    parsed = parse_hcl('password = "hunter2hunter2" "s3cr3tvalue"\nx = s3cr3tvalue2 s3cr3tvalue3\n')
    assert parsed.problems
    for problem in parsed.problems:
        assert "s3cr3t" not in problem.message and "hunter2" not in problem.message


def test_deep_nesting_is_a_problem_not_a_crash() -> None:
    parsed = parse_hcl("x = " + "[" * 5000 + "]" * 5000 + "\ny = 1\n")
    assert isinstance(parsed.body.attributes["x"].expr, Invalid)
    assert parsed.body.attributes["y"].expr == Literal(1, 2)
    assert any("nested too deeply" in p.message for p in parsed.problems)


def test_a_duplicate_attribute_is_a_problem() -> None:
    parsed = parse_hcl("a = 1\na = 2\n")
    assert parsed.body.attributes["a"].expr == Literal(1, 1)
    assert [p.line for p in parsed.problems] == [2]


def test_tfvars_bodies() -> None:
    parsed = parse_hcl('admins = ["ann", "ben"]\nenabled = true\n')
    assert without_lines(parsed.body.attributes["admins"].expr) == TupleExpr((T("ann"), T("ben")))


def test_parse_expression() -> None:
    assert without_lines(parse_expression("var.a[0]")) == Index(GetAttr(V("var"), "a"), L(0))
    assert isinstance(parse_expression("1 +"), Invalid)
    assert isinstance(parse_expression("a = 1"), Invalid)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", T()),
        ('plain "quoted" text\n', T('plain "quoted" text\n')),
        ('{"AWS": "${aws_iam_user.u.arn}"}', T('{"AWS": "', Interpolation(GetAttr(GetAttr(V("aws_iam_user"), "u"), "arn")), '"}')),
        ("$${not} %%{this}", T("${not} %{this}")),
        ("a\\nb ${x}", T("a\\nb ", Interpolation(V("x")))),
        ("%{ for a in b ~}\n${a}\n%{ endfor ~}\n", T(TemplateFor(None, "a", V("b"), (Interpolation(V("a")), "\n")))),
        ("${x}\n", T(Interpolation(V("x")), "\n")),
        ("line\nPRIVLINT_TEMPLATE_END\n${x}", T("line\nPRIVLINT_TEMPLATE_END\n", Interpolation(V("x")))),
    ],
)
def test_parse_template(text: str, expected: Template) -> None:
    assert without_lines(parse_template(text)) == expected


def test_parse_template_lines_start_at_one() -> None:
    template = parse_template("a\n${b}")
    assert isinstance(template, Template)
    assert template.parts[1].line == 2  # type: ignore[union-attr]


def test_a_broken_template_is_invalid() -> None:
    assert isinstance(parse_template("${"), Invalid)


@pytest.mark.parametrize(
    ("text", "value"),
    [("1e3", 1000.0), ("2E+5", 200000.0), ("15e-2", 0.15), ("1.5e3", 1500.0), ("010", 10), ("00", 0)],
)
def test_decimal_numbers_as_terraform_reads_them(text: str, value: float) -> None:
    assert expr(text) == L(value)
    assert expr(f"[{text}, 1]") == TupleExpr((L(value), L(1)))


def test_an_exponent_inside_a_string_or_comment_is_left_alone() -> None:
    parsed = parse_hcl('x = "1e3" # 2e5\ny = 1e3\n')
    assert parsed.problems == []
    assert parsed.body.attributes["x"].expr == Template(("1e3",), 1)
    assert parsed.comments[0].text == "# 2e5"


@pytest.mark.parametrize("text", ["0x10", "0xff", "0X1F", "0b1", "0o7", "1_000"])
def test_numbers_hcl_does_not_have_are_problems(text: str) -> None:
    """Terraform rejects them; the grammar reads ``0x..`` as one number and ``0X1F`` as ``0`` then a name."""
    parsed = parse_hcl(f"x = {text}\ny = 1\n")
    assert isinstance(parsed.body.attributes["x"].expr, Invalid)
    assert parsed.problems and parsed.problems[0].line == 1
    assert all(text[1:] not in p.message for p in parsed.problems)
    if text.startswith("0x"):
        assert parsed.body.attributes["y"].expr == Literal(1, 2)


@pytest.mark.parametrize("text", ["a = 1 b = 2\n", "a { x = 1 y = 2 }\n", "a {} b {}\n"])
def test_two_arguments_or_blocks_on_one_line_are_a_problem(text: str) -> None:
    assert [p.line for p in parse_hcl(text).problems] == [1]


def test_one_line_blocks_and_trailing_comments_are_fine() -> None:
    assert parse_hcl("a { x = 1 }\nb = 1 /* c */\nc = 2 # d\n").problems == []


N = 10_000
DEEP_INPUTS = {
    "parentheses": "(" * N + "1" + ")" * N,
    "tuples": "[" * N + "]" * N,
    "objects": "{a = " * N + "1" + "}" * N,
    "calls": "f(" * N + ")" * N,
    "template if": '"' + "%{if a}" * N + "x" + "%{endif}" * N + '"',
    "template for": '"' + "%{for a in b}" * N + "x" + "%{endfor}" * N + '"',
    "heredoc if": "<<EOT\n" + "%{if a}" * N + "x" + "%{endif}" * N + "\nEOT",
    "not": "!" * N + "a",
    "minus": "-" * N + "a",
    "sum": "+".join(["1"] * N),
    "conditional chain": "a ? b : " * N + "c",
    "nested conditionals": "a ? " * N + "b" + " : c" * N,
    "index": "a[" * N + "0" + "]" * N,
    "for": "[for x in " * N + "y" + " : x]" * N,
    "attribute chain": "a" + ".b" * N,
    "splat chain": "a" + "[*].b" * N,
}


@pytest.mark.parametrize("text", DEEP_INPUTS.values(), ids=DEEP_INPUTS.keys())
def test_deep_nesting_of_every_kind_is_a_problem_not_a_crash(text: str) -> None:
    parsed = parse_hcl(f"x = {text}\ny = 1\n")
    assert isinstance(parsed.body.attributes["x"].expr, Invalid)
    assert parsed.body.attributes["y"].expr == Literal(1, len(text.splitlines()) + 1)
    assert [p.message for p in parsed.problems] == ["HCL syntax error: expression nested too deeply"]


@pytest.mark.parametrize("depth", [10, 40])
def test_nesting_real_code_might_use_is_read(depth: int) -> None:
    parsed = parse_hcl("x = " + "[" * depth + "]" * depth + "\ny = " + "a ? b : " * depth + "c\n")
    assert parsed.problems == []
    assert tree_depth(parsed.body.attributes["x"].expr) == depth


@pytest.mark.parametrize("text", [v[: len(v) // 2] + v[len(v) // 2 :] for v in DEEP_INPUTS.values()][:6])
def test_no_tree_is_deeper_than_the_bound(text: str) -> None:
    from privlint.parsers.hcl_nesting import MAX_NESTING

    for cut in (50, 100, 150, 190, 250):
        parsed = parse_hcl(f"x = {text[: cut * 8]}")
        assert tree_depth(parsed.body) <= MAX_NESTING + 5


def test_comments_with_lines_text_and_placement() -> None:
    parsed = parse_hcl(
        '# privlint:ignore PL101 reason="a"\nresource "a" "b" {\n  x = "# privlint:ignore PL102" // trailing\n'
        "  y = <<EOT\n# privlint:ignore PL103\nEOT\n  /* two\n  lines */\n}\n"
    )
    assert parsed.problems == []
    assert [(c.line, c.end_line, c.text, c.own_line) for c in parsed.comments] == [
        (1, 1, '# privlint:ignore PL101 reason="a"', True),
        (3, 3, "// trailing", False),
        (7, 8, "/* two\n  lines */", True),
    ]


COMMENTED = [
    ("{ # why\n  for k, v in m : k => v\n}", "{for k, v in m : k => v}"),
    ("[ /* c */ for /* c */ x in y : x]", "[for x in y : x]"),
    ("( # c\n 1 )", "(1)"),
    ("x[ /* c */ 0]", "x[0]"),
    ("x[*][ /* c */ 0]", "x[*][0]"),
    ("f( /* c */ 1)", "f(1)"),
    ("(1 + # c\n 2)", "(1 + 2)"),
    ("- /* c */ 1", "-1"),
    ('"${ x /* c */ }"', '"${x}"'),
    ("x /* c */ .y", "x.y"),
    ("true ? /* c */ 1 : 2", "true ? 1 : 2"),
    ("/* c */ 1 /* d */", "1"),
]


@pytest.mark.parametrize(("text", "plain"), COMMENTED, ids=[c[0] for c in COMMENTED])
def test_a_comment_between_any_two_tokens_changes_nothing(text: str, plain: str) -> None:
    assert expr(text) == expr(plain)


def test_comments_between_block_labels() -> None:
    parsed = parse_hcl('resource /* c */ "a" /* d */ "b" {}\n')
    assert (parsed.problems, parsed.body.blocks[0].labels) == ([], ["a", "b"])


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('"$$${x}"', T("$${x}")),
        ('"$$$${x}"', T("$$${x}")),
        ('"$$$$${x} ${y}"', T("$$$${x} ", Interpolation(V("y")))),
        ('"$$${x.y[0]}"', T("$${x.y[0]}")),
        ("<<EOT\n$$${x}\nEOT", T("$${x}\n")),
    ],
)
def test_a_dollar_right_before_an_interpolation_escapes_it_as_in_terraform(text: str, value: Template) -> None:
    """The grammar pairs dollars (``$$`` then ``${x}``); Terraform's scanner escapes with the last ``$``."""
    assert expr(text) == value


def test_what_follows_an_odd_escape_is_a_problem_when_not_plain() -> None:
    parsed = parse_hcl('x = "$$${"a"}"\ny = 1\n')
    assert isinstance(parsed.body.attributes["x"].expr, Invalid)
    assert [p.line for p in parsed.problems] == [1]
    assert parsed.body.attributes["y"].expr == Literal(1, 2)


def test_a_heredoc_line_starting_with_the_marker_keeps_its_text_or_is_a_problem() -> None:
    """The grammar takes ``EOT ${a}`` as plain text; Terraform reads an interpolation there."""
    assert expr("<<EOT\nEOT abc\nEOTX ${a}\nEOT") == T("EOT abc\nEOTX ", Interpolation(V("a")), "\n")
    parsed = parse_hcl("x = <<EOT\nEOT ${a}\nEOT\ny = 1\n")
    assert isinstance(parsed.body.attributes["x"].expr, Invalid)
    assert [p.line for p in parsed.problems] == [1]
    assert parsed.body.attributes["y"].expr == Literal(1, 4)


def test_heredoc_closing_marker_may_have_spaces_around_it_but_the_opener_may_not() -> None:
    """Terraform trims the closing line (bytes.TrimSpace) and wants ``<<-EOT`` in one piece."""
    assert expr("<<EOT\nx\n  EOT \t") == T("x\n")
    parsed = parse_hcl("x = <<- EOT\n  a\n  EOT\ny = 1\n")
    assert isinstance(parsed.body.attributes["x"].expr, Invalid) and [p.line for p in parsed.problems] == [1]


def test_a_number_too_long_to_convert_is_a_problem() -> None:
    parsed = parse_hcl("x = " + "9" * 5000 + "\ny = 1\n")
    assert isinstance(parsed.body.attributes["x"].expr, Invalid) and [p.line for p in parsed.problems] == [1]
