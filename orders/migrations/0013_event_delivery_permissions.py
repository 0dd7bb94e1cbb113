from django.db import migrations

from customers.roles import sync_role_groups


class Migration(migrations.Migration):
    dependencies = [("orders", "0012_admin_indexes")]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
