"""TMF620 productOffering (read-only): what a client may order and the characteristics each offering needs."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from ordersite.tmf.tmf620.openapi import PRODUCT_OFFERING
from ordersite.tmf.tmf620.representation import OFFERING_ATTRIBUTES, offering_representation
from ordersite.tmf.tmf620.selectors import OFFERING_FILTERS, filter_offerings, offerings_on_catalog
from ordersite.tmf.tmf630.fields import select, selected_fields
from ordersite.tmf.tmf630.openapi import ERRORS, fields_parameter, filter_parameters, list_of, paging_parameters
from ordersite.tmf.tmf630.views import TMFView


def _fields(request):
    return selected_fields(request.query_params, available=OFFERING_ATTRIBUTES)


class ProductOfferingList(TMFView):
    @extend_schema(
        operation_id="listProductOffering",
        summary="The offerings on the catalog and what each needs",
        parameters=[*fields_parameter(OFFERING_ATTRIBUTES), *paging_parameters(), *filter_parameters(OFFERING_FILTERS)],
        responses={200: list_of(PRODUCT_OFFERING), **ERRORS},
    )
    def get(self, request):
        fields = _fields(request)
        offerings = filter_offerings(offerings_on_catalog(), request.query_params)
        return self.page(offerings, offering_representation, fields)


class ProductOfferingDetail(TMFView):
    @extend_schema(
        operation_id="retrieveProductOffering",
        summary="An offering and the characteristics it requires",
        parameters=fields_parameter(OFFERING_ATTRIBUTES),
        responses={200: PRODUCT_OFFERING, **ERRORS},
    )
    def get(self, request, offering_id: str):
        offering = offerings_on_catalog().filter(code=offering_id).first()
        if offering is None:
            raise NotFound(f"No productOffering {offering_id}.")
        return Response(select(offering_representation(request, offering), _fields(request)))
