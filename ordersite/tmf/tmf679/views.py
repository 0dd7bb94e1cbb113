"""TMF679 productOfferingQualification: create (answered at once), list and read back.

Views only translate: HTTP and TMF630 conventions here, reads in selectors, the check in commands.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from ordersite.tmf.tmf630.fields import select, selected_fields
from ordersite.tmf.tmf630.openapi import ERRORS, fields_parameter, filter_parameters, list_of, paging_parameters
from ordersite.tmf.tmf630.paging import created
from ordersite.tmf.tmf630.views import TMFView
from ordersite.tmf.tmf679 import commands
from ordersite.tmf.tmf679.openapi import PRODUCT_OFFERING_QUALIFICATION
from ordersite.tmf.tmf679.representation import QUALIFICATION_ATTRIBUTES, qualification_representation
from ordersite.tmf.tmf679.selectors import (
    QUALIFICATION_FILTERS,
    RESULTS,
    TASK_STATES,
    filter_qualifications,
    qualification_for_client,
    qualifications_visible_to,
)
from ordersite.tmf.tmf679.serializers import ProductOfferingQualificationIn


def _fields(request) -> set[str] | None:
    return selected_fields(request.query_params, available=QUALIFICATION_ATTRIBUTES)


class QualificationList(TMFView):
    @extend_schema(
        operation_id="listProductOfferingQualification",
        summary="The qualifications this client asked for",
        description=(
            'Newest first. Values may be given in double quotes (`channel.id="1"`). `relatedParty.id` and '
            "`channel.id` match what was sent; a qualification about a customer is shown only while this client "
            "may act for that customer."
        ),
        parameters=[
            *fields_parameter(QUALIFICATION_ATTRIBUTES),
            *paging_parameters(),
            *filter_parameters(
                QUALIFICATION_FILTERS,
                choices={"state": TASK_STATES, "qualificationResult": RESULTS},
                dates={name for name in QUALIFICATION_FILTERS if "Date" in name},
            ),
        ],
        responses={200: list_of(PRODUCT_OFFERING_QUALIFICATION), **ERRORS},
    )
    def get(self, request):
        fields = _fields(request)
        qualifications = filter_qualifications(qualifications_visible_to(self.client), request.query_params)
        return self.page(qualifications, qualification_representation, fields)

    @extend_schema(
        operation_id="createProductOfferingQualification",
        summary="Check which offerings a customer can have at a place",
        description=(
            "Answered at once (`state` done) on the rules the console and self-service apply: the offering is on "
            "sale, sold to this kind of customer, serviceable at the place (the address in `place`, else the "
            "customer's validated installation address) and its prerequisites are held or named in the same "
            "qualification. An item naming a `category` instead of an offering asks which of that category's "
            "offerings can be had: they come as `alternateProductOfferingProposal`. A party this client may not "
            "act for, or an offering, category or place we do not know, is not an error: those items are "
            "`unqualified`, with the reason in `eligibilityUnavailabilityReason` (unless "
            "`provideUnavailabilityReason` is false); so is an item naming neither. No items, or a date without "
            "a time, is a 400 and nothing is stored. A TMF622 order item may refer "
            "to a qualification item (`productOfferingQualificationItem`)."
        ),
        request=ProductOfferingQualificationIn,
        responses={201: PRODUCT_OFFERING_QUALIFICATION, **ERRORS},
    )
    def post(self, request):
        qualification = commands.check_qualification(
            client=self.client, data=self.validated(ProductOfferingQualificationIn)
        )
        data = qualification_representation(request, qualification)
        return created(select(data, _fields(request)), data["href"])


class QualificationDetail(TMFView):
    @extend_schema(
        operation_id="retrieveProductOfferingQualification",
        summary="A qualification this client asked for",
        parameters=fields_parameter(QUALIFICATION_ATTRIBUTES),
        responses={200: PRODUCT_OFFERING_QUALIFICATION, **ERRORS},
    )
    def get(self, request, qualification_id: str):
        qualification = qualification_for_client(self.client, qualification_id)
        if qualification is None:
            raise NotFound(f"No productOfferingQualification {qualification_id}.")
        return Response(select(qualification_representation(request, qualification), _fields(request)))


@extend_schema_view(get=extend_schema(exclude=True), post=extend_schema(exclude=True))
class QualificationListWithSlash(QualificationList):
    """The list at its path with a trailing slash, which the official kit reads; not in the OpenAPI document."""
