"""The base of every TMF resource view: JSON in and out, bearer-token clients, the Error body for every failure.

Authentication, permission, throttle, parser and exception handler are REST_FRAMEWORK's defaults
(ordersite/settings.py), all from this package.
"""

from __future__ import annotations

from rest_framework.views import APIView

from orders.models import ApiClient
from ordersite.tmf.tmf630.parsers import JSONParser, MergePatchParser


class TMFView(APIView):
    """A TMF resource: JSON in and out, bearer-token clients, the Error body for every failure."""

    @property
    def client(self) -> ApiClient:
        return self.request.auth

    def get_parsers(self):
        if getattr(self.request, "method", None) == "PATCH":
            return [MergePatchParser(), JSONParser()]
        return [JSONParser()]
