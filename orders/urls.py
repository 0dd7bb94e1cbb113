from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("agent/", views.agent_home, name="agent-home"),
]
