"""TMF620 under /tmf-api/productCatalogManagement/v4/ (names in the tmf-api namespace, see ordersite/tmf/urls.py)."""

from django.urls import path

from ordersite.tmf.tmf620 import views

urlpatterns = [
    path("productOffering", views.ProductOfferingList.as_view(), name="product-offerings"),
    path("productOffering/<str:offering_id>", views.ProductOfferingDetail.as_view(), name="product-offering"),
    path("productSpecification", views.ProductSpecificationList.as_view(), name="product-specifications"),
    path(
        "productSpecification/<str:specification_id>",
        views.ProductSpecificationDetail.as_view(),
        name="product-specification",
    ),
    path("productOfferingPrice", views.ProductOfferingPriceList.as_view(), name="product-offering-prices"),
    path(
        "productOfferingPrice/<str:price_id>",
        views.ProductOfferingPriceDetail.as_view(),
        name="product-offering-price",
    ),
]
