from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customers"

    def ready(self):
        # Its receivers make every process read permissions again when they change (the cache).
        from customers import backends  # noqa: F401
