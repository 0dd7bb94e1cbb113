"""TMF629 customer: list, retrieve and create, limited to the customers the client may act for."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from ordersite.tmf.tmf629.commands import create_customer
from ordersite.tmf.tmf629.openapi import CUSTOMER
from ordersite.tmf.tmf629.selectors import CUSTOMER_FILTERS, customers_of, filter_customers, with_addresses
from ordersite.tmf.tmf629.serializers import CUSTOMER_ATTRIBUTES, CustomerIn, customer_representation
from ordersite.tmf.tmf630.fields import select, selected_fields
from ordersite.tmf.tmf630.openapi import ERRORS, fields_parameter, filter_parameters, list_of, paging_parameters
from ordersite.tmf.tmf630.paging import created
from ordersite.tmf.tmf630.views import TMFView


def _fields(request):
    return selected_fields(request.query_params, available=CUSTOMER_ATTRIBUTES)


class CustomerList(TMFView):
    @extend_schema(
        operation_id="listCustomer",
        summary="The customers this client may act for",
        parameters=[*fields_parameter(), *paging_parameters(), *filter_parameters(CUSTOMER_FILTERS)],
        responses={200: list_of(CUSTOMER), **ERRORS},
    )
    def get(self, request):
        params = request.query_params
        customers = filter_customers(customers_of(self.client).order_by("name", "pk"), params)
        return self.page(with_addresses(customers), customer_representation, _fields(request))

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
        customer = create_customer(client=self.client, data=self.validated(CustomerIn))
        representation = customer_representation(request, with_addresses(customers_of(self.client)).get(pk=customer.pk))
        return created(representation, representation["href"])


class CustomerDetail(TMFView):
    @extend_schema(
        operation_id="retrieveCustomer",
        summary="A customer this client may act for",
        parameters=fields_parameter(),
        responses={200: CUSTOMER, **ERRORS},
    )
    def get(self, request, customer_id: str):
        customer = with_addresses(customers_of(self.client).filter(number=customer_id.upper())).first()
        if customer is None:
            raise NotFound(f"No customer {customer_id}.")
        return Response(select(customer_representation(request, customer), _fields(request)))
