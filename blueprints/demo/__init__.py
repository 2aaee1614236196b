"""Sample data for the embedded mode (``make run``): an organization worth clicking through."""
