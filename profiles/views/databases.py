from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import selectors
from .access import staff_page


@staff_page()
def database_list(request: HttpRequest) -> HttpResponse:
    """The databases, each linking to its profiles (issue 6 item 1)."""
    return render(
        request, "profiles/database_list.html", {"databases": selectors.staff_databases()}
    )
