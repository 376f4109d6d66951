"""The pure modules (inventory, IAM analysis, normalisers, rules) import no parser library,
so the checkov bundle can reuse them where checkov has already parsed the file."""

from __future__ import annotations

import subprocess
import sys

PURE = [
    "privlint.core.values",
    "privlint.core.iam",
    "privlint.core.inventory",
    "privlint.normalize.common",
    "privlint.normalize.terraform_aws",
    "privlint.normalize.cloudformation_aws",
    "privlint.normalize.cfn_values",
    "privlint.rules.base",
]


def test_pure_modules_import_no_parser() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in PURE)
        + "from privlint.rules.base import all_rules\nall_rules()\n"
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('hcl2', 'lark') or m.startswith('privlint.parsers'))\n"
        + "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"pure modules pulled in: {result.stdout.strip()}"
