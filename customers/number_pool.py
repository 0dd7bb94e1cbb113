"""Loading the number pool (back office and demo); offering, holding and assigning numbers: orders.numbers."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from customers.models import TelephoneNumber
from customers.telephone import NumberKind, kind_of, to_e164

# A terminated line's number rests this long before anyone else is offered it.
QUARANTINE = dt.timedelta(days=90)
# One load stays one quick statement.
MAX_RANGE = 10_000


@transaction.atomic
def add_number_range(first: str, last: str, *, kind: str | None = None) -> int:
    """Load a range into the pool ("07700 900000" to "07700 900999"); numbers already there are left as they are."""
    start, end = to_e164(first), to_e164(last)
    if start is None or end is None:
        raise ValueError("Give the first and last numbers of the range, like 07700 900000 and 07700 900999.")
    if len(start) != len(end) or start[:-6] != end[:-6] or int(end[1:]) < int(start[1:]):
        raise ValueError("The range must run upwards and differ only in its last six digits.")
    if int(end[1:]) - int(start[1:]) >= MAX_RANGE:
        raise ValueError("Load at most 10,000 numbers at a time.")
    kind = kind or kind_of(start)
    if kind not in NumberKind.values:
        raise ValueError("Neither a mobile nor a landline number: say which kind it is.")
    width = len(start) - 1
    numbers = [TelephoneNumber(e164=f"+{n:0{width}d}", kind=kind) for n in range(int(start[1:]), int(end[1:]) + 1)]
    before = TelephoneNumber.objects.filter(e164__in=[n.e164 for n in numbers]).count()
    TelephoneNumber.objects.bulk_create(numbers, ignore_conflicts=True)
    return len(numbers) - before
