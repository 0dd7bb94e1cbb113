"""The agent console: home, guided order capture, the order list and the order page.

Views only translate between HTTP and the commands in orders/services.py (every write goes
through them) and the reads in orders/selectors.py. Each POST that changes an order catches the
refusals a command can raise (ActionRefused, TransitionNotAllowed, ConcurrentTransition) and says
what happened; PermissionDenied is left to Django, which answers 403.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_fsm import can_proceed, has_transition_perm

from customers.access import staff_required
from customers.addresses import validate_and_attach
from customers.models import Address, Customer, CustomerKind, InstalledProduct, ProductStatus
from customers.selectors import customers_with_active_product_counts, search_customers
from orders import selectors
from orders.documents import attach_document, content_type_of
from orders.models import (
    IN_FLIGHT_STATES,
    ItemIntent,
    Order,
    OrderCategory,
    OrderItem,
    OrderPriority,
    OrderState,
    OutboxEvent,
    order_pk_from_number,
)
from orders.pagination import EstimatedCountPaginator
from orders.requirements import FieldError, validate_characteristics
from orders.services import (
    ALLOWED_FROM,
    ActionRefused,
    ConcurrentTransition,
    OrderIncomplete,
    TransitionNotAllowed,
    add_item,
    add_note,
    answer_information,
    approve_special_handling,
    completeness_errors,
    create_change_order,
    create_draft_order,
    discard_draft,
    record_feasibility,
    record_initiating_request,
    refuse_special_handling,
    remove_item,
    request_cancellation,
    revision_differences,
    special_handling_reasons,
    start_amendment,
    submit_order,
    update_draft_order,
    update_item,
)
from ordersite.console.forms.customers import AddressForm
from ordersite.console.forms.orders import (
    INTENT_VERBS,
    AddOfferingForm,
    AnswerForm,
    CancellationForm,
    ChangeProductForm,
    DeliveryStepForm,
    DocumentForm,
    FeasibilityForm,
    ItemOptionsForm,
    NoteForm,
    OrderFilterForm,
    ProductActionForm,
    RefusalForm,
    RequestStepForm,
    ReviewNoteForm,
    offerings_on_sale,
)
from ordersite.presentation.capture import (
    ADD_ROW,
    REMOVE_ROW,
    CharacteristicsForm,
    describe,
    path_label,
    spec_at,
    summary_text,
    value_text,
)
from ordersite.presentation.live import LiveParts, live_page, live_poll, polls_sign_in_again, steps_done

REFUSALS = (ActionRefused, TransitionNotAllowed, ConcurrentTransition)
CHARGED_INTENTS = (ItemIntent.PROVIDE, ItemIntent.REPACKAGE)
CONFIGURED_INTENTS = (ItemIntent.PROVIDE, ItemIntent.CHANGE, ItemIntent.REPACKAGE)


def refusal_message(refusal: Exception) -> str:
    if isinstance(refusal, ConcurrentTransition):
        return "Someone else changed this order at the same moment, so nothing was changed. Check it and try again."
    if isinstance(refusal, TransitionNotAllowed):
        return f"This order has moved on, so nothing was changed. {refusal}".strip()
    return str(refusal)


def _order_or_404(number: str, load=None) -> Order:
    pk = order_pk_from_number(number)
    if pk is None:
        raise Http404("No such order.")
    try:
        return load(pk) if load else Order.objects.select_related("customer").get(pk=pk)
    except Order.DoesNotExist as missing:
        raise Http404("No such order.") from missing


def _detail_url(order: Order, anchor: str = "") -> str:
    return reverse("orders:detail", args=[order.number]) + (f"#{anchor}" if anchor else "")


# --- home ------------------------------------------------------------------------------------------


@staff_required
def agent_home(request):
    query = request.GET.get("q", "").strip()
    context = {"query": query, "offerings": offerings_on_sale()}
    if query:
        customers = list(search_customers(query))
        known = {c.pk for c in customers}
        customers += [c for c in selectors.customers_at_address(query) if c.pk not in known]
        order_pk = order_pk_from_number(query)
        found = selectors.orders_for_tracking().filter(pk=order_pk).first() if order_pk else None
        context.update(recent_customers=customers, found_order=found)
    else:
        context.update(
            recent_customers=customers_with_active_product_counts().order_by("-created_at")[:8],
            drafts=selectors.drafts_captured_by(request.user),
            waiting=selectors.orders_waiting_on_customer(),
            recent_orders=selectors.recent_orders_captured_by(request.user),
        )
    return render(request, "orders/agent_home.html", context)


# --- guided capture --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    short: str


STEPS = [
    Step("request", "Customer and request", "Request"),
    Step("products", "What the customer wants", "Products"),
    Step("configure", "Product configuration", "Configuration"),
    Step("delivery", "Installation and delivery", "Delivery"),
    Step("review", "Review and submit", "Review"),
]
STEP_SLUGS = [s.slug for s in STEPS]


def _next_step(slug: str) -> str:
    return STEP_SLUGS[min(STEP_SLUGS.index(slug) + 1, len(STEP_SLUGS) - 1)]


def _step_url(order: Order, slug: str, anchor: str = "") -> str:
    return reverse("orders:capture", args=[order.number, slug]) + (f"#{anchor}" if anchor else "")


def _needs_address(item: OrderItem) -> bool:
    return bool(item.offering_id and item.offering.requires_install_address and item.intent in CHARGED_INTENTS)


def _is_configured(item: OrderItem) -> bool:
    return item.intent in CONFIGURED_INTENTS and item.offering_id is not None


def _options_apply(item: OrderItem) -> bool:
    return item.intent in (ItemIntent.CHANGE_OWNERSHIP, ItemIntent.REPACKAGE)


def _step_states(order: Order, items: list[OrderItem]) -> dict[str, str]:
    """done / todo per step, from what the draft holds (cheap: no queries beyond the loaded order)."""
    configured = all(
        not validate_characteristics(item.offering.data_requirements, item.characteristics)
        for item in items
        if _is_configured(item)
    ) and all(item.new_owner_id for item in items if item.intent == ItemIntent.CHANGE_OWNERSHIP)
    return {
        "request": "done" if order.initiating_request_id else "todo",
        "products": "done" if items else "todo",
        "configure": "done" if items and configured else "todo",
        "delivery": "done" if items and all(i.install_address_id for i in items if _needs_address(i)) else "todo",
        "review": "todo",
    }


def _capture_context(order: Order | None, current: str, customer: Customer, **extra) -> dict:
    items = list(order.items.all()) if order else []
    states = _step_states(order, items) if order else {}
    position = STEP_SLUGS.index(current)
    steps = [
        {
            "number": index + 1,
            "step": step,
            "state": "current" if step.slug == current else states.get(step.slug, "todo"),
            "url": _step_url(order, step.slug) if order else "",
        }
        for index, step in enumerate(STEPS)
    ]
    return {
        "order": order,
        "customer": customer,
        "items": items,
        "steps": steps,
        "step": STEPS[position],
        "step_number": position + 1,
        "step_count": len(STEPS),
        "progress": round(100 * (position + 1) / len(STEPS)),
        "previous_url": _step_url(order, STEP_SLUGS[position - 1]) if order and position else "",
        # Steps with one main form: the stepper's buttons submit it, so moving on never loses input.
        "capture_form_id": "capture-form" if order and current in ("request", "configure", "delivery") else "",
        **extra,
    }


def _after_save(request, order: Order, current: str):
    """Where a saved step goes: the step named by a stepper button, else the next one."""
    wanted = request.POST.get("goto", "")
    return redirect(_step_url(order, wanted if wanted in STEP_SLUGS else _next_step(current)))


@staff_required
def capture_start(request):
    """Step 1 for a new order: find the customer, then record what led to the order; the draft starts here."""
    number = (request.POST.get("customer") or request.GET.get("customer") or "").strip()
    if not number:
        query = request.GET.get("q", "").strip()
        return render(
            request,
            "orders/capture/choose_customer.html",
            {
                "query": query,
                "results": list(search_customers(query)) if query else [],
                **_capture_context(None, "request", None),
            },
        )
    customer = get_object_or_404(Customer, number__iexact=number)
    initial = {
        "category": OrderCategory.BUSINESS if customer.kind == CustomerKind.ORGANISATION else OrderCategory.CONSUMER,
        "priority": OrderPriority.NORMAL,
    }
    form = RequestStepForm(request.POST if request.method == "POST" else None, customer=customer, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                initiating = _initiating_request_from(form, customer, request.user)
                order = create_draft_order(
                    customer=customer,
                    by=request.user,
                    initiating_request=initiating,
                    category=form.cleaned_data["category"],
                    priority=form.cleaned_data["priority"],
                    description=form.cleaned_data["description"],
                )
        except ValidationError as invalid:
            form.add_error(None, invalid)
        else:
            messages.success(request, f"Draft {order.number} started: it is saved at every step.")
            return _after_save(request, order, "request")
    return render(request, "orders/capture/request.html", _capture_context(None, "request", customer, form=form))


def _initiating_request_from(form: RequestStepForm, customer: Customer, user):
    data = form.cleaned_data
    if data.get("existing_request"):
        return data["existing_request"]
    return record_initiating_request(
        customer=customer, by=user, kind=data["kind"], reference=data["reference"].strip(), details=data["details"]
    )


@staff_required
def capture_step(request, number: str, step: str):
    handler = CAPTURE_STEPS.get(step)
    if handler is None:
        raise Http404("No such step.")
    order = _order_or_404(number, selectors.order_for_capture)
    if order.state != OrderState.DRAFT:
        messages.info(request, f"{order.number} has been submitted; it can no longer be edited.")
        return redirect(_detail_url(order))
    try:
        return handler(request, order)
    except REFUSALS as refusal:
        messages.error(request, refusal_message(refusal))
        return redirect(_step_url(order, step))


def _step_request(request, order: Order):
    customer = order.customer
    initial = {
        "existing_request": order.initiating_request_id,
        "category": order.category,
        "priority": order.priority,
        "description": order.description,
    }
    form = RequestStepForm(request.POST if request.method == "POST" else None, customer=customer, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                initiating = _initiating_request_from(form, customer, request.user)
                update_draft_order(
                    order,
                    by=request.user,
                    initiating_request=initiating,
                    category=form.cleaned_data["category"],
                    priority=form.cleaned_data["priority"],
                    description=form.cleaned_data["description"],
                )
        except ValidationError as invalid:
            form.add_error(None, invalid)
        else:
            return _after_save(request, order, "request")
    return render(request, "orders/capture/request.html", _capture_context(order, "request", customer, form=form))


def _step_products(request, order: Order):
    customer = order.customer
    if request.method == "POST":
        return _change_products(request, order)
    products = list(
        InstalledProduct.objects.filter(customer=customer)
        .exclude(status__in=[ProductStatus.TERMINATED, ProductStatus.CANCELLED])
        .select_related("offering", "install_address")
    )
    in_this_order = {item.product_id for item in order.items.all() if item.product_id}
    for product in products:
        product.actions = [
            (intent, INTENT_VERBS[intent]) for intent, allowed in ALLOWED_FROM.items() if product.status in allowed
        ]
        product.in_this_order = product.pk in in_this_order
    context = _capture_context(order, "products", customer, offerings=offerings_on_sale(), products=products)
    context["totals"] = _totals(context["items"])
    return render(request, "orders/capture/products.html", context)


def _change_products(request, order: Order):
    by = request.user
    if "remove_item" in request.POST:
        item = next((i for i in order.items.all() if str(i.pk) == request.POST["remove_item"]), None)
        if item is None:
            raise Http404("No such item.")
        remove_item(item, by=by)
        messages.success(request, f"Removed {item.offering.name if item.offering_id else 'the item'}.")
        return redirect(_step_url(order, "products", "order-items"))
    if "offering" in request.POST:
        form = AddOfferingForm(request.POST)
        if not form.is_valid():
            messages.error(request, "That offering is not on sale.")
            return redirect(_step_url(order, "products"))
        offering = form.cleaned_data["offering"]
        add_item(order, by=by, offering=offering)
        messages.success(request, f"Added {offering.name}.")
        return redirect(_step_url(order, "products", "order-items"))
    form = ChangeProductForm(request.POST)
    if form.is_valid():
        product = get_object_or_404(InstalledProduct, pk=form.cleaned_data["product"], customer=order.customer)
        intent = form.cleaned_data["intent"]
        if intent not in ALLOWED_FROM or product.status not in ALLOWED_FROM[intent]:
            messages.error(
                request, f"{product.name} is {product.get_status_display().lower()}: it cannot be changed so."
            )
            return redirect(_step_url(order, "products"))
        add_item(
            order,
            by=by,
            offering=product.offering,
            intent=intent,
            product=product,
            characteristics={} if intent == ItemIntent.REPACKAGE else dict(product.characteristics),
            install_address=product.install_address,
        )
        messages.success(request, f"Added: {ItemIntent(intent).label.lower()} {product.name}.")
    return redirect(_step_url(order, "products", "order-items"))


@dataclass
class ItemSection:
    item: OrderItem
    index: int
    form: CharacteristicsForm | None = None
    options: ItemOptionsForm | None = None

    @property
    def anchor(self) -> str:
        return f"item-{self.item.pk}"


def _configure_sections(order: Order, items: list[OrderItem], data=None) -> list[ItemSection]:
    add, remove = (data.get(ADD_ROW), data.get(REMOVE_ROW)) if data is not None else (None, None)
    sections = []
    for index, item in enumerate(items):
        section = ItemSection(item=item, index=index)
        if _is_configured(item):
            section.form = CharacteristicsForm(
                item.offering.data_requirements,
                prefix=f"i{item.pk}-c",
                data=data,
                initial=item.characteristics,
                add=add,
                remove=remove,
            )
        if _options_apply(item):
            section.options = ItemOptionsForm(data, prefix=f"i{item.pk}", item=item)
        sections.append(section)
    return sections


def _step_configure(request, order: Order):
    items = list(order.items.all())
    if request.method != "POST":
        sections = _configure_sections(order, items)
        for section in sections:
            # Show what is wrong with anything captured before; a fresh item starts clean.
            if section.form is not None and section.item.characteristics:
                section.form.is_valid()
        return _render_configure(request, order, sections)

    sections = _configure_sections(order, items, request.POST)
    problems = offering_changed = False
    with transaction.atomic():
        for section in sections:
            item, changes = section.item, {}
            if section.options is not None:
                if section.options.is_valid():
                    changes.update(_option_changes(section.options, item))
                else:
                    problems = True
            if "offering" in changes:
                # A different offering asks for different characteristics: start them afresh.
                changes["characteristics"], offering_changed = {}, True
            elif section.form is not None and section.form.document != item.characteristics:
                changes["characteristics"] = section.form.document
            if changes:
                update_item(item, by=request.user, **changes)
    if ADD_ROW in request.POST or REMOVE_ROW in request.POST:
        return _render_configure(request, order, sections)
    if offering_changed:
        messages.info(request, "Offering changed: now configure the new one.")
        return redirect(_step_url(order, "configure"))
    for section in sections:
        if section.form is not None:
            problems |= not section.form.is_valid()
    if problems and not request.POST.get("goto"):
        messages.error(request, "Some details need fixing: they are marked below. What you entered is saved.")
        return _render_configure(request, order, sections)
    return _after_save(request, order, "configure")


def _option_changes(options: ItemOptionsForm, item: OrderItem) -> dict:
    changes = {}
    data = options.cleaned_data
    if "new_owner" in data and data["new_owner"] is not None and data["new_owner"].pk != item.new_owner_id:
        changes["new_owner"] = data["new_owner"]
    if "offering" in data and data["offering"] is not None and data["offering"].pk != item.offering_id:
        changes["offering"] = data["offering"]
    return changes


def _render_configure(request, order: Order, sections: list[ItemSection]):
    summary = []
    for section in sections:
        if section.form is not None:
            prefix = f"Item {section.index + 1}"
            summary += [(f"{prefix} · {text}", anchor) for text, anchor in section.form.error_summary()]
        if section.options is not None:
            for name, errors in section.options.errors.items():
                summary += [
                    (f"Item {section.index + 1} · {e}", f"id_{section.options.add_prefix(name)}") for e in errors
                ]
    context = _capture_context(order, "configure", order.customer, sections=sections, error_summary=summary)
    return render(request, "orders/capture/configure.html", context)


def _step_delivery(request, order: Order):
    customer = order.customer
    items = list(order.items.all())
    needing = [item for item in items if _needs_address(item)]
    addresses = list(
        Address.objects.filter(
            customer=customer, purpose=Address.Purpose.INSTALLATION, reference_street__isnull=False
        ).select_related("reference_street__district")
    )
    current = {item.install_address_id for item in needing} - {None}
    initial = {
        "appointment_preference": order.appointment_preference,
        "requested_start_date": order.requested_start_date,
        "special_requirements": order.special_requirements,
    }
    if len(current) == 1:
        initial["install_address"] = str(current.pop())
    elif len(addresses) == 1:
        initial["install_address"] = str(addresses[0].pk)
    elif not addresses:
        initial["install_address"] = DeliveryStepForm.NEW_ADDRESS
    form = DeliveryStepForm(
        request.POST if request.method == "POST" else None,
        addresses=addresses,
        needs_address=bool(needing),
        initial=initial,
    )
    address_form = AddressForm(
        request.POST if request.method == "POST" and form.wants_new_address else None,
        prefix="addr",
        initial={"purpose": Address.Purpose.INSTALLATION},
    )
    address_form.fields["purpose"].widget = forms.HiddenInput()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        address_ok = not form.wants_new_address or address_form.is_valid()
        with transaction.atomic():
            # What is valid is saved even while the address still needs fixing: a dropped call loses nothing.
            update_draft_order(
                order,
                by=request.user,
                appointment_preference=data["appointment_preference"],
                requested_start_date=data["requested_start_date"],
                special_requirements=data["special_requirements"].strip(),
            )
            address = None
            if form.wants_new_address:
                if address_ok:
                    address = address_form.save(commit=False)
                    address.customer = customer
                    address.purpose = Address.Purpose.INSTALLATION
                    validate_and_attach(address)
                    address.save()
            elif needing and data.get("install_address"):
                address = next(a for a in addresses if str(a.pk) == data["install_address"])
            for item in needing:
                if address is not None and item.install_address_id != address.pk:
                    update_item(item, by=request.user, install_address=address)
        if needing and address is None and address_ok and not request.POST.get("goto"):
            form.add_error("install_address", "Choose where to install, or enter a new address.")
        if not form.errors and (address_ok or request.POST.get("goto")):
            if data["feasibility_result"]:
                # Only once the step is done, so a re-shown form cannot record the same result twice.
                record_feasibility(
                    order, by=request.user, result=data["feasibility_result"], notes=data["feasibility_notes"]
                )
            return _after_save(request, order, "delivery")
    address_choices = [
        {
            "value": str(address.pk),
            "address": address,
            "unavailable": [
                i.offering.name for i in needing if not i.offering.is_serviceable_with(address.technologies)
            ],
        }
        for address in addresses
    ]
    context = _capture_context(
        order,
        "delivery",
        customer,
        form=form,
        address_form=address_form,
        needing=needing,
        address_choices=address_choices,
        chosen_address=form["install_address"].value() if needing else "",
        may_record_feasibility=request.user.has_perm("orders.record_feasibility"),
        feasibility=list(order.feasibility_assessments.all()),
    )
    return render(request, "orders/capture/delivery.html", context)


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
        match = re.match(r"items\[(\d+)\](?:\.(\w+))?(?:\.(.*))?$", error.path)
        if error.path == "initiating_request":
            slug, anchor, where = "request", "id_kind", "Request"
        elif match:
            index, part, rest = int(match.group(1)), match.group(2), match.group(3) or ""
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
            elif part in ("product", "offering") and item is not None and _options_apply(item):
                slug, anchor = "configure", f"item-{item.pk}"
            else:
                anchor = "order-items"
        message = error.message[:1].upper() + error.message[1:]
        problems.append(
            Problem(f"{where}: {message}" if where else message, steps[slug], _step_url(order, slug, anchor))
        )
    return problems


def _totals(items) -> dict:
    charged = [i for i in items if i.intent in CHARGED_INTENTS]
    return {
        "one_off": sum((i.one_off_price * i.quantity for i in charged), Decimal("0")),
        "monthly": sum((i.recurring_price * i.quantity for i in charged), Decimal("0")),
        "currency": next((i.offering.currency for i in items if i.offering_id), "GBP"),
    }


def _item_views(items) -> list[dict]:
    views = []
    for index, item in enumerate(items):
        configuration = describe(item.offering.data_requirements if item.offering_id else [], item.characteristics)
        views.append(
            {
                "item": item,
                "number": index + 1,
                "charged": item.intent in CHARGED_INTENTS,
                "configuration": configuration,
                # Long or repeating configurations fold away behind a one-line summary.
                "folded": len(configuration) > 4 or any(entry.is_group for entry in configuration),
                "summary": summary_text(configuration),
            }
        )
    return views


def submission_key_for(order: Order) -> str:
    """The key submit_order remembers: the same draft submitted twice gives the first outcome back."""
    return f"console-{order.number}-r{order.revision}"


def _step_review(request, order: Order):
    items = list(order.items.all())
    if request.method == "POST":
        try:
            submit_order(order, by=request.user, submission_key=submission_key_for(order))
        except OrderIncomplete as incomplete:
            messages.error(request, "The order is not complete yet: fix the problems listed below, then submit.")
            return _render_review(request, order, items, incomplete.errors)
        return redirect("orders:outcome", number=order.number)
    return _render_review(request, order, items, completeness_errors(order))


def _render_review(request, order: Order, items, errors):
    reasons = special_handling_reasons(order)
    latest = max(order.feasibility_assessments.all(), key=lambda a: a.assessed_at, default=None)
    differences = []
    if order.revision_of_id:
        original = selectors.order_for_capture(order.revision_of_id)
        differences = revision_changes(original, order)
    context = _capture_context(
        order,
        "review",
        order.customer,
        problems=_problems(order, errors, items),
        item_views=_item_views(items),
        totals=_totals(items),
        special_reasons=reasons,
        feasibility_on_record=latest if latest is not None and latest.is_positive else None,
        differences=differences,
    )
    return render(request, "orders/capture/review.html", context)


CAPTURE_STEPS = {
    "request": _step_request,
    "products": _step_products,
    "configure": _step_configure,
    "delivery": _step_delivery,
    "review": _step_review,
}


@staff_required
@require_GET
def capture_outcome(request, number: str):
    order = _order_or_404(number, selectors.order_for_capture)
    if order.state == OrderState.DRAFT:
        return redirect(_step_url(order, "review"))
    items = list(order.items.all())
    return render(
        request,
        "orders/capture/outcome.html",
        {"order": order, "customer": order.customer, "item_views": _item_views(items), "totals": _totals(items)},
    )


# --- change orders from the installed base ---------------------------------------------------------


@staff_required
def product_action(request, pk: int, intent: str):
    """Start a change order for an installed product (change, suspend, resume, transfer, repackage, end)."""
    product = get_object_or_404(
        InstalledProduct.objects.select_related("customer", "offering", "install_address"), pk=pk
    )
    if intent not in ALLOWED_FROM:
        raise Http404("No such action.")
    form = ProductActionForm(request.POST if request.method == "POST" else None, product=product, intent=intent)
    if request.method == "POST" and form.is_valid():
        try:
            order = create_change_order(
                product,
                intent=intent,
                by=request.user,
                reason=form.cleaned_data["reason"],
                new_owner=form.cleaned_data.get("new_owner"),
                new_offering=form.cleaned_data.get("new_offering"),
            )
        except REFUSALS as refusal:
            form.add_error(None, refusal_message(refusal))
        else:
            messages.success(
                request, f"Draft {order.number} started: {ItemIntent(intent).label.lower()} {product.name}."
            )
            next_step = "configure" if intent in (ItemIntent.CHANGE, ItemIntent.REPACKAGE) else "review"
            return redirect(_step_url(order, next_step))
    allowed = product.status in ALLOWED_FROM[intent]
    chosen = form["new_owner"].value() if "new_owner" in form.fields else ""
    return render(
        request,
        "orders/product_action.html",
        {
            "current_owner": Customer.objects.filter(number__iexact=chosen).first() if chosen else None,
            "product": product,
            "customer": product.customer,
            "intent": ItemIntent(intent),
            "form": form,
            "allowed": allowed,
        },
    )


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
        "orders/order_list.html",
        {"form": form, "page": page, "orders": page.object_list, "page_links": page_links},
    )


# --- the order page --------------------------------------------------------------------------------


@dataclass
class Actions:
    """What this user may do to this order now; the commands check again."""

    continue_capture: bool = False
    amend: bool = False
    amendment_draft: Order | None = None
    too_late_to_amend: bool = False
    cancel: bool = False
    note: bool = True
    feasibility: bool = False
    answer: bool = False
    approve: bool = False
    refuse: bool = False
    four_eyes: bool = False
    attach: bool = False
    open_question: object = None

    @property
    def any_primary(self) -> bool:
        return self.continue_capture or self.amend or bool(self.amendment_draft)


def order_actions(order: Order, user) -> Actions:
    actions = Actions()
    actions.continue_capture = order.state == OrderState.DRAFT and user.has_perm("orders.submit_order")
    if order.state in IN_FLIGHT_STATES and user.has_perm("orders.amend_order"):
        actions.amendment_draft = next((r for r in order.revisions.all() if r.state == OrderState.DRAFT), None)
        actions.too_late_to_amend = any(item.past_point_of_no_return for item in order.items.all())
        actions.amend = actions.amendment_draft is None and not actions.too_late_to_amend
    actions.cancel = can_proceed(order.assess_cancellation) and has_transition_perm(order.assess_cancellation, user)
    actions.feasibility = user.has_perm("orders.record_feasibility") and not order.is_terminal
    actions.open_question = next((q for q in order.information_requests.all() if q.is_open), None)
    actions.answer = (
        actions.open_question is not None
        and can_proceed(order.resume_from_customer)
        and has_transition_perm(order.resume_from_customer, user)
    )
    may_review = can_proceed(order.approve) and has_transition_perm(order.approve, user)
    actions.four_eyes = may_review and order.captured_by_id == user.pk
    actions.approve = may_review and not actions.four_eyes
    actions.refuse = can_proceed(order.refuse) and has_transition_perm(order.refuse, user)
    actions.attach = user.has_perm("orders.add_orderdocument")
    return actions


@dataclass
class TimelineEntry:
    when: object
    kind: str  # transition or event
    title: str
    note: str = ""
    actor: object = None
    state: str = ""
    state_label: str = ""
    published: bool | None = None
    detail: str = ""


EVENT_TITLES = {
    OutboxEvent.Type.CREATE: "Order placed",
    OutboxEvent.Type.ATTRIBUTE_VALUE_CHANGE: "Order details changed",
    OutboxEvent.Type.DELETE: "Order deleted",
    OutboxEvent.Type.INFORMATION_REQUIRED: "Information requested from the customer",
    OutboxEvent.Type.CANCEL_CREATE: "Cancellation requested",
    OutboxEvent.Type.CANCEL_STATE_CHANGE: "Cancellation request updated",
    OutboxEvent.Type.CANCEL_INFORMATION_REQUIRED: "Information needed for the cancellation",
}


def timeline(order: Order) -> list[TimelineEntry]:
    """The order's creation, its transitions (from the history) and the other events published, oldest first."""
    entries = [
        TimelineEntry(
            when=order.created_at,
            kind="created",
            title="Order created",
            actor=order.captured_by,
            detail=order.get_channel_display(),
        )
    ]
    entries += [
        TimelineEntry(
            when=event.created_at,
            kind="transition",
            title=f"{OrderState(event.from_state).label} → {OrderState(event.to_state).label}"
            if event.from_state in OrderState.values and event.to_state in OrderState.values
            else f"{event.from_state} → {event.to_state}",
            note=event.note,
            actor=event.actor,
            state=event.to_state,
            state_label=OrderState(event.to_state).label if event.to_state in OrderState.values else event.to_state,
            detail=f"Item {event.item.item_id}" if event.item_id else "",
        )
        for event in order.events.all()
    ]
    entries += [
        TimelineEntry(
            when=event.created_at,
            kind="event",
            title=EVENT_TITLES.get(event.event_type, event.event_type),
            detail=event.event_type,
            published=event.published_at is not None,
            note=f"Changed: {event.payload['changed']}"
            if isinstance(event.payload, dict) and event.payload.get("changed")
            else "",
        )
        for event in order.outbox_events.all()
        if event.event_type != OutboxEvent.Type.STATE_CHANGE
    ]
    return sorted(entries, key=lambda e: e.when)


