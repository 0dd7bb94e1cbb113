"""The catalog (what can be ordered, what to capture, how to fulfil it) and the orders themselves."""

import re
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from customers.models import Channel, Technology
from orders.requirements import requirement_schema_errors


class OfferingCategory(models.TextChoices):
    BROADBAND = "broadband", _("Broadband")
    MOBILE = "mobile", _("Mobile")
    TV = "tv", _("TV")
    VOICE = "voice", _("Voice")
    CONNECTIVITY = "connectivity", _("Business connectivity")


class LifecycleStatus(models.TextChoices):
    # TMF620 lifecycleStatus values used for offerings.
    IN_DESIGN = "In design", _("In design")
    LAUNCHED = "Launched", _("Launched")
    RETIRED = "Retired", _("Retired")


class ProductOffering(models.Model):
    """A product offering (TMF620): price, how it is sold, what to capture, how to fulfil it."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=20, choices=OfferingCategory.choices)
    lifecycle_status = models.CharField(
        max_length=20, choices=LifecycleStatus.choices, default=LifecycleStatus.LAUNCHED
    )
    one_off_price = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    recurring_price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text=_("Per month."),
    )
    currency = models.CharField(max_length=3, default="GBP")
    is_bespoke = models.BooleanField(
        default=False, help_text=_("Designed per customer rather than sold off the shelf.")
    )
    requires_install_address = models.BooleanField(default=True)
    serviceable_technologies = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Technologies that can deliver it; an install address must be served by one. Empty: anywhere."),
    )
    requires_feasibility = models.BooleanField(
        default=False, help_text=_("A feasibility assessment must be on record before the order is issued.")
    )
    requires_customer_signoff = models.BooleanField(
        default=False, help_text=_("The customer takes part in commissioning and signs off delivery.")
    )
    offers_training = models.BooleanField(default=False)
    is_addon = models.BooleanField(default=False, help_text=_("Sold only alongside a product in `requires`."))
    requires = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="addons",
        help_text=_("The customer must have or order one of these."),
    )
    data_requirements = models.JSONField(
        default=list, blank=True, help_text=_("What must be captured: see the README's data requirements format.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        schema_errors = requirement_schema_errors(self.data_requirements)
        if schema_errors:
            errors["data_requirements"] = schema_errors
        unknown = sorted(set(self.serviceable_technologies or []) - set(Technology.values))
        if unknown:
            errors["serviceable_technologies"] = _("Unknown technologies: %(codes)s. Known: %(known)s.") % {
                "codes": ", ".join(map(str, unknown)),
                "known": ", ".join(Technology.values),
            }
        if self.is_bespoke and not self.requires_feasibility:
            errors["requires_feasibility"] = _("A bespoke offering always needs a feasibility assessment.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_off_the_shelf(self) -> bool:
        return not self.is_bespoke

    def is_serviceable_with(self, technologies) -> bool:
        """Whether an address served by these technologies can have this offering."""
        if not self.serviceable_technologies:
            return True
        return bool(set(self.serviceable_technologies) & set(technologies))


class FulfilmentStep(models.Model):
    """One task template in an offering's fulfilment plan, run by a downstream system."""

    class System(models.TextChoices):
        LOGISTICS = "logistics", _("Logistics (equipment shipping)")
        FIELD_SERVICE = "field_service", _("Field service (engineer visits)")
        NETWORK = "network", _("Network activation")
        BILLING = "billing", _("Billing")
        DESIGN = "design", _("Solution design")

    offering = models.ForeignKey(ProductOffering, models.CASCADE, related_name="fulfilment_steps")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    system = models.CharField(max_length=20, choices=System.choices)
    sequence = models.PositiveSmallIntegerField(default=10)
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="dependants")
    is_point_of_no_return = models.BooleanField(
        default=False, help_text=_("Once this step has started, the order can no longer be cancelled.")
    )
    expected_duration_hours = models.PositiveIntegerField(default=24)

    class Meta:
        ordering = ["offering", "sequence"]
        constraints = [models.UniqueConstraint(fields=["offering", "code"], name="unique_step_code_per_offering")]

    def __str__(self):
        return f"{self.offering.code}: {self.name}"


# --- orders ------------------------------------------------------------------------------------


