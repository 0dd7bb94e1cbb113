"""Shipped address reference data (districts and street segments) and its loader.

The data is loaded by migration 0003, so every database, test databases included, has it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REFERENCE_FILE = Path(__file__).with_name("riverton.json")


def read_reference_data(path: Path = REFERENCE_FILE) -> dict[str, Any]:
    """The parsed reference file: {"districts": [...], "streets": [...]}."""
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def load_reference_data(apps, schema_editor=None, *, path: Path = REFERENCE_FILE) -> None:
    """Create or update every district and street segment in the file (a RunPython step).

    Idempotent: rows are matched on their natural keys and updated in place. Rows that are not
    in the file are left alone, because supervisors may add streets in the back office.
    Outside migrations pass django.apps.apps as `apps`.
    """
    District = apps.get_model("customers", "District")
    Street = apps.get_model("customers", "Street")
    data = read_reference_data(path)

    districts = {}
    for row in data["districts"]:
        districts[row["code"]], _ = District.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "town": row["town"], "technologies": list(row["technologies"])},
        )
    for row in data["streets"]:
        # A street split by parity or number range has one row per segment, each with its own postcode.
        Street.objects.update_or_create(
            name=row["name"],
            postcode=row["postcode"],
            first_number=row["first_number"],
            parity=row["parity"],
            defaults={"district": districts[row["district"]], "last_number": row["last_number"]},
        )
