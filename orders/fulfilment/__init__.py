"""Fulfilment: decomposing issued orders into tasks, running them downstream, and completing orders."""
