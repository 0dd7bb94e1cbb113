"""TMF629 customer: list, retrieve and create, limited to the customers the client may act for."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from ordersite.tmf.tmf629.commands import change_customer, create_customer, delete_customer
from ordersite.tmf.tmf629.openapi import CUSTOMER, CUSTOMER_PATCH
from ordersite.tmf.tmf629.selectors import CUSTOMER_FILTERS, customers_of, filter_customers, with_addresses
from ordersite.tmf.tmf629.serializers import CUSTOMER_ATTRIBUTES, CustomerIn, CustomerPatchIn, customer_representation
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
        parameters=[*fields_parameter(CUSTOMER_ATTRIBUTES), *paging_parameters(), *filter_parameters(CUSTOMER_FILTERS)],
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
        parameters=fields_parameter(CUSTOMER_ATTRIBUTES),
        responses={200: CUSTOMER, **ERRORS},
    )
    def get(self, request, customer_id: str):
        customer = self._customer_or_404(customer_id)
        return Response(select(customer_representation(request, customer), _fields(request)))

    @extend_schema(
        operation_id="patchCustomer",
        summary="Change a customer's name, contact media, characteristics or status (JSON merge patch)",
        description=(
            "`application/merge-patch+json` (or `application/json`). `contactMedium` replaces the email and "
            "phone (a customer keeps at least one of them); postal addresses without an `id` are added (an "
            "installation address must be in our address data), those with one name an address the customer "
            "has, and none is removed (orders and products point to them). `characteristic` replaces "
            "`tradingName` and `companyNumber` (organisations only). `status` is prospect, active, suspended or "
            "closed; an account holding products in service is not closed (409). Other attributes may be sent "
            "back unchanged; a change to them is 422. Nothing changes when anything is refused."
        ),
        request={"application/merge-patch+json": CUSTOMER_PATCH, "application/json": CUSTOMER_PATCH},
        parameters=fields_parameter(CUSTOMER_ATTRIBUTES),
        responses={200: CUSTOMER, **ERRORS},
    )
    def patch(self, request, customer_id: str):
        customer = self._customer_or_404(customer_id)
        if not isinstance(request.data, dict):
            raise ValidationError({"body": "a JSON merge patch is a JSON object"})
        change_customer(
            client=self.client,
            customer=customer,
            patch=request.data,
            data=self.validated(CustomerPatchIn),
            current=customer_representation(request, customer),
        )
        changed = self._customer_or_404(customer_id)
        return Response(select(customer_representation(request, changed), _fields(request)))

    @extend_schema(
        operation_id="deleteCustomer",
        summary="Delete a customer who has no history",
        description=(
            "Only a customer who never ordered and holds no product (nor a self-service login) is deleted, with "
            "their contacts and addresses. Anyone else is kept, so that order history is never lost: 409, "
            "saying what they have (close the account with a PATCH of `status` instead)."
        ),
        responses={204: None, **ERRORS},
    )
    def delete(self, request, customer_id: str):
        delete_customer(client=self.client, customer=self._customer_or_404(customer_id))
        return Response(status=204)

    def _customer_or_404(self, customer_id: str):
        customer = with_addresses(customers_of(self.client).filter(number=customer_id.strip().upper())).first()
        if customer is None:
            raise NotFound(f"No customer {customer_id}.")
        return customer
