"""Presentation shared by more than one channel: capture forms from data requirements, live order pages."""
