"""Back office for customers, their installed base, users and the address reference data.

Nothing here renders a choice list of a big table: foreign keys to orders, order items, addresses or
customers are raw ids or read-only, and the customer page lists only its own latest orders.
"""

import re

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from customers.models import (
    Address,
    Contact,
    Customer,
    District,
    InstalledProduct,
    Interaction,
    NumberStatus,
    Street,
    TelephoneNumber,
    User,
)
from customers.number_pool import QUARANTINE, add_number_range
from customers.selectors import lines_numbered
from customers.telephone import NumberKind, unbroken

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
    list_display = ("name", "line_number", "customer", "offering", "status", "start_date")
    list_filter = ("status", "offering")
    list_select_related = ("customer", "offering", "telephone_number")
    search_fields = ("name",)  # the search itself is get_search_results
    search_help_text = _(
        "A customer number (CUS-000045), a line's phone number (07700 900123), or part of the product's or the "
        "customer's name."
    )
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
        line = lines_numbered(term, "".join(ch for ch in term if ch.isdigit()))
        if line is not None:
            return queryset.filter(pk__in=TelephoneNumber.objects.filter(line).values("product_id")), False
        return queryset.filter(Q(name__icontains=term) | Q(customer__name__icontains=term)), False

    @admin.display(description=_("phone number"), ordering="telephone_number__e164")
    def line_number(self, product):
        return product.line_number or "—"


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


class NumberRangeForm(forms.Form):
    first = forms.CharField(label=_("First number"), max_length=20, help_text=_("Like 07700 900000."))
    last = forms.CharField(label=_("Last number"), max_length=20, help_text=_("Like 07700 900999; at most 10,000."))
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("Read it from the number"))] + NumberKind.choices,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["added"] = add_number_range(data["first"], data["last"], kind=data.get("kind") or None)
        except ValueError as refusal:
            raise forms.ValidationError(str(refusal)) from refusal
        return data


@admin.register(TelephoneNumber)
class TelephoneNumberAdmin(admin.ModelAdmin):
    """The number pool: supervisors load ranges, quarantine or free a number; orders hold and assign them."""

    list_display = ("national", "kind", "status", "whose", "quarantined_until")
    list_filter = ("status", "kind")
    list_select_related = ("product__customer", "order_item__order")
    search_fields = ("e164",)  # the search itself is get_search_results
    search_help_text = _("A number in any format (07700 900123, +44 7700 900123), or its last six digits or more.")
    raw_id_fields = ("product", "order_item")
    readonly_fields = ("updated_at",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    change_list_template = "admin/customers/telephonenumber/change_list.html"
    actions = ("quarantine", "make_available")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        line = lines_numbered(term, "".join(ch for ch in term if ch.isdigit()))
        return (queryset.filter(line) if line is not None else queryset.none()), False

    @admin.display(description=_("number"), ordering="e164")
    def national(self, number):
        return unbroken(number.national)

    @admin.display(description=_("line or order"))
    def whose(self, number):
        if number.product_id:
            product = number.product
            return f"{product.customer.name} · {product.name} ({product.get_status_display().lower()})"
        if number.order_item_id:
            held = f", held until {localtime(number.held_until):%H:%M}" if number.held_until else ""
            return f"{number.order_item.order.number}, item {number.order_item.item_id}{held}"
        return "—"

    @admin.action(description=_("Quarantine the selected numbers (not offered for 90 days)"))
    def quarantine(self, request, queryset):
        until = timezone.localdate() + QUARANTINE
        changed = queryset.filter(status=NumberStatus.AVAILABLE).update(
            status=NumberStatus.QUARANTINED, quarantined_until=until
        )
        self.message_user(request, _("%(count)d numbers quarantined; only available ones can be.") % {"count": changed})

    @admin.action(description=_("Make the selected quarantined numbers available now"))
    def make_available(self, request, queryset):
        changed = queryset.filter(status=NumberStatus.QUARANTINED).update(
            status=NumberStatus.AVAILABLE, quarantined_until=None, product=None, order_item=None
        )
        self.message_user(request, _("%(count)d numbers made available.") % {"count": changed})

    def get_urls(self):
        add_range = self.admin_site.admin_view(self.add_range_view)
        return [path("add-range/", add_range, name="customers_telephonenumber_add_range"), *super().get_urls()]

    def add_range_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = NumberRangeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            self.message_user(
                request, _("%(count)d numbers added to the pool.") % {"count": form.cleaned_data["added"]}
            )
            return redirect("admin:customers_telephonenumber_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Add a range of numbers"),
            "form": form,
        }
        return TemplateResponse(request, "admin/customers/telephonenumber/add_range.html", context)
