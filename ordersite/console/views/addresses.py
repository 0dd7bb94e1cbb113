"""A customer's addresses in the console: adding one, and completion as the agent types (htmx)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from customers.access import staff_required
from customers.addresses import collapse, complete_address, streets_in_place
from customers.commands import AddressRefused, add_address
from customers.models import Address, Customer
from ordersite.console.forms.customers import AddressForm

# One letter matches half the region; two is where suggestions start to help.
MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 100


@staff_required
def address_create(request, number: str):
    """Add an address, validated against the reference data with suggestions as the agent types."""
    customer = get_object_or_404(Customer, number__iexact=number)
    is_new_customer = request.GET.get("new") == "1"
    form = AddressForm(
        request.POST if request.method == "POST" else None, initial={"purpose": Address.Purpose.INSTALLATION}
    )
    if request.method == "POST" and form.is_valid():
        try:
            address = add_address(customer, by=request.user, **form.address_details())
        except AddressRefused as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, f"Address added: {address}.")
            return redirect("console:customer-detail", number=customer.number)
    return render(
        request, "console/address_form.html", {"customer": customer, "form": form, "is_new_customer": is_new_customer}
    )


@staff_required
@require_GET
def address_completions(request):
    """Suggestions for the partly typed address in ?q=, as a list-group fragment to swap into the page."""
    query = collapse(request.GET.get("q", ""))[:MAX_QUERY_LENGTH]
    if len(query) < MIN_QUERY_LENGTH:
        query = ""
    suggestions = complete_address(query) if query else []
    place = ""
    if query and not suggestions:
        # A street we do not know: offer the streets of the postcode or village typed beside it.
        postcode, town = (collapse(request.GET.get(name, ""))[:MAX_QUERY_LENGTH] for name in ("postcode", "town"))
        suggestions = streets_in_place(
            postcode=postcode, town=town, house_number=collapse(request.GET.get("house_number", ""))[:10]
        )
        place = town or postcode.upper()
    return render(
        request,
        "console/partials/address_suggestions.html",
        {
            "query": query,
            "suggestions": suggestions,
            "place": place if suggestions else "",
            "street": collapse(request.GET.get("street", ""))[:MAX_QUERY_LENGTH] or query,
        },
    )
