"""The self-service forms: answer a question, cancel, sign off, act on a product, delivery of a new order."""

from __future__ import annotations

from django import forms

from orders.models import DeliverySignOff, ItemIntent
from ordersite.presentation.fields import appointment_window, calendar_date, free_text
from ordersite.selfservice.wording import TEST_RESULT_WORDS, TRAINING_WORDS


class AnswerForm(forms.Form):
    answer = free_text("Your answer", rows=4, max_length=4000, if_missing="Write your answer before sending it.")


class CancelForm(forms.Form):
    reason = free_text("Why do you want to cancel?", if_missing="Tell us briefly why you want to cancel.")


class SignOffForm(forms.Form):
    test_result = forms.ChoiceField(
        label="How did the test go?",
        widget=forms.RadioSelect,
        choices=list(TEST_RESULT_WORDS.items()),
        error_messages={"required": "Choose how the test went."},
    )
    accepted = forms.BooleanField(required=False, label="I accept the delivery")
    remarks = free_text("Remarks", required=False, help_text="What you noticed, especially if something doesn't work.")
    training = forms.ChoiceField(
        required=False, label="Would you like training?", widget=forms.RadioSelect, choices=list(TRAINING_WORDS.items())
    )
    training_date = calendar_date("Training date", future_only=True)

    def __init__(self, *args, offers_training: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.offers_training = offers_training
        if not offers_training:
            del self.fields["training"]
            del self.fields["training_date"]

    def clean(self):
        cleaned = super().clean()
        result, accepted = cleaned.get("test_result"), cleaned.get("accepted")
        if result == DeliverySignOff.TestResult.FAILED and accepted:
            self.add_error("accepted", "You can't accept a delivery whose test failed: tell us what doesn't work.")
        if result and (result != DeliverySignOff.TestResult.PASSED or not accepted) and not cleaned.get("remarks"):
            self.add_error("remarks", "Tell us what you noticed, so we can put it right.")
        if self.offers_training:
            training = cleaned.get("training")
            if not training:
                self.add_error("training", "Choose whether you'd like training.")
            elif training == DeliverySignOff.Training.SCHEDULED and self.needs_training_date(cleaned):
                self.add_error("training_date", "Choose a date for the training session.")
        return cleaned

    def needs_training_date(self, cleaned) -> bool:
        # A date already refused (in the past) has its own message; only a missing one gets this.
        return cleaned.get("training_date") is None and not self.has_error("training_date")


class ProductActionForm(forms.Form):
    reason = free_text("Anything we should know?", rows=2, max_length=500, required=False, help_text="Optional.")

    def __init__(self, *args, intent: str, **kwargs):
        super().__init__(*args, **kwargs)
        if intent == ItemIntent.DISCONTINUE:
            self.fields["confirm"] = forms.BooleanField(
                label="I understand the service stops for good",
                error_messages={"required": "Tick the box to confirm you want to end it for good."},
            )



class DeliveryForm(forms.Form):
    """Where and when, for a new product; what is needed, for a bespoke one."""

    install_address = forms.ChoiceField(label="Where should it be installed?", widget=forms.RadioSelect)
    requested_start_date = calendar_date(
        "Wanted from", future_only=True, help_text="Leave empty for as soon as possible."
    )
    appointment_preference = appointment_window("Best time for an engineer visit")
    special_requirements = free_text(
        "Tell us what you need",
        rows=4,
        help_text="Sites, timing, anything special. Our specialist team reviews it and contacts you.",
        if_missing="Describe what you need, so our team can prepare it.",
    )

    def __init__(self, *args, addresses, needs_address: bool, bespoke: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.addresses = {str(a.pk): a for a in addresses}
        if needs_address and len(addresses) > 1:
            self.fields["install_address"].choices = [(str(a.pk), str(a)) for a in addresses]
        else:
            del self.fields["install_address"]
        if not needs_address:
            del self.fields["appointment_preference"]
        if not bespoke:
            del self.fields["special_requirements"]

    def clean_install_address(self):
        # Only the customer's own serviceable addresses are choices; anything else is refused here.
        return self.addresses[self.cleaned_data["install_address"]]
