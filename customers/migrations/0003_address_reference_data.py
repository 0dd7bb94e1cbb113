from django.db import migrations

from customers.reference_data import load_reference_data


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(load_reference_data, migrations.RunPython.noop)]
