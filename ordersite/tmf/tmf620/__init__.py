"""TMF620 Product Catalog v4: offerings, their specifications and prices; managed by clients allowed to."""

CATALOG_PATH = "/tmf-api/productCatalogManagement/v4"
