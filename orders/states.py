"""Which tone a state shows in: one map for every badge (the console, self-service and the back office).

The tones say who must act: "success" (working or done), "warning" (needs attention: waiting on us),
"customer" (waiting on the customer), "info" (on its way), "danger" (failed or refused) and "neutral"
(ended). None of them is the back office's "due soon" flag, which is about a date, not a state. A state
not in the map has no tone of its own and shows in the badge's plain colours (a task waiting or sent
downstream, an event delivery, "not assessed"). static/css/tones.css styles each tone once,
`.badge-tone-<tone>`, for every channel.

Keys are the states' stored values, which several state types share with the same meaning
("completed", "cancelled", "failed"), so one map covers orders, items, tasks, cancellation requests,
feasibility results, customers, installed products and offerings.
"""

from __future__ import annotations

from customers.models import CustomerStatus, ProductStatus
from orders.models import CancellationRequest, DeliverySignOff, FeasibilityAssessment, LifecycleStatus, OrderState

SUCCESS = "success"
WARNING = "warning"
INFO = "info"
DANGER = "danger"
NEUTRAL = "neutral"
CUSTOMER = "customer"  # the customer's move: an answer, a sign-off
TONES = (SUCCESS, WARNING, CUSTOMER, INFO, DANGER, NEUTRAL)

# The back office sums an order's feasibility up as feasible or not (orders/admin/queues.py, inlines.py).
INFEASIBLE = "infeasible"

STATE_TONE: dict[str, str] = {
    # Orders and their items (OrderState, ItemState) and fulfilment tasks (TaskState share completed,
    # failed and cancelled; waiting, dispatched and compensated have no tone).
    OrderState.DRAFT: NEUTRAL,
    OrderState.ACKNOWLEDGED: INFO,
    OrderState.REJECTED: DANGER,
    OrderState.PENDING: CUSTOMER,  # waiting on the customer
    OrderState.HELD: WARNING,  # waiting on us
    OrderState.IN_PROGRESS: INFO,
    OrderState.ASSESSING_CANCELLATION: WARNING,
    OrderState.PENDING_CANCELLATION: WARNING,
    OrderState.CANCELLED: NEUTRAL,
    OrderState.COMPLETED: SUCCESS,
    OrderState.PARTIAL: WARNING,
    OrderState.FAILED: DANGER,
    # Cancellation requests (acknowledged and inProgress as above).
    CancellationRequest.State.DONE: SUCCESS,
    CancellationRequest.State.REJECTED: DANGER,
    # Feasibility.
    FeasibilityAssessment.Result.FEASIBLE: SUCCESS,
    FeasibilityAssessment.Result.FEASIBLE_WITH_CONDITIONS: SUCCESS,
    FeasibilityAssessment.Result.NOT_FEASIBLE: DANGER,
    INFEASIBLE: DANGER,
    # The customer's sign-off (a failed test as above; training completed as above).
    DeliverySignOff.TestResult.PASSED: SUCCESS,
    DeliverySignOff.Training.SCHEDULED: INFO,
    # Customers (active and suspended as for products below).
    CustomerStatus.PROSPECT: WARNING,
    CustomerStatus.CLOSED: NEUTRAL,
    # Installed products (cancelled as above).
    ProductStatus.CREATED: INFO,
    ProductStatus.PENDING_ACTIVE: INFO,
    ProductStatus.ACTIVE: SUCCESS,
    ProductStatus.SUSPENDED: WARNING,
    ProductStatus.PENDING_TERMINATE: WARNING,
    ProductStatus.TERMINATED: NEUTRAL,
    # Catalog offerings.
    LifecycleStatus.IN_DESIGN: WARNING,
    LifecycleStatus.LAUNCHED: SUCCESS,
    LifecycleStatus.RETIRED: NEUTRAL,
}


def tone(state) -> str:
    """The state's tone, or "" for a state shown in the badge's plain colours."""
    return STATE_TONE.get(str(state), "") if state is not None else ""
