"""Commands on orders. Views, admin, API and tests all call these; each is one transaction.

Every state change goes through the lifecycle's five beats (orders/lifecycle.py): permission, guard,
save, history and outbox, and nothing outside the database until the transaction commits.
"""

from django_fsm import ConcurrentTransition, TransitionNotAllowed  # noqa: F401 (what commands raise)

from orders.services.amendment import (  # noqa: F401
    COPIED_ORDER_FIELDS,
    Difference,
    past_point_of_no_return,
    revision_differences,
    start_amendment,
    supersede,
)
from orders.services.cancellation import (  # noqa: F401
    request_cancellation,
)
from orders.services.capture import (  # noqa: F401
    CancellationRefused,
    change_initiating_request,
    configure_items,
    follow_up_order,
    place_client_order,
    send_change,
    set_delivery,
    start_order,
)
from orders.services.change_orders import (  # noqa: F401
    ALLOWED_FROM,
    carried_over_characteristics,
    check_change_makes_sense,
    create_change_order,
)
from orders.services.drafts import (  # noqa: F401
    ORDER_FIELDS,
    add_item,
    add_note,
    add_offering,
    create_draft_order,
    discard_draft,
    record_initiating_request,
    remove_item,
    update_draft_order,
    update_item,
)
from orders.services.outcomes import (  # noqa: F401
    ActionRefused,
    OrderIncomplete,
    SubmissionOutcome,
)
from orders.services.placing import (  # noqa: F401
    ItemRequest,
    place_order,
)
from orders.services.review import (  # noqa: F401
    answer_information,
    approve_special_handling,
    record_feasibility,
    refusal_note,
    refuse_special_handling,
    request_information,
)
from orders.services.submission import (  # noqa: F401
    Verdict,
    completeness_errors,
    credit_refusal,
    issuing_verdict,
    order_for_submission,
    order_value,
    special_handling_reasons,
    start_fulfilment,
    submit_order,
)
