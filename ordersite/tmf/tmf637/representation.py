"""TMF637 Product: what a client reads of an installed product."""

from __future__ import annotations

from customers.models import InstalledProduct
from ordersite.tmf.tmf620.representation import offering_href
from ordersite.tmf.tmf622.representations import order_href
from ordersite.tmf.tmf629.serializers import customer_href
from ordersite.tmf.tmf630.dates import format_date, format_datetime
from ordersite.tmf.tmf630.values import characteristics, charges

INVENTORY_PATH = "/tmf-api/productInventory/v4"


def product_href(request, product: InstalledProduct) -> str:
    return request.build_absolute_uri(f"{INVENTORY_PATH}/product/{product.pk}")


def _prices(product: InstalledProduct) -> list[dict]:
    """What the customer agreed to pay for it: the prices of the order item that last set it up or changed it.

    A product from before ordering (or whose item is gone) shows the offering's prices.
    """
    source = product.last_order_item or product.offering
    return charges(
        recurring=source.recurring_price,
        one_off=source.one_off_price,
        currency=product.offering.currency,
        price_type="ProductPrice",
    )


def product_representation(request, product: InstalledProduct) -> dict:
    """A TMF637 Product; always with billingAccount, href, id, productCharacteristic, productOffering,
    productPrice, relatedParty and status (the conformance profile's mandatory attributes)."""
    customer, offering = product.customer, product.offering
    data: dict = {
        "id": str(product.pk),
        "href": product_href(request, product),
        "name": product.name,
        "isBundle": False,
        "isCustomerVisible": True,
        "status": product.status,
        # We bill a customer's products to the customer's one account, named by the customer number.
        "billingAccount": {"id": customer.number, "name": customer.name, "@referredType": "BillingAccount"},
        "productOffering": {
            "id": offering.code,
            "href": offering_href(request, offering),
            "name": offering.name,
            "@referredType": "ProductOffering",
        },
        "productCharacteristic": characteristics(product.characteristics or {}),
        "productPrice": _prices(product),
        "relatedParty": [
            {
                "id": customer.number,
                "href": customer_href(request, customer.number),
                "name": customer.name,
                "role": "customer",
                "@referredType": "Customer",
            }
        ],
    }
    if product.start_date:
        data["startDate"] = format_date(product.start_date)
    if product.termination_date:
        data["terminationDate"] = format_date(product.termination_date)
    if product.install_address is not None:
        data["place"] = [
            {
                "id": str(product.install_address.pk),
                "name": str(product.install_address),
                "role": "installationAddress",
                "@referredType": "GeographicAddress",
            }
        ]
    item = product.last_order_item
    if item is not None:
        if item.action == "add":  # the order that provided it, so the date it was ordered
            data["orderDate"] = format_datetime(item.order.created_at)
        data["productOrderItem"] = [
            {
                "orderItemId": item.item_id,
                "orderItemAction": item.action,
                "productOrderId": item.order.number,
                "productOrderHref": order_href(request, item.order),
                "role": "last changed by",
                "@referredType": "ProductOrder",
            }
        ]
    data["@type"] = "Product"
    return data


PRODUCT_ATTRIBUTES = {
    "id",
    "href",
    "name",
    "isBundle",
    "isCustomerVisible",
    "status",
    "billingAccount",
    "productOffering",
    "productCharacteristic",
    "productPrice",
    "relatedParty",
    "startDate",
    "terminationDate",
    "place",
    "orderDate",
    "productOrderItem",
    "@type",
}
