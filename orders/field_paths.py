"""Field paths of an order and the errors addressed by them: "items[2].characteristics.handsets[0].extension".

Parsed here once, so no channel reads them with patterns of its own (orders.requirements re-exports them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """A problem with one value, addressed by its path, e.g. handsets[2].extension."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    @property
    def item_path(self) -> ItemPath | None:
        return item_path(self.path)


# An order's field paths, parsed here once so no channel reads them with patterns of its own:
# "items[2].characteristics.handsets[0].extension", "special_requirements".
_ITEM_PATH = re.compile(r"^items\[([^\]]+)\](?:\.(\w+))?(?:\.(.*))?$", re.S)
_FIELD_PATH = re.compile(r"^([a-z_][a-z0-9_]*(?:\[[^\]]+\])?(?:\.[a-z_][a-z0-9_]*(?:\[[^\]]+\])?)*): (.*)$", re.S)


@dataclass(frozen=True)
class ItemPath:
    """A path into one item of an order: the item as written in the brackets (its index in completeness
    errors, its item id in revision differences), the item's part (characteristics, offering,
    install_address …) and the path within that part."""

    item: str
    part: str = ""
    rest: str = ""

    @property
    def index(self) -> int | None:
        return int(self.item) if self.item.isdigit() else None

    @property
    def field(self) -> str:
        """The part and the path within it: "characteristics.handsets[0].extension"."""
        return f"{self.part}.{self.rest}" if self.rest else self.part


def item_path(path: str) -> ItemPath | None:
    """The item a field path points into, or None for a field of the order itself."""
    match = _ITEM_PATH.match(path or "")
    return ItemPath(match.group(1), match.group(2) or "", match.group(3) or "") if match else None


def split_reason(reason: str) -> tuple[str, str]:
    """A reason as stored ("items[0].offering: not on sale") → (field path, message); ("", reason) if none."""
    match = _FIELD_PATH.match(reason.strip())
    return (match.group(1), match.group(2)) if match else ("", reason.strip())
