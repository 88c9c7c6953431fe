"""The History block of the profile page (H2): a type filter, a period that defaults to the
last 7 days, reset, and "load more" pages of 50 events read by keyset, so the block costs the
same two queries whatever the size of the history."""

import json
from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import Truncator

from profiles.blocks import ProfileBlock, register
from subscriptions.models import Resource

from . import selectors
from .models import Event, EventType

PAGE_SIZE = 50
DETAIL_LENGTH = 300


class HistoryFilterForm(forms.Form):
    """The block's filter, read from the page's query string (prefix `h_`)."""

    types = forms.MultipleChoiceField(
        choices=EventType.choices, required=False, label="Event types",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip
    since = forms.DateField(required=False, label="From", widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))
    before = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_before(self) -> tuple[datetime, int] | None:
        text = self.cleaned_data["before"]
        if not text:
            return None
        stamp, _, event_id = text.rpartition("_")
        moment = parse_datetime(stamp)
        if moment is None or not event_id.isdigit():
            raise forms.ValidationError("Not a history position.")
        return moment, int(event_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The period ends before it starts.")
        return data


def _period(form: HistoryFilterForm) -> tuple[datetime, datetime | None]:
    """The chosen days as aware datetimes; by default the last 7 days up to now."""
    data = form.cleaned_data if form.is_valid() else {}
    until = data.get("until")
    until_ts = (
        timezone.make_aware(datetime.combine(until + timedelta(days=1), time())) if until else None
    )
    since = data.get("since")
    if since:
        return timezone.make_aware(datetime.combine(since, time())), until_ts
    return selectors.default_period(None, until_ts)[0], until_ts


def history_context(request: HttpRequest, profile) -> dict[str, Any]:
    form = HistoryFilterForm(request.GET, prefix="h")
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    since, until = _period(form)
    events, cursor = selectors.history_page(
        profile_id=profile.pk, types=data.get("types") or (), since=since, until=until,
        before=data.get("before"), size=PAGE_SIZE,
    )  # fmt: skip
    names = dict(
        Resource.objects.filter(
            pk__in={e.resource_id for e in events if e.resource_id}
        ).values_list("pk", "name")
    )  # one query, skipped by Django when the page names no resource
    return {
        "form": form,
        "since": timezone.localdate(since),
        "until": timezone.localdate(until) if until else timezone.localdate(),
        "rows": [_row(event, names) for event in events],
        "more_query": _more_query(request.GET, cursor),
    }


def _more_query(query: QueryDict, cursor: tuple[datetime, int] | None) -> str:
    if cursor is None:
        return ""
    more = query.copy()
    more["h-before"] = f"{cursor[0].isoformat()}_{cursor[1]}"
    return more.urlencode()


def _row(event: Event, names: dict[int, str]) -> dict[str, Any]:
    # Plain strings, so that the template only prints them (50 rows a page).
    changes = _changes(event)
    return {
        "type": event.type,
        "when": timezone.localtime(event.ts).strftime("%Y-%m-%d %H:%M:%S"),
        "label": EventType(event.type).label if event.type in EventType.values else event.type,
        "where": " · ".join(part for part in (event.channel, names.get(event.resource_id)) if part),
        "changes": changes,
        "details": [] if changes else _details(event.data),
    }


def _changes(event: Event) -> list[tuple[str, str, str]]:
    """Field changes as (name, old, new)."""
    if event.type == EventType.STATUS_CHANGED:
        return [("status", _text(event.data.get("old")), _text(event.data.get("new")))]
    if event.type == EventType.PROFILE_UPDATED:
        changes = event.data.get("changes") or {}
        return [
            (name, _text(change.get("old")), _text(change.get("new")))
            for name, change in changes.items()
            if isinstance(change, dict)
        ]
    return []


def _details(data: Any) -> list[tuple[str, str]]:
    if not isinstance(data, dict):
        return [("data", Truncator(_text(data)).chars(DETAIL_LENGTH))]
    return [(str(key), Truncator(_text(value)).chars(DETAIL_LENGTH)) for key, value in data.items()]


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


register(
    ProfileBlock(
        key="history", title="History", template="history/blocks/history.html",
        context=history_context, order=10, permissions=("history.view_event",),
    )
)  # fmt: skip
