"""TMF637 under /tmf-api/productInventory/v4/ (names in the tmf-api namespace, see ordersite/tmf/urls.py)."""

from django.urls import path

from ordersite.tmf.tmf637 import views

urlpatterns = [
    path("product", views.ProductList.as_view(), name="products"),
    path("product/<str:product_id>", views.ProductDetail.as_view(), name="product"),
]
