"""The supervisors' back office: the catalog, order tracking, the special-handling review queue and fallout.

Orders are read-only here. Every decision (feasibility, approve, refuse, ask the customer, note) is a
small POST form on the order page that calls the same service command the agent console and the
API use, so history rows and outbox events are always written and permissions always checked.

Django imports this package at start-up: importing the modules below registers their admins.

- catalog: product offerings and their fulfilment steps;
- orders: order tracking (the order admin), over changelist (list and date drill-down), inlines
  (the read-only facts on the order page) and decisions (the supervisor's actions, over orders.decisions);
- queues: the special-handling review, fallout and stuck-order queues (proxies of Order);
- deliveries: TMF622 event deliveries and the dead letters;
- common: the badges and JSON summaries the others share.
"""

from orders.admin.catalog import FulfilmentStepInline, ProductOfferingAdmin
from orders.admin.decisions import DECISIONS, Decision
from orders.admin.deliveries import EventDeliveryAdmin
from orders.admin.orders import OrderAdmin
from orders.admin.queues import (
    Fallout,
    FalloutAdmin,
    SpecialHandlingReview,
    SpecialHandlingReviewAdmin,
    StuckOrder,
    StuckOrderAdmin,
)

__all__ = [
    "DECISIONS",
    "Decision",
    "EventDeliveryAdmin",
    "Fallout",
    "FalloutAdmin",
    "FulfilmentStepInline",
    "OrderAdmin",
    "ProductOfferingAdmin",
    "SpecialHandlingReview",
    "SpecialHandlingReviewAdmin",
    "StuckOrder",
    "StuckOrderAdmin",
]
