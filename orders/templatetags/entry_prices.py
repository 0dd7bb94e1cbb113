"""`{{ offering|entry_prices }}`: what an offering charges for each entry of its groups (so much a handset).

Used by templates/presentation/includes/entry_prices.html under the price of an offering's card, so a
price that follows the quantities never reads as the whole price.
"""

from __future__ import annotations

from django import template

from orders.requirements import price_per_entry, row_noun

register = template.Library()


@register.filter
def entry_prices(offering) -> list[dict]:
    charges = []
    for spec in offering.data_requirements or []:
        if isinstance(spec, dict) and (charge := price_per_entry(spec)) is not None:
            charges.append({"noun": row_noun(spec).lower(), "one_off": charge[0], "recurring": charge[1]})
    return charges
