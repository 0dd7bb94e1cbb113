from django.db import migrations

from customers.roles import sync_role_groups


class Migration(migrations.Migration):
    """Supervisors may open the back-office queues (and see fulfilment tasks and sign-offs on an order)."""

    dependencies = [
        ("orders", "0008_review_queues"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
