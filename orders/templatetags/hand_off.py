"""The back office's landing page: how far behind the outbox relay is, and how many orders are stuck.

`{% hand_off_panel %}` on the admin index (templates/admin/index.html). Five indexed queries
(orders.outbox.lag and the stuck-orders count), only for users who may open what it links to.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import outbox
from orders.fulfilment.stuck import humanise, stuck_orders
from orders.models import EventDelivery

register = template.Library()


def max_relay_lag_seconds() -> int:
    return int(getattr(settings, "READY_MAX_RELAY_LAG_SECONDS", 300))


@register.inclusion_tag("admin/orders/hand_off_panel.html", takes_context=True)
def hand_off_panel(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    may_see_deliveries = bool(user and user.has_perm("orders.view_eventdelivery"))
    may_see_stuck = bool(user and user.has_perm("orders.view_stuckorder"))
    if not (may_see_deliveries or may_see_stuck):
        return {"show": False}

    now = timezone.now()
    lag = outbox.lag(now)
    stuck = stuck_orders().order_by().count()
    threshold = max_relay_lag_seconds()
    behind = lag.seconds > threshold
    deliveries_url = reverse("admin:orders_eventdelivery_changelist") if may_see_deliveries else ""
    rows = [
        {
            "label": _("Oldest unrelayed row"),
            "value": _age(lag.seconds),
            "tone": "warning" if behind else "",
            "hint": _("threshold %(span)s") % {"span": humanise(dt.timedelta(seconds=threshold))},
        },
        {"label": _("Events waiting to be fanned out"), "value": lag.unrelayed_events},
        {"label": _("Fulfilment hand-overs waiting"), "value": lag.handovers_waiting},
        {
            "label": _("Event deliveries waiting"),
            "value": lag.deliveries_waiting,
            "url": f"{deliveries_url}?status__exact={EventDelivery.Status.PENDING}" if deliveries_url else "",
        },
        {
            "label": _("Dead letters"),
            "value": lag.dead_letters,
            "tone": "danger" if lag.dead_letters else "",
            "url": f"{deliveries_url}?status__exact={EventDelivery.Status.DEAD}" if deliveries_url else "",
        },
        {
            "label": _("Stuck orders"),
            "value": stuck,
            "tone": "warning" if stuck else "",
            "url": reverse("admin:orders_stuckorder_changelist") if may_see_stuck else "",
        },
    ]
    return {
        "show": True,
        "warning": behind or bool(lag.dead_letters),
        "behind": behind,
        "dead": bool(lag.dead_letters),
        "rows": rows,
    }


def _age(seconds: float) -> str:
    if not seconds:
        return _("none")
    if seconds < 60:
        return _("%(n)d s") % {"n": seconds}
    return humanise(dt.timedelta(seconds=seconds))
