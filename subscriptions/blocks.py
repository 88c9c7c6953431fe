"""The Subscriptions block of the profile page (S2): the live subscriptions grouped by
resource, a form to add one and inline forms to change status, priority and categories. Two
queries whatever the number of subscriptions (they and their resources; every resource for
the add form).

A profile may hold 200 subscriptions, and the template language costs about 0.1 ms a row at
that size, most of the page's 150 ms budget (bench/profile_page.py). So each row is built
here with `format_html`, which escapes every value as the template would, and the template
only lays out the groups and the add form.
"""

from itertools import groupby
from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from profiles.blocks import ProfileBlock, register
from profiles.models import Status

from .models import Channel, Resource, Subscription
from .selectors import profile_subscriptions

SHOWN = ("id", "profile_id", "resource_id", "channel", "contact", "status", "priority",
         "categories", "resource__name", "resource__categories")  # fmt: skip
STATUS_LABELS = dict(Status.choices)
ROW = '<tr id="subscription-{id}"><td>{channel}</td><td>{contact}</td><td>{cell}</td></tr>'
FORM = (
    '<form method="post" action="{action}" class="sub-form">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
    '<input type="hidden" name="subscription" value="{id}">'
    '<label for="sub-{id}-status" class="skip">Status of {contact}</label>'
    '<select id="sub-{id}-status" name="status">{options}</select>'
    '<label for="sub-{id}-priority">Priority</label>'
    '<input id="sub-{id}-priority" type="number" min="0" name="priority" value="{priority}">'
    '{categories}<button type="submit" class="secondary">Save</button></form>'
)
CATEGORY = '<label><input type="checkbox" name="categories" value="{}"{}> {}</label>'
READ_ONLY = '<span class="badge {}">{}</span> priority {} {}'


def _status_options() -> dict[str, SafeString]:
    """The <option>s of the status select for each current status, built once per page."""
    return {
        current: format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (value, " selected" if value == current else "", label)
                for value, label in Status.choices
            ),
        )  # fmt: skip
        for current in Status.values
    }


def _editable(subscription: Subscription, *, action: str, csrf: str, options: dict) -> SafeString:
    categories = format_html_join("", CATEGORY, (
        (name, " checked" if subscription.categories.get(name) else "", name)
        for name in subscription.resource.categories
    ))  # fmt: skip
    return format_html(
        FORM, action=action, csrf=csrf, id=subscription.pk, contact=subscription.contact,
        options=options[subscription.status], priority=subscription.priority,
        categories=categories,
    )  # fmt: skip


def _read_only(subscription: Subscription) -> SafeString:
    categories = format_html_join(" ", '<span class="badge">{}</span>', (
        (name,) for name in subscription.resource.categories if subscription.categories.get(name)
    ))  # fmt: skip
    status = subscription.status
    return format_html(READ_ONLY, status, STATUS_LABELS.get(status, status),
                       subscription.priority, categories)  # fmt: skip


def subscriptions_context(request: HttpRequest, profile) -> dict[str, Any]:
    subscriptions = profile_subscriptions(profile).select_related("resource").only(*SHOWN)
    can_change = request.user.has_perm("subscriptions.change_subscription")
    action = reverse("profile-subscription-change", args=[profile.pk])
    csrf, options = get_token(request), _status_options()

    def row(subscription: Subscription) -> SafeString:
        cell = (_editable(subscription, action=action, csrf=csrf, options=options)
                if can_change else _read_only(subscription))  # fmt: skip
        return format_html(ROW, id=subscription.pk, channel=subscription.channel,
                           contact=subscription.contact, cell=cell)  # fmt: skip

    groups = [
        (resource_name, [row(subscription) for subscription in rows])
        for resource_name, rows in groupby(subscriptions, key=lambda s: s.resource.name)
    ]
    return {
        "groups": groups,
        "resources": list(Resource.objects.order_by("name").only("id", "name", "channels")),
        "channels": Channel.choices,
        "can_add": request.user.has_perm("subscriptions.add_subscription"),
    }


register(
    ProfileBlock(
        key="subscriptions", title="Subscriptions",
        template="subscriptions/blocks/subscriptions.html", context=subscriptions_context,
        order=40, permissions=("subscriptions.view_subscription",),
    )
)  # fmt: skip
