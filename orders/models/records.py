"""What is recorded about an order on its way: documents, assessments, notes, questions, cancellations, history."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Channel
from orders.models.items import OrderItem
from orders.models.orders import Order, OrderState


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
        return self.result_is_positive(self.result)

    @staticmethod
    def result_is_positive(result: str) -> bool:
        """Any result but "not feasible" lets an order held for special handling be issued."""
        return result != FeasibilityAssessment.Result.NOT_FEASIBLE


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
