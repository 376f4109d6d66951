"""Azure and GCP normalisers and rules take any value an attribute can hold without raising.

Terraform values can be unknown, references, partly known strings, or the wrong type; the normalisers must
treat them as unknown, never crash (a crash would hide the module's other findings behind a PL000).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privlint.model.inventory import Inventory
from privlint.model.records import ResourceRecord
from privlint.model.settings import Settings
from privlint.model.values import LineDict, PartialString, Reference, Unknown
from privlint.normalize import terraform_azure, terraform_gcp
from privlint.rules import azure, gcp

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=12),
    st.sampled_from(
        [
            "*",
            "All",
            "mfa",
            "OR",
            "enabled",
            "roles/owner",
            "allUsers",
            "Owner",
            "/",
            "/subscriptions/x",
            "62e90394-69f5-4237-9190-012177145e10",
            "serviceAccount:a@p.iam.gserviceaccount.com",
        ]
    ),
    st.builds(Unknown, st.just("var.x")),
    st.builds(
        Reference,
        st.just("r"),
        st.sampled_from(
            [
                "azuread_user.u",
                "azuread_directory_role.r",
                "google_service_account.s",
                "data.google_iam_policy.p",
                "azurerm_role_definition.d",
                "data.azurerm_subscription.s",
            ]
        ),
        st.sampled_from(["id", "object_id", "template_id", "member", "policy_data", "name"]),
    ),
    st.builds(PartialString, st.just("t"), st.just(("/subscriptions/", None))),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.builds(
            LineDict,
            st.dictionaries(
                st.sampled_from(
                    [
                        "actions",
                        "not_actions",
                        "users",
                        "included_users",
                        "included_roles",
                        "included_groups",
                        "excluded_users",
                        "applications",
                        "included_applications",
                        "built_in_controls",
                        "operator",
                        "role",
                        "members",
                        "condition",
                        "authentication_strength_policy_id",
                        "bindings",
                    ]
                ),
                inner,
                max_size=4,
            ),
        ),
    ),
    max_leaves=8,
)
_TYPES = {
    "azurerm_role_definition": ["name", "scope", "permissions"],
    "azurerm_role_assignment": ["scope", "role_definition_name", "role_definition_id", "principal_id"],
    "azuread_directory_role": ["display_name", "template_id"],
    "azuread_directory_role_assignment": ["role_id", "principal_object_id"],
    "azuread_directory_role_member": ["role_object_id", "member_object_id"],
    "azuread_conditional_access_policy": ["state", "conditions", "grant_controls"],
    "azuread_group": ["members"],
    "azuread_group_member": ["group_object_id", "member_object_id"],
    "google_project_iam_member": ["role", "member", "condition"],
    "google_folder_iam_binding": ["role", "members", "condition"],
    "google_organization_iam_policy": ["policy_data"],
    "google_service_account": ["account_id"],
    "google_service_account_key": ["service_account_id"],
}


@st.composite
def records(draw: st.DrawFn) -> list[ResourceRecord]:
    out = []
    for index, (rtype, attributes) in enumerate(draw(st.lists(st.sampled_from(sorted(_TYPES.items())), min_size=1, max_size=6))):
        values = {a: draw(_VALUES) for a in attributes if draw(st.booleans())}
        out.append(ResourceRecord(address=f"{rtype}.r{index}", type=rtype, values=values, file="main.tf", line=index + 1))
    if draw(st.booleans()):
        out.append(
            ResourceRecord(
                address="data.google_iam_policy.p", type="google_iam_policy", mode="data", values={"binding": draw(_VALUES)}, file="main.tf", line=99
            )
        )
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_normalisers_and_rules_never_raise(recs: list[ResourceRecord]) -> None:
    inventory = Inventory()
    terraform_azure.normalise(recs, inventory)
    terraform_gcp.normalise(recs, inventory)
    for check in (
        azure.azure_wildcard_role_definition,
        azure.azure_privileged_role_at_broad_scope,
        azure.azure_directory_role_without_mfa,
        gcp.gcp_primitive_role,
        gcp.gcp_public_member,
        gcp.gcp_admin_service_account_key,
    ):
        for hit in check(inventory, Settings()):
            assert hit.location.file == "main.tf" and hit.message
