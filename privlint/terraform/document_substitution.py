"""``replace()`` over a policy document's JSON text: the document, with literal placeholders replaced.

Modules such as terraform-aws-modules/s3-bucket write ``replace(data.aws_iam_policy_document.d.json,
"_S3_BUCKET_ARN_", aws_s3_bucket.this.arn)`` so that callers can use placeholders in the policies they
pass in. The JSON text is the provider's, but its statements are known to the normaliser: the result is
a reference to the document that also carries the replacements, applied to every string of its
statements. Pure module (no parser imports), as the normalisers that read it are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from privlint.model.policy import Condition, Statement
from privlint.model.values import REFERENCE_PREFIX, UNKNOWN_MARK, Reference

# A placeholder that cannot touch the JSON syntax around a string nor the document's own words:
# replacing it in the text is replacing it inside the strings the statements hold.
_PLAIN_TEXT = re.compile(r"[A-Za-z0-9_\-./@+=]+")
_DOCUMENT_WORDS = (
    "Version",
    "2012-10-17",
    "Id",
    "Statement",
    "Sid",
    "Effect",
    "Allow",
    "Deny",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
)


@dataclass(frozen=True)
class SubstitutedReference(Reference):
    """A document's ``json`` with each ``(search, replacement)`` of ``substitutions`` applied in order."""

    substitutions: tuple[tuple[str, Any], ...] = ()


def substitute_in_document_text(subject: Any, search: Any, replacement: Any) -> SubstitutedReference | None:
    """``replace(doc.json, search, replacement)`` as a substituted reference; None when it cannot be one."""
    if not isinstance(subject, Reference) or subject.attribute != "json" or not subject.address:
        return None
    if not isinstance(search, str) or not _PLAIN_TEXT.fullmatch(search) or (search.startswith("/") and search.endswith("/")):
        return None  # empty, a regular expression, or text that may span JSON syntax
    if any(search in word for word in _DOCUMENT_WORDS):
        return None  # it would rewrite the document's structure, which the statements do not show as text
    earlier = subject.substitutions if isinstance(subject, SubstitutedReference) else ()
    return SubstitutedReference(
        source=subject.source,
        address=subject.address,
        attribute="json",
        substitutions=(*earlier, (search, replacement)),
    )


def _replaced(text: str, substitutions: tuple[tuple[str, Any], ...]) -> str:
    for search, replacement in substitutions:
        if search not in text:
            continue
        if isinstance(replacement, str):
            text = text.replace(search, replacement)
        elif text == search and isinstance(replacement, Reference) and replacement.address:
            text = REFERENCE_PREFIX + replacement.address  # as a Resource written as a reference reads
        else:
            text = text.replace(search, UNKNOWN_MARK)  # as a string with an unknown part reads
    return text


def substituted_statements(statements: list[Statement], substitutions: tuple[tuple[str, Any], ...]) -> list[Statement]:
    """Copies of ``statements`` with the replacements applied to every string they hold."""

    def strings(values: list[str]) -> list[str]:
        return [_replaced(v, substitutions) for v in values]

    out = []
    for statement in statements:
        conditions = [
            Condition(
                operator=_replaced(c.operator, substitutions),
                key=_replaced(c.key, substitutions),
                values=strings(c.values),
                unknown_values=c.unknown_values,
            )
            for c in statement.conditions
        ]
        out.append(
            statement.model_copy(
                update={
                    "sid": _replaced(statement.sid, substitutions) if statement.sid else statement.sid,
                    "actions": strings(statement.actions),
                    "resources": strings(statement.resources),
                    "principals": {_replaced(k, substitutions): strings(v) for k, v in statement.principals.items()},
                    "conditions": conditions,
                }
            )
        )
    return out
