"""Address look-up endpoints for staff pages (htmx)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from customers.access import staff_required
from customers.addresses import collapse, complete_address

# One letter matches half the region; two is where suggestions start to help.
MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 100


@staff_required
@require_GET
def address_completions(request):
    """Suggestions for the partly typed address in ?q=, as a list-group fragment to swap into the page."""
    query = collapse(request.GET.get("q", ""))[:MAX_QUERY_LENGTH]
    if len(query) < MIN_QUERY_LENGTH:
        query = ""
    suggestions = complete_address(query) if query else []
    return render(request, "customers/partials/address_suggestions.html", {"query": query, "suggestions": suggestions})
