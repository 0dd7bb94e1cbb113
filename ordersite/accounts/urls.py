from django.urls import path

from ordersite.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/two-step/verify/", views.verify, name="verify"),
    path("accounts/two-step/setup/", views.setup, name="setup"),
    path("accounts/two-step/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("accounts/two-step/recovery-codes/new/", views.new_recovery_codes, name="new-recovery-codes"),
    path("accounts/two-step/turn-off/", views.turn_off, name="turn-off"),
    path("accounts/security/", views.security, name="security"),
    # Customers find the same page among their own (self-service) pages.
    path("my/security/", views.security, name="my-security"),
]
