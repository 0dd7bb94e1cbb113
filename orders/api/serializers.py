"""TMF622 camelCase: what API clients send (strictly typed, message-level checks) and what they get.

Message-level problems (wrong types, missing ids or actions, malformed references) are found here
and answered with 400 before anything is stored. Business-level problems (unknown offerings,
characteristics, parties, addresses) are for the services: they give a `rejected` order.
"""

from __future__ import annotations

import re
from decimal import Decimal

from rest_framework import serializers

from customers.models import ProductStatus
from orders.api.tmf630 import format_date, format_datetime
from orders.models import (
    CancellationRequest,
    HubListener,
    ItemAction,
    ItemState,
    Order,
    OrderItem,
    OrderState,
    OutboxEvent,
    ProductOffering,
)
from orders.notifications import callback_refusal

ORDERING_PATH = "/tmf-api/productOrderingManagement/v4"
CATALOG_PATH = "/tmf-api/productCatalogManagement/v4"
CUSTOMER_PATH = "/tmf-api/customerManagement/v4"

MAX_ITEMS = 100


# --- strict JSON types ---------------------------------------------------------------------------


class Text(serializers.CharField):
    """A JSON string; numbers and booleans are not quietly turned into one."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class WholeNumber(serializers.IntegerField):
    """A JSON integer; not a string, a boolean or 1.5."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class TMFSerializer(serializers.Serializer):
    """A serializer whose `at_fields` carry TMF's @-names (@type, @referredType, ...)."""

    at_fields: dict = {}

    def get_fields(self):
        fields = super().get_fields()
        for name, make in self.at_fields.items():
            fields[name] = make()
        return fields


def _optional_text(**kwargs):
    return lambda: Text(required=False, allow_blank=True, max_length=kwargs.get("max_length", 200))


def _objects():
    return serializers.ListField(child=serializers.DictField(), required=False, max_length=50)


# --- what clients send ---------------------------------------------------------------------------


class RelatedPartyIn(TMFSerializer):
    id = Text(max_length=100)
    href = Text(required=False, allow_blank=True, max_length=500)
    name = Text(required=False, allow_blank=True, max_length=200)
    role = Text(required=False, allow_blank=True, max_length=100)
    at_fields = {"@referredType": _optional_text(max_length=100), "@type": _optional_text(max_length=100)}


class NoteIn(TMFSerializer):
    text = Text(max_length=4000)
    author = Text(required=False, allow_blank=True, max_length=200)
    date = serializers.DateTimeField(required=False)


class ReferenceIn(TMFSerializer):
    id = Text(max_length=100)
    href = Text(required=False, allow_blank=True, max_length=500)
    name = Text(required=False, allow_blank=True, max_length=200)
    at_fields = {"@referredType": _optional_text(max_length=100), "@type": _optional_text(max_length=100)}


class CharacteristicIn(TMFSerializer):
    name = Text(max_length=100)
    valueType = Text(required=False, allow_blank=True, max_length=40)
    value = serializers.JSONField(allow_null=True)


class PlaceIn(TMFSerializer):
    id = Text(max_length=40, help_text="The id of one of the customer's addresses (TMF629 contactMedium id).")
    role = Text(required=False, allow_blank=True, max_length=100)
    name = Text(required=False, allow_blank=True, max_length=200)
    href = Text(required=False, allow_blank=True, max_length=500)
    at_fields = {"@referredType": _optional_text(max_length=100), "@type": _optional_text(max_length=100)}


class ProductIn(TMFSerializer):
    id = Text(required=False, max_length=40, help_text="The installed product a modify, delete or noChange is about.")
    status = serializers.ChoiceField(
        choices=ProductStatus.values,
        required=False,
        help_text="On modify: suspended suspends the product, active resumes a suspended one.",
    )
    productCharacteristic = CharacteristicIn(many=True, required=False, max_length=200)
    place = PlaceIn(many=True, required=False, max_length=5)
    at_fields = {"@type": _optional_text(max_length=100)}

    def validate_productCharacteristic(self, value):
        names = [c["name"] for c in value]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise serializers.ValidationError(f"characteristic {twice[0]!r} is given twice")
        return value


class RelationshipIn(TMFSerializer):
    id = Text(max_length=20)
    relationshipType = Text(max_length=40)


