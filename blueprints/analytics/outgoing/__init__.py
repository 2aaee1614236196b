"""Outgoing webhooks: endpoints per organization, signed deliveries by RQ, the log."""
