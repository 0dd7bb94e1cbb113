"""The OpenAPI document of our API, and Swagger UI served locally under the content security policy."""

import re

import pytest
from rest_framework.exceptions import ValidationError

from ordersite.tmf.tmf620 import openapi as tmf620
from ordersite.tmf.tmf622 import openapi as tmf622
from ordersite.tmf.tmf629 import openapi as tmf629
from ordersite.tmf.tmf630 import openapi as tmf630
from ordersite.tmf.tmf630.serializers import Text
from ordersite.tmf.tmf637 import openapi as tmf637
from ordersite.tmf.tmf679 import openapi as tmf679
from tests.api.conftest import ORDERS

pytestmark = pytest.mark.django_db


def test_the_openapi_document_describes_every_resource(client):
    response = client.get("/tmf-api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    paths = set(schema["paths"])
    for path in (
        "/tmf-api/productOrderingManagement/v4/productOrder",
        "/tmf-api/productOrderingManagement/v4/productOrder/{order_id}",
        "/tmf-api/productOrderingManagement/v4/cancelProductOrder",
        "/tmf-api/productOrderingManagement/v4/hub",
        "/tmf-api/productCatalogManagement/v4/productOffering",
        "/tmf-api/customerManagement/v4/customer",
        "/tmf-api/productInventory/v4/product",
        "/tmf-api/productInventory/v4/product/{product_id}",
    ):
        assert path in paths
    assert {"get", "patch", "delete"} <= set(schema["paths"]["/tmf-api/customerManagement/v4/customer/{customer_id}"])
    assert not any(path.endswith("/") for path in paths)
    assert schema["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    assert {"ProductOrder", "Error", "ProductOffering", "Customer", "Product", "InventoryProduct"} <= set(
        schema["components"]["schemas"]
    )


def test_no_apis_component_replaces_anothers_of_the_same_name():
    apis = (tmf620, tmf622, tmf629, tmf630, tmf637, tmf679)
    for api in apis:
        elsewhere = {name for other in apis if other is not api for name in other.COMPONENTS}
        assert not set(api.COMPONENTS) & elsewhere, api.__name__


def test_the_document_is_as_strict_as_the_server_about_fields_paging_and_customer_patches(client):
    schema = client.get("/tmf-api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    products = schema["paths"]["/tmf-api/productInventory/v4/product"]["get"]["parameters"]
    parameters = {p["name"]: p for p in products}
    patch = schema["paths"]["/tmf-api/customerManagement/v4/customer/{customer_id}"]["patch"]

    attribute = re.compile(parameters["fields"]["schema"]["items"]["pattern"])
    assert attribute.match("productPrice") and attribute.match(" productPrice.price\n")
    assert not attribute.match("colour")
    assert "suspended" in parameters["status"]["schema"]["items"]["enum"]
    assert (parameters["fields"]["style"], parameters["fields"]["explode"]) == ("form", False)
    assert parameters["offset"]["schema"]["minimum"] == parameters["limit"]["schema"]["minimum"] == 0
    body = patch["requestBody"]["content"]["application/merge-patch+json"]["schema"]
    assert schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]["additionalProperties"] is False


def test_swagger_ui_is_served_locally_without_inline_scripts(client):
    response = client.get("/tmf-api/docs")

    assert response.status_code == 200
    page = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert re.search(r"style-src 'self' 'sha256-[^']+'", policy)
    assert "<script>" not in page  # the initialiser is a separate script (?script)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/") for s in sources), sources
    script = client.get(next(s for s in sources if "script" in s))
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_only_the_docs_page_gets_the_style_exemption(client):
    assert "sha256" not in client.get("/accounts/login/")["Content-Security-Policy"]


def test_the_document_is_as_strict_as_the_server_about_names_filters_and_callbacks(client):
    schema = client.get("/tmf-api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    orders = {p["name"]: p["schema"] for p in schema["paths"][ORDERS]["get"]["parameters"]}

    # A name of spaces is trimmed to a blank and refused: the document asks for a non-space character.
    assert re.search(components["CustomerInRequest"]["properties"]["name"]["pattern"], "Ann")
    assert not re.search(components["CustomerInRequest"]["properties"]["name"]["pattern"], " \t\n")
    # Nested lists carry the serializers' bounds.
    assert components["ProductOrderInRequest"]["properties"]["productOrderItem"]["minItems"] == 1
    # Filters: dates are date-times (an empty one is refused), states are listed, text holds no U+0000.
    assert orders["orderDate.gte"] == {"type": "string", "format": "date-time"}
    assert "inProgress" in orders["state"]["items"]["enum"]
    assert not re.search(orders["externalId"]["pattern"], "a\x00b")
    callback = re.compile(components["EventSubscriptionInRequest"]["properties"]["callback"]["pattern"])
    assert callback.search("https://[2606:4700::1111]/hook") and callback.search("http://listener.example:8080/x")
    assert not callback.search("http://0") and not callback.search("https://a.example:65536/")


@pytest.mark.parametrize("text", ["\x1e", "\x85\u3000", " \t", "\ufeff", "\u200b", " a "])
def test_the_not_blank_pattern_refuses_exactly_what_the_server_trims_to_nothing(text):
    # Spelled out rather than \S: ECMA-262's \s, which schemathesis and clients use, is not Python's.
    try:
        Text().run_validation(text)
        refused = False
    except ValidationError:
        refused = True

    assert refused == (re.search(tmf630.NOT_BLANK, text) is None)


def test_a_text_s_max_length_counts_the_spaces_around_it_as_the_documents_max_length_does():
    # schemathesis: 500 characters and leading spaces passed a maxLength 500 callback once trimmed.
    with pytest.raises(ValidationError):
        Text(max_length=5).run_validation("  abcd")
    assert Text(max_length=6).run_validation("  abcd") == "abcd"
