from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders and catalog"

    def ready(self):
        # Their receivers keep the catalog's version current, forget cached API credentials, count
        # orders and time Celery tasks; the tasks register with Celery, which the outbox and the
        # simulator find by name; the deployment checks register with Django's system checks.
        from orders import catalog, checks, clients, metrics, tasks  # noqa: F401
