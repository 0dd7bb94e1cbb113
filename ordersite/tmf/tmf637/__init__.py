"""TMF637 Product Inventory v4 for API clients, read-only: the products their customers have."""
