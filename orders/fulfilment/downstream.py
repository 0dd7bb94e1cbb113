"""Downstream systems (logistics, field service, network, billing) behind one small interface.

The simulated adapter stands in for all of them so the demo and the tests move orders end to end;
`manual` leaves tasks to the authenticated callback real systems use.
"""

from __future__ import annotations

import random
from typing import Protocol

from django.conf import settings

from orders.fulfilment.models import FulfilmentTask


class Downstream(Protocol):
    def submit(self, task: FulfilmentTask) -> None: ...

    def cancel(self, task: FulfilmentTask) -> None: ...

    def compensate(self, task: FulfilmentTask) -> None: ...


class SimulatedDownstream:
    """Finishes each task after a delay, failing at the configured rate (repeatable per attempt)."""

    def submit(self, task: FulfilmentTask) -> None:
        from orders import tasks

        tasks.simulate_task_outcome.apply_async((task.pk, task.attempts), countdown=settings.SIMULATOR_DELAY_SECONDS)

    def cancel(self, task: FulfilmentTask) -> None:
        """Nothing to stop: the simulator ignores results for tasks no longer dispatched."""

    def compensate(self, task: FulfilmentTask) -> None:
        """A real system would collect equipment, release numbers, credit charges."""

    @staticmethod
    def fails(task_id: int, attempt: int) -> bool:
        return random.Random(f"{task_id}:{attempt}").random() < settings.SIMULATOR_FAILURE_RATE


class ManualDownstream:
    """Waits for real systems to call back; nothing is done here."""

    def submit(self, task: FulfilmentTask) -> None:
        pass

    def cancel(self, task: FulfilmentTask) -> None:
        pass

    def compensate(self, task: FulfilmentTask) -> None:
        pass


ADAPTERS = {"simulated": SimulatedDownstream, "manual": ManualDownstream}


def downstream() -> Downstream:
    return ADAPTERS[settings.FULFILMENT_DOWNSTREAM]()
