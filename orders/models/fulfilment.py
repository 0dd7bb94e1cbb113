"""Fulfilment tasks, the customer's sign-off of delivery, and delivery of events to listeners.

Written by orders.fulfilment (the tasks, the sign-off) and orders.outbox (the deliveries).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskState(models.TextChoices):
    WAITING = "waiting", _("Waiting for earlier steps")
    DISPATCHED = "dispatched", _("Sent downstream")
    COMPLETED = "completed", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    COMPENSATED = "compensated", _("Undone")


OPEN_TASK_STATES = (TaskState.WAITING, TaskState.DISPATCHED)


class FulfilmentTask(models.Model):
    """One step of an item's fulfilment, run by a downstream system."""

    order = models.ForeignKey("orders.Order", models.CASCADE, related_name="tasks")
    item = models.ForeignKey("orders.OrderItem", models.CASCADE, related_name="tasks")
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    system = models.CharField(max_length=20)
    sequence = models.PositiveSmallIntegerField(default=10)
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="dependants")
    is_point_of_no_return = models.BooleanField(default=False)
    expected_duration_hours = models.PositiveIntegerField(default=24)
    # Billing of an offering the customer signs off starts only once they have: the sign-off
    # releases this task, never the steps it depends on.
    waits_for_signoff = models.BooleanField(default=False)
    state = models.CharField(max_length=20, choices=TaskState.choices, default=TaskState.WAITING)
    attempts = models.PositiveSmallIntegerField(default=0)
    external_reference = models.CharField(max_length=80, blank=True)
    failure_reason = models.TextField(blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The outbox row of this task: set in the transaction that dispatches, cancels or undoes it when
    # the downstream system must be told; the relay tells it and clears the flag.
    handover_due = models.BooleanField(default=False)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    # A relay that took the hand-over holds it until then; if it dies, another takes it after.
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "item", "sequence", "id"]
        indexes = [
            models.Index(fields=["order", "state"]),
            models.Index(fields=["id"], condition=models.Q(handover_due=True), name="task_handover_due_idx"),
            models.Index(
                fields=["handed_over_at"], condition=models.Q(state="dispatched"), name="task_dispatched_handover_idx"
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["item", "code"], name="unique_task_code_per_item")]

    def __str__(self):
        return f"{self.name} [{self.get_state_display()}]"

    @property
    def reference(self) -> str:
        """The id downstream systems quote in their callbacks."""
        return f"TSK-{self.pk:08d}"


class DeliverySignOff(models.Model):
    """Commissioning / end-to-end test with the customer, their acceptance, and training (eTOM 1.3.3.4)."""

    class TestResult(models.TextChoices):
        PASSED = "passed", _("Passed")
        PASSED_WITH_REMARKS = "passed_with_remarks", _("Passed with remarks")
        FAILED = "failed", _("Failed")

    class Training(models.TextChoices):
        NOT_OFFERED = "not_offered", _("Not offered")
        DECLINED = "declined", _("Offered and declined")
        SCHEDULED = "scheduled", _("Scheduled")
        COMPLETED = "completed", _("Completed")

    order = models.ForeignKey("orders.Order", models.CASCADE, related_name="signoffs")
    test_result = models.CharField(max_length=30, choices=TestResult.choices)
    accepted = models.BooleanField()
    remarks = models.TextField(blank=True)
    training = models.CharField(max_length=20, choices=Training.choices, default=Training.NOT_OFFERED)
    training_date = models.DateField(null=True, blank=True)
    signed_by = models.ForeignKey("customers.User", models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self):
        return f"{self.get_test_result_display()}, {'accepted' if self.accepted else 'not accepted'}"


class EventDelivery(models.Model):
    """One outbox event to one hub listener: delivered at least once, retried with backoff, or dead."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        DEAD = "dead", _("Dead letter")

    event = models.ForeignKey("orders.OutboxEvent", models.CASCADE, related_name="deliveries")
    listener = models.ForeignKey("orders.HubListener", models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "event deliveries"
        constraints = [models.UniqueConstraint(fields=["event", "listener"], name="one_delivery_per_listener")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event.event_type} → {self.listener.callback} [{self.get_status_display()}]"
