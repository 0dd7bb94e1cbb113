"""Self-service (/my/): customers follow and place their own orders and manage their products."""
