"""TMF629 PATCH and DELETE: a client changes and deletes its customers through customers' commands."""

import json

import pytest

from customers.models import Address, Contact, Customer, Interaction, ProductStatus
from tests.api.conftest import CUSTOMERS, ORDERS, add, assert_error, assert_valid, order_body, post_json
from tests.factories import InstalledProductFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

MERGE_PATCH = "application/merge-patch+json"


def patch(client, customer, body, content_type=MERGE_PATCH):
    return client.patch(f"{CUSTOMERS}/{customer.number}", json.dumps(body), content_type=content_type)


def test_the_conformance_kit_renames_a_customer_with_plain_json(api, customer):
    response = patch(api, customer, {"name": "Sun Football Club"}, content_type="application/json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert_valid(body, "Customer", "TMF629")
    assert body["name"] == "Sun Football Club"
    customer.refresh_from_db()
    assert customer.name == "Sun Football Club"
    note = customer.interactions.get()
    assert (note.channel, note.summary) == (
        "retail",
        "Customer details changed through the TMF629 API by Retail partner: name.",
    )


def test_contact_media_replace_email_and_phone_and_the_primary_contact_follows(api, customer):
    Contact.objects.create(customer=customer, name=customer.name, email=customer.email, is_primary=True)
    [address] = [m for m in api.get(f"{CUSTOMERS}/{customer.number}").json()["contactMedium"] if m.get("id")]

    response = patch(
        api,
        customer,
        {"contactMedium": [{"mediumType": "phone", "characteristic": {"phoneNumber": "+44 7700 900999"}}, address]},
    )

    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert (customer.email, customer.phone) == ("", "+44 7700 900999")
    assert (customer.primary_contact.email, customer.primary_contact.phone) == ("", "+44 7700 900999")
    assert customer.addresses.count() == 1  # named by its id: kept as it is


def test_a_postal_address_without_an_id_is_added_after_validation(api, customer):
    new = {"mediumType": "postalAddress", "characteristic": {"street1": "12 Mill Lane", "contactType": "installation"}}
    email = {"mediumType": "email", "characteristic": {"emailAddress": "new@example.com"}}

    response = patch(api, customer, {"contactMedium": [email, new]})

    assert response.status_code == 200, response.content
    assert customer.addresses.count() == 2  # none removed: orders and products point to them
    assert customer.addresses.filter(street="Mill Lane").get().is_validated


def test_an_unknown_installation_address_is_refused_and_nothing_changes(api, customer):
    nowhere = {"mediumType": "postalAddress", "characteristic": {"street1": "12 Mil Lane"}}

    body = assert_error(patch(api, customer, {"name": "Changed", "contactMedium": [nowhere]}), 422)

    assert "not in our address data" in body["message"]
    customer.refresh_from_db()
    assert customer.name != "Changed"
    assert customer.addresses.count() == 1
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"name": ""}, 400, "name"),
        ({"name": "   "}, 400, "blank"),
        ({"name": None}, 400, "name"),
        ({"status": "asleep"}, 400, "status"),
        ({"contactMedium": []}, 422, "phone number or an email"),
        ({"contactMedium": [{"mediumType": "email", "characteristic": {"emailAddress": "not-mail"}}]}, 400, "email"),
        (
            {"contactMedium": [{"mediumType": "postalAddress", "id": "999999", "characteristic": {"street1": "1 X"}}]},
            422,
            "no address",
        ),
        ({"characteristic": [{"name": "tradingName", "value": "Quinn's"}]}, 422, "organisations only"),
        ({"characteristic": [{"name": "shoeSize", "value": "9"}]}, 422, "shoeSize"),
        ({"engagedParty": {"id": "someone-else"}}, 422, "engagedParty cannot be changed"),
        ({"id": "CUS-999999"}, 422, "id cannot be changed"),
        ({"statusReason": None}, 422, "statusReason cannot be changed"),
        (
            {"contactMedium": [{"mediumType": "phone", "preferred": "yes", "characteristic": {"phoneNumber": "1"}}]},
            400,
            "preferred",
        ),
        ([{"name": "a list"}], 400, "object"),
    ],
)
def test_what_the_console_would_refuse_is_refused_with_an_error_body_and_nothing_changes(
    api, customer, body, status, words
):
    before = Customer.objects.values().get(pk=customer.pk)

    error = assert_error(patch(api, customer, body), status)

    assert words in error["message"]
    assert Customer.objects.values().get(pk=customer.pk) == before
    assert not Interaction.objects.exists()


