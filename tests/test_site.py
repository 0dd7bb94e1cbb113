"""Site-wide odds and ends every page relies on."""

from django.contrib.staticfiles import finders


def test_the_browser_favicon_request_leads_to_the_brand_mark(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
    assert finders.find("img/favicon.svg")


def test_the_back_office_pages_carry_the_brand_icon(admin_client):
    response = admin_client.get("/admin/")

    assert b'rel="icon"' in response.content
