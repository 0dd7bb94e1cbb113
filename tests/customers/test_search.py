import pytest

from tests.factories import CustomerFactory


@pytest.fixture
def customers(db):
    return [
        CustomerFactory(name="Alice Morgan", email="alice@example.com", phone="+44 7700 900123"),
        CustomerFactory(name="Bob Hughes", email="bob@example.com", phone="+44 7700 900456"),
    ]


@pytest.mark.parametrize("query", ["morgan", "ALICE@example.com", "07700 900123", "900123"])
def test_agents_find_a_customer_by_name_email_or_phone(client, agent, customers, query):
    client.force_login(agent)
    response = client.get("/agent/", {"q": query})
    assert [c.name for c in response.context["recent_customers"]] == ["Alice Morgan"]


def test_agents_find_a_customer_by_number(client, agent, customers):
    client.force_login(agent)
    response = client.get("/agent/", {"q": customers[1].number.lower()})
    assert [c.name for c in response.context["recent_customers"]] == ["Bob Hughes"]


def test_no_match_says_so(client, agent, customers):
    client.force_login(agent)
    response = client.get("/agent/", {"q": "Zebedee"})
    assert "No customer matches" in response.content.decode()


def test_the_agent_home_runs_a_fixed_number_of_queries(client, agent, customers, django_assert_num_queries):
    client.force_login(agent)
    client.get("/agent/")
    CustomerFactory.create_batch(5)
    # session, user, groups, my drafts, waiting orders, my recent orders, customers, offerings (no
    # session write: the request before pushed its expiry on)
    with django_assert_num_queries(8):
        client.get("/agent/")
