"""TMF622 requests: what clients send, strictly typed, with the message-level checks.

Message-level problems (wrong types, missing ids or actions, malformed references) are found here
and answered with 400 before anything is stored. Business-level problems (unknown offerings,
characteristics, parties, addresses) are for the services: they give a `rejected` order.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.models import ProductStatus
from orders.callbacks import callback_refusal
from orders.models import ItemAction, OutboxEvent
from ordersite.tmf.tmf630.errors import Unprocessable
from ordersite.tmf.tmf630.openapi import SPACE
from ordersite.tmf.tmf630.serializers import Text, TMFSerializer, WholeNumber, objects, optional_text

MAX_ITEMS = 100


class NoteIn(TMFSerializer):
    text = Text(max_length=4000)
    author = Text(required=False, allow_blank=True, max_length=200)
    date = serializers.DateTimeField(required=False)


class ReferenceIn(TMFSerializer):
    id = Text(max_length=100)
    href = Text(required=False, allow_blank=True, max_length=500)
    name = Text(required=False, allow_blank=True, max_length=200)
    at_fields = {"@referredType": optional_text(max_length=100), "@type": optional_text(max_length=100)}


class RelatedPartyIn(ReferenceIn):
    role = Text(required=False, allow_blank=True, max_length=100)


class CharacteristicIn(TMFSerializer):
    name = Text(max_length=100)
    valueType = Text(required=False, allow_blank=True, max_length=40)
    value = serializers.JSONField(allow_null=True)


class PlaceIn(TMFSerializer):
    id = Text(max_length=40, help_text="The id of one of the customer's addresses (TMF629 contactMedium id).")
    role = Text(required=False, allow_blank=True, max_length=100)
    name = Text(required=False, allow_blank=True, max_length=200)
    href = Text(required=False, allow_blank=True, max_length=500)
    at_fields = {"@referredType": optional_text(max_length=100), "@type": optional_text(max_length=100)}


class ProductIn(TMFSerializer):
    id = Text(required=False, max_length=40, help_text="The installed product a modify, delete or noChange is about.")
    status = serializers.ChoiceField(
        choices=ProductStatus.values,
        required=False,
        help_text="On modify: suspended suspends the product, active resumes a suspended one.",
    )
    productCharacteristic = CharacteristicIn(many=True, required=False, max_length=200)
    place = PlaceIn(many=True, required=False, max_length=5)
    at_fields = {"@type": optional_text(max_length=100)}


class RelationshipIn(TMFSerializer):
    id = Text(max_length=20)
    relationshipType = Text(max_length=40)


class QualificationItemRefIn(TMFSerializer):
    """TMF622 v4 ProductOfferingQualificationItemRef: an item of a TMF679 qualification this client asked for."""

    id = Text(max_length=20)
    productOfferingQualificationId = Text(max_length=40)
    href = Text(required=False, allow_blank=True, max_length=500)
    name = Text(required=False, allow_blank=True, max_length=200)
    productOfferingQualificationHref = Text(required=False, allow_blank=True, max_length=500)
    productOfferingQualificationName = Text(required=False, allow_blank=True, max_length=200)
    at_fields = {"@referredType": optional_text(max_length=100), "@type": optional_text(max_length=100)}


class ProductOrderItemIn(TMFSerializer):
    id = Text(max_length=20)
    action = serializers.ChoiceField(choices=ItemAction.values)
    quantity = WholeNumber(required=False, min_value=1, max_value=1000)
    productOffering = ReferenceIn(required=False)
    product = ProductIn(required=False)
    productOrderItemRelationship = RelationshipIn(many=True, required=False, max_length=MAX_ITEMS)
    productOrderItem = serializers.ListField(
        required=False,
        max_length=0,  # in the OpenAPI document too: maxItems 0
        error_messages={"max_length": "nested items are not supported: list every item at the top level"},
    )
    appointment = serializers.DictField(required=False)
    billingAccount = serializers.DictField(required=False)
    productOfferingQualificationItem = QualificationItemRefIn(
        required=False, help_text="The TMF679 qualification item this item was qualified by."
    )
    quoteItem = serializers.DictField(required=False)
    itemPrice = objects()
    itemTerm = objects()
    itemTotalPrice = objects()
    payment = objects()
    qualification = ReferenceIn(
        many=True, required=False, max_length=1, help_text="The TMF679 qualification (its item for this offering)."
    )
    at_fields = {"@type": optional_text(max_length=100)}


@extend_schema_field({"type": "string", "enum": ["0", "1", "2", "3", "4"]})
class Priority(Text):
    """A string "0" to "4" (ProductOrderIn.validate_priority says so); not a number."""


class ProductOrderIn(TMFSerializer):
    """TMF622 ProductOrder_Create."""

    productOrderItem = ProductOrderItemIn(many=True, min_length=1, max_length=MAX_ITEMS)
    relatedParty = RelatedPartyIn(many=True, required=False, max_length=20)
    note = NoteIn(many=True, required=False, max_length=20)
    externalId = Text(required=False, allow_blank=True, max_length=60)
    description = Text(required=False, allow_blank=True, max_length=200)
    category = Text(required=False, allow_blank=True, max_length=100)
    priority = Priority(required=False, help_text='"0" (highest) to "4" (lowest).')
    requestedStartDate = serializers.DateTimeField(required=False)
    requestedCompletionDate = serializers.DateTimeField(required=False)
    notificationContact = Text(required=False, allow_blank=True, max_length=200)
    cancellationDate = serializers.DateTimeField(required=False)
    cancellationReason = Text(required=False, allow_blank=True, max_length=1000)
    quote = ReferenceIn(many=True, required=False, max_length=10)
    billingAccount = serializers.DictField(required=False)
    channel = objects()
    agreement = objects()
    payment = objects()
    productOfferingQualification = objects()
    orderTotalPrice = objects()
    at_fields = {
        "@type": optional_text(max_length=100),
        "@baseType": optional_text(max_length=100),
        "@schemaLocation": optional_text(max_length=500),
    }

    def validate_priority(self, value):
        if value not in {"0", "1", "2", "3", "4"}:
            raise serializers.ValidationError('must be "0" (highest) to "4" (lowest)')
        return value

    def validate(self, data):
        """How the items refer to each other: well-formed items that do not make one order are a 422,
        as no OpenAPI schema can say that ids (or an item's characteristic names) are unique or that a
        relationship names another item."""
        items = data["productOrderItem"]
        ids = [item["id"] for item in items]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise Unprocessable({"productOrderItem": f"item id {twice[0]!r} is used twice"})
        for index, item in enumerate(items):
            names = [c["name"] for c in item.get("product", {}).get("productCharacteristic", [])]
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                where = f"productOrderItem[{index}].product.productCharacteristic"
                raise Unprocessable({where: f"characteristic {twice[0]!r} is given twice"})
        for item in items:
            for relation in item.get("productOrderItemRelationship", []):
                if relation["id"] not in ids:
                    raise Unprocessable(
                        {"productOrderItem": f"item {item['id']!r} relates to {relation['id']!r}, not in this order"}
                    )
                if relation["id"] == item["id"]:
                    raise Unprocessable({"productOrderItem": f"item {item['id']!r} relates to itself"})
        data["productOrderItem"] = creation_order(items)
        return data


def relies_on(item: dict) -> list[str]:
    return [
        r["id"]
        for r in item.get("productOrderItemRelationship", [])
        if r["relationshipType"].replace("_", "").lower() in {"relieson", "dependson"}
    ]


def creation_order(items: list[dict]) -> list[dict]:
    """Items in an order where every item comes after those it relies on (otherwise as sent)."""
    by_id = {item["id"]: item for item in items}
    placed: dict[str, dict] = {}
    visiting: set[str] = set()

    def place(item_id: str) -> None:
        if item_id in placed:
            return
        if item_id in visiting:
            raise Unprocessable({"productOrderItem": f"items rely on each other in a circle ({item_id})"})
        visiting.add(item_id)
        for other in relies_on(by_id[item_id]):
            place(other)
        visiting.discard(item_id)
        placed[item_id] = by_id[item_id]

    for item in items:
        place(item["id"])
    return list(placed.values())


class CancelProductOrderIn(TMFSerializer):
    """TMF622 CancelProductOrder_Create."""

    productOrder = ReferenceIn()
    cancellationReason = Text(required=False, allow_blank=True, max_length=1000)
    requestedCancellationDate = serializers.DateTimeField(required=False)
    at_fields = {"@type": optional_text(max_length=100)}


EVENT_TYPES = set(OutboxEvent.Type.values)


def _callback_pattern() -> str:
    """An http(s) URL to a host name, an IPv4 or a bracketed IPv6 address, with an optional port and path.

    The OpenAPI document publishes this pattern and the server checks it, so both refuse the same
    callbacks (where the host leads is vetted afterwards, by orders.callbacks).
    """
    label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}[A-Za-z0-9])?"
    name = rf"(?:{label}\.){{1,5}}[A-Za-z]{{2,24}}\.?|localhost"
    octet = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
    h = "[0-9A-Fa-f]{1,4}"
    ipv4 = rf"{octet}(?:\.{octet}){{3}}"
    ipv6 = "|".join(
        [
            f"(?:{h}:){{6}}{ipv4}",
            f"(?:{h}:){{1,4}}:{ipv4}",
            f"::(?:[Ff]{{4}}(?::0{{1,4}})?:)?{ipv4}",
            f"(?:{h}:){{7}}{h}",
            f"(?:{h}:){{1,7}}:",
            *(f"(?:{h}:){{1,{7 - tail}}}(?::{h}){{1,{tail}}}" for tail in range(1, 7)),
            f":(?:(?::{h}){{1,7}}|:)",
        ]
    )
    port = r"(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?"
    return rf"^[{SPACE}]*https?://(?:{name}|{ipv4}|\[(?:{ipv6})\]){port}(?:[/?#][^{SPACE}]*)?[{SPACE}]*$"


CALLBACK_PATTERN = _callback_pattern()


class EventSubscriptionIn(serializers.Serializer):
    """TMF622 EventSubscriptionInput: where to send events, and which."""

    callback = Text(
        max_length=500,
        validators=[RegexValidator(CALLBACK_PATTERN, "Enter an http or https URL to a host name or an IP address.")],
    )
    query = Text(required=False, allow_blank=True, max_length=500)

    def validate_callback(self, value):
        refusal = callback_refusal(value)
        if refusal:  # where the host leads (an internal address): nothing a schema of the URL could say
            raise Unprocessable({"callback": refusal})
        return value

    def validate_query(self, value):
        for part in filter(None, value.split("&")):
            name, _, wanted = part.partition("=")
            if name.strip() == "eventType":
                unknown = sorted(set(filter(None, wanted.split(","))) - EVENT_TYPES)
                if unknown:
                    raise serializers.ValidationError(
                        f"unknown eventType {unknown[0]!r}; known: {', '.join(sorted(EVENT_TYPES))}"
                    )
        return value
