from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from customers.models import Address, Contact, Customer, District, InstalledProduct, Interaction, Street, User


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


class InstalledProductInline(admin.TabularInline):
    model = InstalledProduct
    extra = 0
    fields = ("name", "offering", "status", "install_address", "start_date", "termination_date")
    show_change_link = True


class InteractionInline(admin.TabularInline):
    model = Interaction
    extra = 0
    fields = ("created_at", "kind", "channel", "summary", "recorded_by")
    readonly_fields = ("created_at", "recorded_by")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "kind", "status", "credit_class", "phone", "email", "created_at")
    list_filter = ("kind", "status", "credit_class")
    search_fields = ("=number", "name", "email", "phone")
    readonly_fields = ("number", "created_at", "updated_at")
    show_full_result_count = False
    inlines = [ContactInline, AddressInline, InstalledProductInline, InteractionInline]

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
    search_fields = ("name", "customer__name", "=customer__number")
    raw_id_fields = ("customer", "install_address")
    show_full_result_count = False


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
