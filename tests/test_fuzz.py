"""Fuzzing: every parser, and the whole ``scan()``, on mutated fixtures and generated input.

The contract under test: bad input never raises out of privlint, never hangs, and every failure is a
``PL000`` parse-error finding. A mutation fuzzer edits bytes and tokens of every fixture file
(seeded, so a failure is reproducible from its case number); hypothesis generates documents.

CI runs about 1,000 cases per parser. The long mode runs 10,000 or more per parser:

    PRIVLINT_FUZZ_LONG=1 python -m pytest tests/test_fuzz.py -q        # 10,000 per parser
    PRIVLINT_FUZZ_CASES=50000 python -m pytest tests/test_fuzz.py -q   # any number

A case that takes longer than ``CASE_LIMIT_SECONDS`` fails as a hang (that bound catches runaway
work such as an alias bomb or exponential backtracking; it is not a speed measurement).
"""

from __future__ import annotations

import json
import os
import random
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import privlint
from privlint.model.catalog import load_catalog
from privlint.parsers import jsonpos
from privlint.parsers.cloudformation import TemplateError, load_template
from privlint.terraform.loader import parse_file

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

LONG = os.environ.get("PRIVLINT_FUZZ_LONG") == "1"
CASES = int(os.environ.get("PRIVLINT_FUZZ_CASES") or (10_000 if LONG else 1_000))
SCAN_CASES = CASES  # whole-scan cases, spread over every fixture kind
HYPOTHESIS_EXAMPLES = 2_000 if LONG else 150
CASE_LIMIT_SECONDS = 10

