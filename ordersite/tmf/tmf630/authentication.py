"""Who is calling: a bearer token per API client, the permission to use the API, a rate limit."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from orders.clients import client_for_token
from orders.models import ApiClient


class ApiClientAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`; the request then acts as the client's service user."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the token as: Authorization: Bearer <token>.")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        client = client_for_token(token)
        if client is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        return client.user, client

    def authenticate_header(self, request):
        return 'Bearer realm="tmf-api"'


class IsApiClient(permissions.BasePermission):
    message = "Only API clients may use this API."

    def has_permission(self, request, view):
        return isinstance(request.auth, ApiClient)


class ApiClientRateThrottle(throttling.SimpleRateThrottle):
    """Requests per client (REST_FRAMEWORK's DEFAULT_THROTTLE_RATES["api_client"]); 429 beyond it."""

    scope = "api_client"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiClient):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class ApiClientAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ApiClientAuthentication
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "The API client's token."}
