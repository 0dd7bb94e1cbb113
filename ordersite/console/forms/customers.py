"""Forms for customer data captured by staff."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row
from django import forms

from customers.addresses import (
    ADDRESS_FIELDS,
    POSTCODE_RE,
    AddressCheck,
    collapse,
    compact_postcode,
    format_postcode,
    validate_and_attach,
)
from customers.models import Address, Customer, CustomerKind, Interaction
from customers.telephone import to_e164
from ordersite.presentation.rules import RulesInMessages

# Agents type the customer's address, not their own: the browser's autofill would only get in the way.
NO_AUTOFILL = {"autocomplete": "off"}


class AddressForm(RulesInMessages, forms.ModelForm):
    """An address checked against the reference data, with each problem shown at its field.

    After is_valid(), `address_check` holds the AddressCheck (None if street or house number
    were missing), so the page can offer its suggestions. A valid address is saved with the
    reference spelling, postcode and town, and with reference_street and validated_at set.
    """

    # Service can only be installed where the reference data knows the address. Billing and
    # postal addresses may be anywhere in the country: a match is recorded but not required.
    validated_purposes = frozenset({Address.Purpose.INSTALLATION})

    class Meta:
        model = Address
        fields = ["purpose", "unit", "house_number", "street", "postcode", "town"]
        # The other fields' labels are their models' names for them.
        labels = {
            "purpose": "Address type",
            "unit": "Flat, floor or unit",
        }
        help_texts = {
            "unit": "Optional.",
            "postcode": "Filled in from the street and number if left blank.",
            "town": "Filled in from the street and number if left blank.",
        }
        widgets = {
            "unit": forms.TextInput(attrs=NO_AUTOFILL),
            "house_number": forms.TextInput(attrs=NO_AUTOFILL),
            "street": forms.TextInput(attrs=NO_AUTOFILL),
            "postcode": forms.TextInput(attrs=NO_AUTOFILL),
            "town": forms.TextInput(attrs=NO_AUTOFILL),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.address_check: AddressCheck | None = None
        # A matched street supplies both, so they are only demanded when nothing matched (see clean()).
        self.fields["postcode"].required = False
        self.fields["town"].required = False
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "purpose",
            Row(Column("house_number", css_class="col-sm-3"), Column("street", css_class="col-sm-9")),
            "unit",
            Row(Column("postcode", css_class="col-sm-4"), Column("town", css_class="col-sm-8")),
        )

    def clean(self):
        cleaned = super().clean()
        if "street" in self.errors or "house_number" in self.errors:
            return cleaned
        for name in ADDRESS_FIELDS:
            setattr(self.instance, name, cleaned.get(name) or "")
        check = validate_and_attach(self.instance)
        self.address_check = check
        if check.is_valid:
            cleaned.update(check.normalised)
        elif cleaned.get("purpose", Address.Purpose.INSTALLATION) in self.validated_purposes:
            for name, message in check.errors.items():
                self.add_error(name, message)
        else:
            self._clean_unmatched(cleaned)
        return cleaned

    def address_details(self) -> dict:
        """The cleaned form as customers.commands.add_address's keywords."""
        return {name: self.cleaned_data.get(name) or "" for name in self.Meta.fields}

    def _clean_unmatched(self, cleaned: dict) -> None:
        """An address outside the reference data still needs a well-formed postcode and a town."""
        postcode = compact_postcode(cleaned.get("postcode", ""))
        if not postcode:
            self.add_error("postcode", "Enter the postcode.")
        elif not POSTCODE_RE.match(postcode):
            self.add_error("postcode", "This is not a postcode; postcodes look like RV1 2LL.")
        else:
            cleaned["postcode"] = format_postcode(postcode)
        cleaned["town"] = collapse(cleaned.get("town", ""))
        if not cleaned["town"]:
            self.add_error("town", "Enter the town.")
        cleaned["street"] = collapse(cleaned.get("street", ""))
        cleaned["house_number"] = collapse(cleaned.get("house_number", ""))


# --- agent console: customers ----------------------------------------------------------------------


CONTACT_RULE = "Give a phone number or an email (at least one)."
CONTACT_RULE_ID = "contact-rule"
PHONE_RULE = "Enter a phone number we can call: digits, spaces and + only, such as 07700 900123 or +44 7700 900123."


class CustomerForm(RulesInMessages, forms.ModelForm):
    """A new customer and their primary contact, as an agent takes them down on the phone."""

    contact_name = forms.CharField(
        max_length=200,
        required=False,
        label="Contact name",
        help_text="Who we speak to. Leave empty to use the customer's name.",
    )

    class Meta:
        model = Customer
        fields = ["kind", "name", "trading_name", "company_number", "email", "phone"]
        labels = {
            "kind": "Customer type",
            "name": "Full name or legal name",
        }
        help_texts = {
            "name": "As on their ID, or as registered for an organisation.",
            "trading_name": "Organisations only, if different from the legal name.",
            "company_number": "Organisations only.",
        }
        widgets = {
            "kind": forms.RadioSelect,
            "name": forms.TextInput(attrs=NO_AUTOFILL),
            "trading_name": forms.TextInput(attrs=NO_AUTOFILL),
            "company_number": forms.TextInput(attrs=NO_AUTOFILL),
            "email": forms.EmailInput(attrs={**NO_AUTOFILL, "aria-describedby": CONTACT_RULE_ID}),
            "phone": forms.TextInput(attrs={**NO_AUTOFILL, "type": "tel", "aria-describedby": CONTACT_RULE_ID}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                "Who is the customer?",
                "kind",
                "name",
                Row(Column("trading_name", css_class="col-md-6"), Column("company_number", css_class="col-md-6")),
            ),
            Fieldset(
                # Neither field is required on its own, but one of them is: the group carries the marker.
                'How to reach them<span class="required-mark" aria-hidden="true"> *</span>',
                HTML(f'<p class="form-text mt-0 mb-2" id="{CONTACT_RULE_ID}">{CONTACT_RULE}</p>'),
                Row(Column("phone", css_class="col-md-6"), Column("email", css_class="col-md-6")),
                "contact_name",
            ),
        )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and to_e164(phone) is None:
            raise forms.ValidationError(PHONE_RULE)
        return phone

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone") and not {"email", "phone"} & set(self.errors):
            self.add_error("phone", "Give at least a phone number or an email address.")
        if cleaned.get("kind") == CustomerKind.INDIVIDUAL:
            for name in ("trading_name", "company_number"):
                if cleaned.get(name):
                    self.add_error(name, "Only organisations have this; leave it empty for an individual.")
        return cleaned

    def customer_details(self) -> dict:
        """The cleaned form as customers.commands.create_customer's keywords."""
        return {name: self.cleaned_data[name] for name in [*self.Meta.fields, "contact_name"]}


class InteractionForm(RulesInMessages, forms.ModelForm):
    class Meta:
        model = Interaction
        fields = ["kind", "summary"]
        labels = {"summary": "What was said or done"}
        widgets = {"summary": forms.Textarea(attrs={"rows": 2}), "kind": forms.Select(attrs={"class": "form-select"})}
