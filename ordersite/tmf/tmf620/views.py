"""TMF620 productOffering, productSpecification and productOfferingPrice: read by every client, written by
clients allowed to manage the catalog (orders.clients.CATALOG_MANAGEMENT_PERMISSION; others get 403).

Offerings in design are for those clients alone: they see them listed and by id, others never.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from orders.clients import may_manage_catalog
from orders.models import LifecycleStatus
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
    PRICE_TYPE_VALUES,
    SPECIFICATION_FILTERS,
    filter_offerings,
    offering_shown,
    offerings_shown,
    price_shown,
    prices_on_catalog,
)
from ordersite.tmf.tmf620.serializers import (
    OfferingIn,
    OfferingPatchIn,
    PriceIn,
    PricePatchIn,
    SpecificationIn,
    SpecificationPatchIn,
)
from ordersite.tmf.tmf630.fields import select, selected_fields
from ordersite.tmf.tmf630.openapi import ERRORS, fields_parameter, filter_parameters, list_of, paging_parameters
from ordersite.tmf.tmf630.paging import created, list_response, page_of
from ordersite.tmf.tmf630.views import TMFView

MERGE_PATCH = "`application/merge-patch+json` (or `application/json`). "
DELETES = (
    "An offering (with its specification and prices) that no order, product or add-on names is deleted. One "
    "that is named is kept, so that order history is never lost: 409 saying why (retire it with a PATCH of "
    "lifecycleStatus Retired: off sale, still readable)."
)
WRITES = (
    " Only for clients allowed to manage the catalog (else 403); one transaction; nothing changes when refused:"
    " 400 for a body this document rules out, 422 for one the catalog's rules refuse (an id it does not hold,"
    " a name or group its data requirements do not allow, a currency other than its own)."
)


class CatalogView(TMFView):
    def may_see_designs(self) -> bool:
        """Whether this client designs offerings, and so sees those in design: asked once a request."""
        if not hasattr(self, "_may_see_designs"):
            self._may_see_designs = may_manage_catalog(self.client)
        return self._may_see_designs

    def offering_or_404(self, offering_id: str, resource: str = "productOffering"):
        offering = offering_shown(offering_id, may_see_designs=self.may_see_designs)
        if offering is None:
            raise NotFound(f"No {resource} {offering_id}.")
        return offering


def _merge_patch(request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationError({"body": "a JSON merge patch is a JSON object"})
    return request.data


def _catalog_filters(names):
    """The filters' parameters: any lifecycle status (a client who may not see designs finds none In design)."""
    choices = {"lifecycleStatus": LifecycleStatus.values, "priceType": PRICE_TYPE_VALUES}
    return filter_parameters(names, choices={k: v for k, v in choices.items() if k in names}, dates={"lastUpdate"})


class ProductOfferingList(CatalogView):
    @extend_schema(
        operation_id="listProductOffering",
        summary="The offerings on the catalog and what each needs",
        parameters=[*fields_parameter(OFFERING_ATTRIBUTES), *paging_parameters(), *_catalog_filters(OFFERING_FILTERS)],
        responses={200: list_of(PRODUCT_OFFERING), **ERRORS},
    )
    def get(self, request):
        fields = selected_fields(request.query_params, available=OFFERING_ATTRIBUTES)
        offerings = filter_offerings(offerings_shown(designing=self.may_see_designs()), request.query_params)
        return self.page(offerings, offering_representation, fields)

    @extend_schema(
        operation_id="createProductOffering",
        summary="Put a new offering on the catalog",
        description=(
            "`name`, and a `category` ({id: broadband, mobile, tv, voice or connectivity}) or a "
            "`productSpecification` ({id} of an offering here) whose data requirements, charges per entry and "
            "category the new offering takes. `productOfferingPrice` references to existing prices give it "
            "their amounts (at most a one-off and a monthly one). `lifecycleStatus` is In design unless given: "
            "nobody can order it until it is Launched (PATCH). The id is made from the name." + WRITES
        ),
        request=OfferingIn,
        responses={201: PRODUCT_OFFERING, **ERRORS},
    )
    def post(self, request):
        commands.require_catalog_management(self.client)
        offering = commands.create_offering(client=self.client, data=self.validated(OfferingIn))
        representation = offering_representation(request, offering)
        return created(representation, representation["href"])


