"""TMF679 productOfferingQualification as clients read it: the request as sent, the answer as given."""

from __future__ import annotations

from orders.models import OfferingQualification
from ordersite.tmf.tmf630.dates import format_datetime

BASE_PATH = "/tmf-api/productOfferingQualification/v4"

QUALIFICATION_ATTRIBUTES = {
    "id",
    "href",
    "description",
    "effectiveQualificationDate",
    "expectedQualificationDate",
    "productOfferingQualificationDate",
    "productOfferingQualificationDateTime",
    "provideAlternative",
    "provideOnlyAvailable",
    "provideUnavailabilityReason",
    "qualificationResult",
    "state",
    "channel",
    "relatedParty",
    "place",
    "productOfferingQualificationItem",
    "@type",
}


def qualification_href(request, qualification: OfferingQualification) -> str:
    return request.build_absolute_uri(f"{BASE_PATH}/productOfferingQualification/{qualification.pk}")


def _absolute(request, ref: dict) -> dict:
    """Our offerings are stored with the path of their TMF620 resource; others as the client sent them."""
    href = ref.get("href", "")
    return {**ref, "href": request.build_absolute_uri(href)} if href.startswith("/") else ref


def _item(request, item: dict) -> dict:
    item = dict(item)
    if "productOffering" in item:
        item["productOffering"] = _absolute(request, item["productOffering"])
    if "alternateProductOfferingProposal" in item:
        item["alternateProductOfferingProposal"] = [
            {**proposal, "productOffering": _absolute(request, proposal["productOffering"])}
            for proposal in item["alternateProductOfferingProposal"]
        ]
    return {**item, "@type": "ProductOfferingQualificationItem"}


def qualification_representation(request, qualification: OfferingQualification) -> dict:
    submitted = format_datetime(qualification.created_at)
    data = {
        "id": str(qualification.pk),
        "href": qualification_href(request, qualification),
        "description": qualification.description,
        "effectiveQualificationDate": submitted,
        "expectedQualificationDate": format_datetime(qualification.expected_qualification_date),
        # v4 names the submission date productOfferingQualificationDate; clients written for other
        # releases read productOfferingQualificationDateTime, so both are given.
        "productOfferingQualificationDate": submitted,
        "productOfferingQualificationDateTime": submitted,
        "provideAlternative": qualification.provide_alternative,
        "provideOnlyAvailable": qualification.provide_only_available,
        "provideUnavailabilityReason": qualification.provide_unavailability_reason,
        "qualificationResult": qualification.result,
        "state": "done",
        "relatedParty": qualification.related_party,
        "productOfferingQualificationItem": [_item(request, item) for item in qualification.items],
        "@type": "ProductOfferingQualification",
    }
    if qualification.channel:
        data["channel"] = qualification.channel
    if qualification.place:
        data["place"] = qualification.place
    if data["expectedQualificationDate"] is None:
        del data["expectedQualificationDate"]
    return data
