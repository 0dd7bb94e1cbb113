"""The product's way of writing dates, set once (settings.FORMAT_MODULE_PATH) for every page and the back office."""
