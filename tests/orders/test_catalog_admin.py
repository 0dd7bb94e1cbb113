"""Supervisors maintain the catalog in the admin; malformed data requirements are refused on save."""

import json

import pytest

from orders.models import ProductOffering

ADD_URL = "/admin/orders/productoffering/add/"


def offering_form(**overrides):
    data = {
        "code": "fibre-2000",
        "name": "Fibre Broadband 2000",
        "category": "broadband",
        "lifecycle_status": "Launched",
        "one_off_price": "0",
        "recurring_price": "64.99",
        "currency": "GBP",
        "requires_install_address": "on",
        "serviceable_technologies": json.dumps(["fibre"]),
        "data_requirements": json.dumps([{"name": "router", "type": "choice", "choices": ["hub-6"]}]),
        "fulfilment_steps-TOTAL_FORMS": "0",
        "fulfilment_steps-INITIAL_FORMS": "0",
    }
    return {**data, **overrides}


def test_a_supervisor_adds_an_offering_with_data_requirements(client, supervisor):
    client.force_login(supervisor)
    response = client.post(ADD_URL, offering_form())
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert ProductOffering.objects.get(code="fibre-2000").data_requirements[0]["name"] == "router"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("data_requirements", json.dumps([{"name": "router", "type": "choice"}]), "non-empty list of choices"),
        ("data_requirements", json.dumps([{"name": "Router!", "type": "text"}]), "name must be lower-case"),
        ("serviceable_technologies", json.dumps(["carrier-pigeon"]), "Unknown technologies: carrier-pigeon"),
        ("price_names", json.dumps({"handsets.one_off": "Fitting"}), "handsets.one_off is not a price of this"),
        ("category", "", "only an offering in design may be without one"),
        ("price_names", json.dumps({"recurring": ""}), "The name of recurring must be text"),
    ],
)
def test_a_malformed_offering_is_refused_with_the_reason(client, supervisor, field, value, message):
    client.force_login(supervisor)
    response = client.post(ADD_URL, offering_form(**{field: value}))
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors.get(field, []))
    assert not ProductOffering.objects.filter(code="fibre-2000").exists()


def test_a_supervisor_names_prices_and_names_nobody_gave_follow_the_amounts(client, supervisor):
    client.force_login(supervisor)
    client.post(ADD_URL, offering_form(one_off_price="50"))
    offering = ProductOffering.objects.get(code="fibre-2000")
    assert offering.price_names == {
        "one_off": "Fibre Broadband 2000: 50.00 GBP one-off",
        "recurring": "Fibre Broadband 2000: 64.99 GBP per month",
    }
    names = offering.price_names | {"one_off": "Installation"}

    response = client.post(
        f"/admin/orders/productoffering/{offering.pk}/change/",
        offering_form(one_off_price="60", recurring_price="69.99", price_names=json.dumps(names)),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    offering.refresh_from_db()
    assert offering.price_names == {
        "one_off": "Installation",
        "recurring": "Fibre Broadband 2000: 69.99 GBP per month",
    }


def test_a_bespoke_offering_must_need_feasibility(client, supervisor):
    client.force_login(supervisor)
    response = client.post(ADD_URL, offering_form(is_bespoke="on"))
    assert "always needs a feasibility assessment" in str(response.context["adminform"].form.errors)


def test_agents_cannot_change_the_catalog(client, agent):
    agent.is_staff = True  # even with admin access, the permission decides
    agent.save()
    client.force_login(agent)
    assert client.post(ADD_URL, offering_form()).status_code == 403
