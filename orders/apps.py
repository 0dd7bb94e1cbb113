from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders and catalog"

    def ready(self):
        from orders import catalog  # noqa: F401  (its receivers keep the catalog's version current)
