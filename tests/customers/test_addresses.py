"""Address validation and completion against the shipped Riverton reference data (migration 0003)."""

import re

import pytest
from django.urls import reverse

from customers.addresses import (
    POSTCODE_RE,
    AddressSuggestion,
    check_address,
    compact_postcode,
    complete_address,
    validate_and_attach,
)
from customers.models import Address, District, Street, Technology
from customers.reference_data import read_reference_data
from ordersite.console.forms.customers import AddressForm
from tests.factories import AddressFactory

COMPLETE_URL = reverse("console:address-complete")


def numbers(check):
    return [s.house_number for s in check.suggestions]


# --- reference data ------------------------------------------------------------------------


def test_reference_file_is_consistent():
    data = read_reference_data()
    codes = {d["code"] for d in data["districts"]}
    assert len(codes) == len(data["districts"])
    known_technologies = set(Technology.values)
    for district in data["districts"]:
        assert district["technologies"] and set(district["technologies"]) <= known_technologies, district
    for street in data["streets"]:
        assert street["district"] in codes, street
        assert POSTCODE_RE.match(compact_postcode(street["postcode"])), street
        assert street["first_number"] <= street["last_number"], street
        if street["parity"] != "all":
            wanted = 1 if street["parity"] == "odd" else 0
            assert street["first_number"] % 2 == wanted and street["last_number"] % 2 == wanted, street


@pytest.mark.django_db
def test_no_two_segments_of_a_street_hold_the_same_number():
    # Overlaps would make an address ambiguous: check every number of every segment.
    held: dict[tuple[str, str, int], str] = {}
    for segment in Street.objects.select_related("district"):
        for number in range(segment.first_number, segment.last_number + 1):
            if segment.holds(number):
                key = (segment.name, segment.district.town, number)
                assert key not in held, f"{key} is in {held[key]} and {segment.postcode}"
                held[key] = segment.postcode


@pytest.mark.django_db
def test_migration_loaded_the_districts_and_streets_the_demo_relies_on():
    centre = District.objects.get(code="RVC")
    assert (centre.name, centre.town) == ("Riverton Centre", "Riverton")
    assert set(centre.technologies) == {"fibre", "vdsl", "cable", "5g", "4g"}
    assert set(District.objects.get(code="NBK").technologies) == {"vdsl", "cable", "4g"}
    assert set(District.objects.get(code="HBP").technologies) == {"fibre", "ethernet", "5g", "4g"}
    assert set(District.objects.get(code="ASH").technologies) == {"vdsl", "4g"}
    expected = [
        ("High Street", "RV1 1AA", 1, 200, "all", "RVC"),
        ("Mill Lane", "RV1 2LL", 1, 99, "all", "RVC"),
        ("Station Road", "RV1 3SR", 1, 150, "all", "RVC"),
        ("Orchard Road", "RV2 4OR", 1, 120, "all", "NBK"),
        ("Harbour Way", "RV3 1HW", 1, 60, "all", "HBP"),
        ("Quayside", "RV3 2QS", 1, 40, "all", "HBP"),
        ("Church Lane", "RV9 7CL", 1, 45, "odd", "ASH"),
        ("Church Lane", "RV9 7CM", 2, 44, "even", "ASH"),
    ]
    for name, postcode, first, last, parity, district in expected:
        assert Street.objects.filter(
            name=name, postcode=postcode, first_number=first, last_number=last, parity=parity, district__code=district
        ).exists(), name
    assert District.objects.count() >= 8
    assert 60 <= Street.objects.count() <= 100


@pytest.mark.django_db
def test_loading_the_reference_data_again_changes_nothing():
    from django.apps import apps

    from customers.reference_data import load_reference_data

    before = (District.objects.count(), Street.objects.count())
    load_reference_data(apps)
    assert (District.objects.count(), Street.objects.count()) == before


# --- check_address: valid addresses --------------------------------------------------------


@pytest.mark.django_db
def test_valid_address_is_normalised_to_the_reference_spelling():
    check = check_address(street="  mill   LANE ", house_number="12a", postcode="rv12ll", town="riverton")
    assert check.is_valid
    assert check.errors == {}
    assert check.normalised == {"street": "Mill Lane", "house_number": "12A", "postcode": "RV1 2LL", "town": "Riverton"}
    assert check.reference_street == Street.objects.get(postcode="RV1 2LL")
    assert check.suggestions == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("street", "expected"),
    [
        ("station rd", "Station Road"),
        ("High St", "High Street"),
        ("queens road", "Queen's Road"),
        ("Queen's Rd", "Queen's Road"),
    ],
)
def test_abbreviations_and_punctuation_are_ignored(street, expected):
    check = check_address(street=street, house_number="12")
    assert check.is_valid, check.errors
    assert check.normalised["street"] == expected


