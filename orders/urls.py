from django.urls import path

from orders import views

app_name = "orders"

order = "agent/orders/<str:number>/"

urlpatterns = [
    path("agent/", views.agent_home, name="agent-home"),
    path("agent/orders/", views.order_list, name="list"),
    path("agent/orders/new/", views.capture_start, name="capture-start"),
    path(order, views.order_detail, name="detail"),
    path(order + "capture/<slug:step>/", views.capture_step, name="capture"),
    path(order + "submitted/", views.capture_outcome, name="outcome"),
    path(order + "notes/", views.order_add_note, name="add-note"),
    path(order + "cancellation/", views.order_request_cancellation, name="request-cancellation"),
    path(order + "feasibility/", views.order_record_feasibility, name="record-feasibility"),
    path(order + "answer/", views.order_answer_information, name="answer-information"),
    path(order + "amend/", views.order_amend, name="amend"),
    path(order + "discard/", views.order_discard, name="discard"),
    path(order + "approve/", views.order_approve, name="approve"),
    path(order + "refuse/", views.order_refuse, name="refuse"),
    path(order + "documents/", views.order_attach_document, name="attach-document"),
    path(order + "documents/<int:pk>/", views.order_document, name="document"),
    path("agent/products/<int:pk>/<slug:intent>/", views.product_action, name="product-action"),
]
