from django.db import migrations

from customers.roles import sync_role_groups


class Migration(migrations.Migration):
    """Supervisors may open the stuck-orders queue."""

    dependencies = [("orders", "0016_order_stuck")]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
