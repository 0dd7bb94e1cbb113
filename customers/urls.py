from django.urls import path

from customers import address_views, selfservice, views

app_name = "customers"

my_order = "my/orders/<str:number>/"

# The customer's own pages (customers/selfservice.py); tests/customers/test_isolation.py covers each one.
self_service_patterns = [
    path("my/", selfservice.my_home, name="my-home"),
    path("my/orders/", selfservice.my_orders, name="my-orders"),
    path("my/orders/new/", selfservice.my_order_new, name="my-order-new"),
    path(my_order, selfservice.my_order, name="my-order"),
    path(my_order + "details/", selfservice.my_order_details, name="my-order-details"),
    path(my_order + "review/", selfservice.my_order_review, name="my-order-review"),
    path(my_order + "answer/", selfservice.my_order_answer, name="my-order-answer"),
    path(my_order + "cancel/", selfservice.my_order_cancel, name="my-order-cancel"),
    path(my_order + "discard/", selfservice.my_order_discard, name="my-order-discard"),
    path(my_order + "sign-off/", selfservice.my_order_signoff, name="my-order-signoff"),
    path("my/products/", selfservice.my_products, name="my-products"),
    path("my/products/<int:pk>/<slug:intent>/", selfservice.my_product_action, name="my-product-action"),
]

urlpatterns = self_service_patterns + [
    path("agent/addresses/complete/", address_views.address_completions, name="address-complete"),
    path("agent/customers/", views.customer_list, name="list"),
    path("agent/customers/new/", views.customer_create, name="create"),
    path("agent/customers/lookup/", views.customer_lookup, name="lookup"),
    path("agent/customers/<str:number>/", views.customer_detail, name="detail"),
    path("agent/customers/<str:number>/addresses/new/", views.address_create, name="add-address"),
    path("agent/customers/<str:number>/interactions/", views.record_interaction, name="record-interaction"),
]