class ProductOfferingDetail(CatalogView):
    @extend_schema(
        operation_id="retrieveProductOffering",
        summary="An offering and the characteristics it requires",
        parameters=fields_parameter(OFFERING_ATTRIBUTES),
        responses={200: PRODUCT_OFFERING, **ERRORS},
    )
    def get(self, request, offering_id: str):
        offering = self.offering_or_404(offering_id)
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
        offering = self.offering_or_404(offering_id)
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
        summary="Delete an offering nothing names",
        description=DELETES + WRITES,
        responses={204: None, **ERRORS},
    )
    def delete(self, request, offering_id: str):
        commands.require_catalog_management(self.client)
        commands.delete_offering(client=self.client, offering=self.offering_or_404(offering_id))
        return Response(status=204)


class ProductSpecificationList(CatalogView):
    @extend_schema(
        operation_id="listProductSpecification",
        summary="Each offering's specification: the data requirements as productSpecCharacteristic",
        parameters=[
            *fields_parameter(SPECIFICATION_ATTRIBUTES),
            *paging_parameters(),
            *_catalog_filters(SPECIFICATION_FILTERS),
        ],
        responses={200: list_of(PRODUCT_SPECIFICATION), **ERRORS},
    )
    def get(self, request):
        fields = selected_fields(request.query_params, available=SPECIFICATION_ATTRIBUTES)
        offerings = filter_offerings(
            offerings_shown(designing=self.may_see_designs()), request.query_params, SPECIFICATION_FILTERS
        )
        return self.page(offerings, specification_representation, fields)

    @extend_schema(
        operation_id="createProductSpecification",
        summary="Specify an offering to design: its data requirements",
        description=(
            "`name`, `category` (ours, beyond TMF620: [{id: broadband, mobile, tv, voice or connectivity}]; without "
            "it the offering gets one by PATCH productOffering before it is launched), and "
            "`productSpecCharacteristic`: each a data requirement, named group.field inside a group (an object "
            "characteristic, which comes first); minCardinality 1 makes it required, productSpecCharacteristicValue "
            "values make a choice (maxCardinality above 1: several), a valueFrom/valueTo range bounds a number or "
            "date. A regex is refused: a pattern needs its rule in words (the admin). The specification is an "
            "offering In design with the same id, without a price: POST productOffering with it, or PATCH its "
            "lifecycleStatus and prices." + WRITES
        ),
        request=SpecificationIn,
        responses={201: PRODUCT_SPECIFICATION, **ERRORS},
    )
    def post(self, request):
        commands.require_catalog_management(self.client)
        offering = commands.create_specification(client=self.client, data=self.validated(SpecificationIn))
        representation = specification_representation(request, offering)
        return created(representation, representation["href"])


