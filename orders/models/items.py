"""Order items: what an order does to one product, and their states."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from orders.models.catalog import ProductOffering
from orders.models.orders import Order


class ItemAction(models.TextChoices):
    # TMF622 ItemActionType.
    ADD = "add", _("Add")
    MODIFY = "modify", _("Modify")
    DELETE = "delete", _("Delete")
    NO_CHANGE = "noChange", _("No change")


class ItemIntent(models.TextChoices):
    """What the customer wants, more precisely than TMF622's action."""

    PROVIDE = "provide", _("Provide new product")
    CHANGE = "change", _("Change configuration")
    SUSPEND = "suspend", _("Suspend")
    RESUME = "resume", _("Resume")
    CHANGE_OWNERSHIP = "change_ownership", _("Transfer to another customer")
    REPACKAGE = "repackage", _("Repackage into another offering")
    DISCONTINUE = "discontinue", _("Discontinue")
    CONTEXT = "context", _("Context only")


ACTION_FOR_INTENT = {
    ItemIntent.PROVIDE: ItemAction.ADD,
    ItemIntent.CHANGE: ItemAction.MODIFY,
    ItemIntent.SUSPEND: ItemAction.MODIFY,
    ItemIntent.RESUME: ItemAction.MODIFY,
    ItemIntent.CHANGE_OWNERSHIP: ItemAction.MODIFY,
    ItemIntent.REPACKAGE: ItemAction.MODIFY,
    ItemIntent.DISCONTINUE: ItemAction.DELETE,
    ItemIntent.CONTEXT: ItemAction.NO_CHANGE,
}


class ItemState(models.TextChoices):
    # TMF622 ProductOrderItemStateType: the order states without partial.
    DRAFT = "draft", _("Draft")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    REJECTED = "rejected", _("Rejected")
    PENDING = "pending", _("Pending")
    HELD = "held", _("Held")
    IN_PROGRESS = "inProgress", _("In progress")
    ASSESSING_CANCELLATION = "assessingCancellation", _("Assessing cancellation")
    PENDING_CANCELLATION = "pendingCancellation", _("Pending cancellation")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


class OrderItem(ConcurrentTransitionMixin, models.Model):
    """One thing the order does to one product (TMF622 ProductOrderItem)."""

    order = models.ForeignKey(Order, models.CASCADE, related_name="items")
    item_id = models.CharField(max_length=20, help_text=_("The item's id within its order (TMF622 id)."))
    action = models.CharField(max_length=10, choices=ItemAction.choices)
    intent = models.CharField(max_length=20, choices=ItemIntent.choices)
    # Empty only on an order rejected because the client asked for an offering we do not have;
    # requested_offering keeps what it asked for, so the rejection can say so.
    offering = models.ForeignKey(ProductOffering, models.PROTECT, null=True, blank=True, related_name="order_items")
    requested_offering = models.CharField(max_length=100, blank=True)
    product = models.ForeignKey(
        "customers.InstalledProduct",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="order_items",
        help_text=_("The installed product this item changes; empty when a new product is provided."),
    )
    new_owner = models.ForeignKey(
        "customers.Customer", models.PROTECT, null=True, blank=True, related_name="incoming_transfers"
    )
    characteristics = models.JSONField(default=dict, blank=True)
    quantity = models.PositiveSmallIntegerField(default=1)
    install_address = models.ForeignKey("customers.Address", models.PROTECT, null=True, blank=True, related_name="+")
    # The TMF679 qualification item the client ordered on, checked to be its own, for this customer and offering.
    qualification = models.ForeignKey(
        "orders.OfferingQualification", models.PROTECT, null=True, blank=True, related_name="order_items"
    )
    qualification_item_id = models.CharField(max_length=20, blank=True)
    is_bespoke = models.BooleanField(default=False)
    relies_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="needed_by")
    one_off_price = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    recurring_price = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    state = FSMField(choices=ItemState.choices, default=ItemState.DRAFT, protected=True)
    point_of_no_return_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When fulfilment passed the point after which it cannot be cancelled.")
    )

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "item_id"], name="unique_item_id_per_order")]

    def __str__(self):
        name = self.offering.name if self.offering_id else f"unknown offering {self.requested_offering!r}"
        return f"{self.get_intent_display()}: {name}"

    @property
    def past_point_of_no_return(self) -> bool:
        return self.point_of_no_return_at is not None

    @transition(field=state, source=ItemState.DRAFT, target=ItemState.ACKNOWLEDGED)
    def acknowledge(self):
        """Accepted with its order."""

    @transition(field=state, source=[ItemState.DRAFT, ItemState.ACKNOWLEDGED], target=ItemState.REJECTED)
    def reject(self):
        """Refused with its order."""

    @transition(
        field=state, source=[ItemState.ACKNOWLEDGED, ItemState.HELD, ItemState.PENDING], target=ItemState.IN_PROGRESS
    )
    def start(self):
        """Issued for fulfilment, or resumed after waiting."""

    @transition(field=state, source=[ItemState.ACKNOWLEDGED, ItemState.IN_PROGRESS], target=ItemState.HELD)
    def hold(self):
        """Waiting for the provider."""

    @transition(field=state, source=[ItemState.IN_PROGRESS, ItemState.HELD], target=ItemState.PENDING)
    def await_customer(self):
        """Waiting for the customer."""

    @transition(
        field=state,
        source=[ItemState.IN_PROGRESS, ItemState.PENDING, ItemState.HELD],
        target=ItemState.ASSESSING_CANCELLATION,
    )
    def assess_cancellation(self):
        """Its order's cancellation is being assessed."""

    @transition(field=state, source=ItemState.ASSESSING_CANCELLATION, target=ItemState.PENDING_CANCELLATION)
    def accept_cancellation(self):
        """Work on it is being stopped."""

    @transition(
        field=state,
        source=[
            ItemState.DRAFT,
            ItemState.PENDING_CANCELLATION,
            ItemState.PENDING,
            ItemState.HELD,
            ItemState.IN_PROGRESS,
        ],
        target=ItemState.CANCELLED,
    )
    def cancel(self):
        """Stopped for good (or, on a discarded draft, never started)."""

    @transition(
        field=state,
        source=ItemState.ASSESSING_CANCELLATION,
        target=RETURN_VALUE(ItemState.IN_PROGRESS, ItemState.PENDING, ItemState.HELD),
    )
    def refuse_cancellation(self, back_to: str):
        """Cancellation refused: back to where it was."""
        return back_to

    @transition(field=state, source=ItemState.IN_PROGRESS, target=ItemState.COMPLETED)
    def complete(self):
        """Delivered."""

    @transition(field=state, source=ItemState.IN_PROGRESS, target=ItemState.FAILED)
    def fail(self):
        """Could not be delivered."""
