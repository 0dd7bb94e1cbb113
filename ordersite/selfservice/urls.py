from django.urls import path

from ordersite.selfservice import home, ordering, orders, products

app_name = "selfservice"

my_order = "my/orders/<str:number>/"

# The customer's own pages; tests/customers/test_isolation.py covers each one.
urlpatterns = [
    path("my/", home.my_home, name="my-home"),
    path("my/orders/", orders.my_orders, name="my-orders"),
    path("my/orders/new/", ordering.my_order_new, name="my-order-new"),
    path(my_order, orders.my_order, name="my-order"),
    path(my_order + "details/", ordering.my_order_details, name="my-order-details"),
    path(my_order + "review/", ordering.my_order_review, name="my-order-review"),
    path(my_order + "answer/", orders.my_order_answer, name="my-order-answer"),
    path(my_order + "cancel/", orders.my_order_cancel, name="my-order-cancel"),
    path(my_order + "discard/", ordering.my_order_discard, name="my-order-discard"),
    path(my_order + "sign-off/", orders.my_order_signoff, name="my-order-signoff"),
    path("my/products/", products.my_products, name="my-products"),
    path("my/products/<int:pk>/<slug:intent>/", products.my_product_action, name="my-product-action"),
]
