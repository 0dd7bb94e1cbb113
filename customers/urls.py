from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("my/", views.my_home, name="my-home"),
]
