"""Fuzzing over every input format: hypothesis mutates the bundled fixtures (byte flips, truncation,
deep nesting, huge numbers, odd encodings, spliced junk) and every case must end in a report: no
exception, no case over ``CASE_SECONDS``, every output format written, every finding a known rule.

CI runs a short profile; the long run is one environment variable away:

    PRIVLINT_FUZZ_EXAMPLES=100000 nice python -m pytest -q -p no:cacheprovider tests/test_fuzz_all_formats.py

The count is per test (``check`` and ``drift``). Formats: Terraform (.tf, .tf.json, .tfvars),
CloudFormation (YAML and JSON), Terraform plans, credential reports, IAM authorization details,
GitHub snapshots, peribolos and safe-settings files, and for ``drift`` plans, CloudFormation drift
output, change registers and directory snapshots.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import privlint
from privlint.config_drift.run import DriftInputs, run_drift
from privlint.model.catalog import load_catalog
from privlint.report import sarif, text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXAMPLES = int(os.environ.get("PRIVLINT_FUZZ_EXAMPLES") or 200)
CASE_SECONDS = 20  # a runaway (an alias bomb, exponential backtracking), not a speed measurement
_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".template", ".json", ".yaml", ".yml", ".csv")


def _seeds(root: Path) -> list[tuple[str, bytes]]:
    """(name to write the case under, content) for every fixture file of an input format."""
    out = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name.endswith(_SUFFIXES) and path.stat().st_size < 200_000:
            parts = path.parts
            name = Path(*parts[parts.index(".github") :]).as_posix() if ".github" in parts else path.name  # safe-settings
            out.append((name, path.read_bytes()))
    return out


SEEDS = _seeds(FIXTURES)
DRIFT = FIXTURES / "drift"
DRIFT_SEEDS = {
    "plan": (DRIFT / "plan-drift.json").read_bytes(),
    "cfn_drift": (DRIFT / "cfn-drifts.json").read_bytes(),
    "register": (DRIFT / "changes.yaml").read_bytes(),
    "snapshot": (DRIFT / "snapshots" / "current" / "main.tf").read_bytes(),
}
KNOWN_RULES = set(load_catalog())


# -- mutations: each takes the data and a draw, returns new bytes


def _position(draw: st.DrawFn, data: bytes) -> int:
    return draw(st.integers(0, max(len(data), 0)))


def flip_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        out[draw(st.integers(0, len(out) - 1))] = draw(st.integers(0, 255))
    return bytes(out)


def truncate(draw: st.DrawFn, data: bytes) -> bytes:
    return data[: _position(draw, data)]


def nest_deeply(draw: st.DrawFn, data: bytes) -> bytes:
    depth = draw(st.sampled_from([50, 300, 1_000, 5_000]))
    opener, closer = draw(st.sampled_from([(b"[", b"]"), (b"{", b"}"), (b'{"a":', b"}"), (b"- ", b""), (b"(", b")")]))
    at = _position(draw, data)
    return data[:at] + opener * depth + closer * draw(st.sampled_from([0, depth])) + data[at:]


def huge_number(draw: st.DrawFn, data: bytes) -> bytes:
    number = draw(st.sampled_from([b"1e999999", b"-1e999999", b"9" * 5_000, b"0." + b"1" * 5_000, b"1" * 4_301, b"NaN", b"Infinity"]))
    at = _position(draw, data)
    return data[:at] + number + data[at:]


def replace_a_number(draw: st.DrawFn, data: bytes) -> bytes:
    digits = [i for i, b in enumerate(data) if 48 <= b <= 57]
    if not digits:
        return huge_number(draw, data)
    at = draw(st.sampled_from(digits))
    return data[:at] + b"9" * draw(st.sampled_from([400, 4_400, 20_000])) + data[at + 1 :]


def reencode(draw: st.DrawFn, data: bytes) -> bytes:
    text = data.decode("utf-8", "replace")
    encoding, bom = draw(
        st.sampled_from(
            [
                ("utf-16-le", codecs.BOM_UTF16_LE),
                ("utf-16-be", codecs.BOM_UTF16_BE),
                ("utf-32-le", codecs.BOM_UTF32_LE),
                ("utf-32-be", codecs.BOM_UTF32_BE),
                ("utf-16-le", b""),
                ("latin-1", b""),
                ("utf-8", codecs.BOM_UTF8),
            ]
        )
    )
    return bom + text.encode(encoding, "replace")


def splice(draw: st.DrawFn, data: bytes) -> bytes:
    junk = draw(
        st.sampled_from(
            [b"\x00", b"\xff\xfe", b"\xed\xa0\x80", b"\r", b"\t\t", b"&a *a <<: *a", b"!Ref", b"${", b"%{", b"<<EOT\n", b'"\\u', b"\x1b[31m", b"\n" * 100]
        )
    )
    junk = junk + draw(st.binary(max_size=16))
    at = _position(draw, data)
    return data[:at] + junk + data[at:]


def duplicate(draw: st.DrawFn, data: bytes) -> bytes:
    start = _position(draw, data)
    end = draw(st.integers(start, len(data)))
    return data[:end] + data[start:end] * draw(st.integers(1, 50)) + data[end:]


MUTATIONS = [flip_bytes, truncate, nest_deeply, huge_number, replace_a_number, reencode, splice, duplicate]


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    data = seed
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3)):
        data = mutation(draw, data)
    return data


# -- running a case


class CaseTooSlow(Exception):
    pass


@contextmanager
def bounded() -> Iterator[None]:
    def expire(_signum: int, _frame: object) -> None:
        raise CaseTooSlow(f"a case took over {CASE_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(CASE_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def assert_a_whole_report(report: privlint.Report, files: set[str]) -> None:
    """The report is complete and every output format can be written from it."""
    for f in report.findings:
        assert f.rule_id in KNOWN_RULES and f.line >= 1, f
        if f.rule_id == "PL000":
            assert f.file in files or any(f.file.startswith(p) for p in files), (f.file, files)
    json.loads(report.model_dump_json())
    json.loads(sarif.render(report))
    text.render(report, io.StringIO(), color=False)


FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck), print_blob=True)


@FUZZ
@given(st.data())
def test_check_on_any_mutated_fixture_ends_in_a_report(data: st.DataObject) -> None:
    name, seed = data.draw(st.sampled_from(SEEDS), label="seed")
    case = data.draw(mutated(seed), label="mutated")
    with tempfile.TemporaryDirectory(prefix="privlint-fuzz-") as tmp:
        path = Path(tmp) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(case)
        with bounded():
            report = privlint.scan([tmp])
        assert_a_whole_report(report, {tmp})


@FUZZ
@given(st.data())
def test_drift_on_any_mutated_input_ends_in_a_report(data: st.DataObject) -> None:
    which = data.draw(st.sampled_from(sorted(DRIFT_SEEDS)), label="input")
    case = data.draw(mutated(DRIFT_SEEDS[which]), label="mutated")
    with tempfile.TemporaryDirectory(prefix="privlint-fuzz-") as tmp:
        root = Path(tmp)
        inputs = DriftInputs(register=str(DRIFT / "changes.yaml"))
        if which == "snapshot":
            (root / "baseline").mkdir()
            (root / "current").mkdir()
            (root / "baseline" / "main.tf").write_bytes(DRIFT_SEEDS["snapshot"])
            (root / "current" / "main.tf").write_bytes(case)
            inputs.baseline, inputs.current = str(root / "baseline"), str(root / "current")
        else:
            path = root / f"{which}.{'yaml' if which == 'register' else 'json'}"
            path.write_bytes(case)
            if which == "register":
                inputs.register, inputs.plan = str(path), str(DRIFT / "plan-drift.json")
            else:
                setattr(inputs, which, str(path))
        with bounded():
            report = run_drift(inputs)
        assert_a_whole_report(report, {tmp, str(DRIFT)})


def test_the_seeds_cover_every_input_format() -> None:
    from privlint.pipeline.formats import all_formats, sniff_suffixes

    sniff_suffixes()  # registers the built-in formats
    with tempfile.TemporaryDirectory() as tmp:
        for n, (name, data) in enumerate(SEEDS):
            path = Path(tmp) / str(n) / name
            path.parent.mkdir(parents=True)
            path.write_bytes(data)
        from privlint.pipeline.discover import discover

        kinds = {f.kind for f in discover([tmp], 10_000_000).files}
    assert kinds >= {"terraform", *(f.name for f in all_formats())}, kinds


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.__name__)
def test_each_mutation_changes_its_input(mutation: object) -> None:
    @settings(max_examples=5, database=None, deadline=None)
    @given(st.data())
    def run(data: st.DataObject) -> None:
        seed = b'{"a": [1, 2, 3], "b": "text"}'
        assert isinstance(mutation(data.draw, seed), bytes)  # type: ignore[operator]

    run()
