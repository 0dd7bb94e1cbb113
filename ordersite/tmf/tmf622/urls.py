"""TMF622 under /tmf-api/productOrderingManagement/v4/ (names in the tmf-api namespace, see ordersite/tmf/urls.py)."""

from django.urls import path

from ordersite.tmf.tmf622 import views

urlpatterns = [
    path("productOrder", views.ProductOrderList.as_view(), name="product-orders"),
    path("productOrder/<str:order_id>", views.ProductOrderDetail.as_view(), name="product-order"),
    path("cancelProductOrder", views.CancelProductOrderList.as_view(), name="cancellations"),
    path("cancelProductOrder/<str:cancellation_id>", views.CancelProductOrderDetail.as_view(), name="cancellation"),
    path("hub", views.Hub.as_view(), name="hub"),
    path("hub/<str:listener_id>", views.HubDetail.as_view(), name="listener"),
]