@pytest.mark.django_db
def test_postcode_and_town_are_filled_in_when_left_blank():
    check = check_address(street="Orchard Road", house_number="7")
    assert check.is_valid
    assert (check.normalised["postcode"], check.normalised["town"]) == ("RV2 4OR", "Riverton")


@pytest.mark.django_db
def test_district_name_is_accepted_as_the_town():
    check = check_address(street="Orchard Road", house_number="7", town="Northbank")
    assert check.is_valid
    assert check.normalised["town"] == "Riverton"


# --- check_address: what goes wrong --------------------------------------------------------


@pytest.mark.django_db
def test_number_not_on_the_street_suggests_the_nearest_valid_numbers():
    check = check_address(street="Mill Lane", house_number="150", postcode="RV1 2LL")
    assert not check.is_valid
    assert check.reference_street is None
    assert check.errors == {"house_number": "Mill Lane has numbers 1 to 99"}
    assert numbers(check) == ["99", "98", "97"]
    assert check.suggestions[0] == AddressSuggestion(
        street="Mill Lane",
        house_number="99",
        postcode="RV1 2LL",
        town="Riverton",
        label="99 Mill Lane, Riverton RV1 2LL",
    )
    assert check.technologies == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "postcode"), [("3", "RV9 7CL"), ("45", "RV9 7CL"), ("4", "RV9 7CM"), ("2", "RV9 7CM")]
)
def test_street_split_by_parity_gets_the_postcode_of_its_side(number, postcode):
    check = check_address(street="Church Lane", house_number=number, town="Ashby Green")
    assert check.is_valid
    assert check.normalised["postcode"] == postcode
    assert check.reference_street.postcode == postcode


@pytest.mark.django_db
def test_postcode_of_the_other_side_of_the_street_is_an_error_suggesting_the_right_one():
    check = check_address(street="Church Lane", house_number="3", postcode="RV9 7CM")
    assert not check.is_valid
    assert check.errors == {"postcode": "The postcode for 3 Church Lane is RV9 7CL."}
    assert [(s.house_number, s.postcode) for s in check.suggestions] == [("3", "RV9 7CL")]


@pytest.mark.django_db
def test_number_beyond_both_sides_of_a_split_street():
    check = check_address(street="Church Lane", house_number="50")
    assert check.errors == {"house_number": "Church Lane has odd numbers 1 to 45 and even numbers 2 to 44"}
    assert [(s.house_number, s.postcode) for s in check.suggestions] == [
        ("45", "RV9 7CL"),
        ("44", "RV9 7CM"),
        ("43", "RV9 7CL"),
    ]


@pytest.mark.django_db
def test_misspelt_street_suggests_the_street_it_resembles():
    check = check_address(street="Mil Lane", house_number="12", town="Riverton")
    assert not check.is_valid
    assert check.errors == {"street": "No street called Mil Lane in Riverton"}
    assert check.suggestions[0].label == "12 Mill Lane, Riverton RV1 2LL"


@pytest.mark.django_db
def test_misspelt_street_with_a_right_postcode_suggests_the_streets_in_that_postcode_first():
    check = check_address(street="Harbor Wy", house_number="5", postcode="RV3 1HW")
    assert set(check.errors) == {"street"}
    assert check.suggestions[0].label == "5 Harbour Way, Riverton RV3 1HW"


@pytest.mark.django_db
def test_unknown_street_with_nothing_like_it():
    check = check_address(street="Zzyzx Boulevard", house_number="1")
    assert check.errors == {"street": "No street called Zzyzx Boulevard in our address data"}
    assert check.suggestions == []


@pytest.mark.django_db
def test_unknown_postcode_on_a_known_address_names_the_right_postcode():
    check = check_address(street="Mill Lane", house_number="12", postcode="ZZ9 9ZZ")
    assert check.errors == {"postcode": "The postcode for 12 Mill Lane is RV1 2LL."}
    assert [s.postcode for s in check.suggestions] == ["RV1 2LL"]


