from django.urls import path

from customers import address_views, views

app_name = "customers"

urlpatterns = [
    path("agent/addresses/complete/", address_views.address_completions, name="address-complete"),
    path("agent/customers/", views.customer_list, name="list"),
    path("agent/customers/new/", views.customer_create, name="create"),
    path("agent/customers/lookup/", views.customer_lookup, name="lookup"),
    path("agent/customers/<str:number>/", views.customer_detail, name="detail"),
    path("agent/customers/<str:number>/addresses/new/", views.address_create, name="add-address"),
    path("agent/customers/<str:number>/interactions/", views.record_interaction, name="record-interaction"),
]