def test_an_unchanged_representation_sent_back_is_accepted(api, customer):
    current = api.get(f"{CUSTOMERS}/{customer.number}").json()

    response = patch(api, customer, {**current, "name": "Renamed"})

    assert response.status_code == 200, response.content
    assert response.json() == {
        **current,
        "name": "Renamed",
        "engagedParty": {**current["engagedParty"], "name": "Renamed"},
    }


def test_an_organisations_trading_name_and_company_number_are_its_characteristics(api, partner):
    organisation = OrganisationFactory(name="Quinn Ltd")
    partner.customers.add(organisation)

    body = {"characteristic": [{"name": "tradingName", "value": "Quinn's"}, {"name": "companyNumber", "value": "0123"}]}
    changed = patch(api, organisation, body).json()
    cleared = patch(api, organisation, {"characteristic": [{"name": "companyNumber", "value": "0123"}]}).json()

    assert [(c["name"], c["value"]) for c in changed["characteristic"]] == [
        ("tradingName", "Quinn's"),
        ("companyNumber", "0123"),
    ]
    assert [c["name"] for c in cleared["characteristic"]] == ["companyNumber"]
    assert_valid(changed, "Customer", "TMF629")


def test_an_account_holding_products_in_service_is_not_closed(api, customer, product):
    error = assert_error(patch(api, customer, {"status": "closed"}), 409)

    assert "still holds 1 product (active, pending or suspended)" in error["message"]
    product.status = ProductStatus.TERMINATED
    product.save()
    assert patch(api, customer, {"status": "closed"}).json()["status"] == "closed"


def test_another_clients_customer_is_neither_changed_nor_deleted(api, stranger):
    assert_error(patch(api, stranger, {"name": "Mine now"}), 404)
    assert_error(api.delete(f"{CUSTOMERS}/{stranger.number}"), 404)
    stranger.refresh_from_db()
    assert stranger.name != "Mine now"


def test_an_inactive_client_changes_nothing(api, partner, customer):
    partner.is_active = False
    partner.save()

    assert patch(api, customer, {"name": "Renamed"}).status_code in (401, 403)
    customer.refresh_from_db()
    assert customer.name != "Renamed"


def test_a_customer_without_history_is_deleted_with_their_addresses(api):
    created = post_json(
        api,
        CUSTOMERS,
        {
            "name": "Short Lived",
            "engagedParty": {"@referredType": "Individual"},
            "contactMedium": [{"mediumType": "postalAddress", "characteristic": {"street1": "12 Mill Lane"}}],
        },
    ).json()

    response = api.delete(f"{CUSTOMERS}/{created['id']}")

    assert response.status_code == 204
    assert not Customer.objects.filter(number=created["id"]).exists()
    assert not Address.objects.filter(customer__number=created["id"]).exists()
    assert_error(api.get(f"{CUSTOMERS}/{created['id']}"), 404)


def test_a_customer_with_orders_is_kept_and_the_refusal_says_why(api, customer, fibre):
    post_json(api, ORDERS, order_body(customer, add(fibre, router="hub-6")))

    error = assert_error(api.delete(f"{CUSTOMERS}/{customer.number}"), 409)

    assert error["message"].startswith(f"{customer.number} has 1 order and 1 product; a customer with history is kept")
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_a_customer_with_products_is_kept(api, customer, mobile):
    InstalledProductFactory(customer=customer, offering=mobile, characteristics={"sim_type": "esim"})

    error = assert_error(api.delete(f"{CUSTOMERS}/{customer.number}"), 409)

    assert "1 product" in error["message"]
    assert Customer.objects.filter(pk=customer.pk).exists()
