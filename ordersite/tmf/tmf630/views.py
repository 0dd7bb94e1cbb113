"""The base of every TMF resource view: JSON in and out, bearer-token clients, the Error body for every failure.

Authentication, permission, throttle, parser and exception handler are REST_FRAMEWORK's defaults
(ordersite/settings.py), all from this package.
"""

from __future__ import annotations

from rest_framework.response import Response
from rest_framework.views import APIView

from orders.models import ApiClient
from ordersite.tmf.tmf630.fields import select
from ordersite.tmf.tmf630.openapi import TMFAutoSchema
from ordersite.tmf.tmf630.paging import list_response, page_of
from ordersite.tmf.tmf630.parsers import JSONParser, MergePatchParser


class TMFView(APIView):
    """A TMF resource: JSON in and out, bearer-token clients, the Error body for every failure."""

    schema = TMFAutoSchema()

    @property
    def client(self) -> ApiClient:
        return self.request.auth

    def get_parsers(self):
        if getattr(self.request, "method", None) == "PATCH":
            return [MergePatchParser(), JSONParser()]
        return [JSONParser()]

    def validated(self, serializer_class) -> dict:
        """The request body as `serializer_class` reads it; a message-level problem is a 400 Error."""
        incoming = serializer_class(data=self.request.data)
        incoming.is_valid(raise_exception=True)
        return incoming.validated_data

    def page(self, queryset, represent, fields: set[str] | None, *, count=None) -> Response:
        """One page of `queryset` (`count` as for page_of), each row drawn by `represent`, cut to `fields`."""
        rows, total = page_of(queryset, self.request.query_params, count=count)
        return list_response([select(represent(self.request, row), fields) for row in rows], total=total)