class OrderState(models.TextChoices):
    # Values are TMF622 ProductOrderStateType, so the API needs no mapping.
    DRAFT = "draft", _("Draft")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    REJECTED = "rejected", _("Rejected")
    PENDING = "pending", _("Pending (waiting for the customer)")
    HELD = "held", _("Held (waiting for us)")
    IN_PROGRESS = "inProgress", _("In progress")
    ASSESSING_CANCELLATION = "assessingCancellation", _("Assessing cancellation")
    PENDING_CANCELLATION = "pendingCancellation", _("Pending cancellation")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")
    PARTIAL = "partial", _("Partially completed")
    FAILED = "failed", _("Failed")


S = OrderState
TERMINAL_STATES = (S.REJECTED, S.CANCELLED, S.COMPLETED, S.PARTIAL, S.FAILED)
IN_FLIGHT_STATES = (S.IN_PROGRESS, S.PENDING, S.HELD)
CANCELLABLE_STATES = IN_FLIGHT_STATES


class OrderCategory(models.TextChoices):
    CONSUMER = "consumer", _("Consumer")
    BUSINESS = "business", _("Business")


class OrderPriority(models.IntegerChoices):
    # TMF622 priority: 0 is the highest.
    URGENT = 0, _("Urgent")
    HIGH = 1, _("High")
    NORMAL = 2, _("Normal")
    LOW = 3, _("Low")


