"""What the Terraform and CloudFormation normalisers share: resource records and an inventory builder.

Pure: plain values in, ``Inventory`` out; no parser imports, so checkov's adapter can feed it
resources that checkov has already parsed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from privlint.knowledge.iam import parse_policy
from privlint.model.datafiles import load_json
from privlint.model.inventory import (
    Credential,
    DocumentKind,
    Grant,
    Inventory,
    Location,
    PolicyDocument,
    Principal,
    PrincipalKind,
    Workload,
)
from privlint.model.policy import Statement
from privlint.model.problems import Problem
from privlint.model.records import Origin, ResourceRecord
from privlint.model.values import (
    Alternatives,
    LineDict,
    PartialString,
    Reference,
    SecretStoreValue,
    SourceText,
    Unknown,
    as_list,
    line_of,
)
from privlint.terraform.document_substitution import (
    SubstitutedReference,
    substituted_statements,
)

_PLACEHOLDER = "\u0000privlint{}\u0000"
_PLACEHOLDER_RE = re.compile("\u0000privlint(\\d+)\u0000")
_MANAGED_ARN = re.compile(r":iam::aws:policy/(.+)$")


def policy_value_from_partial(value: PartialString) -> Any:
    """Parse JSON that has ``${...}`` holes: holes become Unknown (or PartialString inside strings)."""
    chunks: list[str] = []
    in_string = False
    for index, part in enumerate(value.parts):
        if part is None:
            token = _PLACEHOLDER.format(index)
            chunks.append(token if in_string else f'"{token}"')
            continue
        escaped = False
        for ch in part:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = not in_string
        chunks.append(part)
    text = "".join(chunks)
    parsed = json.loads(text, strict=False)
    # The value of each hole by the index of its part, so "${aws_iam_user.u.arn}" stays a reference.
    hole_values: dict[int, Any] = {}
    holes = iter(value.holes)
    for index, part in enumerate(value.parts):
        if part is None:
            hole_values[index] = next(holes, None)
    return _restore_holes(parsed, hole_values)


def _restore_holes(value: Any, hole_values: dict[int, Any]) -> Any:
    if isinstance(value, str):
        if not _PLACEHOLDER_RE.search(value):
            return value
        pieces = _PLACEHOLDER_RE.split(value)
        parts: list[str | None] = []
        filled: list[Any] = []
        for i, piece in enumerate(pieces):
            if i % 2 == 0:
                if piece:
                    parts.append(piece)
            else:
                parts.append(None)
                filled.append(hole_values.get(int(piece)))
        if parts == [None]:
            only = filled[0]
            return only if isinstance(only, Unknown) else Unknown("interpolation")
        references = tuple(h.address for h in filled if isinstance(h, Reference) and h.address)
        return PartialString(source="template", parts=tuple(parts), references=references, holes=tuple(filled))
    if isinstance(value, dict):
        return {k: _restore_holes(v, hole_values) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore_holes(v, hole_values) for v in value]
    return value


def managed_policy_name(value: Any) -> str | None:
    """``AdministratorAccess`` for ``arn:aws:iam::aws:policy/AdministratorAccess`` (any partition)."""
    if isinstance(value, str):
        m = _MANAGED_ARN.search(value)
        return m.group(1) if m and value.startswith("arn:") else None
    if isinstance(value, PartialString):
        m = _MANAGED_ARN.search(value.known_suffix())
        return m.group(1) if m else None
    return None


def customer_policy_name(value: Any) -> str | None:
    """``name`` for ``arn:aws:iam::123456789012:policy/path/name``."""
    text = value if isinstance(value, str) else value.known_suffix() if isinstance(value, PartialString) else None
    if text is None or ":iam::aws:policy/" in text:
        return None
    m = re.search(r":policy/(?:.*/)?([^/]+)$", text)
    return m.group(1) if m else None


class InventoryBuilder:
    """Collects principals, documents and links; links are resolved once every resource is known."""

    def __init__(self) -> None:
        self.inventory = Inventory()
        self.problems: list[Problem] = []
        self._names: dict[tuple[str, str], str] = {}  # (kind, name) -> address
        self._links: list[tuple[Any, PrincipalKind, Any, Location, str | None]] = []
        self._members: list[tuple[Any, Any, Location]] = []
        self._boundaries: list[tuple[Principal, Any, Location]] = []
        self._pending_refs: list[tuple[str, DocumentKind, str | None]] = []  # references to documents not seen yet
        # A resource whose document is another one (aws_iam_policy.x { policy = data.aws_iam_policy_document.d.json }):
        # attachments naming the resource reach the document it points at.
        self._aliases: dict[str, str] = {}

    # -- principals
    def add_principal(self, address: str, kind: PrincipalKind, name: Any, location: Location) -> Principal:
        principal = self.inventory.principals.get(address)
        if principal is None:
            principal = Principal(address=address, kind=kind, name=name if isinstance(name, str) else None, location=location)
            self.inventory.principals[address] = principal
        if isinstance(name, str):
            self._names[(kind, name)] = address
        return principal

    def register_policy_name(self, name: Any, address: str) -> None:
        if isinstance(name, str):
            self._names[("policy", name)] = address

    # -- documents
    def add_document(
        self,
        address: str,
        resource: str,
        resource_type: str,
        location: Location,
        value: Any,
        kind: DocumentKind,
        attached_to: str | None = None,
    ) -> str | None:
        """Record a policy document given in any spelling; returns the address of the document to link.

        A reference to a ``data.aws_iam_policy_document`` (or another document) returns that address;
        an unknown value returns None.
        """
        if isinstance(value, SubstitutedReference) and value.address in self.inventory.documents:
            # replace(doc.json, "_PLACEHOLDER_", x): a document of its own, the statements with x in place
            statements = substituted_statements(self.inventory.documents[value.address].statements, value.substitutions)
            self.inventory.documents[address] = PolicyDocument(
                address=address, resource=resource, resource_type=resource_type, location=location, kind=kind, statements=statements, attached_to=attached_to
            )
            return address
        if isinstance(value, Reference) and address != value.address:
            self._aliases[address] = value.address
        if isinstance(value, Reference) and value.address in self.inventory.documents:
            doc = self.inventory.documents[value.address]
            if doc.kind == "identity" and kind != "identity":
                doc.kind = kind
            if attached_to and doc.attached_to is None:
                doc.attached_to = attached_to
            return value.address
        if isinstance(value, Reference):
            self._pending_refs.append((value.address, kind, attached_to))
            return value.address
        parsed = self.statements_of(value, location, resource)
        if parsed is None:
            return None
        self.inventory.documents[address] = PolicyDocument(
            address=address,
            resource=resource,
            resource_type=resource_type,
            location=location,
            kind=kind,
            statements=parsed,
            attached_to=attached_to,
        )
        return address

    def statements_of(self, value: Any, location: Location, resource: str) -> list[Statement] | None:
        if isinstance(value, Alternatives):  # policy = var.admin ? jsonencode(a) : jsonencode(b)
            merged: list[Statement] = []
            for option in value.options:
                for stmt in self.statements_of(option, location, resource) or []:
                    stmt.depends_on = stmt.depends_on or f"{value.source or 'an unknown condition'} selects this branch"
                    merged.append(stmt)
            return merged or None
        if isinstance(value, PartialString):
            try:
                value = policy_value_from_partial(value)
            except ValueError:
                return None  # the holes make it unparseable: unknown, not wrong
        try:
            statements = parse_policy(value, line=line_of(value) or location.line)
        except ValueError as exc:
            self.problems.append(Problem(location.file, location.line, resource, f"policy document is not valid JSON: {exc}"))
            return None
        if statements is None:
            return None
        if isinstance(value, (str, dict)) and not isinstance(value, LineDict):
            # Statements written in a JSON string have no lines of their own: use the attribute's.
            for stmt in statements:
                stmt.line = stmt.line or location.line
        return statements

    def aws_managed_document(self, name: str, location: Location) -> str | None:
        table = load_json("aws_managed_policies.json")
        address = f"arn:aws:iam::aws:policy/{name}"
        if address not in self.inventory.documents:
            raw = table.get(name)
            statements = parse_policy({"Statement": raw}) if isinstance(raw, list) else []
            self.inventory.documents[address] = PolicyDocument(
                address=address,
                resource=address,
                resource_type="aws_managed_policy",
                location=location,
                kind="identity",
                statements=statements or [],
                aws_managed=True,
            )
        return address

    # -- links (resolved in finish())
    def link_policy(self, principal_ref: Any, kind: PrincipalKind, policy: Any, location: Location, attachment: str | None) -> None:
        """Attach a policy (document address, ARN, name or reference) to a principal (reference or name)."""
        self._links.append((principal_ref, kind, policy, location, attachment))

    def set_boundary(self, principal: Principal, policy: Any, location: Location) -> None:
        """Record a permissions boundary (an ARN, name or reference), resolved in finish()."""
        if policy is not None and policy != "":
            self._boundaries.append((principal, policy, location))

    def link_member(self, user_ref: Any, group_ref: Any, location: Location) -> None:
        self._members.append((user_ref, group_ref, location))

    def find_principal(self, ref: Any, kind: PrincipalKind) -> Principal | None:
        if isinstance(ref, Reference):
            principal = self.inventory.principals.get(ref.address)
            return principal if principal is not None and principal.kind == kind else None
        if isinstance(ref, str):
            principal = self.inventory.principals.get(ref)
            if principal is not None and principal.kind == kind:
                return principal
            address = self._names.get((kind, ref))
            if address is None and ref.startswith("arn:"):
                address = self._names.get((kind, ref.rsplit("/", 1)[-1]))
            return self.inventory.principals.get(address) if address else None
        return None

    def resolve_policy(self, policy: Any, location: Location) -> str | None:
        """The document an attachment names (by document address, reference, ARN or policy name), if known."""
        managed = managed_policy_name(policy)
        if managed is not None:
            return self.aws_managed_document(managed, location)
        if isinstance(policy, Reference):
            address: str | None = policy.address
        elif isinstance(policy, str) and (policy in self.inventory.documents or policy in self._aliases):
            address = policy
        elif customer_policy_name(policy) is not None:
            address = self._names.get(("policy", customer_policy_name(policy) or ""))
        elif isinstance(policy, str):
            address = self._names.get(("policy", policy))
        else:
            address = None
        seen: set[str] = set()
        while address is not None and address in self._aliases and address not in seen:
            seen.add(address)
            address = self._aliases[address]
        return address if address in self.inventory.documents else None

    def finish(self) -> Inventory:
        for address, kind, attached_to in self._pending_refs:
            doc = self.inventory.documents.get(address)
            if doc is not None:
                if doc.kind == "identity" and kind != "identity":
                    doc.kind = kind
                if attached_to and doc.attached_to is None:
                    doc.attached_to = attached_to
        for principal_ref, principal_kind, policy, location, attachment in self._links:
            principal = self.find_principal(principal_ref, principal_kind)
            document = self.resolve_policy(policy, location)
            if principal is None or document is None:
                continue
            if not any(g.document == document and g.attachment == attachment for g in principal.grants):
                principal.grants.append(Grant(document=document, attachment=attachment, location=location))
        for principal, policy, location in self._boundaries:
            principal.boundary = self.resolve_policy(policy, location)
            principal.boundary_unknown = principal.boundary is None
        for user_ref, group_ref, _location in self._members:
            user = self.find_principal(user_ref, "user")
            group = self.find_principal(group_ref, "group")
            if user is not None and group is not None and group.address not in user.groups:
                user.groups.append(group.address)
        for principal in self.inventory.principals.values():
            if principal.trust_document and principal.trust_document not in self.inventory.documents:
                principal.trust_document = None
        return self.inventory

    # -- credentials
    def add_credential(
        self,
        record: ResourceRecord,
        attribute: str,
        kind: str,
        value: Any,
        origin: Origin | None,
        default_location: Location,
    ) -> None:
        if isinstance(value, (SecretStoreValue, Unknown)) or not isinstance(value, str):
            return
        if not value.strip():
            return
        if origin is None:
            origin = Origin("literal", default_location.file, default_location.line)
        if isinstance(value, SourceText):
            # The literal knows where it was written; that is the place to fix.
            origin = Origin(origin.kind, value.file, value.line, origin.via, origin.sensitive)
        self.inventory.credentials.append(
            Credential(
                address=record.address,
                resource_type=record.type,
                attribute=attribute,
                kind="secret" if kind == "secret" else "username",
                value=value,
                origin=origin.kind,
                location=Location(file=origin.file, line=origin.line),
                via=origin.via,
                sensitive=True if kind == "secret" else origin.sensitive,
            )
        )


# --------------------------------------------------------------------------- workloads (resources that run as a role)


def _attribute_path(values: Any, path: str) -> Any:
    """``a.b`` walks into a block (a mapping, or the first of a list of blocks); ``x|y`` tries x, then y."""
    for alternative in path.split("|"):
        value = values
        for part in alternative.split("."):
            if isinstance(value, list) and len(value) == 1:
                value = value[0]
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            return value
    return None


def workload_specs(fmt: str) -> dict[str, tuple[str, dict[str, str]]]:
    """resource type -> (workload kind, attribute paths of "name" and "role" or "profile"), for ``fmt``."""
    out: dict[str, tuple[str, dict[str, str]]] = {}
    for kind, spec in load_json("escalation_techniques.json")["workload_types"].items():
        if not kind.startswith("_"):
            for resource_type, paths in spec.get(fmt, {}).items():
                out[resource_type] = (kind, paths)
    return out


def workloads_of(record: ResourceRecord, kind: str, paths: dict[str, str]) -> list[Workload]:
    """The workloads one resource defines: one per role (or instance profile) it names."""
    name = _attribute_path(record.values, paths["name"]) if "name" in paths else None
    via_profile = "profile" in paths
    runs_as = _attribute_path(record.values, paths["profile" if via_profile else "role"])
    return [
        Workload(
            address=record.address,
            kind=kind,
            location=record.location,
            name=name if isinstance(name, str) else None,
            role=value.address if isinstance(value, Reference) and value.address else None,
            role_name=value if isinstance(value, str) else None,
            via_profile=via_profile,
        )
        for value in as_list(runs_as)
    ]
