"""Lines get numbers: offered and held at capture, kept by porting, assigned at activation, released, searchable."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone

from customers.models import CreditClass, NumberStatus, ProductStatus, TelephoneNumber
from customers.number_pool import add_number_range
from customers.selectors import search_customers
from customers.telephone import national, to_e164
from orders import numbers
from orders.models import InitiatingRequest, ItemIntent, OrderItem, OrderState
from orders.requirements import requirement_schema_errors, validate_characteristics
from orders.services import (
    ItemRequest,
    OrderIncomplete,
    add_item,
    create_change_order,
    create_draft_order,
    discard_draft,
    place_order,
    record_initiating_request,
    request_cancellation,
    submit_order,
    update_item,
)
from ordersite.presentation.capture import CharacteristicsForm
from tests.factories import AgentFactory, CustomerFactory, FulfilmentStepFactory, OfferingFactory
from tests.orders.test_concurrency import at_the_same_time, postgresql_only, successes

pytestmark = pytest.mark.django_db

PHONE_NUMBER = {
    "name": "phone_number",
    "label": "Phone number",
    "type": "telephone_number",
    "number_kind": "mobile",
    "porting": [
        {"name": "current_provider", "label": "Current provider", "type": "text", "required": True},
        {
            "name": "pac",
            "label": "PAC code",
            "type": "text",
            "required": True,
            "pattern": "^[A-Za-z]{3}[0-9]{6}$",
            "pattern_rule": "3 letters and 6 digits",
        },
    ],
}


@pytest.fixture
def pool(db):
    add_number_range("07700 900100", "07700 900109")
    return TelephoneNumber.objects.all()


@pytest.fixture
def line_offering(db):
    offering = OfferingFactory(
        code="line", name="Mobile Unlimited", requires_install_address=False, data_requirements=[PHONE_NUMBER]
    )
    FulfilmentStepFactory(offering=offering, code="activate", name="Activate SIM and number", system="network")
    return offering


def draft_with_line(agent, offering, characteristics=None, customer=None):
    customer = customer or CustomerFactory(credit_class=CreditClass.A)
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
    order = create_draft_order(customer=customer, by=agent, initiating_request=request)
    item = add_item(order, by=agent, offering=offering, characteristics=characteristics or {})
    return order, item


def status_of(e164):
    return TelephoneNumber.objects.get(e164=e164).status


# --- formats ---------------------------------------------------------------------------------------


TYPED = ["07700900123", "+44 7700 900123", "07700 900 123", "(07700) 900-123", "447700900123"]


@pytest.mark.parametrize("typed", TYPED)
def test_numbers_typed_any_common_way_are_stored_as_e164_and_shown_nationally(typed):
    assert to_e164(typed) == "+447700900123"
    assert national("+447700900123") == "07700 900123"


def test_a_range_is_loaded_once_and_reloading_it_adds_nothing(db):
    assert add_number_range("07700 900000", "07700 900009") == 10
    assert add_number_range("07700 900005", "07700 900014") == 5
    assert TelephoneNumber.objects.filter(kind="mobile", status=NumberStatus.AVAILABLE).count() == 15


@pytest.mark.parametrize(
    ("first", "last"),
    [("07700 900010", "07700 900001"), ("nonsense", "07700 900001"), ("07700 900000", "07700 990000")],
)
def test_a_range_that_makes_no_sense_is_refused_with_the_rule(db, first, last):
    with pytest.raises(ValueError, match="range|Give|at most"):
        add_number_range(first, last)
    assert not TelephoneNumber.objects.exists()


# --- the requirement type ----------------------------------------------------------------------------


def test_the_catalog_declares_a_line_number_with_its_porting_data():
    assert requirement_schema_errors([PHONE_NUMBER]) == []
    in_a_group = [{"name": "lines", "type": "group", "fields": [PHONE_NUMBER]}]
    assert "top level" in requirement_schema_errors(in_a_group)[0]
    assert "number_kind" in requirement_schema_errors([{**PHONE_NUMBER, "number_kind": "satellite"}])[0]


def test_keeping_a_number_states_each_rule_plainly():
    errors = validate_characteristics([PHONE_NUMBER], {"phone_number": {"keep": True, "number": "0113 496 0000"}})
    assert {(e.path, e.message) for e in errors} == {
        ("phone_number.number", "must be a UK mobile number: 11 digits starting 07, like 07700 900123"),
        ("phone_number.current_provider", "this field is required"),
        ("phone_number.pac", "this field is required"),
    }
    bad_pac = {"keep": True, "number": "07400 123456", "current_provider": "Vodafone", "pac": "AB12345"}
    errors = validate_characteristics([PHONE_NUMBER], {"phone_number": bad_pac})
    assert [(e.path, e.message) for e in errors] == [("phone_number.pac", "must be 3 letters and 6 digits")]
    good = {**bad_pac, "pac": "ABC123456"}
    assert validate_characteristics([PHONE_NUMBER], {"phone_number": good}) == []


def test_the_form_offers_free_numbers_and_reads_back_the_choice_or_the_kept_number(pool, line_offering, agent):
    _, item = draft_with_line(agent, line_offering)
    form = CharacteristicsForm.for_item(item)
    (field,) = form.fields
    assert field.widget == "telephone_number"
    assert [label for _, label in field.options] == [f"07700 90010{i}" for i in range(5)]
    assert [f.label for f in field.port_fields] == ["Number to keep", "Current provider", "PAC code"]

    prefix = f"i{item.pk}-c-phone_number"
    chosen = CharacteristicsForm.for_item(item, data={prefix: "+447700900103"})
    assert chosen.document == {"phone_number": {"number": "+447700900103"}}
    kept = CharacteristicsForm.for_item(
        item,
        data={
            prefix: "keep",
            f"{prefix}-number": "07400 123 456",
            f"{prefix}-current_provider": "Vodafone",
            f"{prefix}-pac": "ABC123456",
        },
    )
    assert kept.document == {
        "phone_number": {"keep": True, "number": "+447400123456", "current_provider": "Vodafone", "pac": "ABC123456"}
    }


# --- holding at capture ------------------------------------------------------------------------------


def test_choosing_a_number_holds_it_for_the_draft_and_choosing_another_lets_it_go(pool, line_offering, agent):
    order, item = draft_with_line(agent, line_offering, {"phone_number": {"number": "+447700900101"}})
    held = TelephoneNumber.objects.get(e164="+447700900101")
    assert held.status == NumberStatus.RESERVED and held.order_item == item
    assert held.held_until > timezone.now()

    update_item(item, by=agent, characteristics={"phone_number": {"number": "+447700900102"}})
    assert status_of("+447700900101") == NumberStatus.AVAILABLE
    assert status_of("+447700900102") == NumberStatus.RESERVED
    # The form offers the held number first; nobody else is offered it.
    assert numbers.numbers_offered(PHONE_NUMBER, holder=item)[0].e164 == "+447700900102"
    assert "+447700900102" not in [n.e164 for n in numbers.numbers_offered(PHONE_NUMBER)]


def test_a_number_another_order_holds_is_not_taken_and_the_form_says_so(pool, line_offering, agent):
    draft_with_line(agent, line_offering, {"phone_number": {"number": "+447700900101"}})
    _, second = draft_with_line(agent, line_offering, {"phone_number": {"number": "+447700900101"}})

    assert TelephoneNumber.objects.get(e164="+447700900101").order_item != second
    form = CharacteristicsForm.for_item(second)
    assert not form.is_valid()
    assert form.error_summary()[0][0] == (
        "Phone number: 07700 900101 has just been taken by another order: choose another."
    )


def test_an_abandoned_drafts_hold_runs_out_and_the_number_is_offered_again(pool, line_offering, agent):
    draft_with_line(agent, line_offering, {"phone_number": {"number": "+447700900100"}})
    TelephoneNumber.objects.filter(e164="+447700900100").update(held_until=timezone.now() - dt.timedelta(minutes=1))

    assert numbers.numbers_offered(PHONE_NUMBER)[0].e164 == "+447700900100"
    _, other = draft_with_line(agent, line_offering, {"phone_number": {"number": "+447700900100"}})
    assert TelephoneNumber.objects.get(e164="+447700900100").order_item == other


def test_a_discarded_draft_or_a_removed_line_releases_its_number(pool, line_offering, agent):
    order, _ = draft_with_line(agent, line_offering, {"phone_number": {"number": "+447700900100"}})
    discard_draft(order, by=agent)
    assert status_of("+447700900100") == NumberStatus.AVAILABLE


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_agents_choosing_the_same_number_at_once_only_one_gets_it(line_offering):
    add_number_range("07700 900100", "07700 900101")
    agent = AgentFactory()
    drafts = [draft_with_line(agent, line_offering) for _ in range(2)]

    def choose(item):
        def act(loaded):
            with transaction.atomic():
                update_item(loaded, by=agent, characteristics={"phone_number": {"number": "+447700900100"}})
            return numbers.pool_errors([PHONE_NUMBER], loaded.characteristics, loaded)

        return (lambda: OrderItem.objects.select_related("order", "offering").get(pk=item.pk), act)

    results = at_the_same_time(*(choose(item) for _, item in drafts))

    assert sorted(len(errors) for errors in successes(results)) == [0, 1]
    assert TelephoneNumber.objects.filter(status=NumberStatus.RESERVED).count() == 1
    connection.close()


# --- submission, activation, cancellation --------------------------------------------------------------


def test_submission_refuses_a_number_the_draft_no_longer_holds(pool, line_offering, agent):
    order, item = draft_with_line(agent, line_offering, {"phone_number": {"number": "+447700900100"}})
    TelephoneNumber.objects.filter(e164="+447700900100").update(status=NumberStatus.QUARANTINED, order_item=None)

    with pytest.raises(OrderIncomplete) as refused:
        submit_order(order, by=agent)
    assert [str(e) for e in refused.value.errors] == [
        "items[0].characteristics.phone_number: 07700 900100 has just been taken by another order: choose another"
    ]


def test_activation_assigns_the_held_number_to_the_line_for_certain(pool, line_offering, agent, run_tasks):
    order, item = draft_with_line(agent, line_offering, {"phone_number": {"number": "+447700900104"}})
    run_tasks(submit_order, order, by=agent)

    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    number = TelephoneNumber.objects.get(e164="+447700900104")
    assert number.status == NumberStatus.ASSIGNED and number.held_until is None
    product = number.product
    assert product.status == ProductStatus.ACTIVE
    assert product.display_name == "Mobile Unlimited · 07700\u00a0900104"  # never broken across lines
    assert product.characteristics["phone_number"] == {"number": "+447700900104"}


def test_a_line_ordered_without_a_number_gets_a_free_one_at_activation(pool, line_offering, agent, run_tasks):
    order, _ = draft_with_line(agent, line_offering)
    run_tasks(submit_order, order, by=agent)

    number = TelephoneNumber.objects.get(status=NumberStatus.ASSIGNED)
    assert number.e164 == "+447700900100"
    assert number.product.characteristics == {"phone_number": {"number": "+447700900100"}}


def test_a_kept_number_ports_in_and_becomes_the_lines_when_it_activates(pool, line_offering, agent, run_tasks):
    kept = {"keep": True, "number": "+447400123456", "current_provider": "Vodafone", "pac": "ABC123456"}
    order, _ = draft_with_line(agent, line_offering, {"phone_number": kept})
    porting = TelephoneNumber.objects.get(e164="+447400123456")
    assert porting.status == NumberStatus.PORTING_IN and porting.ported_from == "Vodafone"

    run_tasks(submit_order, order, by=agent)

    porting.refresh_from_db()
    assert porting.status == NumberStatus.ASSIGNED
    assert porting.product.line_number == "07400\u00a0123456"
    assert TelephoneNumber.objects.filter(status=NumberStatus.AVAILABLE).count() == 10


def test_a_cancelled_order_gives_its_numbers_back(pool, line_offering, agent, manual_downstream, run_tasks):
    kept = {"keep": True, "number": "+447400123456", "current_provider": "Vodafone", "pac": "ABC123456"}
    order, _ = draft_with_line(agent, line_offering, {"phone_number": {"number": "+447700900101"}})
    other, _ = draft_with_line(agent, line_offering, {"phone_number": kept})
    for each in (order, other):
        run_tasks(submit_order, each, by=agent)
        assert TelephoneNumber.objects.get(order_item__order=each).held_until is None
        run_tasks(request_cancellation, each, by=agent, reason="Changed their mind.")
        each.refresh_from_db()
        assert each.state == OrderState.CANCELLED

    assert status_of("+447700900101") == NumberStatus.AVAILABLE
    assert not TelephoneNumber.objects.filter(e164="+447400123456").exists()  # it stays with Vodafone


def test_an_ended_line_s_number_rests_in_quarantine_before_it_is_offered_again(pool, line_offering, agent, run_tasks):
    order, _ = draft_with_line(agent, line_offering, {"phone_number": {"number": "+447700900100"}})
    run_tasks(submit_order, order, by=agent)
    product = TelephoneNumber.objects.get(e164="+447700900100").product

    ending = create_change_order(product, intent=ItemIntent.DISCONTINUE, by=agent, reason="Moving abroad.")
    run_tasks(submit_order, ending, by=agent)

    number = TelephoneNumber.objects.get(e164="+447700900100")
    assert number.status == NumberStatus.QUARANTINED
    assert number.quarantined_until == timezone.localdate() + dt.timedelta(days=90)
    assert number.product.line_number  # the ended line still shows the number it had
    assert "+447700900100" not in [n.e164 for n in numbers.numbers_offered(PHONE_NUMBER)]
    later = timezone.now() + dt.timedelta(days=91)
    assert numbers.free_numbers("mobile", now=later).filter(e164="+447700900100").exists()


def test_a_line_repackaged_into_another_offering_keeps_its_number(pool, line_offering, agent, run_tasks):
    order, _ = draft_with_line(agent, line_offering, {"phone_number": {"number": "+447700900103"}})
    run_tasks(submit_order, order, by=agent)
    old = TelephoneNumber.objects.get(e164="+447700900103").product
    plus = OfferingFactory(
        code="line-plus", name="Mobile Plus", requires_install_address=False, data_requirements=[PHONE_NUMBER]
    )
    FulfilmentStepFactory(offering=plus, code="activate", name="Activate", system="network")

    change = create_change_order(old, intent=ItemIntent.REPACKAGE, by=agent, new_offering=plus)
    run_tasks(submit_order, change, by=agent)

    number = TelephoneNumber.objects.get(e164="+447700900103")
    assert number.status == NumberStatus.ASSIGNED
    assert number.product != old and number.product.display_name == "Mobile Plus · 07700\u00a0900103"
    assert number.product.characteristics["phone_number"] == {"number": "+447700900103"}


# --- search ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["07700900104", "+44 7700 900104", "07700 900 104", "900104"])
def test_the_agents_search_finds_a_customer_by_their_lines_number(
    pool, line_offering, agent, run_tasks, typed, django_assert_max_num_queries
):
    customer = CustomerFactory(name="Bob Hughes", credit_class=CreditClass.A, phone="")
    order, _ = draft_with_line(agent, line_offering, {"phone_number": {"number": "+447700900104"}}, customer=customer)
    run_tasks(submit_order, order, by=agent)

    with django_assert_max_num_queries(1):
        found = list(search_customers(typed))
    assert found == [customer]
    assert found[0].active_products == 1
    assert found[0].matched_line_number == "07700\u00a0900104"  # the results say which line matched


@pytest.mark.parametrize("typed", ["07700900104", "+44 7700 900104"])
def test_the_back_office_finds_the_line_and_its_order_by_number(
    pool, line_offering, agent, supervisor, client, run_tasks, typed
):
    order, _ = draft_with_line(agent, line_offering, {"phone_number": {"number": "+447700900104"}})
    draft_with_line(agent, line_offering, {"phone_number": {"number": "+447700900105"}})
    run_tasks(submit_order, order, by=agent)
    client.force_login(supervisor)

    products = client.get("/admin/customers/installedproduct/", {"q": typed}).context["cl"].result_list
    assert [p.line_number for p in products] == ["07700\u00a0900104"]
    orders = client.get("/admin/orders/order/", {"q": typed}).context["cl"].result_list
    assert [o.pk for o in orders] == [order.pk]
    pool_page = client.get("/admin/customers/telephonenumber/", {"q": typed})
    assert [n.e164 for n in pool_page.context["cl"].result_list] == ["+447700900104"]


def test_a_supervisor_loads_a_range_into_the_pool_and_a_wrong_one_is_refused_at_the_form(supervisor, client):
    client.force_login(supervisor)
    url = "/admin/customers/telephonenumber/add-range/"
    assert client.get(url).status_code == 200

    refused = client.post(url, {"first": "07700 900050", "last": "07700 900040", "kind": ""})
    assert refused.status_code == 200
    assert "The range must run upwards" in refused.content.decode()
    assert not TelephoneNumber.objects.exists()

    added = client.post(url, {"first": "07700 900040", "last": "07700 900049", "kind": ""}, follow=True)
    assert "10 numbers added to the pool." in added.content.decode()
    assert TelephoneNumber.objects.filter(kind="mobile", status=NumberStatus.AVAILABLE).count() == 10


def test_an_agent_may_not_load_numbers(agent, client):
    client.force_login(agent)
    assert client.get("/admin/customers/telephonenumber/add-range/").status_code in (302, 403)


def test_the_tmf620_catalog_describes_the_number_and_its_porting_fields():
    from ordersite.tmf.tmf620.representation import characteristic_specs

    specs = {spec["name"]: spec for spec in characteristic_specs([PHONE_NUMBER])}
    assert specs["phone_number"]["valueType"] == "object"
    assert list(specs) == [
        "phone_number",
        "phone_number.keep",
        "phone_number.number",
        "phone_number.current_provider",
        "phone_number.pac",
    ]
    assert specs["phone_number.pac"]["regex"] == "^[A-Za-z]{3}[0-9]{6}$"


# --- orders that arrive whole (the API) -----------------------------------------------------------------


def place_line(agent, offering, characteristics, customer=None):
    customer = customer or CustomerFactory(credit_class=CreditClass.A)
    return place_order(
        customer=customer,
        by=agent,
        items=[ItemRequest(item_id="1", offering=offering, characteristics=characteristics)],
        initiating_request=InitiatingRequest(kind=InitiatingRequest.Kind.CUSTOMER_REQUEST, details="API"),
    ).order


def test_an_order_arriving_whole_holds_the_number_it_asks_for(pool, line_offering, agent, manual_downstream):
    order = place_line(agent, line_offering, {"phone_number": {"number": "07700 900 106"}})

    assert order.state == OrderState.IN_PROGRESS
    held = TelephoneNumber.objects.get(e164="+447700900106")
    assert (held.status, held.order_item.order, held.held_until) == (NumberStatus.RESERVED, order, None)


def test_an_order_arriving_whole_asking_for_a_taken_number_is_rejected_with_the_reason(
    pool, line_offering, agent, manual_downstream
):
    draft_with_line(agent, line_offering, {"phone_number": {"number": "+447700900106"}})

    order = place_line(agent, line_offering, {"phone_number": {"number": "+447700900106"}})

    assert order.state == OrderState.REJECTED
    assert order.events.get(transition="reject").note.endswith(
        "items[0].characteristics.phone_number: 07700 900106 is not free: choose another, or leave it out"
    )