# Seeds of formats the fixtures do not hold (small, written for these tests).
TF_JSON_SEED = json.dumps(
    {
        "variable": {"db_password": {"default": "hunter2-not-real", "sensitive": True}},
        "resource": {
            "aws_iam_user": {"u": {"name": "u"}},
            "aws_iam_user_policy_attachment": {"a": {"user": "${aws_iam_user.u.name}", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}},
            "aws_db_instance": {"db": {"username": "admin", "password": "${var.db_password}"}},
        },
    },
    indent=2,
)
PLAN_SEED = json.dumps(
    {
        "format_version": "1.2",
        "terraform_version": "1.7.0",
        "planned_values": {
            "root_module": {
                "resources": [
                    {"address": "aws_iam_user.u", "mode": "managed", "type": "aws_iam_user", "name": "u", "values": {"name": "u"}},
                    {
                        "address": "aws_iam_user_policy_attachment.a",
                        "mode": "managed",
                        "type": "aws_iam_user_policy_attachment",
                        "name": "a",
                        "values": {"user": "u", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"},
                    },
                ]
            }
        },
        "configuration": {"root_module": {"resources": [{"address": "aws_iam_user.u", "expressions": {"name": {"constant_value": "u"}}}]}},
    },
    indent=2,
)

# Tokens that matter to one of the grammars: inserting them reaches deeper parser states than random bytes.
TOKENS = [
    b"{",
    b"}",
    b"[",
    b"]",
    b"(",
    b")",
    b'"',
    b"'",
    b",",
    b":",
    b"=",
    b"\n",
    b"  ",
    b"\t",
    b"\\",
    b"#",
    b"//",
    b"/*",
    b"*/",
    b"${",
    b"%{",
    b"<<EOF\n",
    b"<<-EOT\n",
    b"EOF\n",
    b"EOT\n",
    b"for x in y :",
    b"? :",
    b"...",
    b"=>",
    b"null",
    b"true",
    b"-1e999",
    b"&a",
    b"*a",
    b"&anchor [",
    b"*anchor",
    b"!Ref",
    b"!Sub",
    b"!GetAtt a.b",
    b"!!python/object:os.system",
    b"!!binary",
    b"<<: *a",
    b"---\n",
    b"- ",
    b"|\n",
    b">-\n",
    b"? ",
    b"%YAML 1.1\n",
    b"\xff",
    b"\xc3",
    b"\x00",
    b"\xef\xbb\xbf",
    b"\\u0000",
    b"\\ud800",
    b"var.",
    b"local.",
    b"module.",
    b"jsonencode(",
    b"file(",
    b"templatefile(",
    b"merge(",
    b"lookup(",
    b"count = ",
    b"for_each = ",
    b'"Fn::Sub"',
    b'"Ref"',
    b'"Resources"',
    b'"Statement"',
    b'"Action"',
    b'"*"',
    b"9" * 40,
]


# --------------------------------------------------------------------------- the mutator


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four random edits: byte flips, inserts, deletions, duplications, token inserts, line swaps."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        pos = rng.randint(0, len(out))
        if op == 0 and out:  # flip one byte
            i = rng.randrange(len(out))
            out[i] = rng.randrange(256)
        elif op == 1:  # insert random bytes
            out[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 2 and out:  # delete a range
            out[pos : pos + rng.randint(1, 64)] = b""
        elif op == 3 and out:  # duplicate a range (nesting, repeated keys)
            chunk = out[pos : pos + rng.randint(1, 128)]
            out[pos:pos] = chunk * rng.randint(1, 4)
        elif op in (4, 5):  # insert a grammar token (twice as likely)
            out[pos:pos] = rng.choice(TOKENS)
        elif op == 6:  # swap two lines
            lines = bytes(out).split(b"\n")
            if len(lines) > 1:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
                out = bytearray(b"\n".join(lines))
        elif op == 7:  # truncate
            del out[pos:]
    return bytes(out)


def _seeds(suffixes: tuple[str, ...]) -> list[tuple[str, bytes]]:
    files = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.name.endswith(suffixes))
    return [(p.name, p.read_bytes()) for p in files]


SEEDS: dict[str, list[tuple[str, bytes]]] = {
    "hcl": _seeds((".tf", ".tfvars")),
    "tf-json": [("main.tf.json", TF_JSON_SEED.encode())],
    "cfn-yaml": _seeds((".template", ".yaml", ".yml")),
    "cfn-json": [(n, d) for n, d in _seeds((".json",)) if b"Resources" in d],
    "plan": [("plan.json", PLAN_SEED.encode())],
    # Every other format's fixtures (GitHub org config, credential reports, drift...), under their own names.
    "other-formats": [
        (p.name, p.read_bytes())
        for area in ("github", "credential-report", "drift")
        for p in sorted((FIXTURES / area).rglob("*"))
        if p.is_file() and p.suffix in (".json", ".yaml", ".yml", ".csv")
    ],
}


def cases(kind: str, count: int, seed: int = 7) -> Iterator[tuple[int, str, bytes]]:
    """(case number, file name, mutated bytes): the same sequence on every run."""
    rng = random.Random(f"{kind}:{seed}")
    seeds = SEEDS[kind]
    for n in range(count):
        name, data = seeds[n % len(seeds)]
        yield n, name, mutate(data, rng)


@contextmanager
def bounded(what: str) -> Iterator[None]:
    """Fail (instead of hanging the suite) when one case runs longer than CASE_LIMIT_SECONDS."""

    def on_alarm(signum: int, frame: object) -> None:
        raise TimeoutError(f"{what} took over {CASE_LIMIT_SECONDS}s: a hang")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, CASE_LIMIT_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------- parser level

# Each parser may only raise its own documented error (which the engine turns into PL000).
PARSERS: dict[str, tuple[Callable[[str], object], tuple[type[BaseException], ...]]] = {
    "hcl": (lambda text: parse_file(Path("main.tf"), text), ()),  # the front-ends report problems, never raise
    "tf-json": (lambda text: parse_file(Path("main.tf.json"), text), ()),
    "cfn-yaml": (lambda text: load_template(text, is_json=False), (TemplateError,)),
    "cfn-json": (lambda text: load_template(text, is_json=True), (TemplateError,)),
    "plan": (jsonpos.loads, (jsonpos.JsonError,)),
}


@pytest.mark.parametrize("kind", sorted(PARSERS))
def test_parser_raises_only_its_own_error_on_mutated_fixtures(kind: str) -> None:
    parse, allowed = PARSERS[kind]
    failures = []
    for n, name, data in cases(kind, CASES):
        text = data.decode("utf-8", errors="replace")  # the reader's decoding
        try:
            with bounded(f"{kind} case {n}"):
                parse(text)
        except allowed:
            pass
        except Exception as exc:
            failures.append(f"case {n} ({name}): {type(exc).__name__}: {exc}"[:300])
    assert not failures, f"{len(failures)} of {CASES} cases raised:\n" + "\n".join(failures[:10])


# --------------------------------------------------------------------------- whole scan()

SCAN_KINDS = {"hcl": "main.tf", "tf-json": "main.tf.json", "cfn-yaml": "template.yaml", "cfn-json": "template.json", "plan": "plan.json", "other-formats": ""}
_INTERNAL = "privlint could not analyse this file"


def check_report(report: privlint.Report, label: str) -> list[str]:
    """Problems with a report: unknown rules, bad lines, or a guarded crash (a bug) reported as PL000."""
    known = set(load_catalog())
    problems = []
    for f in report.findings:
        if f.rule_id not in known:
            problems.append(f"{label}: unknown rule {f.rule_id}")
        if f.line < 1:
            problems.append(f"{label}: line {f.line}")
        if f.rule_id == "PL000" and f.message.startswith(_INTERNAL) and "nested too deeply" not in f.message:
            problems.append(f"{label}: internal error reached the report: {f.message}")
    return problems


def test_scan_never_raises_and_reports_parse_errors_as_pl000(tmp_path: Path) -> None:
    """Every mutated fixture through discover, parse, normalise, rules and report."""
    failures: list[str] = []
    kinds = sorted(SCAN_KINDS)
    per_kind = max(1, SCAN_CASES // len(kinds))
    for kind in kinds:
        parse, allowed = PARSERS.get(kind, (None, ()))
        for n, name, data in cases(kind, per_kind, seed=11):
            target = tmp_path / kind / str(n) / (SCAN_KINDS[kind] or name)
            target.parent.mkdir(parents=True)
            target.write_bytes(data)
            label = f"{kind} case {n}"
            try:
                with bounded(label):
                    report = privlint.scan([str(target.parent)])
            except Exception as exc:
                failures.append(f"{label}: scan raised {type(exc).__name__}: {exc}"[:300])
                continue
            failures.extend(check_report(report, label))
            if parse is None:
                continue
            # Cross-check with the parser: text it rejects must show up as a PL000 on this file.
            try:
                parse(data.decode("utf-8", errors="replace"))
                rejected = False
            except allowed:
                rejected = True
            if rejected and b"\x00" not in data[:8192] and report.summary.files:
                if not any(f.rule_id == "PL000" and f.file == str(target) for f in report.findings):
                    failures.append(f"{label}: the parser rejects it but the scan reports no PL000")
            json.loads(report.to_json())  # the output stays valid JSON
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:10])


