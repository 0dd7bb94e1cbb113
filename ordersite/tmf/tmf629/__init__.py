"""TMF629 Customer Management v4 for API clients: the customers a client may act for."""
