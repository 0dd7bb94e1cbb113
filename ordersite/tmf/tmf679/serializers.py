"""TMF679 requests: a qualification as clients send it, strictly typed.

Message-level problems (no items, a date without a time, wrong types) are a 400 and nothing is
stored. Parties, offerings, categories and places we
do not know, and an item naming neither an offering nor a category, are business-level: the
qualification is made, and those items are not qualified, with the reason.
"""

from __future__ import annotations

import re

from rest_framework import serializers

from orders.models import ItemAction
from ordersite.tmf.tmf630.serializers import Text, TMFSerializer, objects, optional_text

MAX_ITEMS = 100
DATE_AND_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


class StrictBoolean(serializers.BooleanField):
    """A JSON true or false; not "yes", 1 or "true"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class DateTime(serializers.DateTimeField):
    """A date-time with its time (2017-10-05T12:00:00Z); a date alone is not one, whatever Python reads."""

    def to_internal_value(self, value):
        if not isinstance(value, str) or not DATE_AND_TIME.match(value.strip()):
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss[.uuu]][+HH:MM|-HH:MM|Z]")
        return super().to_internal_value(value)


class QualificationRefIn(TMFSerializer):
    id = Text(max_length=100)
    href = Text(required=False, allow_blank=True, max_length=500)
    name = Text(required=False, allow_blank=True, max_length=200)
    at_fields = {"@referredType": optional_text(max_length=100), "@type": optional_text(max_length=100)}


class QualificationCategoryIn(QualificationRefIn):
    version = Text(required=False, allow_blank=True, max_length=40)


class QualificationPartyIn(QualificationRefIn):
    role = Text(required=False, allow_blank=True, max_length=100)


class QualificationPlaceIn(QualificationRefIn):
    id = Text(max_length=40, help_text="The id of one of the customer's addresses (TMF629 contactMedium id).")
    role = Text(required=False, allow_blank=True, max_length=100)


class QualificationItemIn(TMFSerializer):
    id = Text(max_length=20)
    action = serializers.ChoiceField(choices=ItemAction.values, required=False)
    expectedActivationDate = DateTime(required=False)
    productOffering = QualificationRefIn(required=False, help_text="The offering to qualify (a TMF620 offering id).")
    category = QualificationCategoryIn(
        required=False, help_text="Without productOffering: which of this category's offerings can be had."
    )
    product = serializers.DictField(required=False)
    note = objects()
    qualificationItemRelationship = objects()
    at_fields = {"@type": optional_text(max_length=100), "@baseType": optional_text(max_length=100)}


class ProductOfferingQualificationIn(TMFSerializer):
    """TMF679 ProductOfferingQualification_Create (with expectedQualificationDate, which clients send)."""

    # Lists as ListField, whose bounds the OpenAPI document shows (minItems, maxItems).
    productOfferingQualificationItem = serializers.ListField(
        child=QualificationItemIn(), min_length=1, max_length=MAX_ITEMS
    )
    relatedParty = serializers.ListField(child=QualificationPartyIn(), required=False, max_length=20)
    channel = QualificationRefIn(required=False)
    place = serializers.ListField(child=QualificationPlaceIn(), required=False, max_length=1)
    category = QualificationCategoryIn(required=False)
    description = Text(required=False, allow_blank=True, max_length=200)
    expectedQualificationDate = DateTime(required=False)
    requestedPOQCompletionDate = DateTime(required=False)
    instantSyncQualification = StrictBoolean(required=False)
    provideAlternative = StrictBoolean(required=False)
    provideOnlyAvailable = StrictBoolean(required=False)
    provideUnavailabilityReason = StrictBoolean(required=False)
    note = objects()
    at_fields = {
        "@type": optional_text(max_length=100),
        "@baseType": optional_text(max_length=100),
        "@schemaLocation": optional_text(max_length=500),
    }