class ProductSpecificationDetail(CatalogView):
    @extend_schema(
        operation_id="retrieveProductSpecification",
        summary="An offering's specification: its data requirements, value types, cardinality and allowed values",
        parameters=fields_parameter(SPECIFICATION_ATTRIBUTES),
        responses={200: PRODUCT_SPECIFICATION, **ERRORS},
    )
    def get(self, request, specification_id: str):
        offering = self.offering_or_404(specification_id, "productSpecification")
        fields = selected_fields(request.query_params, available=SPECIFICATION_ATTRIBUTES)
        return Response(select(specification_representation(request, offering), fields))

    @extend_schema(
        operation_id="patchProductSpecification",
        summary="Change a specification's data requirements, name, description or status (JSON merge patch)",
        description=MERGE_PATCH
        + "`productSpecCharacteristic` replaces the data requirements (as in POST; those sent back as shown stay "
        "exactly as they were); `name`, `description` and `lifecycleStatus` are its offering's too. Other "
        "attributes may be sent back as they are (else 422). Orders already placed keep what they captured." + WRITES,
        request={"application/merge-patch+json": SPECIFICATION_PATCH, "application/json": SPECIFICATION_PATCH},
        responses={200: PRODUCT_SPECIFICATION, **ERRORS},
    )
    def patch(self, request, specification_id: str):
        commands.require_catalog_management(self.client)
        offering = self.offering_or_404(specification_id, "productSpecification")
        changed = commands.change_specification(
            client=self.client,
            offering=offering,
            patch=_merge_patch(request),
            data=self.validated(SpecificationPatchIn),
            current=specification_representation(request, offering),
        )
        return Response(specification_representation(request, changed))

    @extend_schema(
        operation_id="deleteProductSpecification",
        summary="Delete a specification, with its offering, that nothing names",
        description=DELETES + WRITES,
        responses={204: None, **ERRORS},
    )
    def delete(self, request, specification_id: str):
        commands.require_catalog_management(self.client)
        offering = self.offering_or_404(specification_id, "productSpecification")
        commands.delete_offering(client=self.client, offering=offering)
        return Response(status=204)


class ProductOfferingPriceList(CatalogView):
    @extend_schema(
        operation_id="listProductOfferingPrice",
        summary="The offerings' one-off and monthly prices and their groups' charges per entry",
        parameters=[*fields_parameter(PRICE_ATTRIBUTES), *paging_parameters(), *_catalog_filters(PRICE_FILTERS)],
        responses={200: list_of(PRODUCT_OFFERING_PRICE), **ERRORS},
    )
    def get(self, request):
        fields = selected_fields(request.query_params, available=PRICE_ATTRIBUTES)
        prices = prices_on_catalog(request.query_params, designing=self.may_see_designs())
        rows, total = page_of(prices, request.query_params, count=lambda: len(prices))
        return list_response([select(price_representation(request, price), fields) for price in rows], total=total)

    @extend_schema(
        operation_id="createProductOfferingPrice",
        summary="Give an offering a price it does not have",
        description=(
            "`productOffering` {id} (ours: TMF620 v4 prices name no offering, and every price here is an "
            "offering's), `priceType` oneTime or recurring (a month), `price` {value above 0, unit GBP}; with "
            "`unitOfMeasure` {amount: 1, units: a group's name or label}, a charge for each entry of that group "
            "(so much per handset). The id is made from the offering's and the `name` kept: 409 when it has that price "
            "already (PATCH it instead). Orders already placed keep their price." + WRITES
        ),
        request=PriceIn,
        responses={201: PRODUCT_OFFERING_PRICE, **ERRORS},
    )
    def post(self, request):
        commands.require_catalog_management(self.client)
        price = commands.create_price(client=self.client, data=self.validated(PriceIn))
        representation = price_representation(request, price)
        return created(representation, representation["href"])


class ProductOfferingPriceDetail(CatalogView):
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
        summary="Rename a price or change its amount (JSON merge patch)",
        description=MERGE_PATCH
        + "`name`: kept as given (a name nobody gave is made from the offering and amount, and follows them); "
        "`price` {value, unit}: the amount, 0 or more, in the catalog's currency; 0 takes the price away, with "
        "its name (POST gives it back). Orders already placed keep their price." + WRITES,
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
        commands.require_catalog_management(self.client)
        price = self._price_or_404(price_id)
        commands.change_price(client=self.client, price=price, patch={}, data={"price": {"value": 0}}, current={})
        return Response(status=204)

    def _price_or_404(self, price_id: str):
        price = price_shown(price_id, may_see_designs=self.may_see_designs)
        if price is None:
            raise NotFound(f"No productOfferingPrice {price_id}.")
        return price