@dataclass
class Change:
    label: str
    before: str
    after: str


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def revision_changes(before: Order, after: Order) -> list[Change]:
    """revision_differences in words: labels from the catalog's requirements, choice labels for values."""
    items = {i.item_id: i for i in before.items.all()} | {i.item_id: i for i in after.items.all()}
    changes = []
    for difference in revision_differences(before, after):
        match = re.match(r"items\[([^\]]+)\](?:\.(\w+))?(?:\.(.*))?$", difference.field)
        if not match:
            label = Order._meta.get_field(difference.field).verbose_name.capitalize()
            changes.append(Change(label, _text(difference.before), _text(difference.after)))
            continue
        item_id, part, rest = match.groups()
        item = items.get(item_id)
        prefix = f"Item {item_id}"
        if part is None:
            changes.append(Change(prefix, _text(difference.before), _text(difference.after)))
        elif part == "characteristics":
            requirements = item.offering.data_requirements if item is not None and item.offering_id else []
            spec = spec_at(requirements, rest or "")
            changes.append(
                Change(
                    f"{prefix} · {path_label(requirements, rest or '')}",
                    value_text(spec, difference.before),
                    value_text(spec, difference.after),
                )
            )
        else:
            label = OrderItem._meta.get_field(part).verbose_name.capitalize()
            before_value, after_value = difference.before, difference.after
            if part == "intent":
                before_value, after_value = ItemIntent(before_value).label, ItemIntent(after_value).label
            changes.append(Change(f"{prefix} · {label}", _text(before_value), _text(after_value)))
    # Stored differently but read the same (an unticked box left out, or stored as false): no change.
    return [change for change in changes if change.before != change.after]


