"""A street we do not know still gets suggestions: the streets of the postcode (area) or village typed."""

import pytest
from django.urls import reverse

from customers.addresses import check_address, postcode_area, streets_in_place
from ordersite.console.forms.customers import AddressForm
from tests.customers.test_addresses import _add_streets

COMPLETE_URL = reverse("console:address-complete")
OAKHURST = ["Acorn Way", "Bramble Close", "Forge Lane", "Manor Farm Close", "Oakhurst Lane", "School Lane", "The Green"]


def streets(suggestions):
    return [s.street for s in suggestions]


@pytest.mark.django_db
def test_an_unknown_street_in_a_village_suggests_the_villages_streets_with_the_number():
    check = check_address(street="Zzyzx Boulevard", house_number="5", town="Oakhurst")

    assert check.errors == {"street": "No street called Zzyzx Boulevard in Oakhurst"}
    assert streets(check.suggestions) == OAKHURST
    assert check.suggestions[0].label == "5 Acorn Way, Oakhurst RV7 2AW"


@pytest.mark.django_db
def test_an_unknown_street_with_its_postcode_suggests_that_postcodes_street_first_then_its_area():
    check = check_address(street="Zzyzx Boulevard", house_number="5", postcode="RV7 1TG")

    assert streets(check.suggestions)[0] == "The Green"
    assert set(streets(check.suggestions)) == set(OAKHURST)


@pytest.mark.django_db
def test_an_unknown_street_and_postcode_suggest_the_streets_of_the_postcode_area():
    check = check_address(street="Zzyzx Boulevard", house_number="3", postcode="RV8 9ZZ")

    assert check.errors["postcode"] == "We have no addresses in RV8 9ZZ."
    assert {s.town for s in check.suggestions} == {"Little Marston"}


@pytest.mark.django_db
def test_a_split_street_is_offered_on_the_side_that_has_the_number():
    check = check_address(street="Zzyzx Boulevard", house_number="5", town="Ashby Green")

    church_lane = [s for s in check.suggestions if s.street == "Church Lane"]
    assert [(s.house_number, s.postcode) for s in church_lane] == [("5", "RV9 7CL")]


@pytest.mark.django_db
def test_a_lookalike_street_is_suggested_alone_not_drowned_in_the_towns_streets():
    check = check_address(street="Mil Lane", house_number="12", town="Riverton")
    assert streets(check.suggestions)[:1] == ["Mill Lane"]
    assert "Albert Road" not in streets(check.suggestions)


@pytest.mark.django_db
def test_an_unknown_street_anywhere_still_has_nothing_to_suggest():
    assert check_address(street="Zzyzx Boulevard", house_number="1").suggestions == []


@pytest.mark.parametrize(
    ("postcode", "area"),
    [("RV7 9ZZ", "RV7"), ("rv71tg", "RV7"), ("RV7 1", "RV71"), ("RV7", "RV7"), ("hello", ""), ("", "")],
)
def test_postcode_area(postcode, area):
    assert postcode_area(postcode) == area


@pytest.mark.django_db
def test_streets_in_place_by_postcode_or_town():
    assert streets(streets_in_place(postcode="RV7 1TG")) == ["The Green"]
    assert streets(streets_in_place(town="oakhurst")) == OAKHURST
    assert streets_in_place() == []


@pytest.mark.django_db
def test_check_address_with_an_unknown_street_still_runs_a_fixed_number_of_queries(django_assert_max_num_queries):
    _add_streets(300)
    with django_assert_max_num_queries(2):
        check_address(street="Zzyzx Boulevard", house_number="5", postcode="RV6 1BK", town="Oakhurst")


@pytest.mark.django_db
def test_the_address_form_offers_the_villages_streets_under_did_you_mean():
    form = AddressForm(
        data={"purpose": "installation", "house_number": "5", "street": "Nowhere Rd", "town": "Oakhurst"}
    )

    assert not form.is_valid()
    assert form.errors["street"] == ["No street called Nowhere Rd in Oakhurst"]
    # The village's streets first; a lookalike elsewhere (Southbridge Road, Riverton) only after them.
    assert streets(form.address_check.suggestions)[: len(OAKHURST)] == OAKHURST


@pytest.mark.django_db
def test_completion_falls_back_to_the_streets_of_the_village_typed(client, agent):
    client.force_login(agent)

    html = client.get(
        COMPLETE_URL,
        {"q": "5 Nowhere Rd", "house_number": "5", "street": "Nowhere Rd", "town": "Little Marston", "postcode": ""},
    ).content.decode()

    assert "We know no street called “Nowhere Rd” there. Did you mean one of the streets in Little Marston?" in html
    assert 'data-street="Marston Road"' in html
    assert 'data-house-number="5"' in html


@pytest.mark.django_db
def test_completion_with_nothing_near_says_nothing_matches(client, agent):
    client.force_login(agent)
    html = client.get(COMPLETE_URL, {"q": "Nowhere Rd", "town": "Atlantis"}).content.decode()
    assert "No address matches" in html
