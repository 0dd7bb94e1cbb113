"""TMF622 productOrder, cancelProductOrder and hub.

Views only translate: HTTP and TMF630 conventions here, reads in selectors, writes in commands
(which call orders.services).
"""

from __future__ import annotations

import re

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from orders import services
from orders.models import ApiClient
from ordersite.logcontext import bind_order
from ordersite.tmf.tmf622 import commands
from ordersite.tmf.tmf622.filters import (
    CANCELLATION_FILTERS,
    CANCELLATION_STATES,
    ORDER_DATE_FILTERS,
    ORDER_FILTERS,
    ORDER_STATES,
    PRIORITIES,
    filter_cancellations,
    filter_orders,
)
from ordersite.tmf.tmf622.openapi import CANCEL_PRODUCT_ORDER, EVENT_SUBSCRIPTION, PRODUCT_ORDER
from ordersite.tmf.tmf622.representations import (
    CANCELLATION_ATTRIBUTES,
    ORDER_ATTRIBUTES,
    cancellation_representation,
    listener_representation,
    order_representation,
)
from ordersite.tmf.tmf622.selectors import (
    cancellations_visible_to,
    count_visible_to,
    order_for_client,
    orders_visible_to,
    with_representation,
)
from ordersite.tmf.tmf622.serializers import CancelProductOrderIn, EventSubscriptionIn, ProductOrderIn
from ordersite.tmf.tmf630.errors import Conflict
from ordersite.tmf.tmf630.fields import select, selected_fields
from ordersite.tmf.tmf630.openapi import ERRORS, fields_parameter, filter_parameters, list_of, paging_parameters
from ordersite.tmf.tmf630.paging import created
from ordersite.tmf.tmf630.views import TMFView

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def _order_or_404(client: ApiClient, order_id: str):
    order = order_for_client(client, order_id)
    if order is None:
        raise NotFound(f"No productOrder {order_id}.")
    bind_order(order.number)  # every log line of this request names the order
    return order


def _fields(request, available):
    return selected_fields(request.query_params, available=available)


class ProductOrderList(TMFView):
    @extend_schema(
        operation_id="listProductOrder",
        summary="List the product orders this client may see",
        description=(
            "Orders of the customers this client may act for, and the orders it sent for other parties. "
            "Newest first; drafts being captured in other channels are not shown."
        ),
        parameters=[
            *fields_parameter(ORDER_ATTRIBUTES),
            *paging_parameters(),
            *filter_parameters(
                ORDER_FILTERS, choices={"state": ORDER_STATES, "priority": PRIORITIES}, dates=ORDER_DATE_FILTERS
            ),
        ],
        responses={200: list_of(PRODUCT_ORDER), **ERRORS},
    )
    def get(self, request):
        fields = _fields(request, ORDER_ATTRIBUTES)

        def narrow(orders):
            return filter_orders(orders, request.query_params, self.client)

        return self.page(
            with_representation(narrow(orders_visible_to(self.client))),
            order_representation,
            fields,
            count=lambda: count_visible_to(self.client, narrow),
        )

    @extend_schema(
        operation_id="createProductOrder",
        summary="Place a product order",
        description=(
            "Message-level problems (malformed JSON, wrong types, an item without id or action) get 400 and "
            "nothing is stored. Business-level problems (unknown offering, characteristics that fail the "
            "offering's requirements, a party this client may not order for, an address not serviceable) give "
            "a `rejected` order (201) with the reasons in `note` and `productOrderErrorMessage`. Items needing "
            "an install address and naming none get the customer's validated installation address. With an "
            "`Idempotency-Key` header (each client's keys are its own), a retry with the same body gets the first "
            "order's answer (201, `Idempotent-Replayed: true`), even when it carries the same `externalId`; the "
            "same key with another body is 422. Without the key, an `externalId` sent again is a duplicate (409)."
        ),
        request=ProductOrderIn,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                location=OpenApiParameter.HEADER,
                required=False,
                description="Any 1-255 printable characters; the same key and body give the same order.",
            )
        ],
        responses={201: OpenApiResponse(PRODUCT_ORDER, description="Created (possibly rejected)"), **ERRORS},
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key", "")
        if key and not IDEMPOTENCY_KEY.match(key):
            raise ValidationError({"Idempotency-Key": "must be 1 to 255 printable characters without spaces"})
        placed = commands.place_order(
            client=self.client, data=self.validated(ProductOrderIn), raw=request.data, idempotency_key=key
        )
        # A new order is answered from the rows just written; a replay is read back.
        order = order_for_client(self.client, placed.order.number) if placed.replayed else placed.order
        data = order_representation(request, order)
        response = created(select(data, _fields(request, ORDER_ATTRIBUTES)), data["href"])
        if placed.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class ProductOrderDetail(TMFView):
    @extend_schema(
        operation_id="retrieveProductOrder",
        summary="A product order",
        parameters=fields_parameter(ORDER_ATTRIBUTES),
        responses={200: PRODUCT_ORDER, **ERRORS},
    )
    def get(self, request, order_id: str):
        order = _order_or_404(self.client, order_id)
        return Response(select(order_representation(request, order), _fields(request, ORDER_ATTRIBUTES)))

    @extend_schema(
        operation_id="patchProductOrder",
        summary="Add notes, cancel, or answer a question (JSON merge patch)",
        description=(
            "`application/merge-patch+json` (or `application/json`). Notes without an id are added. `state` may "
            "be set to `cancelled` for an order in flight, or back from `pending` with a new note answering the "
            "open question. Other attributes cannot change once an order is placed (422 unless the value is "
            "unchanged); a state the order cannot move to now is 409. Either way nothing changes."
        ),
        request={"application/merge-patch+json": PRODUCT_ORDER, "application/json": PRODUCT_ORDER},
        responses={200: PRODUCT_ORDER, **ERRORS},
    )
    def patch(self, request, order_id: str):
        order = _order_or_404(self.client, order_id)
        patch = request.data
        if "state" in patch and patch["state"] not in ORDER_STATES:
            raise ValidationError({"state": f"must be one of {', '.join(ORDER_STATES)}"})
        try:
            commands.change_order(
                client=self.client, order=order, patch=patch, current=order_representation(request, order)
            )
        except (services.ActionRefused, services.TransitionNotAllowed, services.ConcurrentTransition) as refusal:
            raise Conflict(str(refusal) or "The order has moved on; nothing was changed.") from None
        order = _order_or_404(self.client, order_id)
        return Response(select(order_representation(request, order), _fields(request, ORDER_ATTRIBUTES)))


