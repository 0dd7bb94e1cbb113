"""TMF630 errors: every 4xx and 5xx of the API carries an Error body (code, reason, message, status)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from ordersite.middleware import DATABASE_DOWN_ERRORS

logger = logging.getLogger("ordersite.tmf")

REASONS = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable entity",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}

CODES = {
    400: "INVALID_REQUEST",
    401: "NOT_AUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "UNPROCESSABLE",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


class Conflict(exceptions.APIException):
    """The resource's state does not allow the request (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The resource's current state does not allow this request."
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    """A well-formed request the API will not carry out (422)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request cannot be carried out."
    default_code = "unprocessable"


def error_body(status_code: int, message: str, *, reason: str | None = None, code: str | None = None) -> dict:
    return {
        "code": code or CODES.get(status_code, str(status_code)),
        "reason": reason or REASONS.get(status_code, "Error"),
        "message": message,
        "status": str(status_code),
        "@type": "Error",
    }


def flatten_detail(detail, path: str = "") -> list[str]:
    """DRF's nested error details as 'path: message' lines (productOrderItem[0].action: ...)."""
    if isinstance(detail, dict):
        lines = []
        for key, inner in detail.items():
            if key == "non_field_errors":
                lines.extend(flatten_detail(inner, path))
            elif isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
                lines.extend(flatten_detail(inner, f"{path}[{key}]"))
            else:
                lines.extend(flatten_detail(inner, f"{path}.{key}" if path else str(key)))
        return lines
    if isinstance(detail, list):
        if all(isinstance(d, str) for d in detail):
            return [f"{path}: {d}" if path else str(d) for d in detail]
        lines = []
        for index, inner in enumerate(detail):
            if inner:
                lines.extend(flatten_detail(inner, f"{path}[{index}]"))
        return lines
    return [f"{path}: {detail}" if path else str(detail)]


def _database_unavailable() -> Response:
    response = Response(
        error_body(503, "The database cannot be reached; try again shortly."),
        status=503,
        headers={"Retry-After": str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER)},
    )
    return response


def tmf_exception_handler(exc, context) -> Response:
    """DRF's exception handler for the API: the TMF Error body for everything, never an HTML page."""
    set_rollback()
    if isinstance(exc, DATABASE_DOWN_ERRORS):
        logger.warning("Database unavailable for %s", context.get("request") and context["request"].path)
        return _database_unavailable()
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if not isinstance(exc, exceptions.APIException):
        logger.exception("Unexpected error in the API", exc_info=exc)
        return Response(error_body(500, "Something went wrong on our side; nothing was changed."), status=500)

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(int(exc.wait))
    message = "; ".join(flatten_detail(exc.detail)) or REASONS.get(exc.status_code, "Error")
    if isinstance(exc, exceptions.MethodNotAllowed):
        view = context.get("view")
        if view is not None:
            headers["Allow"] = ", ".join(view.allowed_methods)
    return Response(error_body(exc.status_code, message), status=exc.status_code, headers=headers)


@csrf_exempt
def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any other path under /tmf-api/: a 404 Error, never a redirect or an HTML page."""
    return JsonResponse(error_body(404, f"No resource at {request.path}."), status=404)
