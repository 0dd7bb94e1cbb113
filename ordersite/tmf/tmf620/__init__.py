"""TMF620 Product Catalog v4: productOffering, read-only, with each offering's required characteristics."""
