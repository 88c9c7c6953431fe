from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from config.paginators import CappedCountPaginator

from .. import selectors
from ..list_filters import ProfileListFilter
from ..models import ProfileDatabase
from .access import staff_page

PAGE_SIZE = 50


@staff_page()
def profile_list(request: HttpRequest, database_id: int) -> HttpResponse:
    """A database's profiles: search, filters, sort order and numbered pages."""
    database = get_object_or_404(ProfileDatabase, pk=database_id)
    listed = ProfileListFilter(
        request.GET, queryset=selectors.list_profiles(database), database=database
    )
    paginator = CappedCountPaginator(listed.qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "profiles/profile_list.html",
        {
            "database": database,
            "filter": listed,
            "page": page,
            "search_error": getattr(listed, "search_error", ""),
            "query": query.urlencode(),
        },
    )
