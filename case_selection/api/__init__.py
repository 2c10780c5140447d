"""Whitelisted endpoints of the app, one module per area. Each checks permission explicitly before acting."""
