"""privlint's rules as checkov custom checks: ``CKV_PRIVLINT_<n>`` runs privlint rule ``PL<n>``.

    checkov -d infra/ --external-checks-dir policies --check 'CKV_PRIVLINT_*'

This file is ``privlint/integrations/checkov_loader.py``, copied by ``privlint checkov-bundle --output DIR``
(``policies/`` in the privlint repository is such a copy, without the library archive).

The checks do no analysis of their own: each hands the resource checkov already parsed (``conf``)
to privlint's pure adapter, inventory and rule modules and returns privlint's verdict, so a rule
that fires in ``privlint check`` fires here on the same resource.

How checkov loads this file (checkov 3.x, ``BaseCheckRegistry.load_external_checks``): every
``.py`` file not starting with ``__`` in a directory that has an ``__init__.py`` is executed as a
top-level module named after its stem, once per framework runner. Hence: a prefixed file name,
no relative imports, and privlint is loaded here by path, without pip-installing it into checkov's
environment (checkov's bc-python-hcl2 and privlint's python-hcl2 both install ``hcl2``).
privlint is found next to this file: in a privlint checkout (``../privlint``), or in the
``privlint_lib.zip`` that ``privlint checkov-bundle --output DIR`` writes beside it.

Run with checkov's Python, ``python privlint_checks.py --self-test`` checks that checkov loads the checks
and that each fires on a known-bad sample (privlint/integrations/checkov_selftest.py).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIBRARY_ARCHIVE = "privlint_lib.zip"


def _privlint_source() -> Path:
    """The directory that holds the ``privlint`` package these checks run."""
    checkout = HERE.parent
    if (checkout / "privlint" / "__init__.py").is_file() and (checkout / "privlint" / "integrations" / "checkov_rules.py").is_file():
        return checkout
    archive = HERE / LIBRARY_ARCHIVE
    if archive.is_file():
        return _extracted(archive)
    raise ImportError(
        f"privlint's checkov checks in {HERE} cannot find privlint: use them from a privlint checkout "
        "(--external-checks-dir policies) or export them with `privlint checkov-bundle --output DIR`"
    )


def _extracted(archive: Path) -> Path:
    """Unpack the bundled library once per content (the zip keeps its modules out of checkov's walk)."""
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"privlint-checkov-{digest}"
    if not (target / "privlint" / "__init__.py").is_file():
        staging = Path(tempfile.mkdtemp(prefix="privlint-checkov-staging-"))
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(staging)
        try:
            os.replace(staging, target)  # atomic; a concurrent run may have unpacked it first
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _load_privlint() -> None:
    """Import the ``privlint`` package from its source directory without adding that directory to sys.path."""
    if "privlint" in sys.modules:
        return
    package = _privlint_source() / "privlint"
    spec = importlib.util.spec_from_file_location("privlint", package / "__init__.py", submodule_search_locations=[str(package)])
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load privlint from {package}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["privlint"] = module
    spec.loader.exec_module(module)


_load_privlint()

if __name__ == "__main__":  # checkov only logs a check that fails to load: see that it loads and fires
    from privlint.integrations.checkov_selftest import main

    sys.exit(main(HERE, sys.argv[1:]))

from privlint.integrations.checkov_checks import register_checks  # noqa: E402

register_checks()
