"""TMF679 product offering qualifications: what an API client asked and the answer it was given."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.models.clients import ApiClient


class OfferingQualification(models.Model):
    """One check (this customer, these offerings, this place) and its answer, as answered then.

    The answer is kept as given rather than worked out again on reading: the catalog and the
    customer's products move on, and a later order refers to what the client was told. The party
    and channel are kept as sent; `customer` is set only when the client may act for that party.
    """

    class Result(models.TextChoices):
        QUALIFIED = "qualified", _("Qualified")
        UNQUALIFIED = "unqualified", _("Unqualified")
        ALTERNATE = "alternate", _("Alternate proposed")

    client = models.ForeignKey(ApiClient, models.PROTECT, related_name="qualifications")
    customer = models.ForeignKey(
        "customers.Customer", models.PROTECT, null=True, blank=True, related_name="offering_qualifications"
    )
    party_id = models.CharField(_("party id as sent"), max_length=100, blank=True)
    party_role = models.CharField(_("party role as sent"), max_length=100, blank=True)
    related_party = models.JSONField(_("related parties as sent"), default=list, blank=True)
    channel_id = models.CharField(_("channel id as sent"), max_length=100, blank=True)
    channel = models.JSONField(_("channel as sent"), default=dict, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    expected_qualification_date = models.DateTimeField(_("expected qualification date"), null=True, blank=True)
    provide_alternative = models.BooleanField(_("provide alternatives"), default=False)
    provide_only_available = models.BooleanField(_("provide only available offerings"), default=False)
    provide_unavailability_reason = models.BooleanField(_("provide unavailability reasons"), default=True)
    place = models.JSONField(_("places as sent"), default=list, blank=True)
    items = models.JSONField(_("items with their answers"), default=list)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    created_at = models.DateTimeField(_("qualified at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "-created_at"], name="qualification_client_idx")]

    def __str__(self):
        return f"Qualification {self.pk} for {self.client}"
