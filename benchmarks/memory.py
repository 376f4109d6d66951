"""Peak memory of ``privlint check`` on one large hostile file per input format, as a ratio to its size.

Each input holds one 9 MB string (or 9 MB of one kind of structure) and is scanned in a fresh
process, so each peak is that input's own. The first row scans an empty directory: what privlint
costs before it reads anything. ``ratio`` is (peak - empty) / input size.

    python benchmarks/memory.py            # all inputs, 9 MB each
    python benchmarks/memory.py --mb 2     # smaller and faster

A benchmark, not a test: the numbers depend on the machine. ``--max-ratio N`` exits 1 when an
input's ratio passes N (for a manual check after a change to a parser).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

_MEASURE = """
import resource, sys
import privlint
report = privlint.scan([sys.argv[1]])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, report.summary.files, report.summary.parse_errors)
"""


def _cfn(properties: dict[str, object]) -> dict[str, object]:
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"U": {"Type": "AWS::IAM::User", "Properties": properties}}}


def _yaml_template(value_yaml: str) -> str:
    return (
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  U:\n    Type: AWS::IAM::User\n    Properties:\n      UserName: x\n      Path: "
        + value_yaml
        + "\n"
    )


def inputs(size: int) -> dict[str, tuple[str, Callable[[], str]]]:
    """name -> (file name, text of about ``size`` bytes)."""
    big = "A" * size
    return {
        "cloudformation-json string": ("t.template.json", lambda: json.dumps(_cfn({"UserName": "x", "Path": big}))),
        "cloudformation-json newlines": ("t.template.json", lambda: json.dumps(_cfn({"UserName": "x"}))[:-1] + "\n" * size + "}"),
        "cloudformation-json list": ("t.template.json", lambda: json.dumps(_cfn({"UserName": "x", "Path": [1] * (size // 3)}))),
        "cloudformation-yaml string": ("t.template.yaml", lambda: _yaml_template(big)),
        "cloudformation-yaml quoted": ("t.template.yaml", lambda: _yaml_template('"' + "a " * (size // 2) + '"')),
        "cloudformation-yaml flow list": ("t.template.yaml", lambda: _yaml_template("[" + "x," * (size // 2) + "]")),
        "terraform-plan string": (
            "plan.json",
            lambda: json.dumps(
                {
                    "format_version": "1.2",
                    "planned_values": {
                        "root_module": {
                            "resources": [
                                {"address": "aws_iam_user.u", "mode": "managed", "type": "aws_iam_user", "name": "u", "values": {"name": "u", "path": big}}
                            ]
                        }
                    },
                }
            ),
        ),
        "terraform-hcl string": ("main.tf", lambda: 'resource "aws_iam_user" "u" {\n  name = "u"\n  path = "' + big + '"\n}\n'),
        "terraform-json string": ("main.tf.json", lambda: json.dumps({"resource": {"aws_iam_user": {"u": {"name": "u", "path": big}}}})),
        "github-snapshot long login": (
            "org.json",
            lambda: json.dumps(
                {
                    "github_org_snapshot": 1,
                    "organization": {"login": "acme", "two_factor_requirement_enabled": False},
                    "admins": [{"login": big, "id": 1, "type": "User"}],
                }
            ),
        ),
        "github-snapshot string": ("org.json", lambda: json.dumps({"github_org_snapshot": 1, "organization": {"login": "acme", "description": big}})),
    }


def measure(path: Path) -> tuple[int, int, int, float]:
    """(peak RSS in bytes, files scanned, parse errors, seconds) of scanning ``path`` in a new process."""
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], check=True, capture_output=True, text=True)
    peak_kb, files, errors = map(int, done.stdout.split())
    return peak_kb * 1024, files, errors, time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=9.0, help="size of each input in MB (default 9)")
    parser.add_argument("--only", help="run only inputs whose name contains this")
    parser.add_argument("--max-ratio", type=float, help="exit 1 when an input's ratio is above this")
    args = parser.parse_args(argv)
    size = int(args.mb * 1_000_000)
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="privlint-memory-") as tmp:
        empty = Path(tmp) / "empty"
        empty.mkdir()
        base, _f, _e, seconds = measure(empty)
        print(f"{'input':32} {'size MB':>8} {'peak MB':>8} {'ratio':>6} {'s':>6}  files/PL000")
        print(f"{'(empty directory)':32} {0:>8.1f} {base / 1e6:>8.1f} {'':>6} {seconds:>6.1f}")
        for name, (file_name, make) in inputs(size).items():
            if args.only and args.only not in name:
                continue
            folder = Path(tmp) / name.replace(" ", "-")
            folder.mkdir()
            path = folder / file_name
            path.write_text(make())
            input_size = path.stat().st_size
            peak, files, errors, seconds = measure(folder)
            ratio = max(peak - base, 0) / input_size
            worst = max(worst, ratio)
            print(f"{name:32} {input_size / 1e6:>8.1f} {peak / 1e6:>8.1f} {ratio:>6.1f} {seconds:>6.1f}  {files}/{errors}")
            path.unlink()
    print(f"worst ratio: {worst:.1f}x the input size")
    return 1 if args.max_ratio is not None and worst > args.max_ratio else 0


if __name__ == "__main__":
    sys.exit(main())