def _render_detail(request, order: Order, *, status: int = 200, **forms):
    user = request.user
    items = list(order.items.all())
    actions = order_actions(order, user)
    context = {
        "order": order,
        "customer": order.customer,
        "actions": actions,
        "item_views": _item_views(items),
        "totals": _totals(items),
        "timeline": timeline(order),
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
        "approve_form": ReviewNoteForm(),
        "refuse_form": RefusalForm(),
        "document_form": DocumentForm(),
    }
    context.update(forms)
    context["live"] = live_page(order, _live_parts(order, context))
    return render(request, "orders/order_detail.html", context, status=status)


def _live_parts(order: Order, context: dict) -> LiveParts:
    steps = steps_done(order)
    return LiveParts(
        url=_detail_url(order),
        poller="orders/includes/live_state.html",
        regions="orders/partials/order_progress.html",
        context=context,
        announcement=f"{order.number} is {order.get_state_display().lower()}" + (f", {steps}." if steps else "."),
        moved_on_note=" Reload the page to see the actions that apply now.",
    )


@polls_sign_in_again
@staff_required
@require_GET
def order_detail(request, number: str):
    order = _order_or_404(number, selectors.order_for_console)
    if request.htmx:  # the page's own poll (templates/orders/includes/live_state.html)
        return live_poll(request, order, _live_parts(order, {"timeline": timeline(order)}))
    return _render_detail(request, order)