@pytest.mark.django_db
def test_unknown_postcode_on_its_own():
    check = check_address(street="", house_number="3", postcode="zz99zz")
    assert check.errors == {"street": "Enter the street.", "postcode": "We have no addresses in ZZ9 9ZZ."}
    assert check.suggestions == []
    assert check.normalised["postcode"] == "ZZ9 9ZZ"


@pytest.mark.django_db
def test_malformed_postcode_is_an_error_even_when_the_street_matches():
    check = check_address(street="Harbour Way", house_number="5", postcode="hello")
    assert check.errors == {"postcode": "HELLO is not a postcode; postcodes look like RV1 2LL."}
    assert [s.postcode for s in check.suggestions] == ["RV3 1HW"]


@pytest.mark.django_db
def test_postcode_only_suggests_the_streets_in_that_postcode():
    check = check_address(street="", house_number="", postcode="RV9 7CL")
    assert set(check.errors) == {"street", "house_number"}
    assert [(s.street, s.house_number, s.postcode) for s in check.suggestions] == [("Church Lane", "", "RV9 7CL")]
    assert check.suggestions[0].label == "Church Lane (odd numbers 1 to 45), Ashby Green RV9 7CL"


@pytest.mark.django_db
def test_house_number_must_be_a_number():
    check = check_address(street="Mill Lane", house_number="Rose Cottage")
    assert check.errors == {"house_number": "Enter a house number such as 12 or 12A."}
    assert [s.street for s in check.suggestions] == ["Mill Lane"]


@pytest.mark.django_db
def test_same_street_name_in_two_villages_needs_the_town():
    check = check_address(street="The Green", house_number="5")
    assert check.errors == {"town": "The Green is in Little Marston and in Oakhurst: enter the town or the postcode."}
    assert {s.town for s in check.suggestions} == {"Little Marston", "Oakhurst"}

    check = check_address(street="The Green", house_number="5", town="Oakhurst")
    assert check.is_valid
    assert check.normalised["postcode"] == "RV7 1TG"

    check = check_address(street="The Green", house_number="18", town="Little Marston")
    assert check.errors == {"house_number": "The Green in Little Marston has numbers 1 to 16"}


@pytest.mark.django_db
def test_wrong_town_is_an_error_on_the_town():
    check = check_address(street="Mill Lane", house_number="12", town="Ashby Green")
    assert check.errors == {"town": "There is no Mill Lane in Ashby Green; Mill Lane is in Riverton."}
    assert check.suggestions[0].label == "12 Mill Lane, Riverton RV1 2LL"

    check = check_address(street="Mill Lane", house_number="12", postcode="RV1 2LL", town="Ashby")
    assert check.errors == {"town": "Mill Lane, RV1 2LL is in Riverton."}


@pytest.mark.django_db
def test_street_running_through_two_districts_is_matched_by_number():
    assert check_address(street="London Road", house_number="20").normalised["postcode"] == "RV1 5LR"
    assert check_address(street="London Road", house_number="120").normalised["postcode"] == "RV4 2LR"


# --- technologies --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("street", "number", "technologies"),
    [
        ("High Street", "48", {"fibre", "vdsl", "cable", "5g", "4g"}),
        ("Orchard Road", "88", {"vdsl", "cable", "4g"}),
        ("Harbour Way", "5", {"fibre", "ethernet", "5g", "4g"}),
        ("Church Lane", "9", {"vdsl", "4g"}),
    ],
)
def test_technologies_are_those_of_the_matched_district(street, number, technologies):
    check = check_address(street=street, house_number=number)
    assert check.is_valid
    assert set(check.technologies) == technologies


# --- completion ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_completion_with_a_leading_number():
    suggestions = complete_address("12 mill")
    assert suggestions[0] == AddressSuggestion(
        street="Mill Lane",
        house_number="12",
        postcode="RV1 2LL",
        town="Riverton",
        label="12 Mill Lane, Riverton RV1 2LL",
    )


@pytest.mark.django_db
def test_completion_with_a_trailing_number():
    assert [s.label for s in complete_address("harbour way 5")] == ["5 Harbour Way, Riverton RV3 1HW"]


@pytest.mark.django_db
def test_completion_without_a_number_offers_street_segments():
    suggestions = complete_address("mill la")
    assert [(s.street, s.house_number, s.postcode) for s in suggestions] == [("Mill Lane", "", "RV1 2LL")]
    assert suggestions[0].label == "Mill Lane (1 to 99), Riverton RV1 2LL"


