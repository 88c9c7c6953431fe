from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import fields as registry
from .. import selectors
from .access import staff_page

SEARCH_TARGETS = {"profiles": "Profile data", "contacts": "Subscription contacts"}


@staff_page()
def quick_search(request: HttpRequest) -> HttpResponse:
    """P15 across every database; the query string is the shareable URL of the result."""
    text = request.GET.get("q", "").replace("\x00", "").strip()[:500]  # PostgreSQL refuses NUL
    target = request.GET.get("in", "profiles")
    target = target if target in SEARCH_TARGETS else "profiles"
    results, error = [], ""
    if text:
        try:
            results = selectors.quick_search(text, contacts=target == "contacts")
        except registry.Invalid as problem:
            error = str(problem)
    return render(
        request,
        "profiles/quick_search.html",
        {"q": text, "target": target, "targets": SEARCH_TARGETS, "results": results,
         "error": error, "limit": selectors.QUICK_SEARCH_LIMIT},
    )  # fmt: skip
