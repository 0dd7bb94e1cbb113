"""The console's forms: they only translate between the page and the commands."""
