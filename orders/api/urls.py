"""/tmf-api/: TMF622 ordering, TMF620 catalog, the OpenAPI document; no trailing slashes, no redirects."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from orders.api import docs, views
from orders.api.errors import not_found

app_name = "tmf-api"

ORDERING = "productOrderingManagement/v4"
CATALOG = "productCatalogManagement/v4"

urlpatterns = [
    path(f"{ORDERING}/productOrder", views.ProductOrderList.as_view(), name="product-orders"),
    path(f"{ORDERING}/productOrder/<str:order_id>", views.ProductOrderDetail.as_view(), name="product-order"),
    path(f"{ORDERING}/cancelProductOrder", views.CancelProductOrderList.as_view(), name="cancellations"),
    path(
        f"{ORDERING}/cancelProductOrder/<str:cancellation_id>",
        views.CancelProductOrderDetail.as_view(),
        name="cancellation",
    ),
    path(f"{ORDERING}/hub", views.Hub.as_view(), name="hub"),
    path(f"{ORDERING}/hub/<str:listener_id>", views.HubDetail.as_view(), name="listener"),
    path(f"{CATALOG}/productOffering", views.ProductOfferingList.as_view(), name="product-offerings"),
    path(
        f"{CATALOG}/productOffering/<str:offering_id>", views.ProductOfferingDetail.as_view(), name="product-offering"
    ),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", docs.SwaggerUI.as_view(url_name="tmf-api:schema"), name="docs"),
    # Anything else under /tmf-api/ (a trailing slash included): a 404 Error, never a redirect.
    re_path(r"^.*$", not_found),
]
