"""/tmf-api/: TMF622 ordering, TMF629 customer, TMF620 catalog, TMF637 inventory, TMF679 qualification, OpenAPI.

No trailing slashes (but TMF679's list, which the official kit reads with one) and no redirects.

URL names: tmf-api:… for ordering, the catalog, the inventory, schema and docs; tmf-customers:… for TMF629.
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from ordersite.tmf.tmf630 import docs
from ordersite.tmf.tmf630.errors import not_found

ORDERING = "productOrderingManagement/v4"
CUSTOMER = "customerManagement/v4"
CATALOG = "productCatalogManagement/v4"
INVENTORY = "productInventory/v4"
QUALIFICATION = "productOfferingQualification/v4"

api = [
    path(f"{ORDERING}/", include("ordersite.tmf.tmf622.urls")),
    path(f"{CATALOG}/", include("ordersite.tmf.tmf620.urls")),
    path(f"{INVENTORY}/", include("ordersite.tmf.tmf637.urls")),
    path(f"{QUALIFICATION}/", include("ordersite.tmf.tmf679.urls")),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", docs.SwaggerUI.as_view(url_name="tmf-api:schema"), name="docs"),
    # Anything else under /tmf-api/ (a trailing slash included): a 404 Error, never a redirect.
    re_path(r"^.*$", not_found),
]

urlpatterns = [
    path(f"{CUSTOMER}/", include("ordersite.tmf.tmf629.urls")),
    path("", include((api, "tmf-api"))),
]