class ProductOrderItemIn(TMFSerializer):
    id = Text(max_length=20)
    action = serializers.ChoiceField(choices=ItemAction.values)
    quantity = WholeNumber(required=False, min_value=1, max_value=1000)
    productOffering = ReferenceIn(required=False)
    product = ProductIn(required=False)
    productOrderItemRelationship = RelationshipIn(many=True, required=False, max_length=MAX_ITEMS)
    productOrderItem = serializers.ListField(required=False)
    appointment = serializers.DictField(required=False)
    billingAccount = serializers.DictField(required=False)
    productOfferingQualificationItem = serializers.DictField(required=False)
    quoteItem = serializers.DictField(required=False)
    itemPrice = _objects()
    itemTerm = _objects()
    itemTotalPrice = _objects()
    payment = _objects()
    qualification = _objects()
    at_fields = {"@type": _optional_text(max_length=100)}

    def validate_productOrderItem(self, value):
        if value:
            raise serializers.ValidationError("nested items are not supported: list every item at the top level")
        return value


class ProductOrderIn(TMFSerializer):
    """TMF622 ProductOrder_Create."""

    productOrderItem = ProductOrderItemIn(many=True, min_length=1, max_length=MAX_ITEMS)
    relatedParty = RelatedPartyIn(many=True, required=False, max_length=20)
    note = NoteIn(many=True, required=False, max_length=20)
    externalId = Text(required=False, allow_blank=True, max_length=60)
    description = Text(required=False, allow_blank=True, max_length=200)
    category = Text(required=False, allow_blank=True, max_length=100)
    priority = Text(required=False, help_text='"0" (highest) to "4" (lowest).')
    requestedStartDate = serializers.DateTimeField(required=False)
    requestedCompletionDate = serializers.DateTimeField(required=False)
    notificationContact = Text(required=False, allow_blank=True, max_length=200)
    cancellationDate = serializers.DateTimeField(required=False)
    cancellationReason = Text(required=False, allow_blank=True, max_length=1000)
    quote = ReferenceIn(many=True, required=False, max_length=10)
    billingAccount = serializers.DictField(required=False)
    channel = _objects()
    agreement = _objects()
    payment = _objects()
    productOfferingQualification = _objects()
    orderTotalPrice = _objects()
    at_fields = {
        "@type": _optional_text(max_length=100),
        "@baseType": _optional_text(max_length=100),
        "@schemaLocation": _optional_text(max_length=500),
    }

    def validate_priority(self, value):
        if value not in {"0", "1", "2", "3", "4"}:
            raise serializers.ValidationError('must be "0" (highest) to "4" (lowest)')
        return value

    def validate(self, data):
        items = data["productOrderItem"]
        ids = [item["id"] for item in items]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise serializers.ValidationError({"productOrderItem": f"item id {twice[0]!r} is used twice"})
        for item in items:
            for relation in item.get("productOrderItemRelationship", []):
                if relation["id"] not in ids:
                    raise serializers.ValidationError(
                        {"productOrderItem": f"item {item['id']!r} relates to {relation['id']!r}, not in this order"}
                    )
                if relation["id"] == item["id"]:
                    raise serializers.ValidationError({"productOrderItem": f"item {item['id']!r} relates to itself"})
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
            raise serializers.ValidationError({"productOrderItem": f"items rely on each other in a circle ({item_id})"})
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
    at_fields = {"@type": _optional_text(max_length=100)}


EVENT_TYPES = set(OutboxEvent.Type.values)


class EventSubscriptionIn(serializers.Serializer):
    """TMF622 EventSubscriptionInput: where to send events, and which."""

    callback = Text(max_length=500)
    query = Text(required=False, allow_blank=True, max_length=500)

    def validate_callback(self, value):
        serializers.URLField().run_validators(value)
        refusal = callback_refusal(value)
        if refusal:
            raise serializers.ValidationError(refusal)
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


# --- what clients get ----------------------------------------------------------------------------


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def order_href(request, order: Order) -> str:
    return _absolute(request, f"{ORDERING_PATH}/productOrder/{order.number}")


def offering_href(request, offering: ProductOffering) -> str:
    return _absolute(request, f"{CATALOG_PATH}/productOffering/{offering.code}")


def customer_href(request, number: str) -> str:
    return _absolute(request, f"{CUSTOMER_PATH}/customer/{number}")


