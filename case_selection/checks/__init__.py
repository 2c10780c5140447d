"""Checks of what people type: text stays text (text_rules), and the formats of codes, phones and mails
(formats)."""
