"""Every replacement of a Frappe method or class, each installed from hooks.py: whitelisted methods
(override_whitelisted_methods), the File class (override_doctype_class), Data Import's methods, and the
Workflow Action hook (installed before each request and job)."""