def _value_type(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def _money(amount: Decimal, currency: str) -> dict:
    return {"unit": currency, "value": float(amount)}


def _prices(item: OrderItem) -> list[dict]:
    if item.offering is None:
        return []
    currency = item.offering.currency
    prices = []
    if item.recurring_price:
        prices.append(
            {
                "name": "Recurring charge",
                "priceType": "recurring",
                "recurringChargePeriod": "month",
                "price": {"dutyFreeAmount": _money(item.recurring_price, currency), "@type": "Price"},
                "@type": "OrderPrice",
            }
        )
    if item.one_off_price:
        prices.append(
            {
                "name": "One-off charge",
                "priceType": "oneTime",
                "price": {"dutyFreeAmount": _money(item.one_off_price, currency), "@type": "Price"},
                "@type": "OrderPrice",
            }
        )
    return prices


def _total_prices(items: list[OrderItem]) -> list[dict]:
    totals: dict[tuple[str, str], Decimal] = {}
    for item in items:
        for price in _prices(item):
            key = (price["priceType"], price["price"]["dutyFreeAmount"]["unit"])
            amount = Decimal(str(price["price"]["dutyFreeAmount"]["value"])) * item.quantity
            totals[key] = totals.get(key, Decimal("0")) + amount
    return [
        {
            "name": "Total recurring charge" if price_type == "recurring" else "Total one-off charge",
            "priceType": price_type,
            **({"recurringChargePeriod": "month"} if price_type == "recurring" else {}),
            "price": {"dutyFreeAmount": _money(amount, currency), "@type": "Price"},
            "@type": "OrderPrice",
        }
        for (price_type, currency), amount in sorted(totals.items())
    ]


def item_representation(request, item: OrderItem) -> dict:
    data: dict = {"id": item.item_id, "action": item.action, "quantity": item.quantity}
    if item.state != ItemState.DRAFT:  # TMF622 v4 items have no draft state
        data["state"] = item.state
    if item.offering is not None:
        data["productOffering"] = {
            "id": item.offering.code,
            "href": offering_href(request, item.offering),
            "name": item.offering.name,
            "@referredType": "ProductOffering",
        }
    elif item.requested_offering:
        data["productOffering"] = {"id": item.requested_offering, "@referredType": "ProductOffering"}
    product: dict = {}
    if item.product is not None:
        product.update({"id": str(item.product.pk), "name": item.product.name, "status": item.product.status})
    if item.characteristics:
        product["productCharacteristic"] = [
            {"name": name, "valueType": _value_type(value), "value": value, "@type": "Characteristic"}
            for name, value in item.characteristics.items()
        ]
    if item.install_address is not None:
        product["place"] = [
            {
                "id": str(item.install_address.pk),
                "name": str(item.install_address),
                "role": "installationAddress",
                "@referredType": "GeographicAddress",
            }
        ]
    if product:
        data["product"] = {**product, "@type": "Product"}
    relations = sorted(item.relies_on.all(), key=lambda other: other.pk)
    if relations:
        data["productOrderItemRelationship"] = [
            {"id": other.item_id, "relationshipType": "reliesOn"} for other in relations
        ]
    prices = _prices(item)
    if prices:
        data["itemPrice"] = prices
    data["@type"] = "ProductOrderItem"
    return data


_ITEM_REASON = re.compile(r"^items\[(\d+)\](?:\.([^:]*))?:\s*(.*)$", re.S)
_FIELD_NAMES = {"offering": "productOffering", "install_address": "place", "product": "product"}


def _tmf_field(path: str) -> str:
    head, _, rest = path.partition(".")
    if head == "characteristics":
        return f"productCharacteristic {rest}" if rest else "productCharacteristic"
    return _FIELD_NAMES.get(head, head)


def tmf_reasons(reasons: list[str], items: list[OrderItem]) -> list[tuple[str, str | None]]:
    """Rejection reasons in TMF terms ("items[0].offering: …" → "productOrderItem 1, productOffering: …")."""
    translated = []
    for reason in reasons:
        match = _ITEM_REASON.match(reason)
        if match and int(match.group(1)) < len(items):
            item_id = items[int(match.group(1))].item_id
            field = f", {_tmf_field(match.group(2))}" if match.group(2) else ""
            translated.append((f"productOrderItem {item_id}{field}: {match.group(3)}", item_id))
        else:
            translated.append((reason, None))
    return translated


def _author(user) -> str:
    """Staff stay anonymous to other systems; a customer or an API client is named."""
    if user is not None and (user.customer_id or hasattr(user, "api_client")):
        return user.get_full_name() or user.username
    return "OrderDesk"


def _note_text(text: str, items: list[OrderItem]) -> str:
    """The services' rejection notes ("Rejected: items[0].offering: …") in TMF terms."""
    if text.startswith("Rejected: "):
        [(reason, _item)] = tmf_reasons([text.removeprefix("Rejected: ")], items)
        return f"Rejected: {reason}"
    return text


def related_parties(request, order: Order) -> list[dict]:
    client = order.created_by_client
    if client is not None and order.customer_id == client.holding_customer_id:
        # For a party the client may not order for: what it sent, nothing of ours.
        submission = getattr(order, "api_submission", None)
        sent = submission.related_party if submission is not None else []
        return [
            {
                **{k: str(v) for k, v in party.items() if k in {"id", "href", "name", "role"} and v},
                "@referredType": str(party.get("@referredType") or "Customer"),
            }
            for party in sent
        ]
    customer = order.customer
    return [
        {
            "id": customer.number,
            "href": customer_href(request, customer.number),
            "name": customer.name,
            "role": "customer",
            "@referredType": "Customer",
        }
    ]


def order_representation(request, order: Order) -> dict:
    """A TMF622 ProductOrder; always with id, href, orderDate, state, relatedParty and productOrderItem."""
    href = order_href(request, order)
    items = list(order.items.all())
    data: dict = {
        "id": order.number,
        "href": href,
        "orderDate": format_datetime(order.created_at),
        "state": order.state,
        "category": order.category,
        "priority": str(order.priority),
        "externalId": order.external_id,
        "description": order.description,
        "requestedStartDate": format_date(order.requested_start_date),
        "requestedCompletionDate": format_date(order.requested_completion_date),
        "expectedCompletionDate": format_date(order.expected_completion_date),
        "channel": [{"id": order.channel, "name": str(order.get_channel_display()), "@referredType": "SalesChannel"}],
        "relatedParty": related_parties(request, order),
        "productOrderItem": [item_representation(request, item) for item in items],
        "orderTotalPrice": _total_prices(items),
        "note": [
            {
                "id": str(note.pk),
                "author": _author(note.author),
                "date": format_datetime(note.created_at),
                "text": _note_text(note.text, items),
                "@type": "Note",
            }
            for note in getattr(order, "visible_notes", [])
        ],
    }
    if order.state in (OrderState.COMPLETED, OrderState.PARTIAL, OrderState.FAILED):
        data["completionDate"] = format_datetime(order.completed_at)
    if order.state == OrderState.CANCELLED:
        data["cancellationDate"] = format_datetime(order.completed_at)
        done = [c for c in order.cancellation_requests.all() if c.state == CancellationRequest.State.DONE]
        if done:
            data["cancellationReason"] = done[0].reason
    if order.state == OrderState.REJECTED and order.rejection_reasons:
        data["productOrderErrorMessage"] = [
            {
                "code": "REJECTED",
                "reason": "The order fails a business rule.",
                "message": message,
                "status": "rejected",
                "timestamp": format_datetime(order.submitted_at or order.updated_at),
                **(
                    {
                        "productOrderItem": [
                            {"itemId": item_id, "productOrderId": order.number, "productOrderHref": href}
                        ]
                    }
                    if item_id
                    else {}
                ),
                "@type": "ProductOrderErrorMessage",
            }
            for message, item_id in tmf_reasons(order.rejection_reasons, items)
        ]
    data["@type"] = "ProductOrder"
    always = {"id", "href", "orderDate", "state", "relatedParty", "productOrderItem"}
    return {k: v for k, v in data.items() if k in always or v not in (None, "", [])}


ORDER_ATTRIBUTES = {
    "id",
    "href",
    "orderDate",
    "state",
    "category",
    "priority",
    "externalId",
    "description",
    "requestedStartDate",
    "requestedCompletionDate",
    "expectedCompletionDate",
    "completionDate",
    "cancellationDate",
    "cancellationReason",
    "channel",
    "relatedParty",
    "productOrderItem",
    "orderTotalPrice",
    "note",
    "productOrderErrorMessage",
    "@type",
}
ORDER_ALWAYS = {"id", "href", "@type", "orderDate", "state", "relatedParty", "productOrderItem"}


def cancellation_representation(request, cancellation: CancellationRequest) -> dict:
    order = cancellation.order
    data = {
        "id": str(cancellation.pk),
        "href": _absolute(request, f"{ORDERING_PATH}/cancelProductOrder/{cancellation.pk}"),
        "state": cancellation.state,
        "cancellationReason": cancellation.reason,
        "creationDate": format_datetime(cancellation.requested_at),
        "productOrder": {"id": order.number, "href": order_href(request, order), "@referredType": "ProductOrder"},
        "@type": "CancelProductOrder",
    }
    if cancellation.state == CancellationRequest.State.DONE:
        data["effectiveCancellationDate"] = format_datetime(cancellation.decided_at)
    if cancellation.refusal_reason:
        data["refusalReason"] = cancellation.refusal_reason
    return data


CANCELLATION_ATTRIBUTES = {
    "id",
    "href",
    "state",
    "cancellationReason",
    "creationDate",
    "productOrder",
    "effectiveCancellationDate",
    "refusalReason",
    "@type",
}


def listener_representation(listener: HubListener) -> dict:
    return {"id": str(listener.pk), "callback": listener.callback, "query": listener.query}
