"""TMF629 customer: list, retrieve and create, limited to the customers the client may act for."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from customers.api.commands import create_customer
from customers.api.serializers import CUSTOMER_ATTRIBUTES, CustomerIn, customer_representation
from customers.models import Address, CustomerStatus
from orders.api.openapi import CUSTOMER, ERRORS, fields_parameter, filter_parameters, list_of, paging_parameters
from orders.api.selectors import customers_of
from orders.api.tmf630 import created, list_response, page_of, refuse_unknown_params, select, selected_fields, values
from orders.api.views import TMFView

CUSTOMER_FILTERS = {"id", "name", "status"}


def _with_addresses(customers):
    return customers.prefetch_related(Prefetch("addresses", queryset=Address.objects.order_by("purpose", "pk")))


def _fields(request):
    return selected_fields(request.query_params, available=CUSTOMER_ATTRIBUTES, always={"id", "href", "@type"})


class CustomerList(TMFView):
    @extend_schema(
        operation_id="listCustomer",
        summary="The customers this client may act for",
        parameters=[*fields_parameter(), *paging_parameters(), *filter_parameters(CUSTOMER_FILTERS)],
        responses={200: list_of(CUSTOMER), **ERRORS},
    )
    def get(self, request):
        params = request.query_params
        refuse_unknown_params(params, CUSTOMER_FILTERS)
        customers = customers_of(self.client).order_by("name", "pk")
        if "id" in params:
            customers = customers.filter(number__in=[v.upper() for v in values(params, "id")])
        if "name" in params:
            customers = customers.filter(name__in=values(params, "name"))
        if "status" in params:
            customers = customers.filter(status__in=[v for v in values(params, "status") if v in CustomerStatus])
        rows, total = page_of(_with_addresses(customers), params)
        fields = _fields(request)
        return list_response([select(customer_representation(request, c), fields) for c in rows], total=total)

    @extend_schema(
        operation_id="createCustomer",
        summary="Create a customer this client may then order for",
        description=(
            "engagedParty.@referredType Organization makes an organisation, anything else an individual. "
            "contactMedium: email, phone, and postalAddress (street1 '12 Mill Lane', postCode, city, "
            "contactType installation/billing/postal). An installation address must be in our address data "
            "(else 422 with suggestions); it becomes the default install address of the customer's orders."
        ),
        request=CustomerIn,
        responses={201: CUSTOMER, **ERRORS},
    )
    def post(self, request):
        incoming = CustomerIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        customer = create_customer(client=self.client, data=incoming.validated_data)
        representation = customer_representation(
            request, _with_addresses(customers_of(self.client)).get(pk=customer.pk)
        )
        return created(representation, representation["href"])


class CustomerDetail(TMFView):
    @extend_schema(
        operation_id="retrieveCustomer",
        summary="A customer this client may act for",
        parameters=fields_parameter(),
        responses={200: CUSTOMER, **ERRORS},
    )
    def get(self, request, customer_id: str):
        customer = _with_addresses(customers_of(self.client).filter(number=customer_id.upper())).first()
        if customer is None:
            raise NotFound(f"No customer {customer_id}.")
        return Response(select(customer_representation(request, customer), _fields(request)))
