"""Event delivery in the back office: TMF622 events to hub listeners and the dead letters."""

from __future__ import annotations

from django.contrib import admin, messages

from orders import notifications
from orders.models import (
    EventDelivery,
)


@admin.register(EventDelivery)
class EventDeliveryAdmin(admin.ModelAdmin):
    """TMF622 events to hub listeners; dead letters are kept here until someone sends them again."""

    list_display = ("event_type", "order_number", "callback", "status", "attempts", "last_error", "next_attempt_at")
    list_filter = ("status",)
    list_select_related = ("event__order", "listener")
    search_fields = ("=event__event_id", "listener__callback")
    readonly_fields = [f.name for f in EventDelivery._meta.fields]
    actions = ["deliver_again"]
    show_full_result_count = False
    ordering = ("-id",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Event")
    def event_type(self, delivery):
        return delivery.event.event_type

    @admin.display(description="Order")
    def order_number(self, delivery):
        return delivery.event.order.number

    @admin.display(description="Listener")
    def callback(self, delivery):
        return delivery.listener.callback

    @admin.action(description="Deliver the selected events again", permissions=["change"])
    def deliver_again(self, request, queryset):
        delivered = sum(notifications.redeliver(delivery) for delivery in queryset.exclude(status="delivered"))
        messages.info(request, f"{delivered} delivered; the rest stay pending with their backoff.")
