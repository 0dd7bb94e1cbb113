from django.contrib import admin
from django.urls import include, path

from customers import views as customer_views

admin.site.site_header = "Order management: back office"
admin.site.site_title = "Order management"
admin.site.index_title = "Supervisor back office"

handler500 = "ordersite.views.server_error"

urlpatterns = [
    path("", customer_views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("customers.urls")),
    path("", include("orders.urls")),
]
