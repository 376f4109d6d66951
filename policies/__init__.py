"""privlint's rules as checkov custom checks (see privlint_checks.py)."""