class CancelProductOrderList(TMFView):
    @extend_schema(
        operation_id="listCancelProductOrder",
        summary="List cancellation requests for the orders this client may see",
        parameters=[
            *fields_parameter(CANCELLATION_ATTRIBUTES),
            *paging_parameters(),
            *filter_parameters(CANCELLATION_FILTERS, choices={"state": CANCELLATION_STATES}),
        ],
        responses={200: list_of(CANCEL_PRODUCT_ORDER), **ERRORS},
    )
    def get(self, request):
        fields = _fields(request, CANCELLATION_ATTRIBUTES)
        cancellations = filter_cancellations(cancellations_visible_to(self.client), request.query_params)
        return self.page(cancellations, cancellation_representation, fields)

    @extend_schema(
        operation_id="createCancelProductOrder",
        summary="Request the cancellation of an order in flight",
        description=(
            "Decided at once: `done` (the order is cancelled) or `terminatedWithError` when an item passed its "
            "point of no return (the order goes back to where it was; `refusalReason` says why). An order that "
            "is not in flight, or that is delivered and waits for the customer's sign-off, is a 409 with the "
            "reason and nothing is stored."
        ),
        request=CancelProductOrderIn,
        responses={201: CANCEL_PRODUCT_ORDER, **ERRORS},
    )
    def post(self, request):
        data = self.validated(CancelProductOrderIn)
        order = _order_or_404(self.client, data["productOrder"]["id"])
        cancellation = commands.cancel_order(client=self.client, order=order, reason=data.get("cancellationReason", ""))
        representation = cancellation_representation(
            request, cancellations_visible_to(self.client).get(pk=cancellation.pk)
        )
        return created(representation, representation["href"])


class CancelProductOrderDetail(TMFView):
    @extend_schema(
        operation_id="retrieveCancelProductOrder",
        summary="A cancellation request",
        parameters=fields_parameter(CANCELLATION_ATTRIBUTES),
        responses={200: CANCEL_PRODUCT_ORDER, **ERRORS},
    )
    def get(self, request, cancellation_id: str):
        cancellation = (
            cancellations_visible_to(self.client).filter(pk=int(cancellation_id)).first()
            if cancellation_id.isdigit() and len(cancellation_id) < 19
            else None
        )
        if cancellation is None:
            raise NotFound(f"No cancelProductOrder {cancellation_id}.")
        return Response(
            select(cancellation_representation(request, cancellation), _fields(request, CANCELLATION_ATTRIBUTES))
        )


class Hub(TMFView):
    @extend_schema(
        operation_id="registerListener",
        summary="Register a listener for this client's order events",
        description=(
            "Events (TMF622 ProductOrder*/CancelProductOrder* events) about orders this client may see are POSTed "
            "to `callback`; `query` may narrow them, e.g. `eventType=ProductOrderStateChangeEvent`."
        ),
        request=EventSubscriptionIn,
        responses={201: EVENT_SUBSCRIPTION, **ERRORS},
    )
    def post(self, request):
        listener = commands.register_listener(client=self.client, **self.validated(EventSubscriptionIn))
        return created(listener_representation(listener), request.build_absolute_uri(f"{request.path}/{listener.pk}"))


class HubDetail(TMFView):
    @extend_schema(
        operation_id="unregisterListener",
        summary="Unregister a listener",
        responses={204: None, **ERRORS},
    )
    def delete(self, request, listener_id: str):
        if not commands.unregister_listener(client=self.client, listener_id=listener_id):
            raise NotFound(f"No listener {listener_id}.")
        return Response(status=204)
