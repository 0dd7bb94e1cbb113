from django.contrib import admin
from django.urls import include, path, reverse_lazy

from customers import views as customer_views
from orders.fulfilment import views as fulfilment_views

admin.site.site_header = "OrderDesk back office"
admin.site.site_title = "OrderDesk"
admin.site.index_title = "Supervisor back office"
# "View site" from the admin leads to the console supervisors share with agents.
admin.site.site_url = reverse_lazy("orders:agent-home")

urlpatterns = [
    path("", customer_views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("fulfilment/callback", fulfilment_views.task_callback, name="fulfilment-callback"),
    path("tmf-api/customerManagement/v4/", include("customers.api.urls")),
    path("tmf-api/", include("orders.api.urls")),
    path("", include("customers.urls")),
    path("", include("orders.urls")),
]
