"""TMF620 productOffering, productSpecification and productOfferingPrice: read by every client, written by
clients allowed to manage the catalog (orders.clients.CATALOG_MANAGEMENT_PERMISSION; others get 403)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from ordersite.tmf.tmf620 import commands
from ordersite.tmf.tmf620.openapi import (
    OFFERING_PATCH,
    PRICE_PATCH,
    PRODUCT_OFFERING,
    PRODUCT_OFFERING_PRICE,
    PRODUCT_SPECIFICATION,
    SPECIFICATION_PATCH,
)
from ordersite.tmf.tmf620.prices import PRICE_ATTRIBUTES, price_representation
from ordersite.tmf.tmf620.representation import (
    OFFERING_ATTRIBUTES,
    SPECIFICATION_ATTRIBUTES,
    offering_representation,
    specification_representation,
)
from ordersite.tmf.tmf620.selectors import (
    OFFERING_FILTERS,
    PRICE_FILTERS,
    SPECIFICATION_FILTERS,
    filter_offerings,
    offerings_on_catalog,
    price_on_catalog,
    prices_on_catalog,
)
from ordersite.tmf.tmf620.serializers import OfferingIn, OfferingPatchIn, PricePatchIn
from ordersite.tmf.tmf630.errors import Unprocessable
from ordersite.tmf.tmf630.fields import select, selected_fields
from ordersite.tmf.tmf630.openapi import ERRORS, fields_parameter, filter_parameters, list_of, paging_parameters
from ordersite.tmf.tmf630.paging import created, list_response, page_of
from ordersite.tmf.tmf630.views import TMFView

MERGE_PATCH = "`application/merge-patch+json` (or `application/json`). "
WRITES = " Only for clients allowed to manage the catalog (else 403); one transaction; nothing changes when refused."


def _offering_or_404(offering_id: str, resource: str = "productOffering"):
    offering = offerings_on_catalog().filter(code=offering_id).first()
    if offering is None:
        raise NotFound(f"No {resource} {offering_id}.")
    return offering


def _merge_patch(request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationError({"body": "a JSON merge patch is a JSON object"})
    return request.data


class ProductOfferingList(TMFView):
    @extend_schema(
        operation_id="listProductOffering",
        summary="The offerings on the catalog and what each needs",
        parameters=[*fields_parameter(OFFERING_ATTRIBUTES), *paging_parameters(), *filter_parameters(OFFERING_FILTERS)],
        responses={200: list_of(PRODUCT_OFFERING), **ERRORS},
    )
    def get(self, request):
        fields = selected_fields(request.query_params, available=OFFERING_ATTRIBUTES)
        offerings = filter_offerings(offerings_on_catalog(), request.query_params)
        return self.page(offerings, offering_representation, fields)

    @extend_schema(
        operation_id="createProductOffering",
        summary="Put a new offering on the catalog",
        description=(
            "`name`, and a `category` ({id: broadband, mobile, tv, voice or connectivity}) or a "
            "`productSpecification` ({id} of an offering here) whose data requirements, charges per entry and "
            "category the new offering takes. `productOfferingPrice` references to existing prices give it "
            "their amounts (at most a one-off and a monthly one). `lifecycleStatus` is Launched unless given. "
            "The id is made from the name." + WRITES
        ),
        request=OfferingIn,
        responses={201: PRODUCT_OFFERING, **ERRORS},
    )
    def post(self, request):
        commands.require_catalog_management(self.client)
        offering = commands.create_offering(client=self.client, data=self.validated(OfferingIn))
        representation = offering_representation(request, offering)
        return created(representation, representation["href"])


class ProductOfferingDetail(TMFView):
    @extend_schema(
        operation_id="retrieveProductOffering",
        summary="An offering and the characteristics it requires",
        parameters=fields_parameter(OFFERING_ATTRIBUTES),
        responses={200: PRODUCT_OFFERING, **ERRORS},
    )
    def get(self, request, offering_id: str):
        offering = _offering_or_404(offering_id)
        fields = selected_fields(request.query_params, available=OFFERING_ATTRIBUTES)
        return Response(select(offering_representation(request, offering), fields))

    @extend_schema(
        operation_id="patchProductOffering",
        summary="Rename, describe, recategorise, launch or retire an offering (JSON merge patch)",
        description=MERGE_PATCH
        + "`name`, `description`, `lifecycleStatus` and `category`; other attributes may be sent back as they "
        "are (else 422). Prices change through productOfferingPrice." + WRITES,
        request={"application/merge-patch+json": OFFERING_PATCH, "application/json": OFFERING_PATCH},
        responses={200: PRODUCT_OFFERING, **ERRORS},
    )
    def patch(self, request, offering_id: str):
        commands.require_catalog_management(self.client)
        offering = _offering_or_404(offering_id)
        changed = commands.change_offering(
            client=self.client,
            offering=offering,
            patch=_merge_patch(request),
            data=self.validated(OfferingPatchIn),
            current=offering_representation(request, offering),
        )
        return Response(offering_representation(request, changed))

    @extend_schema(
        operation_id="deleteProductOffering",
        summary="Retire an offering",
        description=(
            "Orders and products keep naming an offering, so it is not erased: it becomes Retired (no longer on "
            "sale, still listed and readable)." + WRITES
        ),
        responses={204: None, **ERRORS},
    )
    def delete(self, request, offering_id: str):
        commands.retire_offering(client=self.client, offering=_offering_or_404(offering_id))
        return Response(status=204)


class ProductSpecificationList(TMFView):
    @extend_schema(
        operation_id="listProductSpecification",
        summary="Each offering's specification: the data requirements as productSpecCharacteristic",
        parameters=[
            *fields_parameter(SPECIFICATION_ATTRIBUTES),
            *paging_parameters(),
            *filter_parameters(SPECIFICATION_FILTERS),
        ],
        responses={200: list_of(PRODUCT_SPECIFICATION), **ERRORS},
    )
    def get(self, request):
        fields = selected_fields(request.query_params, available=SPECIFICATION_ATTRIBUTES)
        offerings = filter_offerings(offerings_on_catalog(), request.query_params, SPECIFICATION_FILTERS)
        return self.page(offerings, specification_representation, fields)

    @extend_schema(
        operation_id="createProductSpecification",
        summary="Not here: a specification comes with its offering",
        description=(
            "Each offering has its own specification (same id), so a specification is created by creating "
            "the offering (POST productOffering, with a productSpecification to copy): 422 with that reason."
        ),
        request=None,
        responses={**ERRORS},
    )
    def post(self, request):
        commands.require_catalog_management(self.client)
        raise Unprocessable(
            "A productSpecification here is an offering's data requirements and has the offering's id: create the "
            "offering (POST productOffering, with productSpecification naming one to copy) and its specification "
            "comes with it."
        )


class ProductSpecificationDetail(TMFView):
    @extend_schema(
        operation_id="retrieveProductSpecification",
        summary="An offering's specification: its data requirements, value types, cardinality and allowed values",
        parameters=fields_parameter(SPECIFICATION_ATTRIBUTES),
        responses={200: PRODUCT_SPECIFICATION, **ERRORS},
    )
    def get(self, request, specification_id: str):
        offering = _offering_or_404(specification_id, "productSpecification")
        fields = selected_fields(request.query_params, available=SPECIFICATION_ATTRIBUTES)
        return Response(select(specification_representation(request, offering), fields))

    @extend_schema(
        operation_id="patchProductSpecification",
        summary="Rename, describe, launch or retire a specification with its offering (JSON merge patch)",
        description=MERGE_PATCH
        + "`name`, `description` and `lifecycleStatus`, which are its offering's; other attributes may be sent "
        "back as they are (else 422)." + WRITES,
        request={"application/merge-patch+json": SPECIFICATION_PATCH, "application/json": SPECIFICATION_PATCH},
        responses={200: PRODUCT_SPECIFICATION, **ERRORS},
    )
    def patch(self, request, specification_id: str):
        commands.require_catalog_management(self.client)
        offering = _offering_or_404(specification_id, "productSpecification")
        patch = _merge_patch(request)
        if "category" in patch:
            raise Unprocessable("category is not an attribute of a productSpecification (PATCH the productOffering).")
        changed = commands.change_offering(
            client=self.client,
            offering=offering,
            patch=patch,
            data=self.validated(OfferingPatchIn),
            current=specification_representation(request, offering),
        )
        return Response(specification_representation(request, changed))

    @extend_schema(
        operation_id="deleteProductSpecification",
        summary="Retire a specification with its offering",
        description="The specification and its offering become Retired; neither is erased." + WRITES,
        responses={204: None, **ERRORS},
    )
    def delete(self, request, specification_id: str):
        offering = _offering_or_404(specification_id, "productSpecification")
        commands.retire_offering(client=self.client, offering=offering)
        return Response(status=204)


class ProductOfferingPriceList(TMFView):
    @extend_schema(
        operation_id="listProductOfferingPrice",
        summary="The offerings' one-off and monthly prices and their groups' charges per entry",
        parameters=[*fields_parameter(PRICE_ATTRIBUTES), *paging_parameters(), *filter_parameters(PRICE_FILTERS)],
        responses={200: list_of(PRODUCT_OFFERING_PRICE), **ERRORS},
    )
    def get(self, request):
        fields = selected_fields(request.query_params, available=PRICE_ATTRIBUTES)
        prices = prices_on_catalog(request.query_params)
        rows, total = page_of(prices, request.query_params, count=lambda: len(prices))
        return list_response([select(price_representation(request, price), fields) for price in rows], total=total)

    @extend_schema(
        operation_id="createProductOfferingPrice",
        summary="Not here: a price belongs to its offering",
        description=(
            "TMF620 v4 prices do not name their offering, and here every price is an offering's: give an "
            "offering's price an amount with PATCH productOfferingPrice/{offering id}-one-off (or -recurring): "
            "422 with that reason."
        ),
        request=None,
        responses={**ERRORS},
    )
    def post(self, request):
        commands.require_catalog_management(self.client)
        raise Unprocessable(
            "A productOfferingPrice here is an offering's price and has an id made from the offering's: give one an "
            "amount with PATCH productOfferingPrice/{offering id}-one-off or -recurring."
        )


class ProductOfferingPriceDetail(TMFView):
    @extend_schema(
        operation_id="retrieveProductOfferingPrice",
        summary="A price: an offering's one-off or monthly price, or a group's charge per entry",
        parameters=fields_parameter(PRICE_ATTRIBUTES),
        responses={200: PRODUCT_OFFERING_PRICE, **ERRORS},
    )
    def get(self, request, price_id: str):
        fields = selected_fields(request.query_params, available=PRICE_ATTRIBUTES)
        return Response(select(price_representation(request, self._price_or_404(price_id)), fields))

    @extend_schema(
        operation_id="patchProductOfferingPrice",
        summary="Change a price's amount (JSON merge patch)",
        description=MERGE_PATCH
        + "`price` {value, unit}: the amount, 0 or more, in the catalog's currency; 0 takes the price away "
        "(its id still answers, so it can be given an amount again). Orders already placed keep their price." + WRITES,
        request={"application/merge-patch+json": PRICE_PATCH, "application/json": PRICE_PATCH},
        responses={200: PRODUCT_OFFERING_PRICE, **ERRORS},
    )
    def patch(self, request, price_id: str):
        commands.require_catalog_management(self.client)
        price = self._price_or_404(price_id)
        changed = commands.change_price(
            client=self.client,
            price=price,
            patch=_merge_patch(request),
            data=self.validated(PricePatchIn),
            current=price_representation(request, price),
        )
        return Response(price_representation(request, changed))

    @extend_schema(
        operation_id="deleteProductOfferingPrice",
        summary="Take a price away (its amount becomes 0)",
        description="The same as a PATCH of price.value 0." + WRITES,
        responses={204: None, **ERRORS},
    )
    def delete(self, request, price_id: str):
        price = self._price_or_404(price_id)
        commands.change_price(client=self.client, price=price, patch={}, data={"price": {"value": 0}}, current={})
        return Response(status=204)

    def _price_or_404(self, price_id: str):
        price = price_on_catalog(price_id)
        if price is None:
            raise NotFound(f"No productOfferingPrice {price_id}.")
        return price