class InitiatingRequest(models.Model):
    """What led to the order(s): a sales proposal, a problem restoration or a performance issue."""

    class Kind(models.TextChoices):
        SALES_PROPOSAL = "sales_proposal", _("Sales proposal / quote")
        PROBLEM_RESTORATION = "problem_restoration", _("Problem restoration")
        PERFORMANCE_ISSUE = "performance_issue", _("Performance issue")
        CUSTOMER_REQUEST = "customer_request", _("Customer request (change to what they have)")

    customer = models.ForeignKey("customers.Customer", models.PROTECT, related_name="initiating_requests")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    reference = models.CharField(
        max_length=60, blank=True, help_text=_("Quote number, or the trouble-ticket reference for a restoration.")
    )
    details = models.TextField(blank=True)
    recorded_by = models.ForeignKey("customers.User", models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        ref = f" {self.reference}" if self.reference else ""
        return f"{self.get_kind_display()}{ref}"

    def clean(self):
        super().clean()
        if self.kind == self.Kind.PROBLEM_RESTORATION and not self.reference:
            raise ValidationError({"reference": _("A problem restoration needs its trouble-ticket reference.")})


def _order_permission(codename: str):
    """Staff need the permission; a customer may act on their own orders only."""

    def check(order, user) -> bool:
        if user.is_authenticated and user.customer_id:  # a customer login never holds staff permissions
            return bool(user.is_active and user.customer_id == order.customer_id)
        return user.has_perm(f"orders.{codename}")

    check.__name__ = f"may_{codename}"
    return check


may_submit = _order_permission("submit_order")
may_request_cancellation = _order_permission("request_cancellation")
may_answer_information = _order_permission("answer_information")


class Order(ConcurrentTransitionMixin, models.Model):
    """A customer order (TMF622 ProductOrder); its state moves only through the transitions below."""

    customer = models.ForeignKey("customers.Customer", models.PROTECT, related_name="orders")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    category = models.CharField(max_length=20, choices=OrderCategory.choices, default=OrderCategory.CONSUMER)
    priority = models.PositiveSmallIntegerField(choices=OrderPriority.choices, default=OrderPriority.NORMAL)
    description = models.CharField(max_length=200, blank=True)
    external_id = models.CharField(max_length=60, blank=True, help_text=_("The sending system's own reference."))
    initiating_request = models.ForeignKey(
        InitiatingRequest, models.PROTECT, null=True, blank=True, related_name="orders"
    )
    requested_start_date = models.DateField(null=True, blank=True)
    requested_completion_date = models.DateField(null=True, blank=True)
    expected_completion_date = models.DateField(null=True, blank=True)
    special_requirements = models.TextField(blank=True)
    appointment_preference = models.CharField(max_length=120, blank=True)

    state = FSMField(choices=OrderState.choices, default=OrderState.DRAFT, protected=True)
    # Where an answered question sends the order back to, and where a refused cancellation does;
    # two fields, because a cancellation can be requested while the order waits for an answer.
    return_state = models.CharField(max_length=30, choices=OrderState.choices, blank=True)
    cancellation_return_state = models.CharField(max_length=30, choices=OrderState.choices, blank=True)
    state_entered_at = models.DateTimeField(default=timezone.now)
    # Time spent waiting on the customer (pending) and on us (held), for jeopardy management.
    customer_wait_seconds = models.PositiveIntegerField(default=0)
    provider_wait_seconds = models.PositiveIntegerField(default=0)
    in_jeopardy = models.BooleanField(default=False)
    # Fulfilment stopped for longer than the plan allows (orders.fulfilment.stuck): since when, and where.
    stuck_since = models.DateTimeField(null=True, blank=True)
    stuck_at = models.CharField(max_length=200, blank=True)
    awaiting_signoff = models.BooleanField(default=False)
    needs_special_handling = models.BooleanField(default=False)
    special_handling_reasons = models.JSONField(default=list, blank=True)
    rejection_reasons = models.JSONField(default=list, blank=True)

    revision = models.PositiveSmallIntegerField(default=1)
    revision_of = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="revisions")
    superseded_by = models.OneToOneField("self", models.SET_NULL, null=True, blank=True, related_name="supersedes")
    submission_key = models.CharField(max_length=64, null=True, blank=True)

    captured_by = models.ForeignKey("customers.User", models.PROTECT, null=True, blank=True, related_name="+")
    created_by_client = models.ForeignKey(
        "orders.ApiClient", models.PROTECT, null=True, blank=True, related_name="orders", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["customer", "-created_at"]),
            # Back office: open orders by due date (jeopardy, expected completion), orders by channel,
            # the two queues of held orders (special handling, fallout) oldest first, and external ids.
            models.Index(fields=["state", "expected_completion_date"], name="order_state_expected_idx"),
            models.Index(fields=["channel", "created_at"], name="order_channel_created_idx"),
            models.Index(
                fields=["needs_special_handling", "created_at"],
                name="order_held_queue_idx",
                condition=models.Q(state="held"),
            ),
            models.Index(fields=["external_id"], name="order_external_id_idx", condition=~models.Q(external_id="")),
            # The TMF622 list counts the orders an API client sent from this index alone.
            models.Index(fields=["created_by_client", "state"], name="order_client_state_idx"),
            # The stuck-orders queue (oldest first) and the sweep that clears flags: flagged rows only.
            models.Index(fields=["stuck_since"], name="order_stuck_idx", condition=models.Q(stuck_since__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["customer", "submission_key"], name="one_order_per_submission_key"),
            models.UniqueConstraint(
                fields=["created_by_client", "external_id"],
                condition=~models.Q(external_id=""),
                name="external_id_unique_per_api_client",
            ),
        ]
        permissions = [
            ("submit_order", "Can submit orders for any customer"),
            ("review_special_handling", "Can approve or refuse orders held for special handling"),
            ("record_feasibility", "Can record feasibility assessments"),
            ("request_information", "Can ask the customer for information"),
            ("answer_information", "Can answer information requests for any customer"),
            ("request_cancellation", "Can request cancellation of any order"),
            ("amend_order", "Can amend orders in flight"),
            ("resolve_fallout", "Can hold, release and resolve orders in fulfilment"),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return format_order_number(self.pk)

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    # Transitions change only this row; services write history, events and related rows.

    @transition(field=state, source=S.DRAFT, target=S.ACKNOWLEDGED, permission=may_submit)
    def acknowledge(self):
        """Accept a complete and valid order."""
        self.submitted_at = timezone.now()

    @transition(field=state, source=S.DRAFT, target=S.CANCELLED, permission=may_submit)
    def discard(self):
        """Give up a draft that was never submitted (kept, cancelled, for the record)."""
        self.completed_at = timezone.now()

    @transition(field=state, source=[S.DRAFT, S.ACKNOWLEDGED], target=S.REJECTED, permission=may_submit)
    def reject(self, reasons: list[str]):
        """Refuse an order that fails the business rules (credit, serviceability)."""
        self.rejection_reasons = list(reasons)

    @transition(field=state, source=S.ACKNOWLEDGED, target=S.IN_PROGRESS, permission=may_submit)
    def issue(self):
        """Issue a standard order, or one whose special requirements have a feasibility record."""
        self.issued_at = timezone.now()
        self.needs_special_handling = False

    @transition(field=state, source=S.ACKNOWLEDGED, target=S.HELD, permission=may_submit)
    def hold_for_special_handling(self, reasons: list[str]):
        """Mark for special handling: a supervisor reviews it before anything else happens."""
        self.needs_special_handling = True
        self.special_handling_reasons = list(reasons)

    @transition(
        field=state,
        source=S.HELD,
        target=S.IN_PROGRESS,
        permission="orders.review_special_handling",
        conditions=[lambda order: order.needs_special_handling],
    )
    def approve(self):
        """Issue an order held for special handling, once a supervisor has reviewed it."""
        self.issued_at = timezone.now()
        self.needs_special_handling = False

    @transition(
        field=state,
        source=S.HELD,
        target=S.CANCELLED,
        permission="orders.review_special_handling",
        conditions=[lambda order: order.needs_special_handling],
    )
    def refuse(self):
        """End a held order whose special requirements cannot be met."""
        self.completed_at = timezone.now()

    @transition(field=state, source=[S.IN_PROGRESS, S.HELD], target=S.PENDING, permission="orders.request_information")
    def await_customer(self):
        """Wait for the customer: information, an appointment or a sign-off."""
        self.return_state = self.state

    @transition(
        field=state,
        source=S.PENDING,
        target=RETURN_VALUE(S.IN_PROGRESS, S.HELD),
        permission=may_answer_information,
        conditions=[lambda order: bool(order.return_state)],
    )
    def resume_from_customer(self):
        """The customer answered: go back to where the order was waiting from."""
        back, self.return_state = self.return_state, ""
        return back

    @transition(field=state, source=S.IN_PROGRESS, target=S.HELD, permission="orders.resolve_fallout")
    def hold(self):
        """Wait for the provider: fulfilment fallout or a problem to resolve."""

    @transition(
        field=state,
        source=S.HELD,
        target=S.IN_PROGRESS,
        permission="orders.resolve_fallout",
        conditions=[lambda order: not order.needs_special_handling],
    )
    def release(self):
        """The provider-side problem is resolved: fulfilment goes on."""

    @transition(field=state, source=[S.PENDING, S.HELD], target=S.CANCELLED, permission="orders.resolve_fallout")
    def abandon(self):
        """The information or the issue cannot be resolved: the order ends."""
        self.completed_at = timezone.now()

    @transition(
        field=state, source=CANCELLABLE_STATES, target=S.ASSESSING_CANCELLATION, permission=may_request_cancellation
    )
    def assess_cancellation(self):
        """A cancellation was requested: check whether it is still possible."""
        self.cancellation_return_state = self.state

    @transition(
        field=state, source=S.ASSESSING_CANCELLATION, target=S.PENDING_CANCELLATION, permission=may_request_cancellation
    )
    def accept_cancellation(self):
        """Cancellation is possible: outstanding work is being stopped."""

    @transition(field=state, source=S.PENDING_CANCELLATION, target=S.CANCELLED, permission=may_request_cancellation)
    def cancel(self):
        """Everything is stopped: the order is cancelled."""
        self.completed_at = timezone.now()

    @transition(
        field=state,
        source=S.ASSESSING_CANCELLATION,
        target=RETURN_VALUE(*CANCELLABLE_STATES),
        permission=may_request_cancellation,
        conditions=[lambda order: bool(order.cancellation_return_state)],
    )
    def refuse_cancellation(self):
        """Too late to cancel (point of no return): back to where the order was."""
        back, self.cancellation_return_state = self.cancellation_return_state, ""
        return back

    @transition(field=state, source=IN_FLIGHT_STATES, target=S.CANCELLED, permission="orders.amend_order")
    def supersede(self):
        """A newer revision replaces this one."""
        self.completed_at = timezone.now()

    @transition(field=state, source=S.IN_PROGRESS, target=S.COMPLETED, permission="orders.resolve_fallout")
    def complete(self):
        """Every item was delivered."""
        self.completed_at = timezone.now()

    @transition(field=state, source=S.IN_PROGRESS, target=S.PARTIAL, permission="orders.resolve_fallout")
    def complete_partially(self):
        """Some items were delivered, others failed or were cancelled."""
        self.completed_at = timezone.now()

    @transition(field=state, source=S.IN_PROGRESS, target=S.FAILED, permission="orders.resolve_fallout")
    def fail(self):
        """No item could be delivered."""
        self.completed_at = timezone.now()


ORDER_NUMBER_PATTERN = re.compile(r"^ORD-(\d{6,})$")


def format_order_number(pk: int | None) -> str:
    # Derived from the key rather than stored: no second write per order, never a collision.
    return f"ORD-{pk:06d}" if pk else "ORD-(new)"


def order_pk_from_number(number: str) -> int | None:
    match = ORDER_NUMBER_PATTERN.match(number.strip().upper()) if number else None
    return int(match.group(1)) if match else None


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


class OrderDocument(models.Model):
    class Kind(models.TextChoices):
        SIGNED_CONTRACT = "signed_contract", _("Signed contract")
        SITE_SURVEY = "site_survey", _("Site survey")
        PROPOSAL = "proposal", _("Sales proposal")
        OTHER = "other", _("Other")

    order = models.ForeignKey(Order, models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to="order-documents/%Y/%m/")
    description = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey("customers.User", models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.file.name})"


