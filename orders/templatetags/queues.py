"""The back office's landing page: how many orders wait in each queue.

`{% queue_counts %}` on the admin index (templates/admin/index.html). One count per queue the user may open,
made the way the queue's own list counts its rows (orders.pagination.EstimatedCountPaginator: exact up to its
cap, "more than" beyond it), so the index costs the same few queries whatever the tables hold.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders.fulfilment.stuck import stuck_orders
from orders.pagination import EstimatedCountPaginator
from orders.selectors import orders_held_for_review, orders_in_fallout

register = template.Library()

# (label, the proxy model's name, the queue's rows, the tone when something waits)
QUEUES = [
    (gettext_lazy("Special-handling review"), "specialhandlingreview", orders_held_for_review, "warning"),
    (gettext_lazy("Fallout"), "fallout", orders_in_fallout, "danger"),
    (gettext_lazy("Stuck orders"), "stuckorder", stuck_orders, "warning"),
]


def queue_count(queryset) -> tuple[int, bool]:
    """The count the queue's list would show, and whether it is capped (more than that)."""
    paginator = EstimatedCountPaginator(queryset, 1)
    return paginator.count, paginator.capped


@register.inclusion_tag("admin/orders/queue_counts.html", takes_context=True)
def queue_counts(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    rows = []
    for label, model_name, rows_of, tone in QUEUES:
        if not (user and user.has_perm(f"orders.view_{model_name}")):
            continue
        count, capped = queue_count(rows_of())
        rows.append(
            {
                "label": label,
                "value": (_("more than %(count)s") if capped else "%(count)s") % {"count": number_format(count)},
                "count": count,
                "tone": tone if count else "",
                "url": reverse(f"admin:orders_{model_name}_changelist"),
            }
        )
    return {"queues": rows}