@pytest.mark.django_db
def test_completion_by_postcode_prefix():
    suggestions = complete_address("RV1 2")
    assert suggestions
    assert all(s.postcode.startswith("RV1 2") for s in suggestions)
    assert "Mill Lane" in {s.street for s in suggestions}
    assert [s.street for s in complete_address("rv12ll")] == ["Mill Lane"]
    assert [s.label for s in complete_address("12 RV1 2LL")] == ["12 Mill Lane, Riverton RV1 2LL"]


@pytest.mark.django_db
def test_completion_of_a_split_street_only_offers_the_side_holding_the_number():
    assert [s.postcode for s in complete_address("3 church lane")] == ["RV9 7CL"]
    assert [s.postcode for s in complete_address("church lane")] == ["RV9 7CL", "RV9 7CM"]


@pytest.mark.django_db
def test_completion_tolerates_typos_and_abbreviations():
    assert complete_address("mil lane")[0].street == "Mill Lane"
    assert complete_address("station rd")[0].street == "Station Road"
    assert {s.street for s in complete_address("the gr")} == {"The Green"}


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "   ", "12", "200 mill lane", "zzzz qqqq"])
def test_completion_with_nothing_to_offer(query):
    assert complete_address(query) == []


@pytest.mark.django_db
def test_completion_respects_the_limit():
    assert len(complete_address("lane", limit=3)) == 3
    assert len(complete_address("rv1")) == 8


# --- validate_and_attach -------------------------------------------------------------------


@pytest.mark.django_db
def test_validate_and_attach_writes_the_match_onto_the_address_without_saving():
    address = AddressFactory(street="church ln", house_number="4", postcode="", town="")
    check = validate_and_attach(address)
    assert check.is_valid
    assert (address.street, address.house_number, address.postcode, address.town) == (
        "Church Lane",
        "4",
        "RV9 7CM",
        "Ashby Green",
    )
    assert address.reference_street.postcode == "RV9 7CM"
    assert address.validated_at is not None
    assert address.technologies == ["vdsl", "4g"]
    stored = Address.objects.get(pk=address.pk)
    assert (stored.street, stored.reference_street) == ("church ln", None)


@pytest.mark.django_db
def test_validate_and_attach_clears_a_stale_match():
    address = AddressFactory()
    validate_and_attach(address)
    address.save()
    assert address.is_validated
    address.house_number = "999"
    check = validate_and_attach(address)
    assert not check.is_valid
    assert address.reference_street is None
    assert address.validated_at is None
    assert address.house_number == "999"


# --- query counts --------------------------------------------------------------------------


def _add_streets(count: int) -> None:
    district = District.objects.create(code="BULK", name="Bulk Estate", town="Bulkton", technologies=["4g"])
    Street.objects.bulk_create(
        Street(district=district, name=f"Bulk Road {i}", postcode=f"RV6 {i % 10}BK", first_number=1, last_number=50)
        for i in range(count)
    )


@pytest.mark.django_db
def test_check_address_runs_a_fixed_number_of_queries(django_assert_max_num_queries):
    cases = [
        {"street": "Mill Lane", "house_number": "12", "postcode": "RV1 2LL", "town": "Riverton"},
        {"street": "Mil Lane", "house_number": "150", "postcode": "RV1 2LL"},
        {"street": "", "house_number": "", "postcode": "RV9 7CL"},
    ]
    for case in cases:
        with django_assert_max_num_queries(2):
            check_address(**case)
    _add_streets(300)
    for case in cases:
        with django_assert_max_num_queries(2):
            check_address(**case)


@pytest.mark.django_db
def test_completion_runs_a_fixed_number_of_queries(django_assert_max_num_queries):
    _add_streets(300)
    for query in ["12 mill", "bulk road", "RV6", "mil lane"]:
        with django_assert_max_num_queries(2):
            complete_address(query)


# --- AddressForm ---------------------------------------------------------------------------


def _form(**data):
    return AddressForm(data={"purpose": Address.Purpose.INSTALLATION, "unit": "", **data})


