"""TMF622 Product Ordering v4: productOrder, cancelProductOrder and hub."""
