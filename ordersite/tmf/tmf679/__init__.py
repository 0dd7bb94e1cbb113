"""TMF679 Product Offering Qualification v4: can this customer have these offerings at this place, and why not."""
