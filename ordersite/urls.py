from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView

from orders.fulfilment import views as fulfilment_views
from ordersite import health, metrics, views
from ordersite.accounts import views as accounts_views

# Every refused permission, in any channel's pages, is written to the security log before its 403 page.
handler403 = accounts_views.permission_denied

# A request the site refuses as malformed (ordersite.middleware, Django's own checks) is answered here.
handler400 = views.bad_request

admin.site.site_header = "OrderDesk back office"
admin.site.site_title = "OrderDesk"
admin.site.index_title = "Supervisor back office"
# "View site" from the admin leads to the console supervisors share with agents.
admin.site.site_url = reverse_lazy("console:agent-home")


class FaviconView(RedirectView):
    # Browsers ask for /favicon.ico before (or instead of) reading the page's <link rel="icon">;
    # answering 404 there shows up as a console error on every page.
    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon.svg")


urlpatterns = [
    # Probes and the Prometheus scrape (ordersite/health.py, ordersite/metrics.py).
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("", views.home, name="home"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    # Two-step sign-in and the security page (ordersite/accounts), then Django's login, logout, passwords.
    path("", include("ordersite.accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("fulfilment/callback/<slug:system>", fulfilment_views.task_callback, name="fulfilment-callback"),
    path("tmf-api/", include("ordersite.tmf.urls")),
    path("", include("ordersite.selfservice.urls")),
    path("", include("ordersite.console.urls")),
]
