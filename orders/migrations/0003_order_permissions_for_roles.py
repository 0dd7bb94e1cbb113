from django.db import migrations

from customers.roles import sync_role_groups


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_orders_and_lifecycle"),
        ("customers", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
