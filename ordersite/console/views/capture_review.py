"""Capture step 5: review and submit; each completeness problem links to the step where it is fixed."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect, render

from orders import selectors
from orders.models import Order, OrderItem
from orders.requirements import FieldError
from orders.services import OrderIncomplete, completeness_errors, special_handling_reasons, submit_order
from orders.services.submission import special_handling_verdict
from ordersite.console.outcomes import review_panel
from ordersite.console.presenters import item_totals, item_views, revision_changes
from ordersite.console.wizard import STEPS, Step, capture_context, options_apply, step_url
from ordersite.presentation.capture import CharacteristicsForm, path_label


@dataclass
class Problem:
    text: str
    step: Step
    url: str


def _problems(order: Order, errors: list[FieldError], items: list[OrderItem]) -> list[Problem]:
    """Each completeness error with the step (and field) where it is fixed."""
    steps = {s.slug: s for s in STEPS}
    problems = []
    for error in errors:
        slug, anchor, where = "products", "", ""
        at = error.item_path
        if error.path == "initiating_request":
            slug, anchor, where = "request", "id_kind", "Request"
        elif at is not None and at.index is not None:
            index, part, rest = at.index, at.part, at.rest
            item = items[index] if index < len(items) else None
            name = item.offering.name if item is not None and item.offering_id else "?"
            where = f"Item {index + 1} ({name})"
            if part == "characteristics" and item is not None:
                slug = "configure"
                if rest:
                    anchor = CharacteristicsForm([], prefix=f"i{item.pk}-c").id_for(rest)
                    where += " · " + path_label(item.offering.data_requirements, rest)
                else:
                    anchor = f"item-{item.pk}"
            elif part == "install_address":
                slug, anchor = "delivery", "install-address"
            elif part in ("product", "offering") and item is not None and options_apply(item):
                slug, anchor = "configure", f"item-{item.pk}"
            else:
                anchor = "order-items"
        message = error.message[:1].upper() + error.message[1:]
        problems.append(
            Problem(f"{where}: {message}" if where else message, steps[slug], step_url(order, slug, anchor))
        )
    return problems


def submission_key_for(order: Order) -> str:
    """The key submit_order remembers: the same draft submitted twice gives the first outcome back."""
    return f"console-{order.number}-r{order.revision}"


def review_step(request, order: Order):
    items = list(order.items.all())
    if request.method == "POST":
        try:
            submit_order(order, by=request.user, submission_key=submission_key_for(order))
        except OrderIncomplete as incomplete:
            messages.error(request, "The order is not complete yet: fix the problems listed below, then submit.")
            return _render_review(request, order, items, incomplete.errors)
        return redirect("console:outcome", number=order.number)
    return _render_review(request, order, items, completeness_errors(order))


def _render_review(request, order: Order, items, errors):
    selectors.with_feasibility_results(order)  # the verdict and the summary read them
    reasons = special_handling_reasons(order)
    # What submitting will do, from the issuing rules themselves (credit is checked only on submission).
    verdict = special_handling_verdict(order)
    latest = max(order.feasibility_assessments.all(), key=lambda a: a.assessed_at, default=None)
    differences = []
    if order.revision_of_id:
        original = selectors.order_for_capture(order.revision_of_id)
        differences = revision_changes(original, order)
    context = capture_context(
        order,
        "review",
        order.customer,
        problems=_problems(order, errors, items),
        item_views=item_views(items),
        totals=item_totals(items),
        special_reasons=reasons,
        panel=review_panel(verdict, special=bool(reasons)),
        feasibility_on_record=latest if latest is not None and latest.is_positive else None,
        differences=differences,
    )
    return render(request, "console/capture/review.html", context)
