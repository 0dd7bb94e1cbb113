"""TMF637 product (read-only): the installed products of the customers a client may act for."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from customers.models import ProductStatus
from ordersite.tmf.tmf630.fields import select, selected_fields
from ordersite.tmf.tmf630.openapi import ERRORS, fields_parameter, filter_parameters, list_of, paging_parameters
from ordersite.tmf.tmf630.views import TMFView
from ordersite.tmf.tmf637.openapi import PRODUCT
from ordersite.tmf.tmf637.representation import PRODUCT_ATTRIBUTES, product_representation
from ordersite.tmf.tmf637.selectors import PRODUCT_FILTERS, filter_products, product_keys, products_visible_to


def _fields(request):
    return selected_fields(request.query_params, available=PRODUCT_ATTRIBUTES)


class ProductList(TMFView):
    @extend_schema(
        operation_id="listProduct",
        summary="The installed products of the customers this client may act for",
        description=(
            "Newest first, whatever their status (filter on `status`, e.g. `active`). `relatedParty.id` is a "
            "customer number, `productOffering.id` an offering code."
        ),
        parameters=[
            *fields_parameter(PRODUCT_ATTRIBUTES),
            *paging_parameters(),
            *filter_parameters(PRODUCT_FILTERS, choices={"status": ProductStatus.values}),
        ],
        responses={200: list_of(PRODUCT), **ERRORS},
    )
    def get(self, request):
        fields = _fields(request)
        products = filter_products(products_visible_to(self.client), request.query_params)
        return self.page(products, product_representation, fields)


class ProductDetail(TMFView):
    @extend_schema(
        operation_id="retrieveProduct",
        summary="An installed product of a customer this client may act for",
        parameters=fields_parameter(PRODUCT_ATTRIBUTES),
        responses={200: PRODUCT, **ERRORS},
    )
    def get(self, request, product_id: str):
        product = products_visible_to(self.client).filter(pk__in=product_keys([product_id.strip()])).first()
        if product is None:
            raise NotFound(f"No product {product_id}.")
        return Response(select(product_representation(request, product), _fields(request)))