@pytest.mark.django_db
def test_form_saves_a_valid_address_normalised_with_its_reference_street():
    form = _form(house_number="12a", street="mill lane", postcode="rv12ll", town="")
    assert form.is_valid(), form.errors
    assert form.address_check.is_valid
    address = form.save(commit=False)
    address.customer = AddressFactory().customer
    address.save()
    address.refresh_from_db()
    assert (address.street, address.house_number, address.postcode, address.town) == (
        "Mill Lane",
        "12A",
        "RV1 2LL",
        "Riverton",
    )
    assert address.reference_street == Street.objects.get(postcode="RV1 2LL")
    assert address.validated_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"street": "Mill Lane", "house_number": "150"}, "house_number", "Mill Lane has numbers 1 to 99"),
        (
            {"street": "Church Lane", "house_number": "3", "postcode": "RV9 7CM"},
            "postcode",
            "The postcode for 3 Church Lane is RV9 7CL.",
        ),
        (
            {"street": "Mil Lane", "house_number": "12", "town": "Riverton"},
            "street",
            "No street called Mil Lane in Riverton",
        ),
        (
            {"street": "Mill Lane", "house_number": "12", "town": "Ashby Green"},
            "town",
            "There is no Mill Lane in Ashby Green; Mill Lane is in Riverton.",
        ),
    ],
)
def test_form_puts_each_error_on_its_field(data, field, message):
    form = _form(**{"postcode": "", "town": "", **data})
    assert not form.is_valid()
    assert form.errors == {field: [message]}
    assert form.address_check.suggestions
    assert form.instance.reference_street is None


@pytest.mark.django_db
def test_form_requires_street_and_house_number_before_checking():
    form = _form(street="", house_number="", postcode="RV1 2LL", town="")
    assert not form.is_valid()
    assert set(form.errors) == {"street", "house_number"}
    assert form.address_check is None


@pytest.mark.django_db
def test_form_accepts_a_billing_address_outside_the_region_without_a_reference_street():
    form = AddressForm(
        data={
            "purpose": Address.Purpose.BILLING,
            "house_number": "10",
            "street": "Downing Street",
            "postcode": "sw1a2aa",
            "town": "London",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["postcode"] == "SW1A 2AA"
    assert form.instance.reference_street is None
    assert not form.address_check.is_valid


@pytest.mark.django_db
def test_form_still_needs_postcode_and_town_for_an_unmatched_billing_address():
    form = AddressForm(data={"purpose": Address.Purpose.BILLING, "house_number": "10", "street": "Downing Street"})
    assert not form.is_valid()
    assert form.errors == {"postcode": ["Enter the postcode."], "town": ["Enter the town."]}


@pytest.mark.django_db
def test_form_attaches_a_matching_billing_address():
    form = AddressForm(data={"purpose": Address.Purpose.BILLING, "house_number": "5", "street": "Quayside"})
    assert form.is_valid(), form.errors
    assert form.instance.reference_street.postcode == "RV3 2QS"


def test_form_has_labels_and_no_form_tag():
    form = AddressForm()
    assert list(form.fields) == ["purpose", "unit", "house_number", "street", "postcode", "town"]
    assert all(f.label for f in form.fields.values())
    assert form.helper.form_tag is False


# --- completion endpoint -------------------------------------------------------------------


def test_completion_endpoint_sends_signed_out_visitors_to_login(client):
    response = client.get(COMPLETE_URL, {"q": "mill"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_completion_endpoint_is_closed_to_customers(client, customer_user):
    client.force_login(customer_user)
    assert client.get(COMPLETE_URL, {"q": "mill"}).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("user_fixture", ["agent", "supervisor"])
def test_completion_endpoint_returns_suggestion_buttons(client, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get(COMPLETE_URL, {"q": "12 mill"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="list-group address-suggestions"' in html
    assert 'data-street="Mill Lane"' in html
    assert 'data-house-number="12"' in html
    assert 'data-postcode="RV1 2LL"' in html
    assert 'data-town="Riverton"' in html
    assert "12 Mill Lane, Riverton RV1 2LL" in html
    assert not re.search(r"<script|style=|\son[a-z]+=", html)


@pytest.mark.django_db
def test_completion_endpoint_escapes_the_query_in_its_empty_state(client, agent):
    client.force_login(agent)
    html = client.get(COMPLETE_URL, {"q": "<b>nowhere</b>"}).content.decode()
    assert "No address matches" in html
    assert "&lt;b&gt;nowhere&lt;/b&gt;" in html
    assert "<b>" not in html


@pytest.mark.django_db
def test_completion_endpoint_stays_quiet_for_a_short_query(client, agent):
    client.force_login(agent)
    response = client.get(COMPLETE_URL, {"q": "m"})
    assert response.status_code == 200
    assert response.content.decode().strip() == ""


@pytest.mark.django_db
def test_completion_endpoint_only_answers_get(client, agent):
    client.force_login(agent)
    assert client.post(COMPLETE_URL, {"q": "mill"}).status_code == 405
