"""The order list and the order page with its actions.

Views only translate between HTTP and the commands in orders/services/ (every write goes
through them) and the reads in orders/selectors.py. Each POST that changes an order catches the
refusals a command can raise (ActionRefused, TransitionNotAllowed, ConcurrentTransition) and says
what happened; PermissionDenied is left to Django, which answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from customers.access import staff_required
from orders import decisions, selectors
from orders.decisions import ApprovalForm, FeasibilityForm, NoteForm, RefusalForm
from orders.documents import attach_document, content_type_of
from orders.models import Order, OrderState
from orders.pagination import EstimatedCountPaginator
from orders.services import (
    answer_information,
    discard_draft,
    request_cancellation,
    special_handling_reasons,
    start_amendment,
)
from orders.services.submission import held_reasons
from ordersite.console.forms.orders import AnswerForm, CancellationForm, DocumentForm, OrderFilterForm
from ordersite.console.presenters import item_totals, item_views, order_actions, revision_changes
from ordersite.console.shortcuts import REFUSALS, detail_url, order_or_404, refusal_message
from ordersite.console.timeline import timeline
from ordersite.console.wizard import step_url
from ordersite.presentation.live import LiveParts, live_page, live_poll, polls_sign_in_again, steps_done
from ordersite.presentation.rules import state_the_rules

# --- the order list --------------------------------------------------------------------------------

ORDERS_PER_PAGE = 25


@staff_required
@require_GET
def order_list(request):
    form = OrderFilterForm(request.GET or None)
    orders = selectors.orders_for_console_list(**form.filters())
    # Never a full count of the orders table: an estimate unfiltered, a capped count filtered.
    page = EstimatedCountPaginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    # A few page links around this one, not one per page: a million orders make 40,000 pages.
    page_links = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return render(
        request,
        "console/order_list.html",
        {"form": form, "page": page, "orders": page.object_list, "page_links": page_links},
    )


# --- the order page --------------------------------------------------------------------------------


def _render_detail(request, order: Order, *, status: int = 200, **forms):
    user = request.user
    items = list(order.items.all())
    actions = order_actions(order, user)
    context = {
        "order": order,
        "customer": order.customer,
        "actions": actions,
        "item_views": item_views(items),
        "totals": item_totals(items),
        "timeline": timeline(order),
        "held_reasons": held_reasons(order),
        # Once reviewed, what made it special (the stored reasons would still ask for a feasibility assessment).
        "reviewed_reasons": special_handling_reasons(order)
        if order.special_handling_reasons and not order.needs_special_handling and order.state != OrderState.DRAFT
        else [],
        "outbox": list(order.outbox_events.all()),
        "feasibility": list(order.feasibility_assessments.all()),
        "notes": list(order.notes.all()),
        "questions": list(order.information_requests.all()),
        "cancellations": list(order.cancellation_requests.all()),
        "documents": list(order.documents.all()),
        "revisions": list(order.revisions.all()),
        "differences": revision_changes(order.revision_of, order) if order.revision_of_id else [],
        "superseding_differences": (revision_changes(order, order.superseded_by) if order.superseded_by_id else []),
        "note_form": NoteForm(),
        "cancel_form": CancellationForm(),
        "feasibility_form": FeasibilityForm(items=items),
        "answer_form": AnswerForm(),
        "approve_form": ApprovalForm(),
        "refuse_form": RefusalForm(),
        "document_form": DocumentForm(),
    }
    context.update(forms)
    context["live"] = live_page(order, _live_parts(order, context))
    return render(request, "console/order_detail.html", context, status=status)


def _live_parts(order: Order, context: dict) -> LiveParts:
    steps = steps_done(order)
    return LiveParts(
        url=detail_url(order),
        poller="console/includes/live_state.html",
        regions="console/partials/order_progress.html",
        context=context,
        announcement=f"{order.number} is {order.get_state_display().lower()}" + (f", {steps}." if steps else "."),
        moved_on_note=" Reload the page to see the actions that apply now.",
    )


@polls_sign_in_again
@staff_required
@require_GET
def order_detail(request, number: str):
    order = order_or_404(number, selectors.order_for_console)
    if request.htmx:  # the page's own poll (templates/console/includes/live_state.html)
        return live_poll(request, order, _live_parts(order, {"timeline": timeline(order)}))
    return _render_detail(request, order)


def _order_action(request, number: str, form_class, form_name: str, run, *, anchor: str = "", **form_kwargs):
    """The shape of every POST on the order page: form, command, message, back to the page."""
    order = order_or_404(number, selectors.order_for_console)
    if callable(form_kwargs.get("items")):
        form_kwargs["items"] = form_kwargs["items"](order)
    form = form_class(request.POST, request.FILES, **form_kwargs)
    for field in form.fields.values():  # the decisions' forms live in the domain, below this channel's wording
        state_the_rules(field)
    if not form.is_valid():
        messages.error(request, "Check the form below: something is missing.")
        return _render_detail(request, order, status=200, **{form_name: form, "open_form": form_name})
    try:
        message = run(order, form.cleaned_data)
    except REFUSALS as refusal:
        messages.error(request, refusal_message(refusal))
    else:
        if message:
            messages.success(request, message)
    return redirect(detail_url(order, anchor))


@staff_required
@require_POST
def order_request_cancellation(request, number: str):
    def run(order, data):
        cancellation = request_cancellation(order, by=request.user, reason=data["reason"])
        if cancellation.refusal_reason:
            messages.warning(request, f"Cancellation refused: {cancellation.refusal_reason}")
            return ""
        return f"{order.number} is cancelled."

    return _order_action(request, number, CancellationForm, "cancel_form", run)


def _form_action(command, form_class, form_name: str, outcome: str, *, supervisor=False, anchor="", items=False):
    """A POST on the order page that runs `command(order, user, data)` and says `outcome` (with {number}).
    `supervisor`: the action is a supervisor's decision; `items`: the form chooses among the order's items."""

    @staff_required
    @require_POST
    def action_view(request, number: str):
        if supervisor:
            decisions.require_review_permission(request.user)  # before looking at the order

        def run(order, data):
            command(order, request.user, data)
            return outcome.format(number=order.number)

        form_kwargs = {"items": lambda order: list(order.items.all())} if items else {}
        return _order_action(request, number, form_class, form_name, run, anchor=anchor, **form_kwargs)

    return action_view


def _answer(order, user, data):
    answer_information(order, by=user, answer=data["answer"])


order_add_note = _form_action(decisions.add_note, NoteForm, "note_form", "Note added.", anchor="notes")
order_answer_information = _form_action(_answer, AnswerForm, "answer_form", "Answer recorded: the order carries on.")
order_record_feasibility = _form_action(
    decisions.record_feasibility,
    FeasibilityForm,
    "feasibility_form",
    "Feasibility result recorded.",
    anchor="feasibility",
    items=True,
)
order_approve = _form_action(
    decisions.approve, ApprovalForm, "approve_form", "{number} approved and issued.", supervisor=True
)
order_refuse = _form_action(
    decisions.refuse, RefusalForm, "refuse_form", "{number} refused: it is cancelled.", supervisor=True
)


@staff_required
@require_POST
def order_amend(request, number: str):
    order = order_or_404(number)
    try:
        revision = start_amendment(order, by=request.user)
    except REFUSALS as refusal:
        messages.error(request, refusal_message(refusal))
        return redirect(detail_url(order))
    messages.success(
        request, f"Revision {revision.revision} ({revision.number}) opened. It replaces {order.number} when submitted."
    )
    return redirect(step_url(revision, "configure"))


@staff_required
@require_POST
def order_discard(request, number: str):
    order = order_or_404(number)
    try:
        discard_draft(order, by=request.user)
    except REFUSALS as refusal:
        messages.error(request, refusal_message(refusal))
        return redirect(detail_url(order))
    messages.success(request, f"Draft {order.number} discarded. Nothing was sent to the customer or downstream.")
    return redirect("console:customer-detail", order.customer.number)


@staff_required
@require_POST
def order_attach_document(request, number: str):
    def run(order, data):
        document = attach_document(
            order, by=request.user, kind=data["kind"], file=data["file"], description=data["description"]
        )
        return f"{document.get_kind_display()} attached."

    return _order_action(request, number, DocumentForm, "document_form", run, anchor="documents")


@staff_required
@require_GET
def order_document(request, number: str, pk: int):
    """Open an attached document: only through this permission-checked view, never from a public URL."""
    if not request.user.has_perm("orders.view_orderdocument"):
        raise PermissionDenied
    order = order_or_404(number)
    document = get_object_or_404(order.documents.all(), pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("The file is missing.") from missing
    name = document.file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type_of(document))
