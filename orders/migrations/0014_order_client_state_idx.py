from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0013_event_delivery_permissions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["created_by_client", "state"], name="order_client_state_idx"),
        ),
    ]
