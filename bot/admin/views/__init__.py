"""Request handlers of the admin pages, one module per area."""
