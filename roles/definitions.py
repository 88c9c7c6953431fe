"""A2 roles: the one table of what each staff group may do.

A role is a Django group; its permissions are every `app_label.codename` matching one of its
`grants` patterns (shell-style, `fnmatch`) and none of its `denies`. The API
(`config.permissions.ModelPermissions`), the admin and the back-office pages all check these
same model permissions, so a role means the same thing everywhere.

Three rights are deliberately separate permissions, never implied by "view" or "change":
deleting a profile (`profiles.delete_profile`, P8), exporting personal data
(`profiles.export_profile`, P7/X3) and seeing orders (`market.view_order`, D3).

The groups are created by the data migration `roles.0001`; `roles.sync.sync_roles` makes their
permissions match this table after every `migrate` (post_migrate), so permissions of apps
added later (market, loyalty, interactions, weblayers models) join the right groups by
themselves. The table is the source of truth: a permission given to one of these groups by
hand is taken back at the next migrate; make a new group for a custom role.
"""

from dataclasses import dataclass

# The apps marketing staff work in every day. `market` is not among them: orders are seen
# only with the Market permission (D3).
MARKETING_APPS = (
    "profiles", "subscriptions", "history", "imports", "interactions", "loyalty", "weblayers",
)  # fmt: skip
PERSONAL_DATA_RIGHTS = ("profiles.delete_profile", "profiles.export_profile")


@dataclass(frozen=True)
class Role:
    grants: tuple[str, ...]
    denies: tuple[str, ...] = ()


ROLES: dict[str, Role] = {
    # Everyday work on profiles, subscriptions, imports and campaigns; may neither delete
    # profiles nor export personal data.
    "Marketer": Role(
        grants=tuple(f"{app}.*" for app in MARKETING_APPS), denies=PERSONAL_DATA_RIGHTS
    ),
    # Reads everything marketing reads, changes nothing.
    "Analyst": Role(grants=tuple(f"{app}.view_*" for app in MARKETING_APPS)),
    # The shop: products and orders, and the profiles they belong to.
    "Market manager": Role(grants=("market.*", "profiles.view_profile")),
    # Everything, including users, groups, deletion, exports and the audit journal.
    "Administrator": Role(grants=("*",)),
}