def _order_action(request, number: str, form_class, form_name: str, run, *, anchor: str = "", **form_kwargs):
    """The shape of every POST on the order page: form, command, message, back to the page."""
    order = _order_or_404(number, selectors.order_for_console)
    if callable(form_kwargs.get("items")):
        form_kwargs["items"] = form_kwargs["items"](order)
    form = form_class(request.POST, request.FILES, **form_kwargs)
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
    return redirect(_detail_url(order, anchor))


@staff_required
@require_POST
def order_add_note(request, number: str):
    def run(order, data):
        add_note(order, by=request.user, text=data["text"], customer_visible=data["customer_visible"])
        return "Note added."

    return _order_action(request, number, NoteForm, "note_form", run, anchor="notes")


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


@staff_required
@require_POST
def order_record_feasibility(request, number: str):
    def run(order, data):
        record_feasibility(order, by=request.user, result=data["result"], notes=data["notes"], item=data["item"])
        return "Feasibility result recorded."

    return _order_action(
        request,
        number,
        FeasibilityForm,
        "feasibility_form",
        run,
        anchor="feasibility",
        items=lambda order: list(order.items.all()),
    )


@staff_required
@require_POST
def order_answer_information(request, number: str):
    def run(order, data):
        answer_information(order, by=request.user, answer=data["answer"])
        return "Answer recorded: the order carries on."

    return _order_action(request, number, AnswerForm, "answer_form", run)


