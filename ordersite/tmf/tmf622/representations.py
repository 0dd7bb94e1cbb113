"""TMF622 responses: the ProductOrder, CancelProductOrder and listener representations clients get."""

from __future__ import annotations

from decimal import Decimal

from orders.models import CancellationRequest, HubListener, ItemState, Order, OrderItem, OrderState
from orders.requirements import item_path, split_reason
from ordersite.tmf.tmf620.representation import offering_href
from ordersite.tmf.tmf629.serializers import customer_href
from ordersite.tmf.tmf630.dates import format_date, format_datetime
from ordersite.tmf.tmf630.values import characteristics, charges, money

ORDERING_PATH = "/tmf-api/productOrderingManagement/v4"


def order_href(request, order: Order) -> str:
    return request.build_absolute_uri(f"{ORDERING_PATH}/productOrder/{order.number}")


def _prices(item: OrderItem) -> list[dict]:
    if item.offering is None:
        return []
    return charges(
        recurring=item.recurring_price,
        one_off=item.one_off_price,
        currency=item.offering.currency,
        price_type="OrderPrice",
    )


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
            "price": {"dutyFreeAmount": money(amount, currency), "@type": "Price"},
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
        product["productCharacteristic"] = characteristics(item.characteristics)
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
    if item.qualification_id is not None:
        data.update(qualification_references(request, item.qualification_id, item.qualification_item_id))
    data["@type"] = "ProductOrderItem"
    return data


_FIELD_NAMES = {
    "offering": "productOffering",
    "install_address": "place",
    "product": "product",
    "qualification": "productOfferingQualificationItem",
}
QUALIFICATIONS_PATH = "/tmf-api/productOfferingQualification/v4/productOfferingQualification"


def qualification_references(request, qualification_id: int, item_id: str) -> dict:
    """The TMF679 qualification item an order item was ordered on, as the TMF622 v4 item refers to it."""
    href = request.build_absolute_uri(f"{QUALIFICATIONS_PATH}/{qualification_id}")
    return {
        "productOfferingQualificationItem": {
            "id": item_id,
            "productOfferingQualificationId": str(qualification_id),
            "productOfferingQualificationHref": href,
            "@referredType": "ProductOfferingQualificationItem",
        },
        "qualification": [{"id": str(qualification_id), "href": href, "@referredType": "ProductOfferingQualification"}],
    }


def _tmf_field(path: str) -> str:
    head, _, rest = path.partition(".")
    if head == "characteristics":
        return f"productCharacteristic {rest}" if rest else "productCharacteristic"
    return _FIELD_NAMES.get(head, head)


def tmf_reasons(reasons: list[str], items: list[OrderItem]) -> list[tuple[str, str | None]]:
    """Rejection reasons in TMF terms ("items[0].offering: …" → "productOrderItem 1, productOffering: …")."""
    translated = []
    for reason in reasons:
        path, message = split_reason(reason)
        at = item_path(path)
        if at is not None and at.index is not None and at.index < len(items):
            item_id = items[at.index].item_id
            field = f", {_tmf_field(at.field)}" if at.part else ""
            translated.append((f"productOrderItem {item_id}{field}: {message}", item_id))
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


def cancellation_representation(request, cancellation: CancellationRequest) -> dict:
    order = cancellation.order
    data = {
        "id": str(cancellation.pk),
        "href": request.build_absolute_uri(f"{ORDERING_PATH}/cancelProductOrder/{cancellation.pk}"),
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
