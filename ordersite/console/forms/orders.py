"""Forms of the agent console: the capture steps and the actions on an order. They only translate."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms

from customers.models import Address, Channel, Customer, InstalledProduct
from orders.documents import ALLOWED_EXTENSIONS, MAX_DOCUMENT_BYTES
from orders.models import (
    FeasibilityAssessment,
    InitiatingRequest,
    LifecycleStatus,
    OrderCategory,
    OrderDocument,
    OrderPriority,
    OrderState,
    ProductOffering,
)
from orders.qualification import Qualification, qualify_all
from ordersite.presentation.fields import appointment_window, calendar_date, free_text
from ordersite.presentation.rules import RulesInMessages


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the template owns <form> and its buttons
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    return helper


class CustomerNumberField(forms.CharField):
    """A customer picked by number (CUS-000123); the picker fills it in from a search."""

    def __init__(self, *args, exclude: Customer | None = None, **kwargs):
        self.exclude = exclude
        super().__init__(*args, max_length=20, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        customer = Customer.objects.filter(number__iexact=value.strip()).first()
        if customer is None:
            raise forms.ValidationError(f"There is no customer {value}.")
        if self.exclude is not None and customer.pk == self.exclude.pk:
            raise forms.ValidationError("Choose another customer: the product already belongs to this one.")
        return customer


# --- step 1: customer and initiating request -------------------------------------------------------


class RequestStepForm(RulesInMessages, forms.Form):
    """What led to the order, and the order's basics."""

    existing_request = forms.ModelChoiceField(
        queryset=InitiatingRequest.objects.none(),
        required=False,
        label="Earlier request",
        empty_label="None: record a new request below",
        help_text="One request can lead to several orders.",
    )
    kind = forms.ChoiceField(
        choices=[("", "Choose…")] + InitiatingRequest.Kind.choices,
        label="What led to this order",
        error_messages={"required": "Choose what led to this order, or pick an earlier request."},
    )
    reference = forms.CharField(
        max_length=60,
        required=False,
        label="Reference",
        help_text="Quote number, or the trouble-ticket reference of a problem restoration.",
    )
    details = free_text("Details", required=False, max_length=None, help_text="What the customer asked for.")
    category = forms.ChoiceField(choices=OrderCategory.choices, label="Category")
    priority = forms.TypedChoiceField(choices=OrderPriority.choices, coerce=int, label="Priority")
    description = forms.CharField(max_length=200, required=False, label="Order description", help_text="Optional.")

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        # Required (and marked so) unless an earlier request is picked instead.
        if self.is_bound and self.data.get(self.add_prefix("existing_request")):
            self.fields["kind"].required = False
        requests = customer.initiating_requests.order_by("-created_at")
        self.fields["existing_request"].queryset = requests
        self.fields["existing_request"].label_from_instance = lambda r: (
            f"{r} — {r.created_at:%d %b %Y}{': ' + r.details[:50] if r.details else ''}"
        )
        self.helper = _helper(
            Fieldset("What led to this order", "existing_request", "kind", "reference", "details"),
            Fieldset(
                "Order",
                Row(Column("category", css_class="col-md-6"), Column("priority", css_class="col-md-6")),
                "description",
            ),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("existing_request"):
            return cleaned
        if (
            cleaned.get("kind") == InitiatingRequest.Kind.PROBLEM_RESTORATION
            and not cleaned.get("reference", "").strip()
        ):
            self.add_error("reference", "A problem restoration needs its trouble-ticket reference.")
        return cleaned


# --- step 2: what the customer wants ---------------------------------------------------------------


def offerings_on_sale():
    return ProductOffering.objects.filter(lifecycle_status=LifecycleStatus.LAUNCHED).order_by("category", "name")


REPACKAGE_ERRORS = {
    "required": "Choose the offering to repackage into.",
    "invalid_choice": "Choose one of the offerings listed: the others can't be had at this address.",
}


def repackage_targets(product: InstalledProduct, customer: Customer, place: Address | None):
    """What a product can be repackaged into for this customer at this place (the qualification the
    products step uses), and the offerings of its category it cannot, each with the reasons why."""
    candidates = offerings_on_sale().filter(category=product.offering.category).exclude(pk=product.offering_id)
    answers = qualify_all(candidates, customer, place)
    eligible = [answer.offering.pk for answer in answers if answer.eligible]
    return candidates.filter(pk__in=eligible), [answer for answer in answers if not answer.eligible]


class AddOfferingForm(forms.Form):
    offering = forms.ModelChoiceField(queryset=offerings_on_sale())


class ChangeProductForm(forms.Form):
    product = forms.IntegerField()
    intent = forms.CharField(max_length=30)


# --- step 3: per item, what is not a characteristic ------------------------------------------------


class ItemOptionsForm(RulesInMessages, forms.Form):
    """The new owner of a transfer, or the offering a repackage moves to."""

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        if item.intent == "change_ownership":
            self.fields["new_owner"] = CustomerNumberField(
                label="New owner", required=False, exclude=item.order.customer
            )
            self.initial.setdefault("new_owner", item.new_owner.number if item.new_owner_id else "")
        self.unavailable_offerings: list[Qualification] = []
        if item.intent == "repackage":
            if item.product_id:
                place = item.install_address or item.product.install_address
                choices, self.unavailable_offerings = repackage_targets(item.product, item.order.customer, place)
                if item.offering_id != item.product.offering_id:
                    # The offering already chosen stays listed, so the page shows it even if it no longer
                    # qualifies; submission's completeness check says why.
                    choices = choices | offerings_on_sale().filter(pk=item.offering_id)
            else:
                choices = offerings_on_sale()
            self.fields["offering"] = forms.ModelChoiceField(
                queryset=choices,
                label="Repackage into",
                empty_label="Choose the new offering…",
                required=False,
                error_messages=REPACKAGE_ERRORS,
                help_text="The current product ends when the new one starts.",
            )
            if item.product_id and item.offering_id != item.product.offering_id:
                self.initial.setdefault("offering", item.offering_id)


class ProductActionForm(RulesInMessages, forms.Form):
    """Start a change order for an installed product: why, and for a transfer or repackage, to what."""

    reason = free_text(
        "Reason",
        rows=2,
        max_length=500,
        required=False,
        help_text="What the customer said; it is recorded as the order's initiating request.",
    )

    def __init__(self, *args, product, intent: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.product = product
        if intent == "change_ownership":
            self.fields["new_owner"] = CustomerNumberField(label="New owner", exclude=product.customer)
        self.unavailable_offerings: list[Qualification] = []
        if intent == "repackage":
            targets, self.unavailable_offerings = repackage_targets(product, product.customer, product.install_address)
            self.fields["new_offering"] = forms.ModelChoiceField(
                queryset=targets,
                label="Repackage into",
                empty_label="Choose the new offering…",
                help_text="The current product ends when the new one starts.",
                error_messages=REPACKAGE_ERRORS,
            )
            if self.unavailable_offerings:
                # The page lists what is not offered here, and why, under the field.
                self.fields["new_offering"].widget.attrs["aria-describedby"] = (
                    f"{self['new_offering'].auto_id}_helptext new-offering-unavailable"
                )


# --- step 4: installation and delivery -------------------------------------------------------------


class DeliveryStepForm(RulesInMessages, forms.Form):
    install_address = forms.ChoiceField(label="Install address", required=False, widget=forms.RadioSelect)
    appointment_preference = appointment_window("Appointment preference")
    requested_start_date = calendar_date(
        "Wanted from", future_only=True, help_text="Leave empty for as soon as possible."
    )
    special_requirements = free_text(
        "Special requirements",
        required=False,
        max_length=None,
        help_text="Anything non-standard. The order is then held for special handling unless a positive "
        "feasibility result is on record.",
    )
    feasibility_result = forms.ChoiceField(
        choices=[("", "None known")] + FeasibilityAssessment.Result.choices,
        required=False,
        label="Feasibility result already known",
    )
    feasibility_notes = free_text("Feasibility notes", rows=2, max_length=None, required=False)

    NEW_ADDRESS = "new"

    def __init__(self, *args, addresses=(), needs_address=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_address = needs_address
        if needs_address:
            self.fields["install_address"].choices = [(str(a.pk), str(a)) for a in addresses] + [
                (self.NEW_ADDRESS, "A new address")
            ]
        else:
            del self.fields["install_address"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("feasibility_notes") and not cleaned.get("feasibility_result"):
            self.add_error("feasibility_result", "Choose the result the notes are about.")
        return cleaned

    @property
    def wants_new_address(self) -> bool:
        return self.needs_address and self.data.get(self.add_prefix("install_address")) == self.NEW_ADDRESS


# --- order page actions ----------------------------------------------------------------------------
# The supervisor's decisions (approve, refuse, feasibility, note) have their forms in orders.decisions.


class CancellationForm(RulesInMessages, forms.Form):
    reason = free_text("Why does the customer want to cancel?", rows=2)


class AnswerForm(RulesInMessages, forms.Form):
    answer = free_text("The customer's answer", max_length=4000)


class DocumentForm(RulesInMessages, forms.Form):
    kind = forms.ChoiceField(choices=OrderDocument.Kind.choices, label="Kind of document")
    file = forms.FileField(
        label="File",
        help_text=f"{', '.join(ext.upper() for ext in ALLOWED_EXTENSIONS)}; up to {MAX_DOCUMENT_BYTES // 2**20} MB.",
    )
    description = forms.CharField(required=False, max_length=200, label="Description")


# --- order list ------------------------------------------------------------------------------------


class OrderFilterForm(RulesInMessages, forms.Form):
    customer = forms.CharField(
        required=False, label="Customer or order", widget=forms.TextInput(attrs={"type": "search"})
    )
    state = forms.ChoiceField(choices=[("", "Any state")] + OrderState.choices, required=False, label="State")
    channel = forms.ChoiceField(choices=[("", "Any channel")] + Channel.choices, required=False, label="Channel")
    special_handling = forms.ChoiceField(
        choices=[("", "Any"), ("yes", "Needs special handling"), ("no", "Standard")],
        required=False,
        label="Special handling",
    )
    created_from = forms.DateField(required=False, label="Created from", widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(required=False, label="Created to", widget=forms.DateInput(attrs={"type": "date"}))

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        special = {"yes": True, "no": False}.get(data["special_handling"])
        return {
            "customer": data["customer"],
            "state": data["state"],
            "channel": data["channel"],
            "special_handling": special,
            "created_from": data["created_from"],
            "created_to": data["created_to"],
        }

    @property
    def active_count(self) -> int:
        return sum(1 for name in self.fields if self.data.get(name))
