"""Reads of customer data."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from customers.models import Address, Customer, ProductStatus, TelephoneNumber
from customers.telephone import to_e164


def customers_with_active_product_counts() -> QuerySet[Customer]:
    return Customer.objects.annotate(active_products=Count("products", filter=Q(products__status=ProductStatus.ACTIVE)))


def search_customers(query: str, limit: int = 25) -> QuerySet[Customer]:
    """Customers matching a name, customer number, email or phone fragment, best first."""
    query = query.strip()
    digits = "".join(ch for ch in query if ch.isdigit())
    match = Q(name__icontains=query) | Q(email__icontains=query) | Q(number__iexact=query)
    if len(digits) >= 4:
        # Phones are stored formatted ("+44 7700 900123"); agents type them any way.
        match |= Q(phone__icontains=digits[-6:])
    line = lines_numbered(query, digits)
    if line is None:
        return customers_with_active_product_counts().filter(match).order_by("name")[:limit]
    # Subqueries, so no join multiplies the active-product counts; the line that matched is shown.
    lines = TelephoneNumber.objects.filter(line, product__isnull=False)
    match |= Q(pk__in=lines.values("product__customer_id"))
    matched_line = Subquery(lines.filter(product__customer=OuterRef("pk")).values("e164")[:1])
    return (
        customers_with_active_product_counts()
        .filter(match)
        .annotate(matched_line=matched_line)
        .order_by("name")[:limit]
    )


def lines_numbered(query: str, digits: str) -> Q | None:
    """The pool numbers a search means: the whole number in any common format ("07700900123",
    "+44 7700 900123", "07700 900 123"), or its last six digits or more; None when it names no number."""
    e164 = to_e164(query) if len(digits) >= 10 else None
    if e164 is not None:
        return Q(e164=e164)
    if len(digits) >= 6 and len(digits) == len(query.replace(" ", "")):
        return Q(e164__endswith=digits)
    return None


def installation_addresses_of(customer: Customer) -> list[Address]:
    """The customer's validated installation addresses, with the district that says what serves them."""
    return list(
        Address.objects.filter(
            customer=customer, purpose=Address.Purpose.INSTALLATION, reference_street__isnull=False
        ).select_related("reference_street__district")
    )
