"""Prices get stored names, so a catalog manager can rename one (TMF620 PATCH productOfferingPrice name).

Until now a price's name was made from its offering and amount each time it was shown. Each price an
offering has is given that name here, so no name changes on the day; the code that made it is copied
below as it stood, since a migration must not follow later changes to the app's code.
"""

from decimal import Decimal, InvalidOperation

from django.db import migrations, models


def _label(spec: dict) -> str:
    return spec.get("label") or spec["name"].replace("_", " ").capitalize()


def _entry_noun(spec: dict) -> str:
    label = _label(spec)
    lower = label.lower()
    if lower.endswith("ies"):
        return (label[:-3] + "y").lower()
    if lower.endswith(("sses", "xes", "ches", "shes")):
        return label[:-2].lower()
    if lower.endswith("s") and not lower.endswith("ss"):
        return label[:-1].lower()
    return lower


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal("0")
    return amount if amount.is_finite() else Decimal("0")


def _charged_groups(specs, prefix=""):
    """(path, spec) of each group declaring a charge per entry, nested ones too."""
    for spec in specs or []:
        if not isinstance(spec, dict) or spec.get("type") != "group" or "name" not in spec:
            continue
        path = prefix + spec["name"]
        if isinstance(spec.get("price_per_entry"), dict):
            yield path, spec
        yield from _charged_groups(spec.get("fields"), f"{path}.")


def _names(offering) -> dict:
    def name(amount, kind, per=""):
        period = " per month" if kind == "recurring" else " one-off"
        return f"{offering.name}: {amount:.2f} {offering.currency}{period}{per}"

    names = {}
    for kind, amount in (("one_off", offering.one_off_price), ("recurring", offering.recurring_price)):
        if amount:
            names[kind] = name(amount, kind)
    for path, spec in _charged_groups(offering.data_requirements):
        for kind in ("one_off", "recurring"):
            amount = _amount(spec["price_per_entry"].get(kind, "0"))
            if amount:
                names[f"{path}.{kind}"] = name(amount, kind, f" per {_entry_noun(spec)}")
    return names


def name_prices(apps, schema_editor):
    ProductOffering = apps.get_model("orders", "ProductOffering")
    offerings = list(ProductOffering.objects.all())
    for offering in offerings:
        offering.price_names = _names(offering)
    ProductOffering.objects.bulk_update(offerings, ["price_names"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0021_order_item_qualification"),
    ]

    operations = [
        migrations.AddField(
            model_name="productoffering",
            name="price_names",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text=(
                    'Its prices\' names, by price: "one_off", "recurring", or a charged group\'s path and kind '
                    '("handsets.one_off"). A price without one is named after the offering and its amount.'
                ),
            ),
        ),
        migrations.RunPython(name_prices, migrations.RunPython.noop),
    ]
