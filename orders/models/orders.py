"""Orders (TMF622 ProductOrder), their states and transitions, and what initiated them."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from customers.models import Channel

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
    def revision_of_number(self) -> str:
        """The number of the order this one amends ("" if none), without loading that order."""
        return format_order_number(self.revision_of_id) if self.revision_of_id else ""

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    @property
    def why_not_cancellable(self) -> str:
        """Why a cancellation may not even be assessed, whatever the items' state; "" when it may."""
        if self.awaiting_signoff:
            # The work is delivered: nothing is left in flight to stop (TMF622 cancels orders in flight).
            return (
                f"{self.number} is delivered and waits for the customer's sign-off: too late to cancel it. "
                "The customer accepts or declines the delivery at sign-off instead."
            )
        return ""

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
        field=state,
        source=CANCELLABLE_STATES,
        target=S.ASSESSING_CANCELLATION,
        permission=may_request_cancellation,
        conditions=[lambda order: not order.why_not_cancellable],
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
