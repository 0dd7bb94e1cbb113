from django.urls import path

from customers import address_views, views

app_name = "customers"

urlpatterns = [
    path("my/", views.my_home, name="my-home"),
    path("agent/addresses/complete/", address_views.address_completions, name="address-complete"),
]
