"""Downstream systems (logistics, field service, network, billing) behind one small interface.

The outbox relay (orders.outbox) hands tasks over in batches: `submit` the tasks just dispatched,
`cancel` those recalled, `compensate` those undone, then `handed_over` once that is recorded. A
call may be repeated after a crash, so adapters pass the task's reference and attempt, which
downstream systems de-duplicate on. Results come back through orchestration.record_task_results.

The simulated adapter (orders/fulfilment/simulator.py) stands in for all of them so the demo and the
tests move orders end to end; `manual` leaves tasks to the authenticated callback real systems use,
so nothing is handed over.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from orders.models import FulfilmentTask


class Downstream(Protocol):
    sends: bool  # whether the relay has anything to tell it

    def submit(self, tasks: list[FulfilmentTask]) -> None: ...

    def cancel(self, tasks: list[FulfilmentTask]) -> None: ...

    def compensate(self, tasks: list[FulfilmentTask]) -> None: ...

    def handed_over(self, tasks: list[FulfilmentTask]) -> None: ...


class ManualDownstream:
    """Waits for real systems to call back; nothing is handed over."""

    sends = False

    def submit(self, tasks: list[FulfilmentTask]) -> None:
        pass

    def cancel(self, tasks: list[FulfilmentTask]) -> None:
        pass

    def compensate(self, tasks: list[FulfilmentTask]) -> None:
        pass

    def handed_over(self, tasks: list[FulfilmentTask]) -> None:
        pass


# By dotted path: the simulator reports results through orchestration, which asks for the adapter.
ADAPTERS = {
    "simulated": "orders.fulfilment.simulator.SimulatedDownstream",
    "manual": "orders.downstream.ManualDownstream",
}


def downstream() -> Downstream:
    return import_string(adapter_path())()


def adapter_path() -> str:
    """The dotted path of the adapter FULFILMENT_DOWNSTREAM names; KeyError for a name we do not know."""
    return ADAPTERS[settings.FULFILMENT_DOWNSTREAM]
