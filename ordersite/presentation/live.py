"""Order pages that follow their order by themselves: htmx polls, out-of-band regions, announcements.

Shared by the agent console and self-service; each page builds its LiveParts, and its view answers
its own polls with live_poll.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django_htmx.http import HttpResponseClientRedirect

from orders.models import Order, OrderState, TaskState

# --- following an order while it moves by itself (htmx polling) ------------------------------------
#
# Fulfilment runs in a worker, so an order moves through its steps over tens of seconds with nobody
# touching it. Its page (the agent's in the console, the customer's in self-service) then polls
# its own URL with htmx: the poller is the state badge, and the answer replaces what changes by
# itself (state, plan, expected completion, timeline) out of band, nothing else, so whatever is
# being typed in the page's forms stays. The poll URL carries the state the page was rendered with
# (since) and a digest of what it shows (v): nothing changed, and the answer is a 204 that swaps
# nothing (no flicker, no repeated announcement); once the order is in a state only a person moves
# it on from, the returned badge has no trigger any more and polling stops.
#
# When the state is no longer the page's, the agent's actions (cancel, amend, answer, approve...)
# may be stale. We do not reload the page for them (no HX-Refresh): an agent may be half-way through
# a note, a cancellation reason or an upload, and the server cannot tell. The page says the order
# has moved on and offers the reload, so the agent chooses the moment; a stale action sent anyway is
# refused by its command ("this order has moved on") and nothing is changed. The customer's page has
# no form while its order moves by itself: its header links (sign off, cancel) are swapped in place,
# and only a question to answer, whose form a poll does not bring, asks for the reload.

# The states in which fulfilment or a cancellation moves an order on by itself.
POLLING_STATES = frozenset(
    {
        OrderState.ACKNOWLEDGED,
        OrderState.IN_PROGRESS,
        OrderState.ASSESSING_CANCELLATION,
        OrderState.PENDING_CANCELLATION,
    }
)
POLL_SECONDS = 3
# Sent by the poller (hx-headers); ordersite.middleware.PollingLeavesSessionIdleMiddleware does not
# count such a request as the user being active.
POLL_HEADERS = '{"X-Poll": "1"}'


@dataclass
class LiveParts:
    """What an order page shows that changes by itself; its view builds it for the page and its polls alike."""

    url: str  # the page's own URL, which its polls ask
    poller: str  # the template of the element that polls: the main target of each answer
    regions: str  # the template of the regions each answer replaces out of band
    context: dict
    announcement: str  # one sentence a screen reader hears when the page changes
    moved_on_note: str = ""  # added to it once the state is no longer the page's


@dataclass
class Live:
    """How an order page follows its order; the templates get it as `live`."""

    page_url: str
    since: str  # the state the page was rendered with
    polling: bool
    moved_on: bool  # the state is no longer the page's: its actions may be stale
    announcement: str
    seconds: int = POLL_SECONDS
    headers: str = POLL_HEADERS
    version: str = ""  # a digest of what the page shows
    said: str = ""  # a digest of the announcement it last made
    url: str = ""  # the poll; empty while the version is worked out


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _follow(order: Order, parts: LiveParts, since: str) -> tuple[Live, dict, str]:
    moved_on = since != order.state
    live = Live(
        page_url=parts.url,
        since=since,
        polling=order.state in POLLING_STATES,
        moved_on=moved_on,
        announcement=parts.announcement + (parts.moved_on_note if moved_on else ""),
    )
    context = {**parts.context, "order": order, "live": live}
    changing = render_to_string(parts.regions, context)
    # The digest covers the poller too, rendered before the poll URL (which holds the digest) is set.
    live.version = _digest(render_to_string(parts.poller, context) + changing)
    live.said = _digest(live.announcement)
    live.url = f"{parts.url}?{urlencode({'since': since, 'v': live.version, 'said': live.said})}"
    return live, context, changing


def live_page(order: Order, parts: LiveParts) -> Live:
    """The `live` of a whole page: it polls from the state and the version it was rendered with."""
    live, _, _ = _follow(order, parts, since=order.state)
    return live


def live_poll(request, order: Order, parts: LiveParts) -> HttpResponse:
    """A poll's answer: 204 when the page already shows all this, else the poller and the regions out of band.

    The announcement goes only when it says something new: a change that does not move the order
    on (an event published, say) updates the page without a screen reader hearing the same again.
    """
    since = request.GET.get("since", "")
    if since not in OrderState.values:
        since = order.state
    live, context, changing = _follow(order, parts, since)
    if request.GET.get("v") == live.version:
        response = HttpResponse(status=204)
    else:
        body = render_to_string(parts.poller, context) + changing
        if request.GET.get("said") != live.said:
            body += format_html('<div id="order-live-announce" hx-swap-oob="innerHTML">{}</div>', live.announcement)
        response = HttpResponse(body)
    # The page's URL answers htmx requests with this fragment: caches must tell the two apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


def polls_sign_in_again(view):
    """A poll whose session has ended (30 idle minutes) sends the whole page to the login page.

    Outside the role check: its redirect would be followed inside the poll, and htmx would put the
    login form where the order's state was.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.htmx and not request.user.is_authenticated:
            page = request.htmx.current_url_abs_path or request.path
            return HttpResponseClientRedirect(redirect_to_login(page).url)
        return view(request, *args, **kwargs)

    return wrapped


def steps_done(order: Order) -> str:
    """Progress in words ("2 of 3 steps done") from the prefetched tasks; empty while the order has no plan."""
    tasks = [task for task in order.tasks.all() if task.state not in (TaskState.CANCELLED, TaskState.COMPENSATED)]
    if not tasks:
        return ""
    done = sum(task.state == TaskState.COMPLETED for task in tasks)
    return f"{done} of {len(tasks)} step{'s' if len(tasks) != 1 else ''} done"
