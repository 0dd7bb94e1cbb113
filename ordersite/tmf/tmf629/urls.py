"""TMF629 under /tmf-api/customerManagement/v4/: no trailing slashes; anything else falls to the API's 404."""

from django.urls import path

from ordersite.tmf.tmf629 import views

app_name = "tmf-customers"

urlpatterns = [
    path("customer", views.CustomerList.as_view(), name="customers"),
    path("customer/<str:customer_id>", views.CustomerDetail.as_view(), name="customer"),
]
