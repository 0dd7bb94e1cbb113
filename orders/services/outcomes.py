"""What commands answer besides the order: refusals, problems to fix, the outcome of a submission."""

from __future__ import annotations

from dataclasses import dataclass, field

from orders import lifecycle
from orders.models import (
    Order,
)
from orders.requirements import FieldError

ActionRefused = lifecycle.ActionRefused


class OrderIncomplete(Exception):
    """Submission found problems to fix first; each error carries its field path."""

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


@dataclass
class SubmissionOutcome:
    order: Order
    issued: bool = False
    held_reasons: list[str] = field(default_factory=list)
    rejected_reasons: list[str] = field(default_factory=list)
