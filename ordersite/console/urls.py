"""The console's URLs, all under the namespace `console:`."""

from django.urls import path

from ordersite.console.views import addresses, capture, customers, home, orders, products

app_name = "console"

order = "agent/orders/<str:number>/"

order_patterns = [
    path("agent/", home.agent_home, name="agent-home"),
    path("agent/orders/", orders.order_list, name="order-list"),
    path("agent/orders/new/", capture.capture_start, name="capture-start"),
    path(order, orders.order_detail, name="order-detail"),
    path(order + "capture/<slug:step>/", capture.capture_step, name="capture"),
    path(order + "submitted/", capture.capture_outcome, name="outcome"),
    path(order + "notes/", orders.order_add_note, name="add-note"),
    path(order + "cancellation/", orders.order_request_cancellation, name="request-cancellation"),
    path(order + "feasibility/", orders.order_record_feasibility, name="record-feasibility"),
    path(order + "answer/", orders.order_answer_information, name="answer-information"),
    path(order + "amend/", orders.order_amend, name="amend"),
    path(order + "discard/", orders.order_discard, name="discard"),
    path(order + "approve/", orders.order_approve, name="approve"),
    path(order + "refuse/", orders.order_refuse, name="refuse"),
    path(order + "documents/", orders.order_attach_document, name="attach-document"),
    path(order + "documents/<int:pk>/", orders.order_document, name="document"),
    path("agent/products/<int:pk>/<slug:intent>/", products.product_action, name="product-action"),
]

urlpatterns = order_patterns + [
    path("agent/addresses/complete/", addresses.address_completions, name="address-complete"),
    path("agent/customers/", customers.customer_list, name="customer-list"),
    path("agent/customers/new/", customers.customer_create, name="customer-create"),
    path("agent/customers/lookup/", customers.customer_lookup, name="customer-lookup"),
    path("agent/customers/<str:number>/", customers.customer_detail, name="customer-detail"),
    path("agent/customers/<str:number>/addresses/new/", addresses.address_create, name="add-address"),
    path("agent/customers/<str:number>/interactions/", customers.record_interaction, name="record-interaction"),
]
