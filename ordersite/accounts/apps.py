from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ordersite.accounts"
    label = "accounts"
    verbose_name = "Sign-in security"

    def ready(self):
        # Connect the security log and the second-factor gate to the sign-in signals.
        from ordersite.accounts import audit, gate  # noqa: F401
