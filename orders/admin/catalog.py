"""The catalog in the back office: product offerings and their fulfilment steps."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models

from orders.catalog_changes import price_names_after
from orders.models import (
    FulfilmentStep,
    ProductOffering,
)


class FulfilmentStepInline(admin.TabularInline):
    model = FulfilmentStep
    extra = 0
    # Eight columns fit a laptop's width: short codes and names, a condition is a line of JSON.
    formfield_overrides = {
        models.SlugField: {"widget": forms.TextInput(attrs={"size": 14})},
        models.CharField: {"widget": forms.TextInput(attrs={"size": 22})},
        models.JSONField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 24})},
    }
    fields = (
        "sequence",
        "code",
        "name",
        "system",
        "depends_on",
        "applies_when",
        "is_point_of_no_return",
        "expected_duration_hours",
    )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Dependencies may only point at steps of the same offering.
        if db_field.name == "depends_on":
            offering_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = FulfilmentStep.objects.filter(offering_id=offering_id or 0)
            kwargs["widget"] = forms.SelectMultiple(attrs={"size": 4})
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "depends_on":
            field.label_from_instance = lambda step: step.name  # the offering is the page's
        return field


@admin.register(ProductOffering)
class ProductOfferingAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "category",
        "lifecycle_status",
        "recurring_price",
        "one_off_price",
        "is_bespoke",
        "requires_feasibility",
        "requires_customer_signoff",
    )
    list_filter = ("category", "lifecycle_status", "is_bespoke", "requires_feasibility")
    search_fields = ("code", "name")
    prepopulated_fields = {"code": ("name",)}
    filter_horizontal = ("requires",)
    inlines = [FulfilmentStepInline]
    fieldsets = (
        (None, {"fields": ("code", "name", "description", "category", "lifecycle_status")}),
        ("Price", {"fields": ("one_off_price", "recurring_price", "currency", "price_names")}),
        (
            "How it is sold",
            {
                "fields": (
                    "is_bespoke",
                    "customer_kinds",
                    "requires_install_address",
                    "serviceable_technologies",
                    "requires_feasibility",
                    "requires_customer_signoff",
                    "offers_training",
                    "is_addon",
                    "requires",
                )
            },
        ),
        ("What must be captured", {"fields": ("data_requirements",)}),
    )

    def save_model(self, request, obj, form, change):
        # The same naming as the catalog's commands: made names follow the amounts, given ones stay.
        before = ProductOffering.objects.get(pk=obj.pk) if change else None
        obj.price_names = price_names_after(before, obj)
        super().save_model(request, obj, form, change)
