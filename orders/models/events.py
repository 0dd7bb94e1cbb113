"""The outbox: TMF622 events written in the same transaction as the change they report."""

import uuid

from django.db import models

from orders.models.orders import Order


class OutboxEvent(models.Model):
    """A TMF622 event to publish, written in the same transaction as the change it reports."""

    class Type(models.TextChoices):
        CREATE = "ProductOrderCreateEvent"
        STATE_CHANGE = "ProductOrderStateChangeEvent"
        ATTRIBUTE_VALUE_CHANGE = "ProductOrderAttributeValueChangeEvent"
        DELETE = "ProductOrderDeleteEvent"
        INFORMATION_REQUIRED = "ProductOrderInformationRequiredEvent"
        CANCEL_CREATE = "CancelProductOrderCreateEvent"
        CANCEL_STATE_CHANGE = "CancelProductOrderStateChangeEvent"
        CANCEL_INFORMATION_REQUIRED = "CancelProductOrderInformationRequiredEvent"

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(max_length=60, choices=Type.choices)
    order = models.ForeignKey(Order, models.CASCADE, related_name="outbox_events")
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["published_at", "id"])]

    def __str__(self):
        return f"{self.event_type} for {self.order_id}"


# Fulfilment models live with the fulfilment code; importing them here registers them with the app.