def _require_review_permission(user) -> None:
    # Refuse before looking at the order: a forged post learns nothing about its state.
    if not user.has_perm("orders.review_special_handling"):
        raise PermissionDenied


@staff_required
@require_POST
def order_approve(request, number: str):
    _require_review_permission(request.user)

    def run(order, data):
        approve_special_handling(order, by=request.user, note=data["note"])
        return f"{order.number} approved and issued."

    return _order_action(request, number, ReviewNoteForm, "approve_form", run)


@staff_required
@require_POST
def order_refuse(request, number: str):
    _require_review_permission(request.user)

    def run(order, data):
        refuse_special_handling(order, by=request.user, reason=data["reason"])
        return f"{order.number} refused: it is cancelled."

    return _order_action(request, number, RefusalForm, "refuse_form", run)


@staff_required
@require_POST
def order_amend(request, number: str):
    order = _order_or_404(number)
    try:
        revision = start_amendment(order, by=request.user)
    except REFUSALS as refusal:
        messages.error(request, refusal_message(refusal))
        return redirect(_detail_url(order))
    messages.success(
        request, f"Revision {revision.revision} ({revision.number}) opened. It replaces {order.number} when submitted."
    )
    return redirect(_step_url(revision, "configure"))


@staff_required
@require_POST
def order_discard(request, number: str):
    order = _order_or_404(number)
    try:
        discard_draft(order, by=request.user)
    except REFUSALS as refusal:
        messages.error(request, refusal_message(refusal))
        return redirect(_detail_url(order))
    messages.success(request, f"Draft {order.number} discarded. Nothing was sent to the customer or downstream.")
    return redirect("customers:detail", order.customer.number)


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
    order = _order_or_404(number)
    document = get_object_or_404(order.documents.all(), pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("The file is missing.") from missing
    name = document.file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type_of(document))