# --------------------------------------------------------------------------- properties (hypothesis)

_FUZZ_SETTINGS = settings(max_examples=HYPOTHESIS_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)


@_FUZZ_SETTINGS
@given(json_values)
def test_line_aware_json_reader_agrees_with_the_standard_library(value: object) -> None:
    text = json.dumps(value, indent=1)
    assert jsonpos.loads(text) == json.loads(text)


@_FUZZ_SETTINGS
@given(st.text(max_size=300))
def test_any_text_is_parsed_or_rejected_cleanly_by_every_parser(text: str) -> None:
    for kind, (parse, allowed) in PARSERS.items():
        try:
            with bounded(kind):
                parse(text)
        except allowed:
            pass


@_FUZZ_SETTINGS
@given(st.dictionaries(st.sampled_from(["Resources", "Parameters", "Outputs", "Conditions", "Mappings", "Foo"]), json_values, max_size=4))
def test_scan_of_arbitrary_template_shapes(tmp_path_factory: pytest.TempPathFactory, body: dict[str, object]) -> None:
    """A template whose sections hold any JSON value: normalisers must not assume shapes."""
    directory = tmp_path_factory.mktemp("cfn")
    doc = {"AWSTemplateFormatVersion": "2010-09-09", **body}
    (directory / "t.json").write_text(json.dumps(doc))
    with bounded("template"):
        report = privlint.scan([str(directory)])
    assert not check_report(report, "template")


_idents = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
_hcl_scalars = st.one_of(
    st.integers(-1000, 10**6).map(str),
    st.sampled_from(["true", "false", "null", '"*"', '"iam:*"', '"0.0.0.0/0"', "var.x", "local.y", "aws_iam_user.u.name", '["*"]', "{}"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters='"\\$%\n\r'), max_size=15).map(lambda s: f'"{s}"'),
)


@_FUZZ_SETTINGS
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["aws_iam_user", "aws_iam_policy", "aws_iam_role", "aws_db_instance", "aws_security_group_rule", "aws_iam_user_policy_attachment"]),
            _idents,
            st.lists(
                st.tuples(
                    st.sampled_from(
                        ["name", "policy", "password", "username", "policy_arn", "count", "for_each", "cidr_blocks", "from_port", "assume_role_policy"]
                    ),
                    _hcl_scalars,
                ),
                max_size=5,
            ),
        ),
        max_size=6,
    )
)
def test_scan_of_generated_terraform(tmp_path_factory: pytest.TempPathFactory, resources: list[tuple[str, str, list[tuple[str, str]]]]) -> None:
    """Well-formed HCL with values of every kind in every attribute: rules must not assume types."""
    directory = tmp_path_factory.mktemp("tf")
    text = "".join(f'resource "{rtype}" "{name}" {{\n' + "".join(f"  {k} = {v}\n" for k, v in dict(attrs).items()) + "}\n" for rtype, name, attrs in resources)
    (directory / "main.tf").write_text('variable "x" {}\nlocals { y = "*" }\n' + text)
    with bounded("terraform"):
        report = privlint.scan([str(directory)])
    assert not check_report(report, "terraform")
