"""API clients (TMF630), their hub listeners (TMF622 hub) and their idempotent submissions."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.models import Channel
from orders.models.orders import Order

# --- API clients and hub listeners (TMF630/TMF622 hub) ---------------------------------------------


class ApiClient(models.Model):
    """Another system using the TMF APIs: a bearer token, a channel and the customers it may act for.

    Only the token's SHA-256 is stored. The client acts through its own service user, which the
    services record as the actor. Orders it sends for a party it may not order for belong to its
    holding customer: rejected at once, visible to this client alone, revealing nothing.
    """

    CHANNELS = [Channel.API, Channel.RETAIL, Channel.DEALER, Channel.AFFILIATE]

    name = models.CharField(max_length=100, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    user = models.OneToOneField("customers.User", models.PROTECT, related_name="api_client")
    channel = models.CharField(max_length=20, choices=[(c.value, c.label) for c in CHANNELS], default=Channel.API)
    customers = models.ManyToManyField(
        "customers.Customer", blank=True, related_name="api_clients", help_text=_("The customers it may act for.")
    )
    holding_customer = models.OneToOneField(
        "customers.Customer",
        models.PROTECT,
        related_name="+",
        help_text=_("Owns the rejected orders this client sent for parties it may not order for."),
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class HubListener(models.Model):
    """A TMF622 hub registration: where to send the order events an API client may see."""

    client = models.ForeignKey(ApiClient, models.CASCADE, related_name="listeners")
    callback = models.URLField(max_length=500)
    query = models.CharField(
        max_length=500, blank=True, help_text=_("TMF630 filter, e.g. eventType=ProductOrderStateChangeEvent.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.client}: {self.callback}"


class ApiOrderSubmission(models.Model):
    """What an API client sent to create an order: its Idempotency-Key, a digest of the body, the party."""

    client = models.ForeignKey(ApiClient, models.PROTECT, related_name="submissions")
    order = models.OneToOneField(Order, models.CASCADE, related_name="api_submission")
    idempotency_key = models.CharField(max_length=255, blank=True)
    body_digest = models.CharField(max_length=64)
    # The relatedParty as sent: shown on orders for parties the client may not order for.
    related_party = models.JSONField(default=list, blank=True)
    party_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="one_order_per_idempotency_key",
            )
        ]

    def __str__(self):
        return f"{self.client}: {self.order}"
