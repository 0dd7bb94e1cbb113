"""Back office for customers, their installed base, users and the address reference data.

Nothing here renders a choice list of a big table: foreign keys to orders, order items, addresses or
customers are raw ids or read-only, and the customer page lists only its own latest orders.
"""

import re

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from customers.models import Address, Contact, Customer, District, InstalledProduct, Interaction, Street, User

CUSTOMER_NUMBER = re.compile(r"^CUS-\d+$", re.IGNORECASE)
RECENT_ORDERS = 10


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + (("Work", {"fields": ("channel", "customer")}),)
    list_display = ("username", "email", "first_name", "last_name", "channel", "customer", "is_staff")
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0
    fields = ("purpose", "unit", "house_number", "street", "postcode", "town", "reference_street", "validated_at")
    readonly_fields = ("reference_street", "validated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reference_street")


class InstalledProductInline(admin.TabularInline):
    """The installed base, as orders left it; each product opens on its own page to be maintained."""

    model = InstalledProduct
    extra = 0
    fields = ("name", "offering", "status", "install_address", "start_date", "termination_date")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("offering", "install_address")


class InteractionInline(admin.TabularInline):
    model = Interaction
    extra = 0
    fields = ("created_at", "kind", "channel", "summary", "recorded_by")
    readonly_fields = ("created_at", "recorded_by")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "kind", "status", "credit_class", "phone", "email", "created_at")
    list_filter = ("kind", "status", "credit_class")
    search_fields = ("name",)  # the search itself is get_search_results
    search_help_text = _("A customer number (CUS-000045), an exact email address or phone number, or part of a name.")
    readonly_fields = ("number", "recent_orders", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("number", "kind", "name", "trading_name", "company_number")}),
        (_("Contact"), {"fields": ("email", "phone")}),
        (_("Account"), {"fields": ("status", "credit_class", "credit_checked_at", "created_at", "updated_at")}),
        (_("Orders"), {"fields": ("recent_orders",)}),
    )
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    inlines = [ContactInline, AddressInline, InstalledProductInline, InteractionInline]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if CUSTOMER_NUMBER.match(term):
            return queryset.filter(number=term.upper()), False
        if "@" in term:
            return queryset.filter(email__iexact=term), False
        if re.fullmatch(r"\+?[\d ]{6,}", term):
            return queryset.filter(phone=term), False
        return queryset.filter(name__icontains=term), False

    @admin.display(description=_("latest orders"))
    def recent_orders(self, customer):
        if customer.pk is None:
            return "—"
        orders = list(customer.orders.order_by("-created_at")[:RECENT_ORDERS])
        if not orders:
            return _("No orders yet.")
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a> · {} · {} {}</li>',
            (
                (
                    reverse("admin:orders_order_change", args=[order.pk]),
                    order.number,
                    order.get_state_display(),
                    timesince(order.created_at, depth=1),
                    _("ago"),
                )
                for order in orders
            ),
        )
        every = reverse("admin:orders_order_changelist") + f"?customer__id__exact={customer.pk}"
        return format_html(
            '<ul class="od-order-links">{}</ul><a href="{}">{}</a>', rows, every, _("All orders of this customer")
        )

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Interaction) and not instance.recorded_by_id:
                instance.recorded_by = request.user
        formset.save()


@admin.register(InstalledProduct)
class InstalledProductAdmin(admin.ModelAdmin):
    list_display = ("name", "customer", "offering", "status", "start_date")
    list_filter = ("status", "offering")
    list_select_related = ("customer", "offering")
    search_fields = ("name",)  # the search itself is get_search_results
    search_help_text = _("A customer number (CUS-000045), or part of the product's or the customer's name.")
    raw_id_fields = ("customer", "install_address")
    # Set by the order that created or last changed the product; a choice list would hold every order item.
    readonly_fields = ("last_order_item", "created_at", "updated_at")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if CUSTOMER_NUMBER.match(term):
            return queryset.filter(customer__number=term.upper()), False
        return queryset.filter(Q(name__icontains=term) | Q(customer__name__icontains=term)), False


class StreetInline(admin.TabularInline):
    model = Street
    extra = 0


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "town", "technologies")
    search_fields = ("code", "name", "town")
    inlines = [StreetInline]


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ("name", "first_number", "last_number", "parity", "postcode", "district")
    list_filter = ("district",)
    list_select_related = ("district",)
    search_fields = ("name", "postcode")