class FeasibilityAssessment(models.Model):
    class Result(models.TextChoices):
        FEASIBLE = "feasible", _("Feasible")
        FEASIBLE_WITH_CONDITIONS = "feasible_with_conditions", _("Feasible with conditions")
        NOT_FEASIBLE = "not_feasible", _("Not feasible")

    order = models.ForeignKey(Order, models.CASCADE, related_name="feasibility_assessments")
    item = models.ForeignKey(OrderItem, models.CASCADE, null=True, blank=True, related_name="feasibility_assessments")
    result = models.CharField(max_length=30, choices=Result.choices)
    notes = models.TextField(blank=True)
    assessed_by = models.ForeignKey("customers.User", models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_at"]

    def __str__(self):
        return f"{self.get_result_display()} on {self.assessed_at:%Y-%m-%d}"

    @property
    def is_positive(self) -> bool:
        return self.result != self.Result.NOT_FEASIBLE


class OrderNote(models.Model):
    order = models.ForeignKey(Order, models.CASCADE, related_name="notes")
    author = models.ForeignKey("customers.User", models.PROTECT, null=True, blank=True, related_name="+")
    text = models.TextField()
    customer_visible = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return self.text[:60]


class InformationRequest(models.Model):
    """A question to the customer; the order waits in `pending` until it is answered."""

    order = models.ForeignKey(Order, models.CASCADE, related_name="information_requests")
    question = models.TextField()
    deadline = models.DateField()
    asked_by = models.ForeignKey("customers.User", models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey("customers.User", models.PROTECT, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-asked_at"]

    def __str__(self):
        return self.question[:60]

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class CancellationRequest(models.Model):
    """TMF622 CancelProductOrder: a request to cancel an order in flight, and its outcome."""

    class State(models.TextChoices):
        # TMF622 TaskStateType.
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        IN_PROGRESS = "inProgress", _("In progress")
        DONE = "done", _("Done")
        REJECTED = "terminatedWithError", _("Refused")

    order = models.ForeignKey(Order, models.CASCADE, related_name="cancellation_requests")
    reason = models.TextField()
    state = models.CharField(max_length=30, choices=State.choices, default=State.ACKNOWLEDGED)
    refusal_reason = models.TextField(blank=True)
    requested_by = models.ForeignKey("customers.User", models.PROTECT, related_name="+")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return f"Cancellation of {self.order.number}: {self.get_state_display()}"


class OrderEvent(models.Model):
    """The history: one row for every state transition, with who, when and why."""

    order = models.ForeignKey(Order, models.CASCADE, related_name="events")
    item = models.ForeignKey(
        OrderItem,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        help_text=_("Set when one item moved on its own (fulfilment)."),
    )
    transition = models.CharField(max_length=40)
    from_state = models.CharField(max_length=30, choices=OrderState.choices)
    to_state = models.CharField(max_length=30, choices=OrderState.choices)
    actor = models.ForeignKey("customers.User", models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"])]

    def __str__(self):
        return f"{self.from_state} → {self.to_state}"


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
from orders.fulfilment.models import DeliverySignOff, EventDelivery, FulfilmentTask, TaskState  # noqa: E402, F401

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
