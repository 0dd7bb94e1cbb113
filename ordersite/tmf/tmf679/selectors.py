"""What an API client may see of qualifications, and the TMF630 filters on them.

A client sees only the qualifications it asked for, and of those about a customer, only while it
may still act for that customer.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import QueryDict

from orders.models import ApiClient, OfferingQualification
from ordersite.tmf.tmf629.selectors import customer_ids
from ordersite.tmf.tmf630.filters import date_filters, one_of, refuse_unknown_params, values

DATE_SUFFIXES = ("", ".gt", ".gte", ".lt", ".lte")
RESULTS = OfferingQualification.Result.values
TASK_STATES = ["acknowledged", "terminatedWithError", "inProgress", "done"]  # TMF679 v4 TaskStateType
QUALIFICATION_FILTERS = {
    "id",
    "state",
    "qualificationResult",
    "relatedParty.id",
    "relatedParty.role",
    "channel.id",
    *(f"expectedQualificationDate{suffix}" for suffix in DATE_SUFFIXES),
    *(f"productOfferingQualificationDate{suffix}" for suffix in DATE_SUFFIXES),
}


def qualifications_visible_to(client: ApiClient) -> QuerySet[OfferingQualification]:
    return OfferingQualification.objects.filter(
        Q(customer__isnull=True) | Q(customer__in=customer_ids(client)), client=client
    ).order_by("-created_at", "-id")


def qualification_pk(qualification_id: str) -> int | None:
    text = qualification_id.strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def qualification_for_client(client: ApiClient, qualification_id: str) -> OfferingQualification | None:
    pk = qualification_pk(qualification_id)
    return None if pk is None else qualifications_visible_to(client).filter(pk=pk).first()


def unquoted(params) -> QueryDict:
    """The query with each value's surrounding double quotes taken off (`channel.id="1"` means 1)."""
    plain = QueryDict(mutable=True)
    for name, given in params.lists():
        plain.setlist(name, [_unquote(value) for value in given])
    return plain


def _unquote(value: str) -> str:
    value = value.strip()
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def filter_qualifications(qualifications: QuerySet, params) -> QuerySet:
    refuse_unknown_params(params, QUALIFICATION_FILTERS)
    params = unquoted(params)
    if "id" in params:
        qualifications = qualifications.filter(pk__in=[pk for pk in map(qualification_pk, values(params, "id")) if pk])
    if "state" in params and "done" not in one_of("state", values(params, "state"), TASK_STATES):
        qualifications = qualifications.none()  # every qualification is answered at once
    if "qualificationResult" in params:
        qualifications = qualifications.filter(
            result__in=one_of("qualificationResult", values(params, "qualificationResult"), RESULTS)
        )
    if "relatedParty.id" in params:
        parties = values(params, "relatedParty.id")
        qualifications = qualifications.filter(party_id__in={*parties, *(p.upper() for p in parties)})
    if "relatedParty.role" in params:
        qualifications = qualifications.filter(party_role__in=values(params, "relatedParty.role"))
    if "channel.id" in params:
        qualifications = qualifications.filter(channel_id__in=values(params, "channel.id"))
    lookups = {
        **date_filters(params, "expectedQualificationDate", "expected_qualification_date"),
        **date_filters(params, "productOfferingQualificationDate", "created_at"),
    }
    return qualifications.filter(**lookups) if lookups else qualifications
