"""Unapproved configuration drift (issue 4): differences between what was approved and what is live.

    inputs (plan JSON, CloudFormation drift output, two snapshots)
        -> differences (``differences.py``: one ``Difference`` per changed attribute path)
        -> approval against the change register (``register.py``, ``approval.py``)
        -> findings (category ``config-drift``) and, optionally, one audit-log line per difference (``audit.py``)

``run.py`` wires it together; ``privlint.drift(...)`` (privlint/api.py) and ``privlint drift`` call it.
Pure modules (``differences``, ``register``, ``approval``, ``security``) import no parser library.
"""
