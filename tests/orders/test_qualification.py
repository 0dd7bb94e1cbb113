"""Qualification: one answer, from the catalog and the facts, of whether a customer can have an offering at a place."""

import json

import pytest
from django.db.models import prefetch_related_objects

from customers.models import ProductStatus
from orders.models import LifecycleStatus, ProductOffering
from orders.qualification import (
    ADDRESS_NOT_VALIDATED,
    CUSTOMER_KIND,
    MISSING_PREREQUISITE,
    NOT_ON_SALE,
    NOT_SERVICEABLE,
    held_prerequisites,
    qualify,
    qualify_all,
)
from tests.factories import AddressFactory, CustomerFactory, InstalledProductFactory, OrganisationFactory, valid_address

NO_FIBRE_STREET = {"street": "Church Lane", "number": "9", "postcode": "RV9 7CL"}  # Ashby Green: VDSL and 4G


@pytest.fixture
def no_fibre_address(customer):
    return valid_address(customer, **NO_FIBRE_STREET)


def test_fibre_at_an_address_served_by_fibre_is_eligible(catalog, customer, address):
    answer = qualify(catalog["fibre-150"], customer, address)

    assert answer.eligible and answer.reasons == ()
    assert "fibre" in answer.technologies


def test_fibre_where_no_fibre_serves_the_address_is_refused_with_what_does(catalog, customer, no_fibre_address):
    answer = qualify(catalog["fibre-150"], customer, no_fibre_address)

    assert not answer.eligible
    assert answer.reason_codes == {NOT_SERVICEABLE}
    assert answer.technologies == {"vdsl", "4g"}
    assert answer.explanation == (
        f"Fibre Broadband 150 is not available at {no_fibre_address}: it needs Fibre (FTTP), "
        "and the address is served by 4G mobile and VDSL (copper)."
    )


def test_an_address_that_did_not_match_the_reference_data_cannot_be_judged(catalog, customer):
    unmatched = AddressFactory(customer=customer, street="Nowhere Road", house_number="1")

    answer = qualify(catalog["fibre-150"], customer, unmatched)

    assert answer.reason_codes == {ADDRESS_NOT_VALIDATED}


def test_what_needs_no_install_address_is_had_anywhere(catalog, customer, no_fibre_address):
    assert qualify(catalog["mobile-unlimited"], customer, no_fibre_address).eligible


def test_with_no_place_chosen_yet_the_technology_is_left_for_later(catalog, customer):
    assert qualify(catalog["fibre-150"], customer, None).eligible


@pytest.mark.parametrize("code", ["hosted-pbx", "dedicated-internet", "sd-wan"])
def test_business_products_are_for_organisations_only(catalog, code):
    person, company = CustomerFactory(), OrganisationFactory()
    refused = qualify(catalog[code], person, valid_address(person))

    assert refused.reason_codes == {CUSTOMER_KIND}
    assert refused.explanation == f"{catalog[code].name} is sold to organisations only."
    assert qualify(catalog[code], company, valid_address(company)).eligible


def test_an_offering_not_launched_is_not_on_sale(catalog, customer, address):
    retired = catalog["fibre-900"]
    retired.lifecycle_status = LifecycleStatus.RETIRED

    assert qualify(retired, customer, address).reason_codes == {NOT_ON_SALE}


def test_an_add_on_needs_its_product_held_or_ordered(catalog, customer, address):
    tv = catalog["tv-essentials"]

    answer = qualify(tv, customer, address)
    assert answer.reason_codes == {MISSING_PREREQUISITE}
    assert {o.code for o in answer.missing_prerequisites} == {"fibre-150", "fibre-500", "fibre-900"}
    assert "TV Essentials add-on needs Fibre Broadband 150 or Fibre Broadband 500 or Fibre Broadband 900" in (
        answer.explanation
    )

    assert qualify(tv, customer, address, ordering={catalog["fibre-500"].pk}).eligible
    InstalledProductFactory(customer=customer, offering=catalog["fibre-150"], status=ProductStatus.ACTIVE)
    assert qualify(tv, customer, address).eligible


def test_a_product_that_has_ended_is_no_prerequisite(catalog, customer, address):
    InstalledProductFactory(customer=customer, offering=catalog["fibre-150"], status=ProductStatus.TERMINATED)

    assert not qualify(catalog["tv-essentials"], customer, address).eligible


def test_the_prerequisite_check_reads_only_the_prerequisites_whatever_the_installed_base(
    catalog, customer, django_assert_num_queries
):
    InstalledProductFactory.create_batch(30, customer=customer, offering=catalog["mobile-unlimited"])
    InstalledProductFactory(customer=customer, offering=catalog["fibre-500"], status=ProductStatus.ACTIVE)
    tv = catalog["tv-essentials"]
    prefetch_related_objects([tv], "requires")

    with django_assert_num_queries(1) as captured:
        held = held_prerequisites(customer, [tv, catalog["mobile-unlimited"]])

    assert held == {catalog["fibre-500"].pk}
    assert '"offering_id" IN' in captured.captured_queries[0]["sql"]  # not the 31 products the customer holds
    assert held_prerequisites(customer, [catalog["mobile-unlimited"]]) == set()  # no add-on: no query needed


def test_every_reason_is_given_at_once(catalog, no_fibre_address):
    person = no_fibre_address.customer
    pbx = catalog["hosted-pbx"]
    pbx.serviceable_technologies = ["fibre"]

    assert qualify(pbx, person, no_fibre_address).reason_codes == {CUSTOMER_KIND, NOT_SERVICEABLE}


def test_the_answer_is_plain_data_an_api_can_send(catalog, customer, no_fibre_address):
    body = json.loads(json.dumps(qualify(catalog["tv-essentials"], customer, no_fibre_address).as_dict()))

    assert body["offering"] == "tv-essentials" and body["eligible"] is False
    assert [r["code"] for r in body["reasons"]] == [NOT_SERVICEABLE, MISSING_PREREQUISITE]
    assert all(r["message"].endswith(".") for r in body["reasons"])
    assert body["technologies"] == ["4g", "vdsl"]
    assert body["missingPrerequisites"] == ["fibre-150", "fibre-500", "fibre-900"]


def test_the_whole_catalog_is_qualified_in_a_constant_number_of_queries(catalog, customer, django_assert_num_queries):
    def fresh_place():
        return type(address := valid_address(customer, **NO_FIBRE_STREET)).objects.get(pk=address.pk)

    # the offerings, their prerequisites, the customer's holdings, the address's street and district
    place = fresh_place()
    with django_assert_num_queries(5):
        small = qualify_all(ProductOffering.objects.filter(code__in=["fibre-150", "tv-essentials"]), customer, place)
    for number in range(20):
        ProductOffering.objects.create(code=f"extra-{number}", name=f"Extra {number}", category="tv")
    place = fresh_place()
    with django_assert_num_queries(5):
        everything = qualify_all(ProductOffering.objects.all(), customer, place)

    assert len(everything) == len(small) + len(catalog) - 2 + 20
    assert {a.offering.code for a in everything if not a.eligible} == {
        "fibre-150",
        "fibre-500",
        "fibre-900",
        "tv-essentials",
        "hosted-pbx",
        "dedicated-internet",
        "sd-wan",
    }
