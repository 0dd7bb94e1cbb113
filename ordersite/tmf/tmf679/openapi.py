"""OpenAPI components of TMF679 Product Offering Qualification v4."""

from __future__ import annotations

from ordersite.tmf.tmf630.openapi import DATE_TIME, TYPE, array, ref, string

REFERENCE = {
    "type": "object",
    "required": ["id"],
    "properties": {"id": string(), "href": string(), "name": string(), "@referredType": string()},
}
TASK_STATE = string("TMF679 TaskStateType: always done (answered at once)", enum=["done"])
RESULT = string("qualified, unqualified or alternate", enum=["qualified", "unqualified", "alternate"])

COMPONENTS = {
    "EligibilityUnavailabilityReason": {
        "type": "object",
        "properties": {
            "code": string(
                "not_on_sale, customer_kind, address_not_validated, not_serviceable, missing_prerequisite, "
                "unknown_party, unknown_offering, unknown_category, unknown_place, none_in_category or nothing_named"
            ),
            "label": string("The reason in a sentence"),
        },
    },
    "ProductOfferingQualificationItem": {
        "type": "object",
        "required": ["id", "state", "qualificationItemResult"],
        "properties": {
            "id": string("The item id as sent"),
            "action": string(),
            "expectedActivationDate": DATE_TIME,
            "productOffering": {**REFERENCE, "description": "The offering code, as in TMF620 and TMF622"},
            "category": {**REFERENCE, "description": "broadband, mobile or tv"},
            "state": TASK_STATE,
            "qualificationItemResult": RESULT,
            "eligibilityUnavailabilityReason": array(ref("EligibilityUnavailabilityReason")),
            "alternateProductOfferingProposal": array(
                {"type": "object", "properties": {"id": string(), "productOffering": REFERENCE}}
            ),
            **TYPE,
        },
    },
    "ProductOfferingQualification": {
        "type": "object",
        "description": (
            "Without `fields`, every attribute below but channel, place and expectedQualificationDate (when not "
            "sent) comes; `fields=` returns exactly the attributes named."
        ),
        "properties": {
            "id": string(),
            "href": string(),
            "description": string(),
            "effectiveQualificationDate": DATE_TIME,
            "expectedQualificationDate": DATE_TIME,
            "productOfferingQualificationDate": DATE_TIME,
            "productOfferingQualificationDateTime": {
                **DATE_TIME,
                "description": "The same as productOfferingQualificationDate",
            },
            "provideAlternative": {"type": "boolean"},
            "provideOnlyAvailable": {"type": "boolean"},
            "provideUnavailabilityReason": {"type": "boolean"},
            "qualificationResult": RESULT,
            "state": TASK_STATE,
            "channel": REFERENCE,
            "relatedParty": array(ref("RelatedParty")),
            "place": array(REFERENCE),
            "productOfferingQualificationItem": array(ref("ProductOfferingQualificationItem")),
            **TYPE,
        },
    },
}

PRODUCT_OFFERING_QUALIFICATION = ref("ProductOfferingQualification")
