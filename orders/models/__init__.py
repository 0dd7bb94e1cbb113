"""The orders app's models: the catalog, orders and their items and records, the outbox, fulfilment, API clients."""

from orders.models.catalog import (  # noqa: F401
    FulfilmentStep,
    LifecycleStatus,
    OfferingCategory,
    ProductOffering,
)
from orders.models.clients import (  # noqa: F401
    ApiClient,
    ApiOrderSubmission,
    HubListener,
)
from orders.models.events import (  # noqa: F401
    OutboxEvent,
)
from orders.models.fulfilment import (  # noqa: F401
    OPEN_TASK_STATES,
    DeliverySignOff,
    EventDelivery,
    FulfilmentTask,
    TaskState,
)
from orders.models.items import (  # noqa: F401
    ACTION_FOR_INTENT,
    ItemAction,
    ItemIntent,
    ItemState,
    OrderItem,
)
from orders.models.orders import (  # noqa: F401
    CANCELLABLE_STATES,
    IN_FLIGHT_STATES,
    ORDER_NUMBER_PATTERN,
    TERMINAL_STATES,
    InitiatingRequest,
    Order,
    OrderCategory,
    OrderPriority,
    OrderState,
    format_order_number,
    may_answer_information,
    may_request_cancellation,
    may_submit,
    order_pk_from_number,
)
from orders.models.qualifications import (  # noqa: F401
    OfferingQualification,
)
from orders.models.records import (  # noqa: F401
    CancellationRequest,
    FeasibilityAssessment,
    InformationRequest,
    OrderDocument,
    OrderEvent,
    OrderNote,
)
