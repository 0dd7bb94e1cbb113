from django import forms

from customers.second_factor import AUTHENTICATOR_DIGITS, RECOVERY_CODE_DIGITS

# What phones and password managers need to offer a code from an app or a text: numbers, one-time code.
CODE_WIDGET_ATTRS = {
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "autofocus": True,
    "spellcheck": "false",
    "class": "form-control form-control-lg font-monospace",
}


class VerifyCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text=(
            f"The {AUTHENTICATOR_DIGITS}-digit code your authenticator app shows now, "
            f"or one of your {RECOVERY_CODE_DIGITS}-digit recovery codes."
        ),
        widget=forms.TextInput(attrs=CODE_WIDGET_ATTRS),
    )


class ConfirmAuthenticatorForm(forms.Form):
    device = forms.IntegerField(widget=forms.HiddenInput)
    code = forms.CharField(
        label="Code from the app",
        max_length=32,
        help_text=f"The {AUTHENTICATOR_DIGITS}-digit code the app shows for OrderDesk, to prove it is set up.",
        widget=forms.TextInput(attrs=CODE_WIDGET_ATTRS),
    )
